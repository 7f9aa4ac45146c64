package dialog

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/golden")

// step is one thing that happens in a scripted conversation.
type step struct {
	text, action string
	event        EventKind // plan ready or handback
}

func say(text string) step     { return step{text: text} }
func press(action string) step { return step{action: action} }
func planReady() step          { return step{event: EventPlanReady} }
func handback() step           { return step{event: EventHandback} }

// testEngine runs on a fixed clock: 2026-12-01 10:00 in Shanghai.
func testEngine() *Engine {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	return &Engine{Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, sh) }, DefaultLoc: sh, Places: fakePlaces{}}
}

// fakePlan stands in for the planner: a plan for the trip as requested.
func fakePlan(c *Conversation) *Plan {
	tr := c.Trip
	p := &Plan{Version: c.Memo.PlanVersion + 1, Trip: tr, Source: "test"}
	for _, tier := range Tiers {
		o := Option{Tier: tier, Title: TierTitle(c.Lang, tier), BudgetLow: 100, BudgetHigh: 200, Currency: tr.Currency}
		for d := 0; d < tr.TripDays(); d++ {
			date := tr.StartDate.AddDays(d)
			o.Days = append(o.Days, DayPlan{Date: date, Morning: "m", Afternoon: "a", Evening: "e",
				Weather: &Weather{Summary: "sunny", TempMinC: 10, TempMaxC: 18}})
		}
		p.Options = append(p.Options, o)
	}
	return p
}

