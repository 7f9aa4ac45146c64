package dialog_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/emergency"
	"xingqu/providers/geo"
)

// What the bot shows back is in the reply's language where it knows the translation:
// a place by its name in that language, a recognised preference word by its pair.
func TestSlotTextsShownInReplyLanguage(t *testing.T) {
	cases := []struct {
		lang, dest, stored, text string
		want                     []string
		notWant                  []string
	}{
		{"en", "杭州", "海边", "museums", []string{"Destination: Hangzhou", "beach", "museums"}, []string{"杭州", "海边"}},
		{"zh", "Lisbon", "beach", "博物馆", []string{"目的地：里斯本", "海边", "博物馆"}, []string{"Lisbon", "beach"}},
	}
	for _, tc := range cases {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StatePreferences, tc.lang, "Asia/Shanghai", nil)
		c.Trip.Destination = tc.dest
		c.Trip.Place = geo.Places{}.Lookup(tc.dest, tc.lang).Place
		c.Trip.NaturalLandscape = tc.stored
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		var all []string
		for _, r := range out.Replies {
			all = append(all, r.Text)
		}
		got := strings.Join(all, "\n")
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: reply lacks %q:\n%s", tc.lang, w, got)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(got, w) {
				t.Errorf("%s: reply shows %q untranslated:\n%s", tc.lang, w, got)
			}
		}
		if c.Trip.Destination != tc.dest || c.Trip.NaturalLandscape != tc.stored {
			t.Errorf("%s: the stored texts changed: %q, %q", tc.lang, c.Trip.Destination, c.Trip.NaturalLandscape)
		}
	}
}

// A change at the summary is answered by one message, the summary itself, in both
// languages; the message before it never repeats the same facts.
func TestChangeAtConfirmIsOneMessage(t *testing.T) {
	for _, tc := range []struct{ lang, text, want string }{
		{"zh", "预算改成每人5000", "5000元"},
		{"en", "make the budget 5000 please", "5000"},
		{"zh", "一共7个人", "人数：7"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateConfirm, tc.lang, "Asia/Shanghai", nil)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if len(out.Replies) != 1 {
			t.Errorf("%q: %d replies, want the summary alone: %v", tc.text, len(out.Replies), out.Replies)
			continue
		}
		if r := out.Replies[0]; !strings.Contains(r.Text, tc.want) || !strings.Contains(r.Text, dialog.T(tc.lang, "confirm_intro")) {
			t.Errorf("%q: reply is not the summary with the change: %q", tc.text, r.Text)
		}
	}
}

// A part of a month, or a holiday's break, is asked about by its window, with stays
// inside it to choose; days said alone in answer are read inside it, in either language.
func TestPeriodThenDays(t *testing.T) {
	for _, tc := range []struct{ lang, period, days, start, end string }{
		{"zh", "下个月中旬", "15号到18号", "2027-01-15", "2027-01-18"},
		{"en", "mid january", "the 12th to the 16th", "2027-01-12", "2027-01-16"},
		{"zh", "2月初吧", "3到6号", "2027-02-03", "2027-02-06"},
		{"en", "first week of march", "the 2nd to the 5th", "2027-03-02", "2027-03-05"},
		{"en", "sometime the last week of feb", "the 24th to the 27th", "2027-02-24", "2027-02-27"},
		{"zh", "3月第二周", "9号到12号", "2027-03-09", "2027-03-12"},
		{"zh", "一月的第一个星期吧", "2号到5号", "2027-01-02", "2027-01-05"},
		// A holiday said alone: which days of its usual break.
		{"zh", "五一去", "2号到4号", "2027-05-02", "2027-05-04"},
		{"zh", "国庆吧", "3号到6号", "2027-10-03", "2027-10-06"},
		{"en", "over christmas", "the 24th to the 26th", "2026-12-24", "2026-12-26"},
		// A month said alone: which days of it.
		{"zh", "7月份吧", "10号到15号", "2027-07-10", "2027-07-15"},
		{"zh", "下个月", "5号到8号", "2027-01-05", "2027-01-08"},
		{"en", "in april", "the 10th to the 14th", "2027-04-10", "2027-04-14"},
		{"en", "sometime in august", "the 3rd to the 9th", "2027-08-03", "2027-08-09"},
		// The week after next, and the end of this month in English.
		{"zh", "下下周吧", "15号到18号", "2026-12-15", "2026-12-18"},
		{"en", "the week after next", "the 15th to the 18th", "2026-12-15", "2026-12-18"},
		{"en", "end of the month", "the 27th to the 30th", "2026-12-27", "2026-12-30"},
		{"en", "end of month", "the 27th to the 30th", "2026-12-27", "2026-12-30"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"杭州"`)}
		c := conversationAt(dialog.StateDates, tc.lang, "Asia/Shanghai", prior)
		out := e.Handle(c, dialog.Inbound{Text: tc.period})
		if out.Asked != "dates" || c.Trip.StartDate != nil {
			t.Fatalf("%q: asked %q, start %v; want the dates asked, nothing stored", tc.period, out.Asked, c.Trip.StartDate)
		}
		if len(out.Replies) == 0 || len(out.Replies[len(out.Replies)-1].Choices) == 0 {
			t.Fatalf("%q: no stays offered: %v", tc.period, out.Replies)
		}
		for _, ch := range out.Replies[len(out.Replies)-1].Choices {
			if !strings.HasPrefix(ch.Action, "dates:"+tc.start[:8]) {
				t.Errorf("%q: offered %s outside the month said", tc.period, ch.Action)
			}
		}
		e.Handle(c, dialog.Inbound{Text: tc.days})
		if fmtDate(c.Trip.StartDate) != tc.start || fmtDate(c.Trip.EndDate) != tc.end {
			t.Errorf("%q then %q: %s..%s, want %s..%s", tc.period, tc.days, fmtDate(c.Trip.StartDate), fmtDate(c.Trip.EndDate), tc.start, tc.end)
		}
	}
}

// A month said with a length or a weekend offers stays of that length, or its weekends,
// and the days chosen are said back.
func TestMonthAloneOffersStays(t *testing.T) {
	for _, tc := range []struct {
		lang, first, second string
		days                int
		weekend             bool
	}{
		{"zh", "7月带孩子去三亚玩一周", "", 7, false},
		{"en", "paris next month for 5 days", "", 5, false},
		{"zh", "下个月去东京", "5天", 5, false},
		{"en", "iceland in august", "a week", 7, false},
		{"zh", "下个月找个周末去杭州", "", 2, true},
		{"en", "a weekend in amsterdam next month", "", 2, true},
		{"en", "bali, 12 days in march", "", 12, false},
		{"zh", "下个月去东京", "两周", 14, false},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateStart, tc.lang, "Asia/Shanghai", nil)
		out := e.Handle(c, dialog.Inbound{Text: tc.first})
		if tc.second != "" {
			out = e.Handle(c, dialog.Inbound{Text: tc.second})
		}
		if out.Asked != "dates" || len(out.Replies) == 0 {
			t.Fatalf("%q %q: asked %q; want the dates", tc.first, tc.second, out.Asked)
		}
		chs := out.Replies[len(out.Replies)-1].Choices
		if len(chs) < 2 {
			t.Fatalf("%q %q: offered %v; want stays", tc.first, tc.second, chs)
		}
		var last dialog.Choice
		for _, ch := range chs {
			a, b, ok := strings.Cut(strings.TrimPrefix(ch.Action, "dates:"), "..")
			from, err1 := time.Parse("2006-01-02", a)
			to, err2 := time.Parse("2006-01-02", b)
			if !ok || err1 != nil || err2 != nil {
				t.Fatalf("%q: choice %q is not a stay", tc.first, ch.Action)
			}
			if n := int(to.Sub(from).Hours()/24) + 1; n != tc.days {
				t.Errorf("%q %q: stay %s is %d days, want %d", tc.first, tc.second, ch.Action, n, tc.days)
			}
			if tc.weekend && (from.Weekday() != time.Saturday || to.Weekday() != time.Sunday) {
				t.Errorf("%q: stay %s is not a weekend", tc.first, ch.Action)
			}
			if !tc.weekend && tc.second == "" && from.Month() != to.Month() {
				t.Errorf("%q: stay %s leaves the month", tc.first, ch.Action)
			}
			last = ch
		}
		out = e.Handle(c, dialog.Inbound{Text: last.Label, Action: last.Action})
		if c.Trip.StartDate == nil || c.Trip.EndDate == nil || len(out.Replies) == 0 {
			t.Fatalf("%q: pressing %q kept %v..%v", tc.first, last.Label, c.Trip.StartDate, c.Trip.EndDate)
		}
		if said := out.Replies[0].Text; !strings.Contains(said, dialog.T(tc.lang, "f_dates")) {
			t.Errorf("%q: pressing %q answered %q; want the dates said back", tc.first, last.Label, said)
		}
	}
}

func fmtDate(d *dialog.Date) string {
	if d == nil {
		return "-"
	}
	return d.String()
}

// A need or preference said at another question is kept, and that question asked again.
func TestNeedAtAnotherQuestionIsKept(t *testing.T) {
	for _, tc := range []struct{ lang, text, want string }{
		{"zh", "我们不吃香菜", "香菜"},
		{"en", "we don't eat pork btw", "pork"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"杭州"`)}
		c := conversationAt(dialog.StateDates, tc.lang, "Asia/Shanghai", prior)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if !strings.Contains(c.Trip.Exclude, tc.want) {
			t.Errorf("%q: exclusions %q, want %q kept", tc.text, c.Trip.Exclude, tc.want)
		}
		last := out.Replies[len(out.Replies)-1].Text
		if c.State != dialog.StateDates || last != dialog.T(tc.lang, "ask_dates") {
			t.Errorf("%q: state %s, last reply %q; want the dates question again", tc.text, c.State, last)
		}
	}
}

// A budget said for the whole party before its size is known is shown as a total, and
// divided among the party once its size is said, in either language.
func TestTotalBudgetThenParty(t *testing.T) {
	for _, tc := range []struct {
		lang, budget, party, shown string
		share                      float64
	}{
		{"en", "hangzhou, 800 in total", "there are 2 of us", "800 in total", 400},
		{"zh", "杭州，一共一万", "我们三个人", "一共 10000", 10000.0 / 3},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateDestination, tc.lang, "Asia/Shanghai", nil)
		out := e.Handle(c, dialog.Inbound{Text: tc.budget})
		said := ""
		for _, r := range out.Replies {
			said += r.Text + "\n"
		}
		if c.Trip.Budget == nil || !strings.Contains(said, tc.shown) {
			t.Fatalf("%q: budget %v, replies %q; want the total kept and shown as %q", tc.budget, c.Trip.Budget, said, tc.shown)
		}
		e.Handle(c, dialog.Inbound{Text: tc.party})
		if c.Trip.PartySize == nil || c.Trip.Budget == nil || math.Abs(*c.Trip.Budget-tc.share) > 0.01 {
			t.Errorf("%q then %q: party %v, budget %v; want each one's share %.2f", tc.budget, tc.party, c.Trip.PartySize, c.Trip.Budget, tc.share)
		}
	}
}

