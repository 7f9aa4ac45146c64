package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/store"
)

// editSession is one traveller talking to a pipeline with a planning worker running.
type editSession struct {
	t      *testing.T
	p      *Pipeline
	who    string
	convID int64
	n      atomic.Int64
}

func newEditSession(t *testing.T, p *Pipeline, who string, edit EditFunc) *editSession {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w := &PlanWorker{Pipeline: p, Plan: offlinePlan, Edit: edit, Poll: 20 * time.Millisecond, Log: p.Log}
	go w.Run(ctx)
	return &editSession{t: t, p: p, who: who}
}

func (s *editSession) send(in Inbound) {
	s.t.Helper()
	in.Channel, in.ExternalID, in.InboundID = "web", s.who, fmt.Sprint(s.who, "-", s.n.Add(1))
	id, _, err := s.p.Handle(context.Background(), in)
	if err != nil {
		s.t.Fatal(err)
	}
	s.convID = id
}

func (s *editSession) say(text string)     { s.t.Helper(); s.send(Inbound{Text: text}) }
func (s *editSession) press(action string) { s.t.Helper(); s.send(Inbound{Action: action}) }

// version waits for plan version n to be delivered and returns it.
func (s *editSession) version(n int) dialog.Plan {
	s.t.Helper()
	var got dialog.Plan
	waitUntil(s.t, 10*time.Second, fmt.Sprintf("plan version %d", n), func() bool {
		var state string
		s.p.DB.GetContext(context.Background(), &state, `SELECT state FROM conversations WHERE id = $1`, s.convID)
		p, err := store.PlanAt(context.Background(), s.p.DB, s.convID, n)
		got = p
		return err == nil && state == dialog.StatePlanned
	})
	return got
}

// settled waits until no plan is being made.
func (s *editSession) settled() {
	s.t.Helper()
	waitUntil(s.t, 10*time.Second, "conversation settled", func() bool {
		var state string
		s.p.DB.GetContext(context.Background(), &state, `SELECT state FROM conversations WHERE id = $1`, s.convID)
		return state == dialog.StatePlanned
	})
}

// lastBot returns the latest bot message.
func (s *editSession) lastBot() store.Message {
	s.t.Helper()
	ms := transcript(s.t, s.p.DB, s.convID)
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Role == "bot" {
			return ms[i]
		}
	}
	s.t.Fatal("no bot message")
	return store.Message{}
}

// lastPlanMessage returns the text of the latest plan card.
func (s *editSession) lastPlanMessage() string {
	s.t.Helper()
	ms := transcript(s.t, s.p.DB, s.convID)
	for i := len(ms) - 1; i >= 0; i-- {
		if strings.Contains(string(ms[i].Body), `"kind": "plan"`) {
			return ms[i].Text
		}
	}
	return ""
}

func optionOf(p dialog.Plan, tier dialog.Tier) dialog.Option {
	for _, o := range p.Options {
		if o.Tier == tier {
			return o
		}
	}
	return dialog.Option{}
}

// sameDays reports the days of two options that differ, by 0-based index, among those listed.
func differingDays(a, b dialog.Option, days ...int) []int {
	var out []int
	for _, d := range days {
		if d >= len(a.Days) || d >= len(b.Days) || a.Days[d] != b.Days[d] {
			out = append(out, d+1)
		}
	}
	return out
}

