package dialog

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile is a corpus of inputs no traveller should be able to break the engine with.
var hostile = []string{
	"", " ", "\n\n", "\x00", "\x1b[31mred", "\u202eevil", "\ufeff", string([]byte{0xff, 0xfe, 0xfd}),
	strings.Repeat("a", 4096), strings.Repeat("旅", 4096), strings.Repeat("😀", 1024), "😀😀😀",
	"'; DROP TABLE conversations;--", "1 OR 1=1", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
	"{{.}}", "%s%s%s%n", "${jndi:ldap://x}", "../../etc/passwd", "福州Lisbon東京", "١٢٣٤", "ⅫⅢ",
	"9999999999999999999999999元", "-0", "NaN", "Inf", "1e309", "12/13/14/15", "2月30日", "13月45日",
	"/lang xx", "/sos", "/human", "/cancel", "/start deep-link_payload", "/feedback", "/new", "/help",
	"下周五到上周五", "from Dec 31 to Jan 1 to Feb 2", "预算两千万亿", "$-5", "every day forever",
}

var actions = []string{"plan", "edit", "edit:dates", "edit:nope", "need:kids", "need:???", "pref:food",
	"lang:zh", "lang:fr", "rate:5", "rate:0", "rate:x", "skip", "resume", "human", "feedback", "weather",
	"sos", "restart", "", ":", "unknown:thing", strings.Repeat("x", 200)}

// randomText mixes scripts, digits, punctuation and control characters.
func randomText(r *rand.Rand) string {
	pools := []string{"abcxyz ", "福州厦门天元千万到月日号周", "0123456789", "-/.,:¥$€ ", "\x00\x07\t\n", "😀🧳✈️", "<>&\"'"}
	n := r.Intn(60)
	var b strings.Builder
	for i := 0; i < n; i++ {
		p := []rune(pools[r.Intn(len(pools))])
		b.WriteRune(p[r.Intn(len(p))])
	}
	return b.String()
}

// conversationIn returns a conversation sitting in state with a plausible history.
func conversationIn(state string) *Conversation {
	e := testEngine()
	c := &Conversation{}
	e.Handle(c, Inbound{Text: "福州, 12月25日到12月30日, 每人2000"})
	c.State = state
	if state == StatePlanned || state == StateEditing {
		c.Memo.PlanVersion = 1
		tr := c.Trip
		c.Memo.PlannedTrip = &tr
	}
	if isInterruption(state) {
		c.Memo.ReturnTo = StateBudget
	}
	return c
}

// For every state and every hostile or random input, a turn answers, does not panic and
// leaves the machine in a known state.
func TestEngineSurvivesHostileInput(t *testing.T) {
	e := testEngine()
	r := rand.New(rand.NewSource(1))
	inputs := append([]string{}, hostile...)
	for i := 0; i < 200; i++ {
		inputs = append(inputs, randomText(r))
	}
	for _, state := range States {
		base := conversationIn(state)
		for _, status := range []Status{StatusBot, StatusWaiting} {
			for _, text := range inputs {
				cc := *base // turns replace the trip's pointers rather than write through them
				c := &cc
				c.Status = status
				res := e.Handle(c, Inbound{Text: text})
				check(t, state, text, c, res)
			}
			for _, a := range actions {
				cc := *base
				c := &cc
				c.Status = status
				res := e.Handle(c, Inbound{Action: a})
				check(t, state, "action "+a, c, res)
			}
		}
	}
}

func check(t *testing.T, state, input string, c *Conversation, res Result) {
	t.Helper()
	short := input
	if len(short) > 40 {
		short = short[:40] + "…"
	}
	if len(res.Replies) == 0 {
		t.Errorf("state %s, input %q: no reply", state, short)
	}
	if !knownState(c.State) {
		t.Errorf("state %s, input %q: left in unknown state %q", state, short, c.State)
	}
	for _, r := range res.Replies {
		if strings.TrimSpace(r.Text) == "" && r.Plan == nil {
			t.Errorf("state %s, input %q: empty reply", state, short)
		}
		if !utf8.ValidString(r.Text) {
			t.Errorf("state %s, input %q: reply is not valid UTF-8", state, short)
		}
	}
	if c.Trip.Destination != "" && utf8.RuneCountInString(c.Trip.Destination) > 60 {
		t.Errorf("state %s, input %q: destination of %d runes kept", state, short, utf8.RuneCountInString(c.Trip.Destination))
	}
}