// After "in", a small town's name that is no English word is the town ("the northern
// lights in tromso"); an ordinary word after "in" never is a place.
func TestInNamesASmallTown(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, tc := range []struct{ text, want string }{
		{"two of us want to see the northern lights in tromso in february", "Tromsø"},
		{"northern lights in tromso", "Tromsø"},
	} {
		c := emptyTrip("en")
		e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.Place == nil || c.Trip.Place.Name != tc.want {
			t.Errorf("%q: destination %q (%+v), want %q", tc.text, c.Trip.Destination, c.Trip.Place, tc.want)
		}
	}
	for _, w := range readLines(t, "words_en.txt") {
		w = strings.TrimSpace(w)
		c := emptyTrip("en")
		e.Handle(c, dialog.Inbound{Text: "we want two days in " + w})
		if c.Trip.Destination != "" || c.Memo.PendingDestination != "" {
			t.Errorf("%q: destination %q, proposed %q", "two days in "+w, c.Trip.Destination, c.Memo.PendingDestination)
		}
	}
}

// After 去, a known name that starts with a word that usually ends one (日, 出) is read
// whole: 去日出町 is the town, not a wish to see the sunrise.
func TestMarkerReadsKnownNameWhole(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, tc := range []struct{ text, want string }{
		{"去日出町玩两天", "日出町"},
		{"想去日本玩五天", "日本"},
		{"去日出看云海", ""}, // 日出 is a sunrise here, and no place follows 去
	} {
		c := emptyTrip("zh")
		e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.Destination != tc.want || tc.want != "" && c.Trip.NaturalLandscape != "" {
			t.Errorf("%q: destination %q, nature %q; want %q only", tc.text, c.Trip.Destination, c.Trip.NaturalLandscape, tc.want)
		}
	}
}

// Places joined by 和, "and" or a comma are a choice the traveller makes, as places side
// by side are: none of them is dropped or picked silently.
func TestJoinedPlacesAreAskedAbout(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, tc := range []struct {
		lang, text string
		choices    int
		dest       string
	}{
		{"zh", "我想去西安和洛阳 五天", 2, ""},
		{"zh", "西安和洛阳", 2, ""},
		{"zh", "北京、上海、广州 十天", 3, ""},
		{"en", "rome and florence, 2 of us", 2, ""},
		{"en", "my wife and I want to visit Paris", 0, "Paris"},
		{"en", "from shanghai to hangzhou", 0, "Hangzhou"},
		{"zh", "我在上海，想去杭州", 0, "杭州"},
		// Alternatives: a small town beside "or", a name before 好.
		{"en", "phuket or krabi dec 20-24", 2, ""},
		{"zh", "巴黎还是伦敦好呢", 2, ""},
		{"zh", "去杭州好玩吗", 0, "杭州"},
	} {
		c := emptyTrip(tc.lang)
		e.Handle(c, dialog.Inbound{Text: tc.text})
		got := ""
		if c.Trip.Place != nil {
			got = c.Trip.Place.Name
		}
		if len(c.Memo.PlaceChoices) != tc.choices || got != tc.dest {
			t.Errorf("%q: destination %q, choices %v; want %q, %d choices", tc.text, got, c.Memo.PlaceChoices, tc.dest, tc.choices)
		}
	}
}

