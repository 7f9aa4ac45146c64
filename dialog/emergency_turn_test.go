package dialog_test

import (
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/emergency"
	"xingqu/providers/geo"
)

func careEngine() *dialog.Engine {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	return &dialog.Engine{Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, sh) }, DefaultLoc: sh,
		Places: geo.Places{}, EmergencyHelp: emergency.Help}
}

func effectOf(res dialog.Result, kind dialog.EffectKind) (dialog.Effect, bool) {
	for _, e := range res.Effects {
		if e.Kind == kind {
			return e, true
		}
	}
	return dialog.Effect{}, false
}

func allText(res dialog.Result) string {
	var b strings.Builder
	for _, r := range res.Replies {
		b.WriteString(r.Text)
		b.WriteString("\n")
	}
	return b.String()
}

func hasChoice(res dialog.Result, action string) bool {
	for _, r := range res.Replies {
		for _, c := range r.Choices {
			if c.Action == action {
				return true
			}
		}
	}
	return false
}

// The first reply to an emergency names the numbers of the country the traveller is in:
// their trip's destination here, with the advice for the kind of trouble.
func TestEmergencyFirstReplyUsesTheTripsCountry(t *testing.T) {
	e := careEngine()
	cases := []struct {
		lang, dest, text string
		cat              dialog.EmergencyCategory
		country          string
		want             []string
	}{
		{dialog.LangZH, "福州", "我的护照丢了", dialog.EmergencyDocuments, "CN", []string{"110", "120", "119", "出入境", "报案证明"}},
		{dialog.LangEN, "Lisbon", "I was hit by a car", dialog.EmergencyInjury, "PT", []string{"112", "Portugal", "bleeding"}},
		{dialog.LangEN, "Tokyo", "someone stole my wallet", dialog.EmergencyCrime, "JP", []string{"police 110", "ambulance 119", "Japan"}},
		{dialog.LangEN, "Tokyo", "my passport was stolen", dialog.EmergencyDocuments, "JP", []string{"110", "+86-10-12308", "embassy"}},
		{dialog.LangZH, "东京", "孩子走丢了", dialog.EmergencyLostPerson, "JP", []string{"警察 110", "日本"}},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			c := &dialog.Conversation{State: dialog.StateBudget, Lang: tc.lang, Trip: dialog.TripRequest{Destination: tc.dest}}
			res := e.Handle(c, dialog.Inbound{Text: tc.text})
			if c.State != dialog.StateEmergency || c.Status != dialog.StatusWaiting || c.Priority != dialog.EmergencyPriority {
				t.Fatalf("state %s status %s priority %d, want emergency, waiting, %d", c.State, c.Status, c.Priority, dialog.EmergencyPriority)
			}
			ef, ok := effectOf(res, dialog.EffectEmergency)
			if !ok || ef.Category != string(tc.cat) || ef.Country != tc.country || ef.Text != tc.text {
				t.Fatalf("emergency effect %+v, want category %s country %s", ef, tc.cat, tc.country)
			}
			if _, ok := effectOf(res, dialog.EffectCallHuman); !ok {
				t.Errorf("no call for a human: %+v", res.Effects)
			}
			got := allText(res)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply lacks %q:\n%s", w, got)
				}
			}
			if !hasChoice(res, "location") || !hasChoice(res, "resume") {
				t.Errorf("want the share-location and I'm-safe buttons: %+v", res.Replies)
			}
		})
	}
}

// A traveller who chose a plan for Fuzhou and has since begun asking about Tokyo is
// still on the chosen trip: the emergency numbers are China's. Before a plan is chosen,
// the trip being talked about is the likelier place.
func TestEmergencyRefersToTheChosenPlan(t *testing.T) {
	e := careEngine()
	for _, tc := range []struct {
		chosen  dialog.Tier
		country string
		want    string
	}{{dialog.TierEconomical, "CN", "120"}, {"", "JP", "119"}} {
		fuzhou := dialog.TripRequest{Destination: "福州"}
		c := &dialog.Conversation{State: dialog.StateDates, Lang: dialog.LangZH, Trip: dialog.TripRequest{Destination: "东京"},
			Memo: dialog.Memo{PlanVersion: 1, PlannedTrip: &fuzhou, Chosen: tc.chosen}}
		res := e.Handle(c, dialog.Inbound{Text: "我的护照丢了"})
		if ef, ok := effectOf(res, dialog.EffectEmergency); !ok || ef.Country != tc.country {
			t.Errorf("chosen %q: emergency effect %+v, want country %s", tc.chosen, ef, tc.country)
		}
		if !strings.Contains(allText(res), tc.want) {
			t.Errorf("chosen %q: reply lacks %s: %s", tc.chosen, tc.want, allText(res))
		}
	}
}