// A random walk through whole conversations: long sequences of mixed input never leave
// the machine in an unknown state or silent.
func TestEngineRandomWalk(t *testing.T) {
	e := testEngine()
	r := rand.New(rand.NewSource(2))
	good := []string{"福州", "12月25日到12月30日", "每人2000", "带孩子", "喜欢海边", "好的", "预算改成5000",
		"Lisbon", "Dec 20-27", "$800", "no", "yes", "转人工", "SOS", "/feedback", "5", "/lang en", "/lang zh", "back", "start over"}
	for walk := 0; walk < 50; walk++ {
		c := &Conversation{}
		for i := 0; i < 40; i++ {
			var in Inbound
			switch r.Intn(6) {
			case 0:
				in.Action = actions[r.Intn(len(actions))]
			case 1:
				in.Text = randomText(r)
			case 2:
				in = Inbound{Event: EventPlanReady, PlanRequest: c.Memo.PlanRequest}
				if c.Trip.StartDate != nil && c.Trip.EndDate != nil {
					in.Plan = fakePlan(c)
				}
			case 3:
				in.Event = EventHandback
			default:
				in.Text = good[r.Intn(len(good))]
			}
			res := e.Handle(c, in)
			if in.Event == EventNone && len(res.Replies) == 0 {
				t.Fatalf("walk %d step %d: %+v got no reply (state %s)", walk, i, in, c.State)
			}
			if !knownState(c.State) {
				t.Fatalf("walk %d step %d: unknown state %q", walk, i, c.State)
			}
		}
	}
}

// A plan for a superseded request is not shown; the current one is.
func TestStalePlanIsIgnored(t *testing.T) {
	e := testEngine()
	c := &Conversation{}
	e.Handle(c, Inbound{Text: "福州, 12月25日到12月30日, 每人2000, 带孩子, 喜欢海边"})
	e.Handle(c, Inbound{Text: "好"})
	if c.State != StatePlanning || c.Memo.PlanRequest != 1 {
		t.Fatalf("state %s request %d", c.State, c.Memo.PlanRequest)
	}
	e.Handle(c, Inbound{Text: "预算改成3000"}) // while planning: a new request supersedes the first
	if c.Memo.PlanRequest != 2 {
		t.Fatalf("request = %d after a correction while planning, want 2", c.Memo.PlanRequest)
	}
	res := e.Handle(c, Inbound{Event: EventPlanReady, PlanRequest: 1, Plan: fakePlan(c)})
	if len(res.Replies) != 0 || c.State != StatePlanning {
		t.Fatalf("stale plan shown: %d replies, state %s", len(res.Replies), c.State)
	}
	res = e.Handle(c, Inbound{Event: EventPlanReady, PlanRequest: 2, Plan: fakePlan(c)})
	if len(res.Replies) == 0 || res.Replies[0].Kind != ReplyPlan || c.State != StatePlanned {
		t.Fatalf("current plan not shown: %+v, state %s", res.Replies, c.State)
	}
}

func TestGroupTotalBudgetIsPerPerson(t *testing.T) {
	e := testEngine()
	c := &Conversation{}
	e.Handle(c, Inbound{Text: "我们4个人去厦门，一共8000"})
	if c.Trip.PartySize == nil || *c.Trip.PartySize != 4 {
		t.Fatalf("party = %v, want 4", c.Trip.PartySize)
	}
	if c.Trip.Budget == nil || *c.Trip.Budget != 2000 {
		t.Fatalf("budget = %v, want 2000 per person", c.Trip.Budget)
	}
}

func TestDateValidation(t *testing.T) {
	cases := []struct{ text, want string }{
		{"2026年11月20日", "已经过去了"},
		{"2026-12-20 to 2026-12-10", "早于开始日期"},
		{"12月1日到12月31日", "最多支持30天"},
		{"2月30日", "日期好像不存在"},
	}
	for _, tc := range cases {
		e := testEngine()
		c := &Conversation{}
		e.Handle(c, Inbound{Text: "福州"})
		res := e.Handle(c, Inbound{Text: tc.text})
		if len(res.Replies) == 0 || !strings.Contains(res.Replies[0].Text, tc.want) {
			t.Errorf("%q: replies %+v, want one saying %q", tc.text, res.Replies, tc.want)
		}
		if c.Trip.StartDate != nil {
			t.Errorf("%q: bad dates were kept: %v", tc.text, c.Trip.StartDate)
		}
	}
}