// Two places and a month: the place is asked first, alone, and the month's days once it
// is chosen.
func TestPlaceAskedBeforeTheMonthsDays(t *testing.T) {
	for _, tc := range []struct{ lang, text, pick, month string }{
		{"en", "we're thinking lisbon or porto for a long weekend in may", "Lisbon", "2027-05"},
		{"zh", "下个月去杭州还是苏州", "杭州", "2027-01"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := emptyTrip(tc.lang)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		sets := 0
		for _, r := range out.Replies {
			if len(r.Choices) > 0 {
				sets++
			}
		}
		if out.Asked != "destination" || sets != 1 {
			t.Fatalf("%q: asked %q with %d sets of buttons; want the place alone", tc.text, out.Asked, sets)
		}
		out = e.Handle(c, dialog.Inbound{Text: tc.pick})
		chs := out.Replies[len(out.Replies)-1].Choices
		if out.Asked != "dates" || len(chs) == 0 {
			t.Fatalf("%q then %q: asked %q, offered %v; want the month's days", tc.text, tc.pick, out.Asked, chs)
		}
		for _, ch := range chs {
			if !strings.HasPrefix(ch.Action, "dates:"+tc.month) {
				t.Errorf("%q: offered %s, outside %s", tc.text, ch.Action, tc.month)
			}
		}
	}
}

// Countries and big cities the word list also has as English words (to shanghai, to
// japan) are the place when a traveller types them; the everyday words among them
// (turkey, jersey) still need a marker.
func TestBigPlacesThatAreWords(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, tc := range []struct{ text, want string }{
		{"shanghai dec 20-24", "Shanghai"},
		{"Shanghai in january", "Shanghai"},
		{"japan 🇯🇵 dec 20-24", "Japan"},
		{"this weekend shanghai", "Shanghai"},
		{"turkey dec 20-24", ""},
		{"a new jersey for the trip", ""},
		{"trip to turkey dec 20-24", "Türkiye"},
	} {
		c := emptyTrip("en")
		e.Handle(c, dialog.Inbound{Text: tc.text})
		got := ""
		if c.Trip.Place != nil {
			got = c.Trip.Place.Name
		}
		if got != tc.want {
			t.Errorf("%q: destination %q (%q), want %q", tc.text, got, c.Trip.Destination, tc.want)
		}
	}
}

// A day said with coming back after it moves the end, not the start.
func TestDaySaidWithComingBackIsTheEnd(t *testing.T) {
	for _, text := range []string{"改成25号回来", "25号再回来吧", "12月25日返程"} {
		e := corpusEngine("Asia/Shanghai")
		c := emptyTrip("zh")
		e.Handle(c, dialog.Inbound{Text: "去成都，12月20到24号，每人3000"})
		e.Handle(c, dialog.Inbound{Text: text})
		if fmtDate(c.Trip.StartDate) != "2026-12-20" || fmtDate(c.Trip.EndDate) != "2026-12-25" {
			t.Errorf("%q: %s..%s, want 2026-12-20..2026-12-25", text, fmtDate(c.Trip.StartDate), fmtDate(c.Trip.EndDate))
		}
	}
}

// ¥ alone is yuan, or yen on a trip to Japan.
func TestYenSignFollowsJapan(t *testing.T) {
	for _, tc := range []struct{ lang, text, cur string }{
		{"en", "tokyo dec 20-24, ¥100000", "JPY"},
		{"zh", "东京 12月20到24号 ¥100000", "JPY"},
		{"zh", "东京 12月20到24号 10万元", "CNY"},
		{"zh", "杭州 12月20到24号 ¥3000", "CNY"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := emptyTrip(tc.lang)
		e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.Currency != tc.cur {
			t.Errorf("%q: currency %q, want %q", tc.text, c.Trip.Currency, tc.cur)
		}
	}
}

// "After christmas", "春节后": days after the break are offered, not the break itself;
// "before christmas", "国庆前": days before it.
func TestAroundAHoliday(t *testing.T) {
	for _, tc := range []struct{ lang, text, after, before string }{
		{"en", "london after christmas", "2026-12-26", ""},
		{"zh", "春节后去哈尔滨玩几天", "2027-02-12", ""},
		{"zh", "去哈尔滨，春节后玩5天", "2027-02-12", ""},
		{"en", "before christmas in vienna", "", "2026-12-24"},
		{"zh", "国庆前去北京", "", "2027-10-01"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := emptyTrip(tc.lang)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		chs := out.Replies[len(out.Replies)-1].Choices
		if out.Asked != "dates" || len(chs) == 0 || c.Trip.StartDate != nil {
			t.Fatalf("%q: asked %q, offered %v, start %v; want days around the holiday asked", tc.text, out.Asked, chs, c.Trip.StartDate)
		}
		for _, ch := range chs {
			a, b, _ := strings.Cut(strings.TrimPrefix(ch.Action, "dates:"), "..")
			if tc.after != "" && a <= tc.after || tc.before != "" && b >= tc.before {
				t.Errorf("%q: offered %s", tc.text, ch.Action)
			}
		}
	}
}

// The new year ends a trip said up to it; "happy new year" is a greeting, not a date.
func TestNewYear(t *testing.T) {
	for _, tc := range []struct{ text, start, end, asked string }{
		{"London 27th to new year", "2026-12-27", "2027-01-01", ""},
		{"berlin xmas to new year", "2026-12-25", "2027-01-01", ""},
		{"berlin over the new year", "-", "-", "dates"},
		{"happy new year", "-", "-", ""},
		{"merry christmas!", "-", "-", ""},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := emptyTrip("en")
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if fmtDate(c.Trip.StartDate) != tc.start || fmtDate(c.Trip.EndDate) != tc.end || out.Asked != tc.asked {
			t.Errorf("%q: %s..%s, asked %q; want %s..%s, %q", tc.text, fmtDate(c.Trip.StartDate), fmtDate(c.Trip.EndDate), out.Asked, tc.start, tc.end, tc.asked)
		}
	}
}

// emptyTrip is a new conversation in lang with nothing said yet.
func emptyTrip(lang string) *dialog.Conversation {
	c := conversationAt(dialog.StateStart, lang, "Asia/Shanghai", nil)
	c.Trip = dialog.TripRequest{}
	return c
}

// Two months said are one window from the first to the last, not the last alone.
func TestTwoMonthsAreOneWindow(t *testing.T) {
	for _, tc := range []struct{ lang, text, from, to string }{
		{"zh", "1月或者2月去三亚", "2027-01-01", "2027-02-28"},
		{"en", "bali in june or july", "2027-06-01", "2027-07-31"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := emptyTrip(tc.lang)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		chs := out.Replies[len(out.Replies)-1].Choices
		if out.Asked != "dates" || len(chs) == 0 {
			t.Fatalf("%q: asked %q, offered %v", tc.text, out.Asked, chs)
		}
		if first, _, _ := strings.Cut(strings.TrimPrefix(chs[0].Action, "dates:"), ".."); first != tc.from {
			t.Errorf("%q: first stay %s, want from %s", tc.text, chs[0].Action, tc.from)
		}
		if _, last, _ := strings.Cut(chs[len(chs)-1].Action, ".."); last != tc.to {
			t.Errorf("%q: last stay %s, want to %s", tc.text, chs[len(chs)-1].Action, tc.to)
		}
	}
}

// After a plan: an option chosen in words, giving the trip up, and stars said in words.
func TestAfterThePlanInWords(t *testing.T) {
	planned := func(lang string) (*dialog.Engine, *dialog.Conversation) {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"杭州"`)}
		c := conversationAt(dialog.StatePlanned, lang, "Asia/Shanghai", prior)
		c.Memo.PlanVersion = 1
		return e, c
	}
	for _, tc := range []struct {
		text string
		tier dialog.Tier
	}{
		{"要最便宜的那个", dialog.TierBackpacker},
		{"便宜的那个", dialog.TierBackpacker},
		{"中间那个就行", dialog.TierEconomical},
		{"最贵的那套吧", dialog.TierLuxury},
		{"选1", dialog.TierLuxury},
	} {
		e, c := planned("zh")
		e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Memo.Chosen != tc.tier {
			t.Errorf("%q: chose %q, want %q", tc.text, c.Memo.Chosen, tc.tier)
		}
	}
	for _, text := range []string{"算了不去了", "算了，不去了"} {
		e, c := planned("zh")
		out := e.Handle(c, dialog.Inbound{Text: text})
		if out.Asked != "cancel" {
			t.Errorf("%q: asked %q; want the trip's cancelling confirmed", text, out.Asked)
		}
	}
	for _, tc := range []struct {
		lang, text string
		stars      int
	}{
		{"en", "5 stars", 5},
		{"zh", "五星好评", 5},
		{"en", "4 stars", 4},
		{"zh", "给你打三星", 3},
		{"en", "rate 1 star, terrible", 1},
		{"zh", "住五星级酒店", 0},
	} {
		e, c := planned(tc.lang)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		got := 0
		for _, ef := range out.Effects {
			if ef.Kind == dialog.EffectFeedback {
				got = ef.Rating
			}
		}
		if got != tc.stars {
			t.Errorf("%q: rating %d recorded, want %d", tc.text, got, tc.stars)
		}
	}
}

// Asked mid-form whether the bot books hotels, the traveller is told, and nothing is kept.
func TestBookingQuestionAnswered(t *testing.T) {
	for _, tc := range []struct{ lang, text string }{
		{"zh", "你们能订酒店吗"},
		{"en", "do you book hotels?"},
		{"en", "can you book the flights for us?"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"杭州"`)}
		c := conversationAt(dialog.StateNeeds, tc.lang, "Asia/Shanghai", prior)
		before := c.Trip
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if len(out.Replies) == 0 || out.Replies[0].Text != dialog.T(tc.lang, "faq_booking") || c.Trip != before {
			t.Errorf("%q: replies %v, trip changed %v", tc.text, out.Replies, c.Trip != before)
		}
	}
}

// A visa question is answered and kept as nothing: not an "other need" of the trip.
func TestVisaQuestionAnswered(t *testing.T) {
	for _, tc := range []struct{ lang, text string }{
		{"zh", "需要签证吗？"},
		{"zh", "去日本要办签证吗"},
		{"en", "do i need a visa?"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"东京"`)}
		c := conversationAt(dialog.StateDates, tc.lang, "Asia/Shanghai", prior)
		before := c.Trip
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if len(out.Replies) == 0 || out.Replies[0].Text != dialog.T(tc.lang, "faq_visa") || c.Trip != before {
			t.Errorf("%q: replies %v, trip changed %v", tc.text, out.Replies, c.Trip != before)
		}
	}
}

// After the ✏️ button of a day, what is typed changes that day, not the whole trip.
func TestTypedAfterADaysButtonChangesThatDay(t *testing.T) {
	for _, tc := range []struct {
		lang, text string
		day        int
		kind       dialog.EditKind
	}{
		{"en", "make it a beach day", 2, dialog.EditFree},
		{"zh", "改成去海边", 2, dialog.EditReplace},
		{"en", "add a museum", 2, dialog.EditAdd},
		{"en", "a museum instead", 2, dialog.EditReplace},
		{"en", "add a museum on day 3", 3, dialog.EditAdd},
		{"en", "thanks!", 0, ""},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := chosenPlan(tc.lang)
		before := c.Trip
		e.Handle(c, dialog.Inbound{Action: "day:2"})
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		var got *dialog.PlanEdit
		for _, ef := range out.Effects {
			if ef.Kind == dialog.EffectEditPlan {
				got = ef.Edit
			}
		}
		switch {
		case tc.kind == "" && got != nil:
			t.Errorf("%q: edit %+v, want none", tc.text, *got)
		case tc.kind != "" && (got == nil || got.Day != tc.day || got.Kind != tc.kind):
			t.Errorf("%q: edit %+v, want %s of day %d", tc.text, got, tc.kind, tc.day)
		}
		if c.Trip.NaturalLandscape != before.NaturalLandscape {
			t.Errorf("%q: preferences became %q", tc.text, c.Trip.NaturalLandscape)
		}
	}
}

// Days added to or taken from the trip as it is move its end: "多加一天" is not a
// one-day trip. A length said ("延长到五天", "差不多三天") is the length.
func TestTripMadeLongerOrShorter(t *testing.T) {
	for _, tc := range []struct{ lang, text, end string }{
		{"zh", "多加一天", "2026-12-24"},
		{"zh", "再加两天吧", "2026-12-25"},
		{"zh", "能不能延长一天", "2026-12-24"},
		{"zh", "少玩一天", "2026-12-22"},
		{"zh", "减两天", "2026-12-21"},
		{"en", "add one more day", "2026-12-24"},
		{"en", "2 extra days please", "2026-12-25"},
		{"en", "can we stay another day", "2026-12-24"},
		{"en", "cut a day", "2026-12-22"},
		{"en", "one day less", "2026-12-22"},
		// A new length, not days added.
		{"zh", "延长到五天", "2026-12-24"},
		{"zh", "差不多三天就行", "2026-12-22"},
		{"zh", "最多三天", "2026-12-22"},
		{"en", "make it 5 days", "2026-12-24"},
		{"zh", "至少三天", "2026-12-22"},
		{"en", "we'll stay for 3 days", "2026-12-22"},
		// Not days added: a sight moved to another day.
		{"en", "move the museum to another day", "2026-12-23"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"杭州"`),
			"startDate": json.RawMessage(`"2026-12-20"`), "endDate": json.RawMessage(`"2026-12-23"`)}
		c := conversationAt(dialog.StateBudget, tc.lang, "Asia/Shanghai", prior)
		e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.StartDate == nil || c.Trip.StartDate.String() != "2026-12-20" || c.Trip.EndDate == nil || c.Trip.EndDate.String() != tc.end {
			t.Errorf("%q on 20-23 Dec: %v to %v, want 2026-12-20 to %s", tc.text, c.Trip.StartDate, c.Trip.EndDate, tc.end)
		}
	}
}

// The place a traveller leaves from or lives in is not where they go: "从上海出发，周末去
// 哪玩" asks where; "从北京出发去西安" goes to 西安; "深圳 下周五出发" goes to 深圳.
func TestOriginIsNotTheDestination(t *testing.T) {
	for _, tc := range []struct{ lang, text, dest string }{
		{"zh", "从上海出发，周末去哪玩", ""},
		{"zh", "上海出发，三天，想去有山的地方", ""},
		{"zh", "我住在杭州，元旦想出去玩", ""},
		{"en", "from beijing, 3 days, somewhere with mountains", ""},
		{"en", "i live in shanghai, where can i go for a weekend", ""},
		{"en", "leaving from london next week, ideas?", ""},
		{"zh", "从北京出发去西安", "西安"},
		{"zh", "深圳 下周五出发 周日回", "深圳"},
		{"en", "flights from osaka to tokyo dec 20-23", "Tokyo"},
		{"en", "tokyo from dec 20 to dec 23", "Tokyo"},
		// Where the traveller is now, said before a pause or "nearby", is where they start.
		{"zh", "我在深圳，周末想去周边玩玩", ""},
		{"zh", "我住北京，想带孩子出去玩", ""},
		{"zh", "我现在在成都，下周想出去玩三天", ""},
		{"en", "I'm in Shanghai, where should I go this weekend?", ""},
		{"en", "we're in london right now, any ideas for 3 days?", ""},
		{"zh", "我在深圳，想去厦门", "厦门"},
		{"zh", "我在东京玩三天", "东京"},
		{"en", "I'm in Tokyo for 3 days", "Tokyo"},
		{"en", "im in london now, thinking paris", "Paris"},
		// Someone the traveller goes with is not a place.
		{"en", "Going with Jordan next week", ""},
		{"en", "traveling with Georgia and Chad in january", ""},
		{"en", "a trip with my wife to Paris", "Paris"},
		{"en", "rome with the kids", "Rome"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateStart, tc.lang, "Asia/Shanghai", nil)
		c.Lang = tc.lang
		e.Handle(c, dialog.Inbound{Text: tc.text})
		if !strings.EqualFold(c.Trip.Destination, tc.dest) {
			t.Errorf("%q: destination %q, want %q", tc.text, c.Trip.Destination, tc.dest)
		}
	}
}

// "4ish days" is four days, not a budget of 4.
func TestRoughLengths(t *testing.T) {
	for _, tc := range []struct{ lang, text, end string }{
		{"en", "around the 15th, 4ish days", "2026-12-18"},
		{"en", "from dec 15, 4-ish days", "2026-12-18"},
		{"en", "dec 15 for five-ish days", "2026-12-19"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"哈尔滨"`)}
		c := conversationAt(dialog.StateDates, tc.lang, "Asia/Shanghai", prior)
		e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.StartDate == nil || c.Trip.StartDate.String() != "2026-12-15" || c.Trip.EndDate == nil || c.Trip.EndDate.String() != tc.end || c.Trip.Budget != nil {
			t.Errorf("%q: %v to %v, budget %v; want 2026-12-15 to %s and no budget", tc.text, c.Trip.StartDate, c.Trip.EndDate, c.Trip.Budget, tc.end)
		}
	}
}

// "Cancel this trip?" answered in words is answered: "yes" cancels, "no" keeps the trip.
func TestCancelAnsweredInWords(t *testing.T) {
	for _, tc := range []struct {
		lang, state, ask, answer string
		cancelled                bool
	}{
		{"en", dialog.StatePlanned, "cancel the trip", "yes", true},
		{"zh", dialog.StatePlanned, "取消行程", "是的", true},
		{"en", dialog.StateBudget, "cancel", "yes please", true},
		{"zh", dialog.StateBudget, "取消", "确定", true},
		{"en", dialog.StateBudget, "cancel", "no", false},
		{"zh", dialog.StatePlanned, "取消行程", "不用了", false},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"杭州"`)}
		c := conversationAt(tc.state, tc.lang, "Asia/Shanghai", prior)
		if out := e.Handle(c, dialog.Inbound{Text: tc.ask}); out.Asked != "cancel" {
			t.Fatalf("%q: asked %q, want the cancel confirmed", tc.ask, out.Asked)
		}
		e.Handle(c, dialog.Inbound{Text: tc.answer})
		if gone := c.Trip.Destination == ""; gone != tc.cancelled {
			t.Errorf("%q then %q: destination %q; want cancelled %v", tc.ask, tc.answer, c.Trip.Destination, tc.cancelled)
		}
	}
}

// "That's wrong" with what is right is a correction, kept; without it, a complaint.
func TestWrongWithTheRightAnswerCorrects(t *testing.T) {
	for _, tc := range []struct {
		text  string
		party int
		start string
	}{
		{"you got it wrong, it's 3 people", 3, "2026-12-20"},
		{"that's wrong, I said the 21st", 0, "2026-12-21"},
		{"wrong! we are 4", 4, "2026-12-20"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"Tokyo"`),
			"startDate": json.RawMessage(`"2026-12-20"`), "endDate": json.RawMessage(`"2026-12-23"`)}
		c := conversationAt(dialog.StateBudget, "en", "Asia/Shanghai", prior)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		party := 0
		if c.Trip.PartySize != nil {
			party = *c.Trip.PartySize
		}
		if out.Intent == "feedback" || party != tc.party || c.Trip.StartDate.String() != tc.start {
			t.Errorf("%q: intent %q, party %d, start %v; want the correction kept (party %d, start %s)", tc.text, out.Intent, party, c.Trip.StartDate, tc.party, tc.start)
		}
	}
	for _, text := range []string{"you keep getting my dates wrong", "the weather info was wrong", "wrong wrong wrong, useless"} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"Tokyo"`)}
		c := conversationAt(dialog.StateBudget, "en", "Asia/Shanghai", prior)
		if out := e.Handle(c, dialog.Inbound{Text: text}); out.Intent != "feedback" {
			t.Errorf("%q: intent %q, want feedback", text, out.Intent)
		}
	}
}