// Every kind of edit, in Chinese and in English, by words and by button, on the chosen
// option: each makes the next version, says what changed, and leaves the other days and
// the other options as they were.
func TestPlanEditsByWordsAndButtons(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t)
			s := newEditSession(t, p, "edit-"+lang, nil)
			zh := lang == "zh"
			if zh {
				s.say("福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边")
				s.say("好")
			} else {
				s.say("Lisbon, Dec 25-28, 2000 CNY each, with kids, we like beaches")
				s.say("yes")
			}
			v1 := s.version(1)
			if len(v1.Options) != 3 {
				t.Fatalf("v1 has %d options", len(v1.Options))
			}
			// Choosing: by words in one language, by button in the other.
			if zh {
				s.say("我选经济适用游")
			} else {
				s.press("choose:economical")
			}
			if tier, err := store.ChosenOption(context.Background(), p.DB, s.convID); err != nil || tier != dialog.TierEconomical {
				t.Fatalf("chosen = %q, %v; want economical", tier, err)
			}
			pick := func(z, e string) string {
				if zh {
					return z
				}
				return e
			}
			cases := []struct {
				name      string
				text      string // or
				action    string
				diff      string // in the reply
				unchanged []int  // 0-based days of the chosen option that must not change (a day added or taken goes before the day home, which moves)
				days      int    // the chosen option's day count after the edit
			}{
				{name: "replace a day", text: pick("第二天换成博物馆", "swap day 2 for a museum"), diff: pick("第2天：", "Day 2: "), unchanged: []int{0, 2, 3}, days: 4},
				{name: "replace a day by button", action: "pe:in:3", diff: pick("第3天：", "Day 3: "), unchanged: []int{0, 1, 3}, days: 4},
				{name: "add", text: pick("第一天加个温泉", "add a cooking class on day 1"), diff: pick("第1天：", "Day 1: "), unchanged: []int{1, 2, 3}, days: 4},
				{name: "drop a place", text: pick("不要去温泉", "skip the cooking class"), diff: pick("第1天：", "Day 1: "), unchanged: []int{1, 2, 3}, days: 4},
				{name: "longer", text: pick("多玩一天", "stay an extra day"), diff: pick("第4天：新增", "Day 4: added"), unchanged: []int{0, 1, 2}, days: 5},
				{name: "shorter", text: pick("去掉最后一天", "cut the last day"), diff: pick("第4天：取消", "Day 4: removed"), unchanged: []int{0, 1, 2}, days: 4},
				{name: "shift", text: pick("全部往后推一天", "move it all one day later"), diff: pick("日期：12月25日–12月28日 → 12月26日–12月29日", "Dates: Dec 25–Dec 28 → Dec 26–Dec 29"), days: 4},
				{name: "pace", text: pick("轻松一点", "take it easy"), diff: pick("早点休息", "An early night"), days: 4},
				{name: "pace by button", action: "pe:relax", diff: "", days: -1},
				{name: "cheaper", text: pick("太贵了", "too expensive"), diff: pick("预算：", "Budget: "), unchanged: []int{0, 1, 2, 3}, days: 4},
				{name: "better", text: pick("升级酒店", "upgrade the hotel"), diff: pick("预算：", "Budget: "), unchanged: []int{0, 1, 2, 3}, days: 4},
				{name: "more edits menu", action: "pe:menu", days: -2},
				{name: "later by button", action: "pe:later", diff: pick("日期：12月26日–12月29日 → 12月27日–12月30日", "Dates: Dec 26–Dec 29 → Dec 27–Dec 30"), days: 4},
				{name: "earlier by button", action: "pe:earlier", diff: pick("日期：12月27日–12月30日 → 12月26日–12月29日", "Dates: Dec 27–Dec 30 → Dec 26–Dec 29"), days: 4},
				{name: "longer by button", action: "pe:longer", diff: pick("第4天：新增", "Day 4: added"), unchanged: []int{0, 1, 2}, days: 5},
				{name: "shorter by button", action: "pe:shorter", diff: pick("第4天：取消", "Day 4: removed"), unchanged: []int{0, 1, 2}, days: 4},
				{name: "pack more in by button", action: "pe:more", diff: pick("夜游", "Evening out"), days: 4},
				{name: "cheaper by button", action: "pe:cheaper", diff: pick("预算：", "Budget: "), unchanged: []int{0, 1, 2, 3}, days: 4},
				{name: "better by button", action: "pe:better", diff: pick("预算：", "Budget: "), unchanged: []int{0, 1, 2, 3}, days: 4},
			}
			version := 1
			for _, c := range cases {
				before, err := store.PlanAt(context.Background(), p.DB, s.convID, version)
				if err != nil {
					t.Fatal(err)
				}
				if c.action != "" {
					s.press(c.action)
				} else {
					s.say(c.text)
				}
				if c.days == -2 {
					// The menu of whole-plan changes: a question with a button for each.
					m := s.lastBot()
					var body store.MessageBody
					json.Unmarshal(m.Body, &body)
					if len(body.Choices) != 10 {
						t.Errorf("%s: %d buttons, want 10", c.name, len(body.Choices))
					}
					continue
				}
				if c.days < 0 {
					// Already as relaxed as it gets: nothing changes, and the traveller is told.
					s.settled()
					if got := s.lastBot().Text; !strings.Contains(got, fmt.Sprint(version)) {
						t.Errorf("%s: reply %q does not name the kept version %d", c.name, got, version)
					}
					continue
				}
				version++
				after := s.version(version)
				msg := s.lastPlanMessage()
				head := pick(fmt.Sprintf("第%d版", version), fmt.Sprintf("version %d", version))
				if !strings.Contains(msg, head) || !strings.Contains(msg, c.diff) {
					dumpTranscript(t, p.DB, s.convID)
					t.Errorf("%s: plan message %q, want %q and %q", c.name, msg, head, c.diff)
				}
				ob, oa := optionOf(before, dialog.TierEconomical), optionOf(after, dialog.TierEconomical)
				if len(oa.Days) != c.days {
					t.Errorf("%s: %d days, want %d", c.name, len(oa.Days), c.days)
				}
				if d := differingDays(ob, oa, c.unchanged...); len(d) > 0 {
					t.Errorf("%s: days %v changed, want them as they were", c.name, d)
				}
				// The trip's dates and length are every option's; anything else changes the
				// chosen option only.
				datesEdit := false
				for _, w := range []string{"shift", "later", "earlier", "longer", "shorter"} {
					datesEdit = datesEdit || strings.HasPrefix(c.name, w)
				}
				if !datesEdit {
					for _, tier := range []dialog.Tier{dialog.TierLuxury, dialog.TierBackpacker} {
						if fmt.Sprint(optionOf(before, tier)) != fmt.Sprint(optionOf(after, tier)) {
							t.Errorf("%s: option %s changed", c.name, tier)
						}
					}
				}
			}
			// The trip's dates followed the edits: one day longer then shorter, shifted by one.
			conv, err := store.GetConversation(context.Background(), p.DB, s.convID)
			if err != nil {
				t.Fatal(err)
			}
			if got := conv.Trip.StartDate.String() + ".." + conv.Trip.EndDate.String(); got != "2026-12-26..2026-12-29" {
				t.Errorf("trip dates = %s, want 2026-12-26..2026-12-29", got)
			}
		})
	}
}