// Reachable from every state, by words, /sos and the button, in both languages.
func TestEmergencyFromEveryState(t *testing.T) {
	e := careEngine()
	for _, state := range dialog.States {
		for _, in := range []dialog.Inbound{{Text: "/sos"}, {Action: "sos"}, {Text: "I think I broke my leg"}, {Text: "地震了，房子在晃"}} {
			c := &dialog.Conversation{State: state, Lang: dialog.LangEN, Status: dialog.StatusBot, Trip: dialog.TripRequest{Destination: "Lisbon"}}
			if state == dialog.StateHuman {
				c.Status = dialog.StatusWaiting
			}
			res := e.Handle(c, in)
			if c.State != dialog.StateEmergency {
				t.Errorf("%s + %+v: state %s, want emergency", state, in, c.State)
				continue
			}
			if _, ok := effectOf(res, dialog.EffectEmergency); !ok {
				t.Errorf("%s + %+v: no emergency effect", state, in)
			}
			if !strings.Contains(allText(res), "112") {
				t.Errorf("%s + %+v: no Portuguese number in %q", state, in, allText(res))
			}
		}
	}
}

// With nowhere known the reply asks where the traveller is; a shared location or a
// typed city then brings that country's numbers, and a denied location gets E-202.
func TestEmergencyAsksWhereThenAnswersForThePlace(t *testing.T) {
	e := careEngine()
	c := &dialog.Conversation{State: dialog.StateStart, Lang: dialog.LangEN}
	res := e.Handle(c, dialog.Inbound{Text: "help! we were robbed"})
	if ef, _ := effectOf(res, dialog.EffectEmergency); ef.Country != "" {
		t.Fatalf("country %q, want unknown", ef.Country)
	}
	if got := allText(res); !strings.Contains(got, "which country") || !strings.Contains(got, "112") {
		t.Fatalf("want the question where and 112: %s", got)
	}
	res = e.Handle(c, dialog.Inbound{Action: "location:denied"})
	if got := allText(res); !strings.Contains(got, "E-202") || c.State != dialog.StateEmergency {
		t.Fatalf("denied location: %s (state %s)", got, c.State)
	}
	res = e.Handle(c, dialog.Inbound{Event: dialog.EventLocation, Place: &dialog.Place{Name: "Shibuya", CountryCode: "JP", Lat: 35.66, Lon: 139.7}})
	if got := allText(res); !strings.Contains(got, "police 110") || !strings.Contains(got, "Shibuya") {
		t.Fatalf("shared location in Japan: %s", got)
	}
	if ef, _ := effectOf(res, dialog.EffectEmergency); ef.Country != "JP" || ef.Category != string(dialog.EmergencyCrime) {
		t.Fatalf("location effect %+v", ef)
	}
	if hasChoice(res, "location") {
		t.Errorf("location shared, still offered: %+v", res.Replies)
	}

	c = &dialog.Conversation{State: dialog.StateStart, Lang: dialog.LangZH}
	e.Handle(c, dialog.Inbound{Text: "救命"})
	res = e.Handle(c, dialog.Inbound{Text: "里斯本"})
	if got := allText(res); !strings.Contains(got, "112") || !strings.Contains(got, "葡萄牙") {
		t.Fatalf("typed city: %s", got)
	}
}

// "I'm safe now", pressed or typed, is recorded for the agent; the conversation stays in
// the agents' queue at its priority and the trip carries on where it was.
func TestSafeNowKeepsTheConversationQueued(t *testing.T) {
	e := careEngine()
	for _, in := range []dialog.Inbound{{Action: "resume"}, {Text: "I'm safe now"}, {Text: "我们没事了"}, {Text: "cancel"}} {
		c := &dialog.Conversation{State: dialog.StateDates, Lang: dialog.LangEN, Trip: dialog.TripRequest{Destination: "Lisbon"}}
		e.Handle(c, dialog.Inbound{Text: "my son is missing"})
		res := e.Handle(c, in)
		if _, ok := effectOf(res, dialog.EffectSafe); !ok {
			t.Errorf("%+v: no safe effect: %+v", in, res.Effects)
		}
		if c.State != dialog.StateDates || c.Status != dialog.StatusWaiting || c.Priority != dialog.EmergencyPriority {
			t.Errorf("%+v: state %s status %s priority %d; want dates, still waiting at %d", in, c.State, c.Status, c.Priority, dialog.EmergencyPriority)
		}
	}
}