// What a traveller rules out is left out, never wished for: "不去博物馆", "anything but
// museums".
func TestRuledOutIsNotAWish(t *testing.T) {
	for _, tc := range []struct{ lang, text, out string }{
		{"zh", "成都三天，不去博物馆，想吃火锅", "博物馆"},
		{"zh", "不想去博物馆", "博物馆"},
		{"en", "chengdu 3 days, anything but museums", "museums"},
		{"en", "everything except museums", "museums"},
		{"en", "anything other than museums", "museums"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateStart, tc.lang, "Asia/Shanghai", nil)
		c.Lang = tc.lang
		e.Handle(c, dialog.Inbound{Text: tc.text})
		wished := c.Trip.SocialLandscape + "|" + c.Trip.NaturalLandscape + "|" + c.Trip.Cuisine + "|" + c.Trip.OtherNeeds
		if !strings.Contains(c.Trip.Exclude, tc.out) || strings.Contains(wished, tc.out) {
			t.Errorf("%q: left out %q, wished %q; want %q left out and not wished", tc.text, c.Trip.Exclude, wished, tc.out)
		}
	}
}

// "改重庆": 改 alone before a known place changes the destination; before anything
// else ("改日期") it does not make one.
func TestChangeToAPlaceWithBareGai(t *testing.T) {
	for _, tc := range []struct{ text, dest string }{
		{"不去成都了，改重庆", "重庆"},
		{"改重庆", "重庆"},
		{"那就改西安吧", "西安"},
		{"改日期", "成都"},
		{"改一下预算", "成都"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"成都"`),
			"startDate": json.RawMessage(`"2026-12-20"`), "endDate": json.RawMessage(`"2026-12-23"`)}
		c := conversationAt(dialog.StateBudget, "zh", "Asia/Shanghai", prior)
		e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.Destination != tc.dest {
			t.Errorf("%q: destination %q, want %q", tc.text, c.Trip.Destination, tc.dest)
		}
	}
}

// "十一去桂林" is the National Day break; 十一 as a number stays a number.
func TestElevenIsNationalDay(t *testing.T) {
	for _, tc := range []struct {
		text, start string
		party       int
	}{
		{"十一带娃去三亚玩五天", "2027-10-01", 0},
		{"十一前后去桂林玩4天", "2027-10-01", 0},
		{"三亚 十一月十一号出发 玩3天", "2027-11-11", 0},
		{"三亚 二十一号出发 玩3天", "2026-12-21", 0},
		{"我们十一个人去三亚 12月20号出发 玩3天", "2026-12-20", 11},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateStart, "zh", "Asia/Shanghai", nil)
		c.Lang = "zh"
		e.Handle(c, dialog.Inbound{Text: tc.text})
		party := 0
		if c.Trip.PartySize != nil {
			party = *c.Trip.PartySize
		}
		if c.Trip.StartDate == nil || c.Trip.StartDate.String() != tc.start || party != tc.party {
			t.Errorf("%q: start %v, party %d; want %s, %d", tc.text, c.Trip.StartDate, party, tc.start, tc.party)
		}
	}
}

// A pair and the people added to it are all counted; people who stay home are not.
func TestPartyPlusAndStayingHome(t *testing.T) {
	for _, tc := range []struct {
		lang, text string
		party      int
	}{
		{"en", "bali dec 20-24, the two of us plus my parents", 4},
		{"zh", "巴厘岛 12月20到24号 我们俩加上我爸妈", 4},
		{"en", "rome dec 20-24, us two plus grandma", 3},
		{"zh", "我们俩加上两个孩子去三亚", 4},
		{"en", "bali dec 20-24, me and my wife, kids stay home", 2},
		{"zh", "巴厘岛 12月20到24号 孩子放奶奶家 就我们俩", 2},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateStart, tc.lang, "Asia/Shanghai", nil)
		c.Lang = tc.lang
		e.Handle(c, dialog.Inbound{Text: tc.text})
		party := 0
		if c.Trip.PartySize != nil {
			party = *c.Trip.PartySize
		}
		if party != tc.party {
			t.Errorf("%q: party %d, want %d", tc.text, party, tc.party)
		}
	}
}

// A budget question answered without a figure ("不限", "no idea") is told what a figure is
// for and offered some to tap; it never loops on "give a number" without a way on.
func TestBudgetWithoutAFigure(t *testing.T) {
	for _, tc := range []struct{ lang, text, says string }{
		{"zh", "不限", "没有固定预算也没关系"},
		{"zh", "不知道", "没有固定预算也没关系"},
		{"en", "no limit", "No set budget is fine"},
		{"en", "idk", "No set budget is fine"},
		{"en", "banana", "couldn't read a budget"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"杭州"`),
			"startDate": json.RawMessage(`"2026-12-20"`), "endDate": json.RawMessage(`"2026-12-23"`)}
		c := conversationAt(dialog.StateBudget, tc.lang, "Asia/Shanghai", prior)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if len(out.Replies) == 0 || !strings.Contains(out.Replies[0].Text, tc.says) || len(out.Replies[0].Choices) != 3 || c.Trip.Budget != nil {
			t.Errorf("%q: replies %+v, budget %v; want %q with three budgets to tap, none kept", tc.text, out.Replies, c.Trip.Budget, tc.says)
		}
	}
}

// "改日期", "change the budget": the item named, with nothing to change it to, asks for it.
func TestChangeNamingOnlyTheItem(t *testing.T) {
	for _, tc := range []struct{ lang, state, text, asked string }{
		{"zh", dialog.StateBudget, "改日期", "dates"},
		{"zh", dialog.StatePlanned, "我想修改一下预算", "budget"},
		{"en", dialog.StateBudget, "change the dates", "dates"},
		{"en", dialog.StatePlanned, "can we change the destination?", "destination"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"杭州"`),
			"startDate": json.RawMessage(`"2026-12-20"`), "endDate": json.RawMessage(`"2026-12-23"`)}
		c := conversationAt(tc.state, tc.lang, "Asia/Shanghai", prior)
		before := c.Trip
		e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.State != tc.asked || c.Trip != before {
			t.Errorf("%q in %s: state %s, trip changed %v; want %s asked, nothing changed", tc.text, tc.state, c.State, c.Trip != before, tc.asked)
		}
	}
}

// Once a trip has a destination, where someone the traveller knows is, or someone's name
// that is also a place, does not move the trip there.
func TestSomeoneElsesPlaceKeepsTheTrip(t *testing.T) {
	for _, tc := range []struct{ lang, text string }{
		{"zh", "我姐姐在上海，顺便去看看她"},
		{"zh", "我朋友住在上海，想顺便见一面"},
		{"en", "can we do something with my sister Paris?"},
		{"en", "my brother lives in Boston, maybe we can visit him"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := chosenPlan(tc.lang)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.Destination != "杭州" {
			t.Errorf("%q: destination %q, want 杭州 kept; replies %v", tc.text, c.Trip.Destination, replyTexts(out))
		}
	}
}

// Questions about the trip planned, and requests to book it, are answered and change
// nothing: "怎么从上海过去" is not a preference for 怎么从上海, "帮我订酒店" not a need.
func TestQuestionsAfterAPlanChangeNothing(t *testing.T) {
	for _, tc := range []struct{ lang, text, want string }{
		{"zh", "怎么从上海过去", "12306"},
		{"zh", "坐高铁方便吗？", "12306"},
		{"en", "how do I get there from Shanghai?", "rail operator"},
		{"zh", "帮我订酒店", "不能直接预订"},
		{"en", "this is great, book it", "can't book"},
		{"zh", "酒店推荐哪家", "不推荐具体某一家酒店"},
		{"en", "which hotel should we stay in?", "don't pick a particular hotel"},
		{"zh", "要带什么衣服", "天气"},
		{"en", "what should I pack?", "weather"},
		{"zh", "门票多少钱", "实时的门票"},
		{"en", "how much are the tickets?", "live ticket prices"},
		{"zh", "附近有什么好吃的？", "/human"},
		{"en", "is it safe at night there?", "/human"},
		{"zh", "谢谢", "不客气"},
		{"en", "thanks!", "welcome"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := chosenPlan(tc.lang)
		before := c.Trip
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		got := replyTexts(out)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%q: reply %q, want it to say %q", tc.text, got, tc.want)
		}
		if c.State != dialog.StatePlanned || !reflectEqualTrip(c.Trip, before) {
			t.Errorf("%q: state %s, trip %+v; want the plan left alone", tc.text, c.State, c.Trip)
		}
	}
	// Said without a question, a change is still a change.
	e := corpusEngine("Asia/Shanghai")
	c := chosenPlan("en")
	e.Handle(c, dialog.Inbound{Text: "let's do the backpacker one"})
	if c.Memo.Chosen != dialog.TierBackpacker {
		t.Errorf("\"let's do the backpacker one\": chosen %q", c.Memo.Chosen)
	}
}

func reflectEqualTrip(a, b dialog.TripRequest) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// An emergency that says where the traveller is gets that country's numbers at once,
// and help near that place is looked up: not the trip's country, not a question.
func TestEmergencyWhereItSays(t *testing.T) {
	for _, tc := range []struct{ lang, text, country, want string }{
		{"en", "I lost my passport in Paris", "FR", "France"},
		{"en", "I'm in Tokyo and I lost my passport", "JP", "Japan"},
		{"en", "I am in Hong Kong and I lost my passport", "HK", "Hong Kong"},
		{"en", "my wallet got stolen in Rome, help", "IT", "Italy"},
		{"zh", "我在东京，护照丢了怎么办", "JP", "日本"},
		{"zh", "我在曼谷钱包被偷了", "TH", "泰国"},
		{"zh", "我在罗马护照丢了", "IT", "意大利"},
		{"en", "help, I lost my passport", "CN", "China"},
	} {
		e := corpusEngine("Asia/Shanghai")
		e.EmergencyHelp = emergency.Help
		c := chosenPlan(tc.lang) // a trip to 杭州
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if got := replyTexts(out); !strings.Contains(got, tc.want) {
			t.Errorf("%q: reply %q, want the numbers of %s", tc.text, got, tc.want)
		}
		var country string
		nearby := false
		for _, ef := range out.Effects {
			switch ef.Kind {
			case dialog.EffectEmergency:
				country = ef.Country
			case dialog.EffectNearby:
				nearby = ef.Place != nil
			}
		}
		if country != tc.country || nearby != (tc.country != "CN") {
			t.Errorf("%q: case country %q, help nearby looked up %v; want %s, %v", tc.text, country, nearby, tc.country, tc.country != "CN")
		}
	}
}

// Not flying is ruled out like a sight ("不坐飞机", "no flying"), and what is ruled out
// is shown in the summary, where a misreading can be seen.
func TestRuledOutFlyingShownAtSummary(t *testing.T) {
	for _, tc := range []struct{ lang, text, exclude, shown string }{
		{"zh", "去青岛 12月26到28号 2人 每人2000 不坐飞机 没有特殊需求 喜欢海鲜", "飞机", "不安排：飞机"},
		{"en", "Paris Dec 26-30, 2 people, €1500 each, no museums, no flying, no special needs, history", "museums", "museums"},
		{"en", "lisbon dec 20-23, 2 of us, $900 each, we don't want to fly, no special needs, beaches", "flying", "Leave out: flying"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateStart, tc.lang, "Asia/Shanghai", nil)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if !strings.Contains(c.Trip.Exclude, tc.exclude) {
			t.Errorf("%q: exclude %q, want %q in it", tc.text, c.Trip.Exclude, tc.exclude)
		}
		if got := replyTexts(out); c.State != dialog.StateConfirm || !strings.Contains(got, tc.shown) {
			t.Errorf("%q: state %s, reply %q; want the summary showing %q", tc.text, c.State, got, tc.shown)
		}
	}
}

// Leaving the destination to the bot, in English as in Chinese, gets places to pick
// from, not "I didn't catch the destination" again.
func TestLeaveItToTheBot(t *testing.T) {
	for _, tc := range []struct{ lang, text string }{
		{"en", "you pick"},
		{"en", "recommend somewhere"},
		{"en", "any suggestions?"},
		{"en", "I don't know"},
		{"en", "idk"},
		{"en", "where should we go for 4 days?"},
		{"zh", "不知道"},
		{"zh", "你推荐一个吧"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateDestination, tc.lang, "Asia/Shanghai", nil)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		n := 0
		for _, r := range out.Replies {
			n += len(r.Choices)
		}
		if n < 2 || c.Trip.Destination != "" {
			t.Errorf("%q: %d places offered, destination %q; replies %s", tc.text, n, c.Trip.Destination, replyTexts(out))
		}
	}
}

// A need said in words answers "Any special needs?": it is kept, and the next question
// is the preferences, not the needs again.
func TestNeedInWordsAnswersTheQuestion(t *testing.T) {
	for _, tc := range []struct{ lang, text string }{
		{"zh", "我老婆怀孕了"},
		{"en", "my wife is pregnant"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"杭州"`)}
		c := conversationAt(dialog.StateNeeds, tc.lang, "Asia/Shanghai", prior)
		s, end := dialog.NewDate(2026, 12, 20), dialog.NewDate(2026, 12, 23)
		b, n := 2000.0, 2
		c.Trip.StartDate, c.Trip.EndDate, c.Trip.Budget, c.Trip.PartySize, c.Trip.Currency = &s, &end, &b, &n, "CNY"
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.OtherNeeds == "" || c.State != dialog.StatePreferences {
			t.Errorf("%q: other needs %q, state %s; want it kept and the preferences asked: %s", tc.text, c.Trip.OtherNeeds, c.State, replyTexts(out))
		}
	}
}