func dumpTranscript(t *testing.T, db *store.DB, convID int64) {
	for _, m := range transcript(t, db, convID) {
		t.Logf("%s: %s %s", m.Role, m.Text, string(m.Body))
	}
}

// Undo steps back one version at a time, redo steps forward again, "用第1版" brings an
// older version back as a new one, and each says what changed; versions are never
// rewritten.
func TestPlanVersionsUndoRedoRestore(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t)
			s := newEditSession(t, p, "versions-"+lang, nil)
			zh := lang == "zh"
			pick := func(z, e string) string {
				if zh {
					return z
				}
				return e
			}
			s.say(pick("福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边", "Lisbon, Dec 25-28, 2000 CNY each, with kids, we like beaches"))
			s.say(pick("好", "yes"))
			v1 := s.version(1)
			s.say(pick("我选第二个", "go with the economical one"))
			s.say(pick("撤销", "undo"))
			s.settled()
			if got := s.lastBot().Text; !strings.Contains(got, pick("没有可以撤销", "no change to undo")) {
				t.Errorf("undo of the first version: %q", got)
			}
			s.say(pick("第二天换成博物馆", "swap day 2 for a museum"))
			v2 := s.version(2)
			s.say(pick("多玩一天", "add a day"))
			v3 := s.version(3)
			steps := []struct {
				text, action string
				want         dialog.Plan // the content the new version must have
				diff         string
			}{
				{text: pick("撤销", "undo"), want: v2, diff: pick("第4天：取消", "Day 4: removed")},
				{action: "pe:undo", want: v1, diff: pick("第2天：", "Day 2: ")},
				{text: pick("重做", "redo"), want: v2, diff: pick("第2天：", "Day 2: ")},
				{text: pick("用第3版", "go back to version 3"), want: v3, diff: pick("第4天：新增", "Day 4: added")},
				{text: pick("回到第1版", "restore version 1"), want: v1, diff: pick("第2天：", "Day 2: ")},
			}
			version := 3
			for _, st := range steps {
				if st.action != "" {
					s.press(st.action)
				} else {
					s.say(st.text)
				}
				version++
				got := s.version(version)
				if a, b := fmt.Sprint(optionOf(got, dialog.TierEconomical).Days), fmt.Sprint(optionOf(st.want, dialog.TierEconomical).Days); a != b {
					t.Errorf("%s%s: version %d is not version %d's content", st.text, st.action, version, st.want.Version)
				}
				if msg := s.lastPlanMessage(); !strings.Contains(msg, st.diff) || !strings.Contains(msg, fmt.Sprint(version)) {
					t.Errorf("%s%s: message %q, want version %d and %q", st.text, st.action, msg, version, st.diff)
				}
			}
			// A version that does not exist changes nothing.
			s.say(pick("用第9版", "use version 9"))
			s.settled()
			if got := s.lastBot().Text; !strings.Contains(got, "9") {
				t.Errorf("restore of a missing version: %q", got)
			}
			plans, err := store.Plans(context.Background(), p.DB, s.convID)
			if err != nil || len(plans) != version {
				t.Fatalf("%d versions stored, want %d (%v)", len(plans), version, err)
			}
			// The dates follow the version: version 1 is four days again.
			conv, _ := store.GetConversation(context.Background(), p.DB, s.convID)
			if conv.Trip.EndDate.String() != "2026-12-28" {
				t.Errorf("trip ends %s after restoring version 1, want 2026-12-28", conv.Trip.EndDate)
			}
			// A slot change re-plans as a new version, and undo brings the budget back too.
			s.say(pick("预算改成5000", "make the budget 5000 CNY"))
			s.version(version + 1)
			s.say(pick("撤销", "undo"))
			undone := s.version(version + 2)
			if optionOf(undone, dialog.TierEconomical).BudgetHigh != optionOf(v1, dialog.TierEconomical).BudgetHigh {
				t.Errorf("undo of a budget change: budget %v, want version 1's %v", optionOf(undone, dialog.TierEconomical).BudgetHigh, optionOf(v1, dialog.TierEconomical).BudgetHigh)
			}
			conv, _ = store.GetConversation(context.Background(), p.DB, s.convID)
			if conv.Trip.Budget == nil || *conv.Trip.Budget != 2000 {
				t.Errorf("trip budget after undo = %v, want 2000", conv.Trip.Budget)
			}
		})
	}
}

// Why an edit was not made reaches the traveller as the dialog's reason: an edit only a
// model could make (free words, no model answering) is told so, apart from a failure.
func TestEditReasons(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("x: %w", dialog.ErrNeedsModel), dialog.EditErrNeedsModel},
		{fmt.Errorf("%w: %w", dialog.ErrEditFailed, dialog.ErrNeedsModel), dialog.EditErrNeedsModel},
		{dialog.ErrEditFailed, dialog.EditErrFailed},
		{fmt.Errorf("x: %w", dialog.ErrNotInPlan), dialog.EditErrNotInPlan},
		{fmt.Errorf("x: %w", dialog.ErrEditRange), dialog.EditErrRange},
		{fmt.Errorf("x: %w", dialog.ErrAlreadySo), dialog.EditErrAlreadySo},
		{errNoUndo, dialog.EditErrNoUndo},
		{fmt.Errorf("v: %w", errNoVersion), dialog.EditErrNoVersion},
	} {
		if got := EditReason(c.err); got != c.want {
			t.Errorf("EditReason(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