// "/case" and its equivalents answer from the case the caller looked up, in any state.
func TestCaseQueryAnswersFromTheCase(t *testing.T) {
	e := careEngine()
	c := &dialog.Conversation{State: dialog.StatePlanned, Lang: dialog.LangZH}
	res := e.Handle(c, dialog.Inbound{Text: "我的工单进展"})
	if got := allText(res); !strings.Contains(got, "没有求助记录") {
		t.Fatalf("no case: %s", got)
	}
	v := &dialog.CaseView{Number: 7, Kind: "emergency", Status: dialog.CaseInProgress, Agent: "lin", LastNote: "已联系领事馆"}
	res = e.Handle(c, dialog.Inbound{Text: "/case", Case: v})
	got := allText(res)
	for _, w := range []string{"#7", "lin", "已联系领事馆"} {
		if !strings.Contains(got, w) {
			t.Errorf("case answer lacks %q: %s", w, got)
		}
	}
	if c.State != dialog.StatePlanned || res.Intent != "case" {
		t.Errorf("state %s intent %s", c.State, res.Intent)
	}
}

// Troubles said in everyday words are emergencies, with the numbers of the place they
// name: a wallet lost or nicked, a phone gone, feeling ill, altitude sickness now; "I'm in
// Tokyo and I lost my passport" is in Japan. Worrying about altitude sickness is not one.
func TestEverydayTroubles(t *testing.T) {
	wantEmergency(t, map[string]bool{
		"我在曼谷 钱包丢了": true, "在首尔钱包掉了": true, "手机丢了": true, "在拉萨高反了": true,
		"someone nicked my wallet in london 😭": true, "my credit card got skimmed in hong kong": true,
		"i feel really ill": true, "feeling unwell, high temp": true, "my wife is not feeling well": true,
		"lost my phone at chunxi road": true,
		"我有高反":                         false, "我有点担心高反": false, "i feel really excited": false, "phone case lost its shine": false,
	})
}

// Wanting to die is an emergency whatever else the message says: the traveller is
// answered with care before the numbers and a person is called. A missing child or
// elderly person said either way round (孩子找不到了) is an emergency, not a need; the
// Dead Sea and a place with few people are neither.
func TestSelfHarmAndMissingPeople(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, text := range []string{"我想去死", "我不想活了", "活着没意思 想去西湖跳下去", "想自杀", "i want to kill myself", "I don't want to live anymore"} {
		c := chosenPlan("zh")
		before := c.Trip
		res := e.Handle(c, dialog.Inbound{Text: text})
		human := false
		for _, ef := range res.Effects {
			human = human || ef.Kind == dialog.EffectCallHuman
		}
		if !human || c.State != dialog.StateEmergency || c.Trip != before || !strings.Contains(replyTexts(res), dialog.T(c.Lang, "emergency_care")) {
			t.Errorf("%q: human %v, state %s, trip changed %v: %s", text, human, c.State, c.Trip != before, replyTexts(res))
		}
	}
	for text, want := range map[string]bool{
		"孩子找不到了": true, "孩子丢了": true, "老人找不到了": true, "在吉隆坡 孩子找不到了": true,
		"我想去死海": false, "找个人少的地方": false, "笑死我了": false, "累死了": false,
	} {
		in, _ := dialog.DetectIntent(text)
		_, read := dialog.ReadEmergency(text)
		if got := in == dialog.IntentEmergency || read; got != want {
			t.Errorf("%q: emergency %v, want %v", text, got, want)
		}
		if in == dialog.IntentHuman {
			t.Errorf("%q: a person called", text)
		}
	}
}

// Slang is no emergency: "looks sick" is praise, "daylight robbery" a price, a phone that
// died yesterday no date; someone who is sick still is one.
func TestSlangIsNoEmergency(t *testing.T) {
	wantEmergency(t, map[string]bool{
		"the food on day 1 looks sick": false, "luxury price is daylight robbery lol": false, "my phone died yesterday, just got your msg": false,
		"my son is sick": true, "i feel sick": true,
	})
	if ex := dialog.Extract("my phone died yesterday, just got your msg", dialog.ParseContext{}); ex.Start != nil || ex.DateProblem != "" {
		t.Errorf("a day told about read as a date: %+v", ex)
	}
}

// A trouble beside words that sound like another (a traveller fine but a child missing,
// help asked for with 有没有人, a bargain price, missing someone) is read for what it is.
func TestEmergencyWordsInTheirPlace(t *testing.T) {
	wantEmergency(t, map[string]bool{
		"我没事，但孩子走丢了": true, "we're ok but my wife was hit by a car": true, "我没事先买保险，护照被偷了": true, "有没有人帮我 护照被偷了": true,
		"跳楼价，快订": false, "想死你了": false, "I hurt myself hiking": true, "I feel terrible about cancelling": false, "钱花没了": false,
		"the card was swiped at the hotel desk": false, "someone swiped my wallet": true,
	})
}

// wantEmergency checks which texts either reader (the intent or the sentence reading)
// takes for an emergency.
func wantEmergency(t *testing.T, cases map[string]bool) {
	t.Helper()
	for text, want := range cases {
		in, _ := dialog.DetectIntent(text)
		_, read := dialog.ReadEmergency(text)
		if got := in == dialog.IntentEmergency || read; got != want {
			t.Errorf("%q: emergency %v, want %v", text, got, want)
		}
	}
}