// A question while the bot waits for an answer is answered or said to be out of reach,
// then the waiting question comes again; nothing is filled from it.
func TestQuestionsMidFormAnswered(t *testing.T) {
	for _, tc := range []struct {
		lang, text string
		state      string
		want       string
	}{
		{"en", "how much should I budget?", dialog.StateBudget, "rough amount per person"},
		{"en", "how much should I budget?", dialog.StateDates, "rough amount per person"},
		{"zh", "一般要多少钱啊", dialog.StateBudget, "大概的每人预算"},
		{"zh", "西安冷不冷", dialog.StateBudget, "天气预报"},
		{"en", "is it cold there in january?", dialog.StateBudget, "forecast"},
		{"en", "is it safe?", dialog.StateDates, "can't answer"},
		{"zh", "什么时候去最好？", dialog.StateDates, "答不好"},
		{"zh", "远不远啊", dialog.StateBudget, "答不好"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"西安"`)}
		c := conversationAt(tc.state, tc.lang, "Asia/Shanghai", prior)
		if tc.state == dialog.StateBudget {
			s, end := dialog.NewDate(2027, 1, 2), dialog.NewDate(2027, 1, 5)
			c.Trip.StartDate, c.Trip.EndDate = &s, &end
		}
		before := c.Trip
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		got := replyTexts(out)
		if !strings.Contains(got, tc.want) || c.State != tc.state || !reflectEqualTrip(c.Trip, before) {
			t.Errorf("%q at %s: state %s, reply %q; want %q said, the same question next, nothing filled", tc.text, tc.state, c.State, got, tc.want)
		}
		// At the budget question, the answer about budgets is the question itself.
		if n := len(out.Replies); n < 2 && !(tc.state == dialog.StateBudget && len(out.Replies[0].Choices) == 3) {
			t.Errorf("%q at %s: %d replies, want the answer and the question again", tc.text, tc.state, n)
		}
	}
}

// Shops, chains and made-up worlds named where a place would be are not offered as a
// destination ("I want to go to Starbucks", 去火星玩三天).
func TestShopsAndMadeUpWorldsAreNotPlaces(t *testing.T) {
	for _, tc := range []struct{ lang, text string }{
		{"en", "I want to go to Starbucks"},
		{"en", "trip to hogwarts next week"},
		{"en", "let's go to IKEA"},
		{"zh", "去火星玩三天"},
		{"zh", "想去星巴克"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(dialog.StateStart, tc.lang, "Asia/Shanghai", nil)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.Destination != "" || c.Memo.PendingDestination != "" {
			t.Errorf("%q: destination %q, proposed %q: %s", tc.text, c.Trip.Destination, c.Memo.PendingDestination, replyTexts(out))
		}
	}
}

// A holiday or school break said alone is asked about inside its usual days, not with
// "which days exactly?" and tomorrow's dates.
func TestBreaksSaidAloneOfferTheirDays(t *testing.T) {
	for _, tc := range []struct{ lang, text, first string }{
		{"zh", "元旦", "2027年1月1日"},
		{"en", "new year's eve", "Thu 31 Dec 2026"},
		{"zh", "寒假", "2027年1月16日"},
		{"en", "spring break", "Sun 7 Mar 2027"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"三亚"`)}
		c := conversationAt(dialog.StateDates, tc.lang, "Asia/Shanghai", prior)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		got := replyTexts(out)
		if !strings.Contains(got, tc.first) || len(out.Replies) == 0 || len(out.Replies[len(out.Replies)-1].Choices) == 0 {
			t.Errorf("%q: %q; want days from %s offered", tc.text, got, tc.first)
		}
	}
}

// A way of spending given for a budget ("cheap", 不差钱) is told that every plan comes
// in three levels, and offered figures to tap; nothing is stored as a budget.
func TestBudgetAsAStyle(t *testing.T) {
	for _, tc := range []struct{ lang, text, want string }{
		{"en", "cheap", "three levels"},
		{"en", "as cheap as possible", "three levels"},
		{"zh", "不差钱", "三档"},
		{"zh", "穷游", "三档"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"三亚"`)}
		c := conversationAt(dialog.StateBudget, tc.lang, "Asia/Shanghai", prior)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if got := replyTexts(out); !strings.Contains(got, tc.want) || c.Trip.Budget != nil || len(out.Replies[len(out.Replies)-1].Choices) != 3 {
			t.Errorf("%q: %q, budget %v; want %q and three budgets to tap", tc.text, got, c.Trip.Budget, tc.want)
		}
	}
}

// "圣诞节前后", "around christmas", 元旦左右 said with no length: the days about the
// holiday are asked about, not its day taken as the start ("十一前后去桂林玩4天" starts on
// the day, TestElevenIsNationalDay).
func TestDaysAboutAHoliday(t *testing.T) {
	for _, tc := range []struct{ lang, text, from string }{
		{"zh", "圣诞节前后", "2026年12月22日"},
		{"en", "around christmas", "Tue 22 Dec 2026"},
		{"zh", "元旦左右", "2026年12月30日"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"三亚"`)}
		c := conversationAt(dialog.StateDates, tc.lang, "Asia/Shanghai", prior)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if got := replyTexts(out); c.Trip.StartDate != nil || !strings.Contains(got, tc.from) {
			t.Errorf("%q: start %v, %q; want days from %s asked about", tc.text, c.Trip.StartDate, got, tc.from)
		}
	}
}

// Readings found by trying the bot: one of the party is not its size; "for a" long
// weekend is no party of one; "on" before a date is not part of a name; names of people
// and dishes that are also places are not the destination; the trip moved while it is
// put together moves its dates.
func TestSecondRoundReadings(t *testing.T) {
	type want struct {
		dest       string
		party      int
		start, end string
	}
	for _, tc := range []struct {
		lang, text string
		state      string
		prior      map[string]json.RawMessage
		want       want
	}{
		{"en", "one of us is vegetarian", dialog.StateStart, nil, want{party: 0}},
		{"zh", "我们其中一个人吃素", dialog.StateStart, nil, want{party: 0}},
		{"en", "Lisbon for a long weekend", dialog.StateStart, nil, want{dest: "Lisbon", party: 0}},
		{"en", "Berlin on Dec 20 for 3 days", dialog.StateStart, nil, want{dest: "Berlin", start: "2026-12-20", end: "2026-12-22"}},
		{"en", "Tokyo on Jan 20 for 4 days", dialog.StateStart, nil, want{dest: "Tokyo", start: "2027-01-20", end: "2027-01-23"}},
		{"en", "My name is Austin", dialog.StateStart, nil, want{}},
		{"en", "My friend Florence and I want to travel", dialog.StateStart, nil, want{party: 2}},
		{"en", "Me and Victoria want a trip", dialog.StateStart, nil, want{}},
		{"zh", "想吃北京烤鸭", dialog.StateStart, nil, want{}},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := conversationAt(tc.state, tc.lang, "Asia/Shanghai", tc.prior)
		if tc.state == dialog.StateStart {
			c.Trip = dialog.TripRequest{}
		}
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		party := 0
		if c.Trip.PartySize != nil {
			party = *c.Trip.PartySize
		}
		if !strings.EqualFold(c.Trip.Destination, tc.want.dest) || c.Memo.PendingDestination != "" || party != tc.want.party && !(tc.want.party == 0 && party == 0) ||
			tc.want.start != "" && (fmtDate(c.Trip.StartDate) != tc.want.start || fmtDate(c.Trip.EndDate) != tc.want.end) {
			t.Errorf("%q: destination %q (proposed %q), party %d, %s..%s; want %+v: %s", tc.text, c.Trip.Destination, c.Memo.PendingDestination,
				party, fmtDate(c.Trip.StartDate), fmtDate(c.Trip.EndDate), tc.want, replyTexts(out))
		}
	}
	for _, tc := range []struct{ lang, text, start, end string }{
		{"en", "make it a week later", "2026-12-26", "2026-12-27"},
		{"zh", "晚一周出发", "2026-12-26", "2026-12-27"},
		{"en", "start 2 days earlier", "2026-12-17", "2026-12-18"},
	} {
		e := corpusEngine("Asia/Shanghai")
		prior := map[string]json.RawMessage{"destination": json.RawMessage(`"首尔"`)}
		c := conversationAt(dialog.StateBudget, tc.lang, "Asia/Shanghai", prior)
		s, end := dialog.NewDate(2026, 12, 19), dialog.NewDate(2026, 12, 20)
		c.Trip.StartDate, c.Trip.EndDate = &s, &end
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if fmtDate(c.Trip.StartDate) != tc.start || fmtDate(c.Trip.EndDate) != tc.end {
			t.Errorf("%q: %s..%s, want %s..%s: %s", tc.text, fmtDate(c.Trip.StartDate), fmtDate(c.Trip.EndDate), tc.start, tc.end, replyTexts(out))
		}
	}
}

