package dialog_test

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"xingqu/dialog"
)

// noChangeLines reads the understanding corpus of messages that change nothing.
func noChangeLines(t *testing.T, lang string) []string {
	t.Helper()
	f, err := os.Open("testdata/corpus/nochange_" + lang + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// chosenPlan is a conversation with plan version 3 delivered and the economical option chosen.
func chosenPlan(lang string) *dialog.Conversation {
	s, e := dialog.NewDate(2026, 12, 20), dialog.NewDate(2026, 12, 24)
	b := 3000.0
	tr := dialog.TripRequest{Destination: "杭州", StartDate: &s, EndDate: &e, Budget: &b, Currency: "CNY"}
	planned := tr
	return &dialog.Conversation{State: dialog.StatePlanned, Status: dialog.StatusBot, Lang: lang, Trip: tr,
		Memo: dialog.Memo{PlanVersion: 3, PlanRequest: 3, PlannedTrip: &planned, Chosen: dialog.TierEconomical, NeedsAsked: true, PrefsAsked: true}}
}

// No message of the understanding corpus's no-change list edits, re-plans or un-chooses a
// chosen plan.
func TestNoChangeCorpusLeavesChosenPlanAlone(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	n := 0
	for _, lang := range []string{"zh", "en"} {
		for _, text := range noChangeLines(t, lang) {
			n++
			c := chosenPlan(lang)
			before := *c
			res := e.Handle(c, dialog.Inbound{Text: text})
			for _, ef := range res.Effects {
				if ef.Kind == dialog.EffectEditPlan || ef.Kind == dialog.EffectRequestPlan {
					t.Errorf("%q: %s, want the plan left alone", text, ef.Kind)
				}
			}
			if c.Memo.Chosen != before.Memo.Chosen || c.Memo.PlanVersion != 3 || c.Trip != before.Trip {
				t.Errorf("%q changed the chosen plan: chosen %q version %d", text, c.Memo.Chosen, c.Memo.PlanVersion)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d messages read", n)
	}
}

// Choosing by words, in both languages: "我选经济适用游" is a choice, not a destination.
func TestChoosingByWords(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, tc := range []struct {
		lang, text string
		want       dialog.Tier
	}{
		{"zh", "我选经济适用游", dialog.TierEconomical},
		{"zh", "我选第二个", dialog.TierEconomical},
		{"zh", "经济适用游吧", dialog.TierEconomical},
		{"zh", "就要豪华的", dialog.TierLuxury},
		{"zh", "第三个", dialog.TierBackpacker},
		{"en", "the cheap one", dialog.TierBackpacker},
		{"en", "go with luxury", dialog.TierLuxury},
		{"en", "option 2", dialog.TierEconomical},
	} {
		c := chosenPlan(tc.lang)
		c.Memo.Chosen = ""
		trip := c.Trip
		res := e.Handle(c, dialog.Inbound{Text: tc.text})
		if c.Memo.Chosen != tc.want || c.Trip != trip || len(res.Effects) != 0 {
			t.Errorf("%q: chosen %q (want %q), trip changed %v, effects %+v", tc.text, c.Memo.Chosen, tc.want, c.Trip != trip, res.Effects)
		}
		// By button, the same.
		c = chosenPlan(tc.lang)
		c.Memo.Chosen = ""
		e.Handle(c, dialog.Inbound{Action: "choose:" + string(tc.want)})
		if c.Memo.Chosen != tc.want {
			t.Errorf("button choose:%s: chosen %q", tc.want, c.Memo.Chosen)
		}
	}
}

// An edit changes what it says and nothing else: for every day and every option, an
// edit of one day leaves every other day and the options not chosen exactly as they were,
// and a shift moves every date by the same number of days.
func TestEditChangesOnlyWhatItSays(t *testing.T) {
	base := samplePlan(6)
	for _, chosen := range []dialog.Tier{"", dialog.TierLuxury, dialog.TierEconomical, dialog.TierBackpacker} {
		for day := 1; day <= 6; day++ {
			for _, part := range []string{"", "morning", "afternoon", "evening"} {
				e := dialog.PlanEdit{Kind: dialog.EditReplace, Day: day, Part: part, With: "博物馆"}
				got, changes, err := dialog.ApplyEdit(base, chosen, e, "zh")
				if err != nil {
					t.Fatal(err)
				}
				if len(changes) != 1 || !strings.HasPrefix(changes[0], "第") {
					t.Errorf("replace day %d %s: changes %q, want one line for that day", day, part, changes)
				}
				for i, o := range got.Options {
					touched := chosen == "" || o.Tier == chosen
					for j, d := range o.Days {
						was := base.Options[i].Days[j]
						if (j != day-1 || !touched) && d != was {
							t.Errorf("replace day %d of %q: option %s day %d changed", day, chosen, o.Tier, j+1)
						}
						if j == day-1 && touched && d == was {
							t.Errorf("replace day %d of %q: option %s day %d unchanged", day, chosen, o.Tier, j+1)
						}
					}
				}
			}
		}
		for _, shift := range []int{-3, -1, 1, 2, 7} {
			got, _, err := dialog.ApplyEdit(base, chosen, dialog.PlanEdit{Kind: dialog.EditShift, Days: shift}, "en")
			if err != nil {
				t.Fatal(err)
			}
			for i, o := range got.Options {
				for j, d := range o.Days {
					was := base.Options[i].Days[j]
					if d.Date != was.Date.AddDays(shift) || d.Morning != was.Morning || d.Afternoon != was.Afternoon || d.Evening != was.Evening {
						t.Errorf("shift %d: option %s day %d = %+v", shift, o.Tier, j+1, d)
					}
				}
			}
		}
	}
	// The base itself is never touched.
	if fresh := samplePlan(6); !samePlan(fresh, base) {
		t.Fatal("ApplyEdit changed the plan it was given")
	}
}

// Edits that cannot be made say why, and give no plan.
func TestEditsThatCannotBeMade(t *testing.T) {
	base := samplePlan(3)
	for _, tc := range []struct {
		e    dialog.PlanEdit
		want error
	}{
		{dialog.PlanEdit{Kind: dialog.EditDrop, Place: "鼓山"}, dialog.ErrNotInPlan},
		{dialog.PlanEdit{Kind: dialog.EditReplace, Day: 9, With: "博物馆"}, dialog.ErrEditRange},
		{dialog.PlanEdit{Kind: dialog.EditShorter, Days: 3}, dialog.ErrEditRange},
		{dialog.PlanEdit{Kind: dialog.EditLonger, Days: 28}, dialog.ErrEditRange},
		{dialog.PlanEdit{Kind: dialog.EditFree, Day: 2, Text: "第二天想浪漫一点"}, dialog.ErrNeedsModel},
	} {
		if _, _, err := dialog.ApplyEdit(base, "", tc.e, "zh"); err == nil || !errorIs(err, tc.want) {
			t.Errorf("%+v: err %v, want %v", tc.e, err, tc.want)
		}
	}
}

func samplePlan(days int) dialog.Plan {
	s := dialog.NewDate(2026, 12, 20)
	e := s.AddDays(days - 1)
	p := dialog.Plan{Version: 2, Trip: dialog.TripRequest{Destination: "杭州", StartDate: &s, EndDate: &e}}
	for _, tier := range dialog.Tiers {
		o := dialog.Option{Tier: tier, BudgetLow: 1000, BudgetHigh: 2000, Currency: "CNY"}
		for i := 0; i < days; i++ {
			o.Days = append(o.Days, dialog.DayPlan{Date: s.AddDays(i), Morning: string(tier) + " 西湖" + string(rune('A'+i)),
				Afternoon: "灵隐寺" + string(rune('A'+i)), Evening: "河坊街" + string(rune('A'+i))})
		}
		p.Options = append(p.Options, o)
	}
	return p
}

func samePlan(a, b dialog.Plan) bool {
	for i := range a.Options {
		for j := range a.Options[i].Days {
			if a.Options[i].Days[j] != b.Options[i].Days[j] {
				return false
			}
		}
	}
	return *a.Trip.StartDate == *b.Trip.StartDate && *a.Trip.EndDate == *b.Trip.EndDate
}

func errorIs(err, target error) bool { return errors.Is(err, target) }

// BenchmarkReadAndApplyEdit is the cost of reading an edit in words and making it offline
// on a ten-day plan: the work an edit adds to a planning job.
func BenchmarkReadAndApplyEdit(b *testing.B) {
	base := samplePlan(10)
	for b.Loop() {
		e, ok := dialog.ReadEdit("第二天换成博物馆")
		if !ok {
			b.Fatal("not read")
		}
		if _, _, err := dialog.ApplyEdit(base, dialog.TierEconomical, e, "zh"); err != nil {
			b.Fatal(err)
		}
	}
}

// One day's pace ("第二天轻松一点", "make day 2 more relaxed") changes that day and no
// other, with no model; asked again, it eases the afternoon, then says it is so already.
func TestOneDaysPace(t *testing.T) {
	base := samplePlan(4)
	for _, text := range []string{"第二天轻松一点", "make day 2 more relaxed", "day 2 is too tiring"} {
		e, ok := dialog.ReadEdit(text)
		if !ok || e.Kind != dialog.EditPace || e.Day != 2 || e.With != "relax" {
			t.Fatalf("%q read as %+v, %v; want day 2's pace relaxed", text, e, ok)
		}
		got, changes, err := dialog.ApplyEdit(base, "", e, "zh")
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if len(changes) != 1 {
			t.Errorf("%q: changes %q, want one line for day 2", text, changes)
		}
		for i, o := range got.Options {
			for j, d := range o.Days {
				was := base.Options[i].Days[j]
				if j != 1 && d != was {
					t.Errorf("%q: option %s day %d changed", text, o.Tier, j+1)
				}
				if j == 1 && (d.Evening == was.Evening || d.Morning != was.Morning) {
					t.Errorf("%q: option %s day 2 = %+v, want only a quieter evening", text, o.Tier, d)
				}
			}
		}
		again, _, err := dialog.ApplyEdit(got, "", e, "zh")
		if err != nil {
			t.Fatalf("%q twice: %v", text, err)
		}
		if d := again.Options[0].Days[1]; d.Afternoon == got.Options[0].Days[1].Afternoon {
			t.Errorf("%q twice: afternoon unchanged: %+v", text, d)
		}
		if _, _, err := dialog.ApplyEdit(again, "", e, "zh"); !errors.Is(err, dialog.ErrAlreadySo) {
			t.Errorf("%q three times: err %v, want ErrAlreadySo", text, err)
		}
	}
	if _, _, err := dialog.ApplyEdit(base, "", dialog.PlanEdit{Kind: dialog.EditPace, With: "relax", Day: 9}, "en"); !errors.Is(err, dialog.ErrEditRange) {
		t.Errorf("day 9 of 4: err %v, want ErrEditRange", err)
	}
}

// Days added come before the day home, and days taken go from before it (or the day
// named): the trip still ends with its journey home, its dates in a row.
func TestLongerAndShorterKeepTheDayHome(t *testing.T) {
	base := samplePlan(4)
	home := base.Options[0].Days[3]
	check := func(name string, p dialog.Plan, n int) {
		t.Helper()
		for _, o := range p.Options {
			if len(o.Days) != n {
				t.Fatalf("%s: option %s has %d days, want %d", name, o.Tier, len(o.Days), n)
			}
			for j := 1; j < n; j++ {
				if o.Days[j].Date != o.Days[j-1].Date.AddDays(1) {
					t.Errorf("%s: option %s day %d is %s after %s", name, o.Tier, j+1, o.Days[j].Date, o.Days[j-1].Date)
				}
			}
		}
		last := p.Options[0].Days[n-1]
		if last.Morning != home.Morning || last.Evening != home.Evening {
			t.Errorf("%s: the last day is %+v, want the day home %+v", name, last, home)
		}
	}
	longer, _, err := dialog.ApplyEdit(base, "", dialog.PlanEdit{Kind: dialog.EditLonger, Days: 2}, "zh")
	if err != nil {
		t.Fatal(err)
	}
	check("two days more", longer, 6)
	if longer.Options[0].Days[5].Date != base.Options[0].Days[3].Date.AddDays(2) {
		t.Errorf("two days more: the day home is %s", longer.Options[0].Days[5].Date)
	}
	shorter, _, err := dialog.ApplyEdit(base, "", dialog.PlanEdit{Kind: dialog.EditShorter, Days: 1}, "zh")
	if err != nil {
		t.Fatal(err)
	}
	check("a day less", shorter, 3)
	if shorter.Options[0].Days[1] != base.Options[0].Days[1] {
		t.Errorf("a day less: day 2 changed: %+v", shorter.Options[0].Days[1])
	}
	// Day 2 dropped: day 3 becomes day 2, on day 2's date.
	mid, _, err := dialog.ApplyEdit(base, "", dialog.PlanEdit{Kind: dialog.EditShorter, Days: 1, Day: 2}, "zh")
	if err != nil {
		t.Fatal(err)
	}
	check("day 2 dropped", mid, 3)
	if got, want := mid.Options[0].Days[1], base.Options[0].Days[2]; got.Morning != want.Morning || got.Date != base.Options[0].Days[1].Date {
		t.Errorf("day 2 dropped: day 2 is %+v, want day 3's plan on day 2's date", got)
	}
}

// Two days trade what they hold, each keeping its date and forecast; the other days and
// nothing else change. A day with itself, or past the end, changes nothing.
func TestSwapTwoDays(t *testing.T) {
	base := samplePlan(4)
	for _, c := range []struct {
		text string
		a, b int
	}{
		{"第二天和第三天换一下", 2, 3},
		{"把第2天跟第3天对调", 2, 3},
		{"第一天和最后一天的行程互换吧", 1, -1},
		{"第三天和第二天顺序换一下", 3, 2},
		{"swap day 2 and day 3", 2, 3},
		{"Can we switch days 2 and 3?", 2, 3},
		{"swap day 2 and 3 please", 2, 3},
		{"swap the first day with the last day", 1, -1},
		{"flip day 3 and day 2", 3, 2},
	} {
		e, ok := dialog.ReadEdit(c.text)
		if !ok || e.Kind != dialog.EditSwap || e.Day != c.a || e.Other != c.b {
			t.Errorf("%q read as %+v, %v; want days %d and %d swapped", c.text, e, ok, c.a, c.b)
			continue
		}
		got, changes, err := dialog.ApplyEdit(base, "", e, "zh")
		if err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
		if len(changes) != 2 {
			t.Errorf("%q: changes %q, want one line for each day", c.text, changes)
		}
		a, b := c.a-1, c.b-1
		if c.b < 0 {
			b = 3
		}
		for i, o := range got.Options {
			for j, d := range o.Days {
				was := base.Options[i].Days[j]
				switch j {
				case a, b:
					other := base.Options[i].Days[a+b-j]
					if d.Morning != other.Morning || d.Afternoon != other.Afternoon || d.Evening != other.Evening || d.Date != was.Date {
						t.Errorf("%q: option %s day %d = %+v, want day %d's plan on its own date", c.text, o.Tier, j+1, d, a+b-j+1)
					}
				default:
					if d != was {
						t.Errorf("%q: option %s day %d changed", c.text, o.Tier, j+1)
					}
				}
			}
		}
		if got.Trip.StartDate == nil || *got.Trip.StartDate != *base.Trip.StartDate || *got.Trip.EndDate != *base.Trip.EndDate {
			t.Errorf("%q: the trip's dates moved", c.text)
		}
	}
	for _, e := range []dialog.PlanEdit{{Kind: dialog.EditSwap, Day: 2, Other: 2}, {Kind: dialog.EditSwap, Day: 2, Other: 9}} {
		if _, _, err := dialog.ApplyEdit(base, "", e, "en"); !errors.Is(err, dialog.ErrEditRange) {
			t.Errorf("%+v: err %v, want ErrEditRange", e, err)
		}
	}
	for _, text := range []string{"第二天和第二天换一下", "swap day 2 for a museum", "第二天换成博物馆"} {
		if e, ok := dialog.ReadEdit(text); ok && e.Kind == dialog.EditSwap {
			t.Errorf("%q read as a swap: %+v", text, e)
		}
	}
}

// A day named by what it holds is that thing left out: "cancel the beach day",
// "skip the museum day", 不要去海边那天了; a booking to cancel is no edit.
func TestDropTheDayOfAThing(t *testing.T) {
	for text, want := range map[string]string{
		"cancel the beach day": "beach",
		"skip the museum day":  "museum",
		"drop the hiking days": "hiking",
		"不要去海边那天了":             "海边",
		"去掉西湖那一天":              "西湖",
		"cancel the museum":    "museum",
	} {
		e, ok := dialog.ReadEdit(text)
		if !ok || e.Kind != dialog.EditDrop || e.Place != want {
			t.Errorf("%q read as %+v, %v; want %q left out", text, e, ok, want)
		}
	}
	for _, text := range []string{"cancel my hotel", "cancel the booking", "cancel the trip", "skip the first day", "drop a day", "cancel our flight"} {
		if e, ok := dialog.ReadEdit(text); ok && e.Kind == dialog.EditDrop {
			t.Errorf("%q read as a thing left out: %+v", text, e)
		}
	}
}

// "my plan" is answered in any state: after starting over it shows the last plan, without
// its buttons, and asks the new trip's question again; with no plan it says so and asks,
// instead of taking "my plan" for a destination not understood.
func TestMyPlanInAnyState(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, c := range []struct{ lang, over, ask string }{{"en", "start over", "my plan"}, {"zh", "重新开始", "我的行程"}} {
		conv := chosenPlan(c.lang)
		e.Handle(conv, dialog.Inbound{Text: c.over})
		if conv.State != dialog.StateDestination {
			t.Fatalf("%q: state %s", c.over, conv.State)
		}
		res := e.Handle(conv, dialog.Inbound{Text: c.ask})
		shown := false
		for _, ef := range res.Effects {
			shown = shown || ef.Kind == dialog.EffectShowPlan && ef.Version == 3
		}
		if !shown || len(res.Replies) != 2 || res.Replies[0].Kind != dialog.ReplyPlan || len(res.Replies[0].Choices) != 0 {
			t.Errorf("%q after %q: %s %+v, want version 3 shown without buttons, then the question", c.ask, c.over, replyTexts(res), res.Effects)
		}
		if conv.State != dialog.StateDestination || conv.Trip.Destination != "" {
			t.Errorf("%q after %q: state %s, destination %q", c.ask, c.over, conv.State, conv.Trip.Destination)
		}
		fresh := &dialog.Conversation{State: dialog.StateDestination, Status: dialog.StatusBot, Lang: c.lang}
		res = e.Handle(fresh, dialog.Inbound{Text: c.ask})
		if got := replyTexts(res); !strings.Contains(got, dialog.T(c.lang, "my_plan_none")) || len(res.Effects) != 0 {
			t.Errorf("%q with no plan: %s", c.ask, got)
		}
	}
}

// After a plan, a place named in passing is no new destination: a question about it,
// where someone is from, a trip for another time, a day trip to leave out. A place said
// as the trip's place is.
func TestPlaceInPassingKeepsTheTrip(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, c := range []struct {
		lang, text string
		moves      bool
	}{
		{"zh", "为什么要去绵阳", false},
		{"zh", "綿陽是哪里？", false},
		{"zh", "我是重庆人", false},
		{"zh", "我老婆是西安的", false},
		{"en", "is tianjin worth it?", false},
		{"en", "whats the capital of france", false},
		{"en", "my friend recommended xian too, maybe next time", false},
		{"zh", "改去重庆", true},
		{"zh", "重庆", true},
		{"zh", "还是去重庆吧", true},
		{"zh", "目的地改成重庆", true},
		{"en", "Chongqing instead", true},
		{"en", "how about chongqing", true},
		{"en", "change the destination to chongqing", true},
		{"en", "i want to go to chongqing", true},
	} {
		conv := chosenPlan(c.lang)
		e.Handle(conv, dialog.Inbound{Text: c.text})
		if moved := conv.Trip.Destination != "杭州"; moved != c.moves {
			t.Errorf("%q: destination %q, want moved %v", c.text, conv.Trip.Destination, c.moves)
		}
	}
	e2, ok := dialog.ReadEdit("drop the tianjin day trip")
	if !ok || e2.Kind != dialog.EditDrop || e2.Place != "tianjin" {
		t.Errorf("drop the tianjin day trip: %+v %v", e2, ok)
	}
}

// One end of the trip moved by words (晚一天回来, "leave a day early", "arriving a day
// late") moves that end, after a plan as an edit and before one as the dates; it never
// makes a one-day trip. Openers like "actually can we" do not hide an edit.
func TestOneEndOfTheTripMoved(t *testing.T) {
	for _, c := range []struct {
		text      string
		kind      dialog.EditKind
		days, day int
	}{
		{"晚一天回来", dialog.EditLonger, 1, 0},
		{"晚回来两天", dialog.EditLonger, 2, 0},
		{"早一天回来", dialog.EditShorter, 1, -1},
		{"我们得提前一天回去", dialog.EditShorter, 1, -1},
		{"晚一天到", dialog.EditShorter, 1, 1},
		{"come back a day later", dialog.EditLonger, 1, 0},
		{"we need to leave a day early", dialog.EditShorter, 1, -1},
		{"arriving a day late", dialog.EditShorter, 1, 1},
		{"actually can we move the whole trip a week later", dialog.EditShift, 7, 0},
	} {
		e, ok := dialog.ReadEdit(c.text)
		if !ok || e.Kind != c.kind || e.Days != c.days || e.Day != c.day {
			t.Errorf("%q read as %+v, %v; want %s %d (day %d)", c.text, e, ok, c.kind, c.days, c.day)
		}
	}
	e := corpusEngine("Asia/Shanghai")
	for text, want := range map[string][2]string{
		"晚一天回来":                        {"2026-12-20", "2026-12-25"},
		"早一天回来":                        {"2026-12-20", "2026-12-23"},
		"we need to leave a day early": {"2026-12-20", "2026-12-23"},
		"arriving a day late":          {"2026-12-21", "2026-12-24"},
	} {
		s, end := dialog.NewDate(2026, 12, 20), dialog.NewDate(2026, 12, 24)
		conv := &dialog.Conversation{State: dialog.StateBudget, Status: dialog.StatusBot, Lang: "zh",
			Trip: dialog.TripRequest{Destination: "苏州", StartDate: &s, EndDate: &end}}
		e.Handle(conv, dialog.Inbound{Text: text})
		if conv.Trip.StartDate.String() != want[0] || conv.Trip.EndDate.String() != want[1] {
			t.Errorf("%q before a plan: %s to %s, want %s to %s", text, conv.Trip.StartDate, conv.Trip.EndDate, want[0], want[1])
		}
	}
}

// Undo said in other words is undo: 撤回, 算了 还是原来的好, 取消刚才的修改, "actually undo
// that", "change it back".
func TestUndoInOtherWords(t *testing.T) {
	for _, text := range []string{"撤回", "撤销上一步", "算了 还是原来的好", "取消刚才的修改", "刚才那个改回去", "actually undo that", "change it back", "put it back please"} {
		if e, ok := dialog.ReadEdit(text); !ok || e.Kind != dialog.EditUndo {
			t.Errorf("%q read as %+v, %v; want undo", text, e, ok)
		}
	}
}

// Asking what the plan holds (a day's contents, whether something is in it) is answered
// with the plan, and changes nothing.
func TestAskingWhatThePlanHolds(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, text := range []string{"what's on day 3?", "is the great wall included?", "does the plan include the great wall?", "第三天安排了什么", "有没有安排熊猫基地", "包括宽窄巷子吗"} {
		c := chosenPlan("en")
		before := c.Trip
		res := e.Handle(c, dialog.Inbound{Text: text})
		shown := false
		for _, ef := range res.Effects {
			shown = shown || ef.Kind == dialog.EffectShowPlan
			if ef.Kind == dialog.EffectRequestPlan || ef.Kind == dialog.EffectEditPlan {
				t.Errorf("%q: %s", text, ef.Kind)
			}
		}
		if !shown || c.Trip != before {
			t.Errorf("%q: plan shown %v, trip changed %v: %s", text, shown, c.Trip != before, replyTexts(res))
		}
	}
}

// 推后一天, 提早一天, 往后延一周 move the whole trip, keeping its length.
func TestShiftWordsKeepTheLength(t *testing.T) {
	for text, days := range map[string]int{"推后一天": 1, "提早一天": -1, "推后一周": 7, "往后延一周": 7, "日期往後延一週": 7} {
		if e, ok := dialog.ReadEdit(text); !ok || e.Kind != dialog.EditShift || e.Days != days {
			t.Errorf("%q read as %+v, %v; want a shift of %d days", text, e, ok, days)
		}
	}
}

// "add a day trip to suzhou on day 2" makes that day the outing, there and back, and
// leaves the trip's dates alone.
func TestDayTripOnADay(t *testing.T) {
	e, ok := dialog.ReadEdit("add a day trip to suzhou on day 2")
	if !ok || e.Kind != dialog.EditReplace || e.Day != 2 {
		t.Fatalf("read as %+v, %v", e, ok)
	}
	base := samplePlan(4)
	got, _, err := dialog.ApplyEdit(base, "", e, "en")
	if err != nil {
		t.Fatal(err)
	}
	d := got.Options[0].Days[1]
	if !strings.Contains(d.Morning, "Suzhou") || strings.Contains(d.Afternoon, "Free time around") || len(got.Options[0].Days) != 4 {
		t.Errorf("day 2 = %+v", d)
	}
}

// A lighter last day keeps the journey home; a swap leaves arriving and going home on
// their days and trades the rest.
func TestTravelLinesStayOnTheirDays(t *testing.T) {
	base := samplePlan(4)
	for i := range base.Options {
		base.Options[i].Days[0].Morning = "Arrive in Hangzhou and check in"
		base.Options[i].Days[3].Evening = "Head home"
	}
	got, _, err := dialog.ApplyEdit(base, "", dialog.PlanEdit{Kind: dialog.EditPace, With: "relax", Day: 4}, "en")
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Options[0].Days[3]; d.Evening != "Head home" || d.Afternoon == base.Options[0].Days[3].Afternoon {
		t.Errorf("relaxed last day = %+v", d)
	}
	got, _, err = dialog.ApplyEdit(base, "", dialog.PlanEdit{Kind: dialog.EditSwap, Day: 1, Other: 4}, "en")
	if err != nil {
		t.Fatal(err)
	}
	d1, d4 := got.Options[0].Days[0], got.Options[0].Days[3]
	if d1.Morning != "Arrive in Hangzhou and check in" || d4.Evening != "Head home" || d1.Afternoon != base.Options[0].Days[3].Afternoon && d1.Evening != base.Options[0].Days[3].Evening && d4.Morning != base.Options[0].Days[0].Morning {
		t.Errorf("swap 1 and 4: day 1 %+v, day 4 %+v", d1, d4)
	}
}

// An edit the plan already satisfies says so, not that it is outside the trip.
func TestAlreadySoIsSaid(t *testing.T) {
	base := samplePlan(2)
	for i := range base.Options {
		base.Options[i].Days[0] = dialog.DayPlan{Date: base.Options[i].Days[0].Date, Morning: "Arrive in Hangzhou and check in", Afternoon: "Check in at the hotel", Evening: "Dinner near the station"}
		base.Options[i].Days[1] = dialog.DayPlan{Date: base.Options[i].Days[1].Date, Morning: "Pack up", Afternoon: "Leave for the airport", Evening: "Head home"}
	}
	if _, _, err := dialog.ApplyEdit(base, "", dialog.PlanEdit{Kind: dialog.EditSwap, Day: 1, Other: 2}, "en"); !errors.Is(err, dialog.ErrAlreadySo) {
		t.Errorf("swap of travel days: err %v, want ErrAlreadySo", err)
	}
	e := corpusEngine("Asia/Shanghai")
	c := chosenPlan("en")
	e.Handle(c, dialog.Inbound{Text: "swap day 1 and day 2"})
	res := e.Handle(c, dialog.Inbound{Event: dialog.EventEditFailed, PlanRequest: c.Memo.PlanRequest, EditError: dialog.EditErrAlreadySo})
	if got := replyTexts(res); !strings.Contains(got, "already like that") || strings.Contains(got, "outside the trip") {
		t.Errorf("already so: %s", got)
	}
}