// runScript plays steps against a new conversation and renders the transcript.
func runScript(t *testing.T, steps []step) (string, *Conversation) {
	t.Helper()
	e := testEngine()
	e.Places = fakePlaces{}
	c := &Conversation{}
	var b strings.Builder
	for _, s := range steps {
		in := Inbound{Text: s.text, Action: s.action, Event: s.event}
		switch {
		case s.event == EventPlanReady:
			in.Plan, in.PlanRequest = fakePlan(c), c.Memo.PlanRequest
			fmt.Fprintf(&b, "* plan ready (request %d)\n", in.PlanRequest)
		case s.event != "":
			fmt.Fprintf(&b, "* %s\n", s.event)
		case s.action != "":
			fmt.Fprintf(&b, "> [%s]\n", s.action)
		default:
			fmt.Fprintf(&b, "> %s\n", s.text)
		}
		res := e.Handle(c, in)
		for _, r := range res.Replies {
			fmt.Fprintf(&b, "< (%s) %s\n", r.Kind, strings.ReplaceAll(r.Text, "\n", "\n    "))
			if len(r.Choices) > 0 {
				var cs []string
				for _, ch := range r.Choices {
					cs = append(cs, ch.Label+"="+ch.Action)
				}
				fmt.Fprintf(&b, "    [%s]\n", strings.Join(cs, " | "))
			}
			if r.Plan != nil {
				fmt.Fprintf(&b, "    plan v%d: %d options, %d days\n", r.Plan.Version, len(r.Plan.Options), len(r.Plan.Options[0].Days))
			}
		}
		for _, ef := range res.Effects {
			fmt.Fprintf(&b, "  ! %s", ef.Kind)
			if ef.PlanRequest > 0 {
				fmt.Fprintf(&b, " request=%d", ef.PlanRequest)
			}
			if ef.Rating > 0 {
				fmt.Fprintf(&b, " rating=%d", ef.Rating)
			}
			if ef.Text != "" {
				fmt.Fprintf(&b, " %q", ef.Text)
			}
			if ef.Category != "" {
				fmt.Fprintf(&b, " category=%s", ef.Category)
			}
			if ef.Opening != "" {
				fmt.Fprintf(&b, " opening=%q", ef.Opening)
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  = state=%s status=%s lang=%s\n", c.State, c.Status, c.Lang)
	}
	fmt.Fprintf(&b, "trip: %s\n", tripLine(c.Trip))
	return b.String(), c
}

func tripLine(tr TripRequest) string {
	var parts []string
	add := func(k string, v any) { parts = append(parts, fmt.Sprintf("%s=%v", k, v)) }
	add("destination", tr.Destination)
	if tr.StartDate != nil {
		add("start", tr.StartDate)
	}
	if tr.EndDate != nil {
		add("end", tr.EndDate)
	}
	if tr.Budget != nil {
		add("budget", *tr.Budget)
		add("currency", tr.Currency)
	}
	if tr.PartySize != nil {
		add("party", *tr.PartySize)
	}
	for k, v := range map[string]*bool{"kids": tr.KidFriendly, "access": tr.Accessibility, "pets": tr.PetFriendly} {
		if v != nil {
			add(k, *v)
		}
	}
	if tr.NaturalLandscape != "" {
		add("nature", tr.NaturalLandscape)
	}
	if tr.SocialLandscape != "" {
		add("social", tr.SocialLandscape)
	}
	if tr.Cuisine != "" {
		add("cuisine", tr.Cuisine)
	}
	if tr.OtherNeeds != "" {
		add("other", tr.OtherNeeds)
	}
	if tr.Exclude != "" {
		add("exclude", tr.Exclude)
	}
	// Map iteration order must not make the golden files flap.
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// fakePlaces is a gazetteer that knows every name but a few.
type fakePlaces struct{}

// fakeKnown are the names fakePlaces knows exactly; the others are unknown to it.
var fakeKnown = map[string]bool{"lisbon": true, "里斯本": true, "springfield": true, "福州": true, "厦门": true, "成都": true,
	"tokyo": true, "paris": true, "杭州": true, "苏州": true, "xiamen": true, "fuzhou": true, "rome": true, "florence": true,
	"harbin": true, "哈尔滨": true, "sapporo": true, "zermatt": true, "三亚": true, "札幌": true, "kyoto": true,
	"chicago": true, "bangkok": true, "青岛": true, "portugal": true, "berlin": true, "madrid": true, "东京": true,
	"new york": true, "北京": true, "黄山": true, "上海": true, "barcelona": true, "西安": true, "武汉": true, "桂林": true,
	"rio de janeiro": true, "hanoi": true, "peru": true, "昆明": true, "bali": true, "海南三亚": true}

func (fakePlaces) Knows(name string) (bool, bool) {
	return fakeKnown[strings.ToLower(strings.TrimSpace(name))], false
}

func (fakePlaces) Word(string) bool { return false }

func (fakePlaces) Near(name, lang string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "lisbn":
		return "Lisbon", true
	case "杭洲":
		return "杭州", true
	case "barcelonna":
		return "Barcelona", true
	}
	return "", false
}

func (fakePlaces) Lookup(name, lang string) PlaceMatch {
	switch strings.ToLower(name) {
	case "lisbon", "里斯本":
		return PlaceMatch{Place: &Place{Name: "Lisbon", CountryCode: "PT", Lat: 38.72, Lon: -9.14}}
	case "springfield":
		return PlaceMatch{Ambiguous: true, Candidates: []Place{
			{Name: "Springfield, Missouri", CountryCode: "US", Lat: 37.2, Lon: -93.3},
			{Name: "Springfield, Illinois", CountryCode: "US", Lat: 39.8, Lon: -89.6}}}
	case "lisbn":
		return PlaceMatch{Candidates: []Place{{Name: "Lisbon", CountryCode: "PT", Lat: 38.72, Lon: -9.14}}}
	case "zzyzxqv", "hello there":
		return PlaceMatch{}
	}
	// Every other name in the scripts is a known city.
	return PlaceMatch{Place: &Place{Name: name}}
}

var scripts = map[string][]step{
	// A name shared by several places, and a misspelt one: the bot asks which.
	"place_choices": {say("I want to visit Springfield"), press("place:1"), say("actually not Springfield, Lisbn"),
		say("Dec 20-23"), say("I want to go to Zzyzxqv"), press("edit:destination"), say("Lisbon"), say("$900"), press("need:none"), say("yes"), say("no")},
	// Everything in one message, then yes.
	"shortest_zh": {say("福州, 12月25日到12月30日, 每人2000, 带孩子, 喜欢海边和闽菜"), say("好的"), planReady()},
	"shortest_en": {say("Lisbon Dec 20-27, 2 of us, around €1500 each, no special needs, we love seafood and museums"), say("yes"), planReady()},
	// One slot at a time, with mistakes on the way.
	"slow_zh": {
		say("你好"), say("福州"), say("昨天"), say("12月30日到12月25日"), say("下个月"), say("12月25日到12月30日"),
		say("很多钱"), say("预算-100"), say("两千"), say("没有"), press("pref:skip"), say("好"), planReady(),
	},
	"slow_en": {
		say("hi"), say("I want to go to Lisbon"), say("Feb 30"), say("for 45 days"), say("from Dec 20 to Dec 27"),
		say("not sure, lots"), say("$800"), press("need:kids"), say("museums and street food"), say("yes"), planReady(),
	},
	// Corrections before the plan, at the summary, and after it.
	"corrections": {
		say("福州, 12月25日到12月30日, 每人2000"), say("预算改成5000"), press("need:none"), press("pref:nature"),
		say("不是福州，是厦门"), press("edit:dates"), say("12月26日到12月29日"), press("plan"), planReady(),
		say("change the budget to 3000"), planReady(), say("actually from Dec 27"), planReady(),
	},
	// A switch of language in the middle.
	"language_switch": {say("去厦门玩"), say("12月20日到12月23日"), say("/lang en"), say("5000元"), say("switch to chinese"), say("没有"), press("pref:food"), say("ok")},
	// An emergency while collecting, then back to where the traveller was.
	"emergency_midway": {say("I want to visit Paris"), say("help, I lost my passport"), say("I'm at the station"), press("resume"), say("Dec 20 - 24")},
	// A human asked for, the bot steps aside, the agent hands back.
	"human_request": {say("成都，12月20日到24日"), say("转人工"), say("有人吗"), handback(), say("3000")},
	// A misspelt destination, read as the town it most likely means, then confirmed.
	"typo_confirmed": {say("杭洲，12月20日到24日，每人3000"), say("没有"), say("不用了"), say("确认，生成方案"), planReady()},
	// A holiday: said alone it is a question; with a length it is the day to leave.
	"holiday_trip": {say("元旦去厦门"), say("元旦出发，玩三天"), say("每人2000"), press("need:none"), press("pref:food"), say("好的")},
	// A labelled form, every slot in one message.
	"labelled_form": {say("目的地：成都，日期：12.20-12.24，人数：4，预算：每人2000元，需求：带孩子，偏好：火锅"), say("确认")},
	// A message that corrects itself: the last value wins and the reply says so.
	"self_correction": {say("去杭州，不对，去苏州，12月20日到23日"), say("budget 2000 no make that 2500")},
	// "3/4" in English is asked, with a choice for each reading.
	"ambiguous_date": {say("Lisbon"), say("3/4 for 5 days"), press("dates:2027-03-04..2027-03-08"), say("$900")},
	// A place described, not named: suggestions, nothing stored until one is chosen.
	"somewhere_with_snow": {say("somewhere with snow"), press("place:0"), say("Dec 20-23")},
	// Ruling a place out after a plan: the new plan request carries the exclusion.
	"exclude_after_plan": {say("福州, 12月25日到12月30日, 每人2000, 没有特殊需求, 喜欢爬山"), say("确认"), planReady(),
		say("不要去鼓山"), planReady()},
	// "不用了" to each optional question skips it and keeps the trip.
	"skip_optional": {say("厦门，12月20日到23日，每人2000"), say("不用了"), say("不用了"), say("no thanks")},
	// A question about the service in the middle of the form: answered, then the form goes on.
	"faq_midform": {say("想去成都"), say("系统维护会影响我的数据吗？"), say("how do I get notified about downtime?"), say("12月20日到24日")},
	// A complaint in the middle of the form opens feedback with its words kept.
	"complaint_midform": {say("I want to go to Paris"), say("this bot is useless and so slow"), press("skip"), say("Dec 20-24")},
	// /start in English, then Chinese: the replies follow the traveller.
	"start_then_chinese": {say("/start"), say("我想去成都玩")},
	// A part of a month instead of days: asked by its window, and days said alone are read in it.
	"vague_period": {say("去厦门"), say("下个月中旬"), say("15号到18号"), say("mid january"), press("dates:2027-01-11..2027-01-14")},
	// A need said at another question is kept, and that question asked again.
	"need_at_other_question": {say("去成都"), say("我们不吃香菜"), say("we don't eat pork either"), say("12月20日到24日")},
	// A sight dropped after a plan: excluded from the next one, the trip goes on.
	"sight_dropped": {say("杭州, 12月20日到24日, 每人3000, 没有特殊需求, 想去雷峰塔"), say("确认"), planReady(),
		say("雷峰塔就不去了"), planReady()},
	// A change at the summary is answered by the summary alone, in either language.
	"change_at_confirm": {say("Tokyo Dec 20-23 $2000 none, food"), say("budget 2500 please"), say("预算改成每人3000"), say("一共7个人")},
	// Feedback from the middle of a plan's life.
	"feedback": {say("Tokyo Dec 20-23 $2000 none, food"), say("go ahead"), planReady(), say("/feedback"), press("rate:4"), say("great ideas, too many temples"), say("change budget to $3000")},
}

func TestGoldenTranscripts(t *testing.T) {
	for name, steps := range scripts {
		t.Run(name, func(t *testing.T) {
			got, c := runScript(t, steps)
			if !knownState(c.State) {
				t.Fatalf("ended in unknown state %q", c.State)
			}
			path := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run `go test ./dialog -run Golden -update` to create it)", err)
			}
			if got != string(want) {
				t.Errorf("transcript differs from %s (rerun with -update after checking):\n--- got\n%s", path, got)
			}
		})
	}
}