// A police museum is a sight, not a call for the police; "这个方案太烂了" is a complaint.
func TestPoliceMuseumAndZhComplaint(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	c := conversationAt(dialog.StateStart, "zh", "Asia/Shanghai", nil)
	e.Handle(c, dialog.Inbound{Text: "我想去参观警察博物馆"})
	if c.State == dialog.StateEmergency || c.Priority != 0 {
		t.Errorf("警察博物馆: state %s, priority %d; want no emergency", c.State, c.Priority)
	}
	c = chosenPlan("zh")
	out := e.Handle(c, dialog.Inbound{Text: "这个方案太烂了"})
	if got := replyTexts(out); !strings.Contains(got, "抱歉") {
		t.Errorf("这个方案太烂了: %q; want it taken as a complaint", got)
	}
}

// A change said with a question about the trip is the change; "只有一个人" is a party of
// one; "plan B, what's next?" chooses plan B; a day the plan does not have cannot go.
func TestChangesBesideQuestions(t *testing.T) {
	for _, tc := range []struct{ lang, text, dest string }{
		{"zh", "可以改成去上海吗？坐高铁方便", "上海"},
		{"en", "Can we change the destination to Shanghai? the train is easier", "Shanghai"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := chosenPlan(tc.lang)
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if !strings.EqualFold(c.Trip.Destination, tc.dest) {
			t.Errorf("%q: destination %q, want %q: %s", tc.text, c.Trip.Destination, tc.dest, replyTexts(out))
		}
	}
	e := corpusEngine("Asia/Shanghai")
	c := chosenPlan("zh")
	e.Handle(c, dialog.Inbound{Text: "改成3个人吧，帮我看看门票"})
	if c.Trip.PartySize == nil || *c.Trip.PartySize != 3 {
		t.Errorf("改成3个人吧，帮我看看门票: party %v, want 3", c.Trip.PartySize)
	}
	c = chosenPlan("en")
	c.Memo.Chosen = ""
	e.Handle(c, dialog.Inbound{Text: "plan B, what's next?"})
	if c.Memo.Chosen != dialog.TierEconomical {
		t.Errorf("plan B, what's next?: chosen %q, want economical", c.Memo.Chosen)
	}
	c = conversationAt(dialog.StateStart, "zh", "Asia/Shanghai", nil)
	c.Trip = dialog.TripRequest{}
	e.Handle(c, dialog.Inbound{Text: "去成都，只有一个人"})
	if c.Trip.PartySize == nil || *c.Trip.PartySize != 1 {
		t.Errorf("只有一个人: party %v, want 1", c.Trip.PartySize)
	}
	if _, _, err := dialog.ApplyEdit(samplePlan(4), "", dialog.PlanEdit{Kind: dialog.EditShorter, Days: 1, Day: 9}, "zh"); !errors.Is(err, dialog.ErrEditRange) {
		t.Errorf("day 9 of 4 taken out: err %v, want ErrEditRange", err)
	}
}

// A budget raised or lowered by an amount is the budget known plus or minus it, not the
// amount: "每人再加1000预算" on 3000 is 4000, "add $200 to the budget" on $500 is $700.
func TestBudgetChangedByAnAmount(t *testing.T) {
	for _, tc := range []struct {
		lang, text string
		from, want float64
		cur        string
	}{
		{"zh", "每人再加1000预算", 3000, 4000, "CNY"},
		{"zh", "预算再加两千", 3000, 5000, "CNY"},
		{"zh", "预算减1000", 3000, 2000, "CNY"},
		{"en", "add $200 to the budget", 500, 700, "USD"},
		{"en", "increase the budget by 300", 500, 800, "USD"},
		{"en", "cut 100 off the budget", 500, 400, "USD"},
		{"zh", "预算减半", 3000, 1500, "CNY"},
		{"zh", "预算砍一半吧", 3000, 1500, "CNY"},
		{"zh", "预算翻倍", 3000, 6000, "CNY"},
		{"zh", "预算增加20%", 3000, 3600, "CNY"},
		{"zh", "预算少10%", 3000, 2700, "CNY"},
		{"en", "halve the budget", 500, 250, "USD"},
		{"en", "can we cut our budget in half?", 500, 250, "USD"},
		{"en", "double the budget", 500, 1000, "USD"},
		{"en", "increase the budget by 20%", 500, 600, "USD"},
		{"en", "reduce my budget by 10%", 500, 450, "USD"},
	} {
		e := corpusEngine("Asia/Shanghai")
		c := chosenPlan(tc.lang)
		c.Trip.Budget, c.Trip.Currency = &tc.from, tc.cur
		planned := c.Trip
		c.Memo.PlannedTrip = &planned
		out := e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.Budget == nil || *c.Trip.Budget != tc.want || c.Trip.Currency != tc.cur {
			t.Errorf("%q on %v: budget %v %s, want %v: %s", tc.text, tc.from, c.Trip.Budget, c.Trip.Currency, tc.want, replyTexts(out))
		}
	}
}

// Scores are ratings ("10/10 would use again", 给你打3分, 满分, ⭐⭐⭐⭐) and change no
// dates; praise is thanked, not apologised for, and cancels nothing; a trouble asked
// about (如果护照丢了怎么办, 会不会被偷, "is it safe?") or said in fun (太棒了 救命 爱了) is no
// emergency, while one reported still is.
func TestScoresPraiseAndTroublesAskedAbout(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for text, stars := range map[string]int{
		"10/10 would use again": 5, "I give it a 9/10": 5, "4 out of 5": 4, "给你打3分": 3, "5分": 5, "满分": 5, "⭐⭐⭐⭐": 4, "打8分": 4,
	} {
		c := chosenPlan("en")
		before := c.Trip
		res := e.Handle(c, dialog.Inbound{Text: text})
		rated := 0
		for _, ef := range res.Effects {
			if ef.Kind == dialog.EffectFeedback {
				rated = ef.Rating
			}
		}
		if rated != stars || c.Trip != before {
			t.Errorf("%q: rating %d, want %d; trip changed %v", text, rated, stars, c.Trip != before)
		}
	}
	for _, text := range []string{"love it, thanks!! 👍", "the whole thing looks great", "这个方案太棒了，点赞"} {
		c := chosenPlan("en")
		res := e.Handle(c, dialog.Inbound{Text: text})
		got := replyTexts(res)
		if strings.Contains(got, "Sorry") || strings.Contains(got, "抱歉") || strings.Contains(got, "Cancel") || c.Memo.PlanVersion != 3 || c.State != dialog.StatePlanned && c.State != "feedback" {
			t.Errorf("%q: %s (state %s)", text, got, c.State)
		}
	}
	wantEmergency(t, map[string]bool{
		"如果护照丢了怎么办": false, "万一孩子生病了怎么办": false, "成都治安好吗 会不会被偷": false, "我没事 就是问问成都有没有儿童医院": false,
		"上次去成都钱包被偷了，这次要注意什么": false, "天啊这个计划太棒了 救命 爱了": false, "is it safe? will we get robbed": false,
		"护照丢了怎么办": true, "我在成都，钱包被偷了": true, "we got robbed": true, "救命": true,
	})
}

// What is said not to be wanted is never what the trip gets: 想去海南，不要三亚 goes to
// 海南; 厦门去过了 is not where they go; 不看兵马俑 leaves it out; "none, but no museums"
// rules museums out instead of asking for them. A correction (去杭州，不，去苏州) still
// corrects.
func TestNotWantedIsNotWhatTheTripGets(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, c := range []struct {
		lang, text, dest, excl string
	}{
		{"zh", "想去海南，不要三亚", "海南", "三亚"},
		{"zh", "福州吧，厦门去过了", "福州", ""},
		{"zh", "去西安 不看兵马俑", "西安", "兵马俑"},
		{"zh", "去北京，不爬长城", "北京", "长城"},
		{"zh", "去杭州，不，去苏州", "苏州", ""},
		{"zh", "去杭州，不对，去苏州", "苏州", ""},
	} {
		conv := &dialog.Conversation{State: dialog.StateStart, Status: dialog.StatusBot, Lang: c.lang}
		e.Handle(conv, dialog.Inbound{Text: c.text})
		if conv.Trip.Destination != c.dest || c.excl != "" && !strings.Contains(conv.Trip.Exclude, c.excl) {
			t.Errorf("%q: destination %q, exclude %q, want %q leaving out %q", c.text, conv.Trip.Destination, conv.Trip.Exclude, c.dest, c.excl)
		}
		if c.excl != "" && strings.Contains(conv.Trip.SocialLandscape+conv.Trip.NaturalLandscape+conv.Trip.Cuisine, c.excl) {
			t.Errorf("%q: %q is a preference", c.text, c.excl)
		}
	}
	s, end := dialog.NewDate(2026, 12, 20), dialog.NewDate(2026, 12, 22)
	b := 3000.0
	for _, text := range []string{"none, but no museums", "history but no museums, and no day trips"} {
		conv := &dialog.Conversation{State: dialog.StateNeeds, Status: dialog.StatusBot, Lang: "en",
			Trip: dialog.TripRequest{Destination: "Suzhou", StartDate: &s, EndDate: &end, Budget: &b, Currency: "CNY"}}
		if strings.HasPrefix(text, "history") {
			conv.State, conv.Memo.NeedsAsked = dialog.StatePreferences, true
		}
		e.Handle(conv, dialog.Inbound{Text: text})
		if !strings.Contains(conv.Trip.Exclude, "museums") || strings.Contains(conv.Trip.SocialLandscape, "museum") {
			t.Errorf("%q: exclude %q, preferences %q", text, conv.Trip.Exclude, conv.Trip.SocialLandscape)
		}
	}
}

// The party is counted as people say it: a size said with people joining is the size
// ("my mate is coming too so 3 ppl now"); 夫妻 includes the speaker; couples are two each;
// the missus and hubby are people; 多加一个人, 再带一个小朋友 and 我妈也要去 add to the party
// known; 老公临时有事不去了 takes one away and is no edit of the plan.
func TestPartyAsPeopleSayIt(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, c := range []struct {
		text        string
		known, want int
	}{
		{"my mate is coming too so 3 ppl now", 2, 3},
		{"my sister is joining, so 3 of us", 2, 3},
		{"me, the missus and 2 kids", 0, 4},
		{"me + hubby + 3 kids", 0, 5},
		{"we are 2 couples", 0, 4},
		{"夫妻俩带俩孩子", 0, 4},
		{"俩娃+我们夫妻+外婆", 0, 5},
		{"多加一个人", 3, 4},
		{"再带一个小朋友", 3, 4},
		{"我妈也要去", 3, 4},
		{"老公临时有事不去了", 3, 2},
		{"多了一个人", 2, 3},
		{"加一个人", 2, 3},
		{"再加两个朋友", 2, 4},
		{"还有一个朋友要来", 2, 3},
		{"又来了俩同事", 2, 4},
		{"有一个人不去了", 3, 2},
		{"人数减一", 3, 2},
		{"one of us cant make it anymore", 3, 2},
		{"my sister can't come anymore", 3, 2},
	} {
		conv := chosenPlan("zh")
		if c.known > 0 {
			n := c.known
			conv.Trip.PartySize = &n
			planned := conv.Trip
			conv.Memo.PlannedTrip = &planned
		}
		res := e.Handle(conv, dialog.Inbound{Text: c.text})
		got := 0
		if conv.Trip.PartySize != nil {
			got = *conv.Trip.PartySize
		}
		if got != c.want {
			t.Errorf("%q with %d known: party %d, want %d: %s", c.text, c.known, got, c.want, replyTexts(res))
		}
		for _, ef := range res.Effects {
			if ef.Kind == dialog.EffectEditPlan {
				t.Errorf("%q: an edit of the plan %+v", c.text, ef.Edit)
			}
		}
	}
}

// A date denied and another said (不是20号，是21号; 不是5天 是4天) is the one said; the
// return said alone (23号就回来) moves only the end.
func TestDatesCorrectedAsPeopleSayIt(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	s, end := dialog.NewDate(2026, 12, 20), dialog.NewDate(2026, 12, 24)
	for text, want := range map[string][2]string{
		"不是5天 是4天": {"2026-12-20", "2026-12-23"},
		"23号就回来":   {"2026-12-20", "2026-12-23"},
	} {
		s2, e2 := s, end
		conv := &dialog.Conversation{State: dialog.StateBudget, Status: dialog.StatusBot, Lang: "zh",
			Trip: dialog.TripRequest{Destination: "苏州", StartDate: &s2, EndDate: &e2}}
		e.Handle(conv, dialog.Inbound{Text: text})
		if conv.Trip.StartDate.String() != want[0] || conv.Trip.EndDate.String() != want[1] {
			t.Errorf("%q: %s to %s, want %s to %s", text, conv.Trip.StartDate, conv.Trip.EndDate, want[0], want[1])
		}
	}
	s2 := s
	conv := &dialog.Conversation{State: dialog.StateDates, Status: dialog.StatusBot, Lang: "zh",
		Trip: dialog.TripRequest{Destination: "苏州", StartDate: &s2}}
	e.Handle(conv, dialog.Inbound{Text: "不是20号，是21号"})
	if conv.Trip.StartDate == nil || conv.Trip.StartDate.String() != "2026-12-21" || conv.Trip.EndDate != nil && conv.Trip.EndDate.String() == "2026-12-21" {
		t.Errorf("不是20号，是21号: %v to %v", conv.Trip.StartDate, conv.Trip.EndDate)
	}
}

// An English sentence with a Chinese name in it is answered in English; a Chinese
// conversation is not turned English by a short phrase ("actually 4 days"). The Spring
// Festival named in English is 春节, not the new year of January.
func TestLanguageAndTheSpringFestival(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	conv := &dialog.Conversation{State: dialog.StateStart, Status: dialog.StatusBot}
	e.Handle(conv, dialog.Inbound{Text: "Hi there! My husband and I are hoping to visit 西安 around Chinese New Year, perhaps a week. Budget roughly $2k pp."})
	if conv.Lang != "en" || conv.Trip.Destination == "" {
		t.Errorf("English with 西安: lang %q, destination %q", conv.Lang, conv.Trip.Destination)
	}
	conv = &dialog.Conversation{State: dialog.StateStart, Status: dialog.StatusBot}
	e.Handle(conv, dialog.Inbound{Text: "去苏州 12月20-24"})
	e.Handle(conv, dialog.Inbound{Text: "actually 4 days"})
	if conv.Lang != "zh" {
		t.Errorf("a short English phrase turned the conversation %q", conv.Lang)
	}
	e.Handle(conv, dialog.Inbound{Text: "sorry, can we continue in English please"})
	if conv.Lang != "en" {
		t.Errorf("an English sentence left the conversation %q", conv.Lang)
	}
	for _, text := range []string{"beijing over chinese new year", "lunar new year in shanghai", "spring festival in xian"} {
		conv := &dialog.Conversation{State: dialog.StateStart, Status: dialog.StatusBot, Lang: "en"}
		res := e.Handle(conv, dialog.Inbound{Text: text})
		if got := replyTexts(res); !strings.Contains(got, "Feb 2027") || strings.Contains(conv.Trip.SocialLandscape, "festival") {
			t.Errorf("%q: %s (preferences %q)", text, got, conv.Trip.SocialLandscape)
		}
	}
}

// Everyday chat wording: "are you a bot?" is answered plainly; 转人宫, 有没有活人 and
// 叫你们经理来 reach a person; "buget" and "stomach bug" are no complaint about the app;
// "more chill" and "less hectic" are a slower pace; "can u" is "can you".
func TestEverydayChatWording(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	c := chosenPlan("en")
	if got := replyTexts(e.Handle(c, dialog.Inbound{Text: "are you a bot?"})); !strings.Contains(got, "bot") || !strings.Contains(got, "/human") {
		t.Errorf("are you a bot?: %s", got)
	}
	for _, text := range []string{"转人宫", "有没有活人", "叫你们经理来"} {
		if in, _ := dialog.DetectIntent(text); in != dialog.IntentHuman {
			t.Errorf("%q: intent %s, want human", text, in)
		}
	}
	for _, text := range []string{"buget 3000 rmb", "got a bad stomach bug"} {
		c := chosenPlan("en")
		for _, ef := range e.Handle(c, dialog.Inbound{Text: text}).Effects {
			if ef.Kind == dialog.EffectFeedback {
				t.Errorf("%q: feedback", text)
			}
		}
	}
	for _, text := range []string{"make day 2 more chill pls", "less hectic", "something more chill", "can u make it cheaper", "can u swap day 1 and day 2"} {
		if ed, ok := dialog.ReadEdit(text); !ok || ed.Kind != dialog.EditPace && ed.Kind != dialog.EditCheaper && ed.Kind != dialog.EditSwap {
			t.Errorf("%q read as %+v, %v", text, ed, ok)
		}
	}
}

// With a plan in hand, agreeing to it (就这样吧, 好的, "ok") is answered as agreement, not
// by making it again; 生成 still makes it again; a joke about an option is no choice of it;
// "idk, surprise me" at the preferences question skips it rather than offering other
// places for a trip that has one.
func TestAgreeingJokingAndLeavingItOpen(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for text, replans := range map[string]bool{"就这样吧": false, "好的": false, "ok": false, "生成": true} {
		c := chosenPlan("zh")
		res := e.Handle(c, dialog.Inbound{Text: text})
		got := false
		for _, ef := range res.Effects {
			got = got || ef.Kind == dialog.EffectRequestPlan
		}
		if got != replans {
			t.Errorf("%q: makes the plan again %v, want %v: %s", text, got, replans, replyTexts(res))
		}
	}
	c := chosenPlan("zh")
	e.Handle(c, dialog.Inbound{Text: "笑死 这方案穷游也太穷了吧"})
	if c.Memo.Chosen != dialog.TierEconomical {
		t.Errorf("a joke chose %s", c.Memo.Chosen)
	}
	s, end := dialog.NewDate(2026, 12, 20), dialog.NewDate(2026, 12, 22)
	b := 3000.0
	conv := &dialog.Conversation{State: dialog.StatePreferences, Status: dialog.StatusBot, Lang: "en",
		Trip: dialog.TripRequest{Destination: "Suzhou", StartDate: &s, EndDate: &end, Budget: &b, Currency: "CNY"}, Memo: dialog.Memo{NeedsAsked: true}}
	res := e.Handle(conv, dialog.Inbound{Text: "idk, surprise me"})
	if conv.Trip.Destination != "Suzhou" || conv.State != dialog.StateConfirm {
		t.Errorf("idk, surprise me: destination %q, state %s: %s", conv.Trip.Destination, conv.State, replyTexts(res))
	}
}

// At the summary, a range of days said alone (是21到23, "should be 21-25", "dates are
// wrong, should be 21-25") corrects the dates in the trip's month, and two yeses in a
// row (没问题 开始吧) confirm it.
func TestSummaryCorrectedAndConfirmed(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	summary := func(lang string) *dialog.Conversation {
		s, end := dialog.NewDate(2026, 12, 20), dialog.NewDate(2026, 12, 22)
		b := 3000.0
		return &dialog.Conversation{State: dialog.StateConfirm, Status: dialog.StatusBot, Lang: lang,
			Trip: dialog.TripRequest{Destination: "成都", StartDate: &s, EndDate: &end, Budget: &b, Currency: "CNY"}, Memo: dialog.Memo{NeedsAsked: true, PrefsAsked: true}}
	}
	for text, want := range map[string]string{"是21到23": "2026-12-21 2026-12-23", "等一下 日期不对，是21到23": "2026-12-21 2026-12-23",
		"should be 21-25": "2026-12-21 2026-12-25", "dates are wrong, should be 21-25": "2026-12-21 2026-12-25"} {
		c := summary("zh")
		res := e.Handle(c, dialog.Inbound{Text: text})
		if got := c.Trip.StartDate.String() + " " + c.Trip.EndDate.String(); got != want {
			t.Errorf("%q: %s, want %s: %s", text, got, want, replyTexts(res))
		}
		for _, ef := range res.Effects {
			if ef.Kind == dialog.EffectFeedback {
				t.Errorf("%q: feedback", text)
			}
		}
	}
	c := summary("zh")
	res := e.Handle(c, dialog.Inbound{Text: "没问题 开始吧"})
	planned := false
	for _, ef := range res.Effects {
		planned = planned || ef.Kind == dialog.EffectRequestPlan
	}
	if !planned {
		t.Errorf("没问题 开始吧: %s", replyTexts(res))
	}
}

// At the needs question, what is said of someone's health or age is kept as a need in
// the traveller's words, after "no special needs but" too; common misspellings of needs
// are read.
func TestHealthSaidIsANeed(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for text, want := range map[string]string{
		"no special needs but my dad is diabetic": "my dad is diabetic",
		"my mum is 75 and walks slowly":           "my mum is 75 and walks slowly",
		"没有，不过我妈有高血压":                             "我妈有高血压",
	} {
		s, end := dialog.NewDate(2026, 12, 26), dialog.NewDate(2026, 12, 28)
		c := &dialog.Conversation{State: dialog.StateNeeds, Status: dialog.StatusBot, Lang: "en",
			Trip: dialog.TripRequest{Destination: "西安", StartDate: &s, EndDate: &end}}
		res := e.Handle(c, dialog.Inbound{Text: text})
		if !strings.Contains(c.Trip.OtherNeeds, want) || c.State == dialog.StateNeeds {
			t.Errorf("%q: other needs %q, state %s: %s", text, c.Trip.OtherNeeds, c.State, replyTexts(res))
		}
	}
	if ex := dialog.Extract("vegitarian", dialog.ParseContext{}); !strings.Contains(ex.Cuisine, "vegetarian") {
		t.Errorf("vegitarian: %+v", ex)
	}
	if ex := dialog.Extract("wheelchiar access pls", dialog.ParseContext{}); ex.Accessibility == nil || !*ex.Accessibility {
		t.Errorf("wheelchiar access pls: %+v", ex)
	}
}

// A question about an option, or an option turned down, chooses nothing.
func TestQuestionsAboutOptionsChooseNothing(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, text := range []string{"经济和豪华差别在哪", "豪华那个包括什么", "经济方案一共要多少钱？", "穷游方案住哪", "is the luxury one worth it", "not the luxury one", "不要豪华的"} {
		c := chosenPlan("zh")
		c.Memo.Chosen = ""
		e.Handle(c, dialog.Inbound{Text: text})
		if c.Memo.Chosen != "" {
			t.Errorf("%q chose %s", text, c.Memo.Chosen)
		}
	}
	for text, want := range map[string]dialog.Tier{"选豪华的": dialog.TierLuxury, "第二套": dialog.TierEconomical, "the luxury one": dialog.TierLuxury, "option 2": dialog.TierEconomical} {
		c := chosenPlan("zh")
		c.Memo.Chosen = ""
		e.Handle(c, dialog.Inbound{Text: text})
		if c.Memo.Chosen != want {
			t.Errorf("%q chose %q, want %s", text, c.Memo.Chosen, want)
		}
	}
}

// After a plan, a yes-or-no question (is it kid friendly?, is it safe for a solo woman?,
// 可以带狗吗) changes no needs, likings or party; a request in question form still does.
func TestYesNoQuestionsAfterAPlan(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, text := range []string{"is it kid friendly?", "is it safe for a solo woman?", "可以带狗吗", "are there museums?"} {
		c := chosenPlan("en")
		before := c.Trip
		res := e.Handle(c, dialog.Inbound{Text: text})
		for _, ef := range res.Effects {
			if ef.Kind == dialog.EffectRequestPlan || ef.Kind == dialog.EffectEditPlan {
				t.Errorf("%q: %s", text, ef.Kind)
			}
		}
		if c.Trip != before {
			t.Errorf("%q changed the trip", text)
		}
	}
	for _, text := range []string{"can we add a day?", "is it ok to make day 2 more relaxed?", "能不能带狗"} {
		c := chosenPlan("en")
		res := e.Handle(c, dialog.Inbound{Text: text})
		changed := false
		for _, ef := range res.Effects {
			changed = changed || ef.Kind == dialog.EffectRequestPlan || ef.Kind == dialog.EffectEditPlan
		}
		if !changed {
			t.Errorf("%q: no change: %s", text, replyTexts(res))
		}
	}
}

// Budget shares said in more ways: percent and per cent, knock/take off, cheaper, more
// budget, a third, half again, 百分之二十, 打八折, 减两成.
func TestBudgetSharesInMoreWords(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, tc := range []struct {
		text string
		want float64
	}{
		{"reduce budget by 25 percent", 2250}, {"cut budget 20 per cent", 2400}, {"increase the budget by 50 percent", 4500},
		{"knock 10% off", 2700}, {"make it 20% cheaper", 2400}, {"10% more budget", 3300}, {"up the budget by half", 4500},
		{"reduce it by a third", 2000}, {"预算降低百分之二十", 2400}, {"预算打八折", 2400}, {"预算减两成", 2400},
		{"bump it up by 2k", 5000}, {"budget 500 less", 2500}, {"spend 1000 less each", 2000}, {"每人加500", 3500}, {"多给500预算", 3500},
	} {
		c := chosenPlan("zh")
		b := 3000.0
		c.Trip.Budget = &b
		planned := c.Trip
		c.Memo.PlannedTrip = &planned
		res := e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Trip.Budget == nil || *c.Trip.Budget != tc.want {
			t.Errorf("%q on 3000: budget %v, want %v: %s", tc.text, c.Trip.Budget, tc.want, replyTexts(res))
		}
	}
}

// A first message that asks for a plan of a place in the ways people put it names the
// destination: 帮我规划一下重庆之旅, 成都攻略, 桂林耍几天, 回老家湖南玩几天.
func TestFirstMessageAsksForAPlaceInManyWays(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for text, want := range map[string]string{
		"帮我规划一下重庆之旅": "重庆", "帮我安排一下成都": "成都", "规划成都": "成都", "成都攻略": "成都", "求成都攻略": "成都",
		"成都行程": "成都", "桂林耍几天": "桂林", "去桂林耍": "桂林", "回老家湖南玩几天": "湖南",
	} {
		c := &dialog.Conversation{State: dialog.StateStart, Status: dialog.StatusBot, Lang: "zh"}
		res := e.Handle(c, dialog.Inbound{Text: text})
		if c.Trip.Destination != want {
			t.Errorf("%q: destination %q, want %q: %s", text, c.Trip.Destination, want, replyTexts(res))
		}
	}
}

// A city said after its country or province is the destination: 我想去日本的大阪 goes to
// 大阪, 想去四川成都 to 成都, with no question which of the two.
func TestCityAfterItsRegion(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for text, want := range map[string]string{"我想去日本的大阪": "大阪", "去云南的大理玩": "大理", "我想去日本大阪": "大阪", "想去四川成都": "成都", "去日本": "日本"} {
		c := &dialog.Conversation{State: dialog.StateStart, Status: dialog.StatusBot, Lang: "zh"}
		res := e.Handle(c, dialog.Inbound{Text: text})
		if c.Trip.Destination != want {
			t.Errorf("%q: destination %q, want %q: %s", text, c.Trip.Destination, want, replyTexts(res))
		}
	}
}

// Round-the-clock words that are no emergency, no request for a person and no place:
// 救命 said in fun while planning, a worry about altitude, "not feeling great about day 2",
// 你们这是诈骗吧; "are you a human?"; 园林 at the preferences question; keys in a row. A
// trip goes on when stars are asked for; a figure in a sentence is no rating.
func TestRoundThreeReadings(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, text := range []string{"救命，帮我规划一下去桂林的行程", "去拉萨 1月5日-10日 一人 5000 有高原反应的担心", "你们这是诈骗吧", "I'm not feeling great about day 2, can we change it?"} {
		in, _ := dialog.DetectIntent(text)
		if _, read := dialog.ReadEmergency(text); read || in == dialog.IntentEmergency {
			t.Errorf("%q: an emergency", text)
		}
	}
	for _, text := range []string{"are you a human?", "你是真人吗"} {
		c := chosenPlan("en")
		for _, ef := range e.Handle(c, dialog.Inbound{Text: text}).Effects {
			if ef.Kind == dialog.EffectCallHuman {
				t.Errorf("%q called a person", text)
			}
		}
	}
	s, end := dialog.NewDate(2026, 12, 19), dialog.NewDate(2026, 12, 20)
	c := &dialog.Conversation{State: dialog.StatePreferences, Status: dialog.StatusBot, Lang: "zh",
		Trip: dialog.TripRequest{Destination: "苏州", StartDate: &s, EndDate: &end}, Memo: dialog.Memo{NeedsAsked: true}}
	e.Handle(c, dialog.Inbound{Text: "园林"})
	if c.Trip.Destination != "苏州" || !strings.Contains(c.Trip.SocialLandscape, "园林") {
		t.Errorf("园林: destination %q, preferences %q", c.Trip.Destination, c.Trip.SocialLandscape)
	}
	if ex := dialog.Extract("12345", dialog.ParseContext{Expecting: dialog.SlotDestination}); ex.Budget != nil {
		t.Errorf("12345 read as a budget")
	}
	c = &dialog.Conversation{State: dialog.StateStart, Status: dialog.StatusBot, Lang: "en"}
	e.Handle(c, dialog.Inbound{Text: "I want to go to Rome"})
	e.Handle(c, dialog.Inbound{Text: "you are useless"})
	e.Handle(c, dialog.Inbound{Text: "Dec 28 for 4 days"})
	if c.Trip.StartDate == nil || c.State == "feedback" {
		t.Errorf("dates during the rating: start %v, state %s", c.Trip.StartDate, c.State)
	}
	if ed, ok := dialog.ReadEdit("shorten the trip by one day"); !ok || ed.Kind != dialog.EditShorter || ed.Days != 1 {
		t.Errorf("shorten the trip by one day: %+v %v", ed, ok)
	}
}

// The second reading's cases: a place beside "not sure" or "make it cheaper" keeps the
// trip; a statement opening with "will" or "do" still changes it; a request to arrange a
// thing is an edit, not a look at the plan; a score in the rating prompt is a rating and
// "打算" is no score; a choice or a correction keeps region-and-city apart; spending half
// the budget on food does not halve it.
func TestSecondReadingCases(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, text := range []string{"not sure, my friend is from Chengdu", "make it cheaper, we're from Shanghai"} {
		c := chosenPlan("en")
		e.Handle(c, dialog.Inbound{Text: text})
		if c.Trip.Destination != "杭州" {
			t.Errorf("%q moved the trip to %q", text, c.Trip.Destination)
		}
	}
	c := chosenPlan("en")
	n := 2
	c.Trip.PartySize = &n
	e.Handle(c, dialog.Inbound{Text: "will be 4 of us now"})
	if c.Trip.PartySize == nil || *c.Trip.PartySize != 4 {
		t.Errorf("will be 4 of us now: party %v", c.Trip.PartySize)
	}
	if ed, ok := dialog.ReadEdit("可以在第三天安排一个博物馆吗"); ok && ed.Kind == "" {
		t.Errorf("可以在第三天安排一个博物馆吗: %+v", ed)
	}
	c = chosenPlan("zh")
	res := e.Handle(c, dialog.Inbound{Text: "可以在第三天安排一个博物馆吗"})
	for _, ef := range res.Effects {
		if ef.Kind == dialog.EffectShowPlan {
			t.Errorf("a request to arrange a museum showed the plan: %s", replyTexts(res))
		}
	}
	if ex := dialog.Extract("1/5出发，打算玩三天", dialog.ParseContext{}); ex.Start == nil {
		t.Errorf("1/5出发，打算…: no date")
	}
	for text, want := range map[string]string{"四川成都还是云南大理": "", "日本大阪，不对，是韩国首尔": "首尔"} {
		c := &dialog.Conversation{State: dialog.StateStart, Status: dialog.StatusBot, Lang: "zh"}
		e.Handle(c, dialog.Inbound{Text: text})
		if c.Trip.Destination != want {
			t.Errorf("%q: destination %q, want %q", text, c.Trip.Destination, want)
		}
	}
	c = chosenPlan("en")
	b := 3000.0
	c.Trip.Budget = &b
	e.Handle(c, dialog.Inbound{Text: "we'll spend half the budget on food"})
	if c.Trip.Budget == nil || *c.Trip.Budget != 3000 {
		t.Errorf("half the budget on food: %v", c.Trip.Budget)
	}
}

// "let's go" with the plan in hand is agreement, as "go ahead" is.
func TestLetsGoAgrees(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	c := chosenPlan("en")
	res := e.Handle(c, dialog.Inbound{Text: "let's go"})
	if got := replyTexts(res); !strings.Contains(got, dialog.T("en", "plan_agreed")) {
		t.Errorf("let's go: %s", got)
	}
}
