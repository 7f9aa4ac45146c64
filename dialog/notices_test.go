package dialog

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSubscribeArguments(t *testing.T) {
	cases := []struct {
		text   string
		intent Intent
		arg    string
	}{
		{"/subscribe", IntentSubscribe, ""},
		{"/subscribe maintenance downtime", IntentSubscribe, "maintenance,downtime"},
		{"/subscribe downtime, maintenance", IntentSubscribe, "maintenance,downtime"},
		{"/subscribe@xingqu_bot security", IntentSubscribe, "security"},
		{"/subscribe all", IntentSubscribe, strings.Join(NoticeTypes, ",")},
		{"/subscribe 维护 停服", IntentSubscribe, "maintenance,downtime"},
		{"/subscribe holidays", IntentSubscribe, "?holidays"},
		{"/unsubscribe", IntentUnsubscribe, ""},
		{"/unsubscribe feature ui", IntentUnsubscribe, "feature,ui"},
		{"订阅维护和停服通知", IntentSubscribe, "maintenance,downtime"},
		{"订阅通知", IntentSubscribe, ""},
		{"subscribe to maintenance", IntentSubscribe, "maintenance"},
		{"取消订阅功能更新", IntentUnsubscribe, "feature"},
	}
	for _, c := range cases {
		in, arg := DetectIntent(c.text)
		if in != c.intent || arg != c.arg {
			t.Errorf("%q: got %s %q, want %s %q", c.text, in, arg, c.intent, c.arg)
		}
	}
}

// subscribedTo is the kinds the turn's effects leave the traveller with, and whether any
// effect said so.
func subscribedTo(res Result) ([]string, bool) {
	var types []string
	set := false
	for _, e := range res.Effects {
		switch e.Kind {
		case EffectSubscribe:
			types, set = e.Types, true
		case EffectUnsubscribe:
			types, set = nil, true
		}
	}
	return types, set
}

// toggles reads the toggle buttons of a reply: kind -> on.
func toggles(t *testing.T, res Result) map[string]bool {
	t.Helper()
	on := map[string]bool{}
	for _, r := range res.Replies {
		for _, c := range r.Choices {
			typ, ok := strings.CutPrefix(c.Action, "notices:")
			if !ok || !slices.Contains(NoticeTypes, typ) {
				continue
			}
			on[typ] = strings.HasPrefix(c.Label, "✅")
		}
	}
	if len(on) != len(NoticeTypes) {
		t.Fatalf("toggles %v, want one for each of %v", on, NoticeTypes)
	}
	return on
}

func onlyOn(on map[string]bool) []string {
	var out []string
	for _, typ := range NoticeTypes {
		if on[typ] {
			out = append(out, typ)
		}
	}
	return out
}

// /subscribe in the middle of a form, in both languages: the toggles (all on at first),
// a toggle pressed, kinds named as arguments, /unsubscribe with and without; the form's
// question is asked again after each.
func TestSubscribeToggles(t *testing.T) {
	for _, lang := range []string{LangZH, LangEN} {
		t.Run(lang, func(t *testing.T) {
			e := testEngine()
			c := &Conversation{}
			e.Handle(c, Inbound{Text: "想去成都", Channel: "telegram"})
			c.Lang = lang
			if c.State != StateDates {
				t.Fatalf("state %s lang %s", c.State, c.Lang)
			}
			ask := T(lang, "ask_dates")
			step := func(in Inbound, want []string) Result {
				t.Helper()
				in.Channel = "telegram"
				res := e.Handle(c, in)
				got, set := subscribedTo(res)
				if !set || !slices.Equal(got, want) {
					t.Fatalf("%+v: subscribed to %v (set %v), want %v", in, got, set, want)
				}
				if !slices.Equal(onlyOn(toggles(t, res)), want) {
					t.Fatalf("%+v: toggles %v, want %v on", in, toggles(t, res), want)
				}
				if c.State != StateDates || res.Replies[len(res.Replies)-1].Text != ask {
					t.Fatalf("%+v: form not resumed: state %s, last reply %q", in, c.State, res.Replies[len(res.Replies)-1].Text)
				}
				for _, r := range res.Replies[:len(res.Replies)-1] {
					if strings.ContainsRune(r.Text, '%') {
						t.Fatalf("unformatted reply %q", r.Text)
					}
				}
				return res
			}
			all := NoticeTypes
			res := step(Inbound{Text: "/subscribe"}, all)
			if !strings.Contains(res.Replies[0].Text, T(lang, "notice_type_maintenance")) {
				t.Errorf("reply does not name the kinds: %q", res.Replies[0].Text)
			}
			step(Inbound{Action: "notices:maintenance"}, []string{"feature", "performance", "security", "ui", "downtime"})
			step(Inbound{Action: "notices:maintenance"}, all)
			step(Inbound{Text: "/subscribe maintenance downtime"}, []string{"maintenance", "downtime"})
			// /subscribe alone keeps what is on (writing it again, in case the chat's
			// subscription was dropped when it blocked the bot).
			step(Inbound{Text: "/subscribe"}, []string{"maintenance", "downtime"})
			step(Inbound{Text: "/unsubscribe maintenance"}, []string{"downtime"})
			step(Inbound{Action: "notices:none"}, nil)
			step(Inbound{Action: "notices:all"}, all)
			step(Inbound{Text: "/unsubscribe"}, nil)
			// Subscribing again after unsubscribing turns every kind on.
			step(Inbound{Text: "/subscribe"}, all)
			// A new trip keeps the notices chosen.
			step(Inbound{Text: "/subscribe security"}, []string{"security"})
			e.Handle(c, Inbound{Text: "/new", Channel: "telegram"})
			res = e.Handle(c, Inbound{Text: "/subscribe", Channel: "telegram"})
			if !slices.Equal(onlyOn(toggles(t, res)), []string{"security"}) {
				t.Fatalf("after /new: %v", toggles(t, res))
			}
			// An unknown kind changes nothing and says which kinds there are.
			res = e.Handle(c, Inbound{Text: "/subscribe holidays", Channel: "telegram"})
			if _, set := subscribedTo(res); set || !strings.Contains(res.Replies[0].Text, "holidays") || !strings.Contains(res.Replies[0].Text, "maintenance") {
				t.Fatalf("unknown kind: %+v", res)
			}
		})
	}
}

// The web chat sends nothing of its own: it never says "subscribed" and subscribes
// nobody; it says where notices show instead.
func TestWebChatIsNotSubscribed(t *testing.T) {
	for _, lang := range []string{LangZH, LangEN} {
		e := testEngine()
		c := &Conversation{Lang: lang}
		for _, in := range []Inbound{{Text: "/subscribe"}, {Text: "/subscribe maintenance"}, {Action: "notices:maintenance"},
			{Text: map[string]string{LangZH: "如何获取更新通知？", LangEN: "How do I get update notifications?"}[lang]}} {
			in.Channel = ChannelWeb
			res := e.Handle(c, in)
			if len(res.Effects) != 0 {
				t.Fatalf("%s %+v: effects %+v", lang, in, res.Effects)
			}
			if res.Replies[0].Text != T(lang, "notices_web") {
				t.Fatalf("%s %+v: %q", lang, in, res.Replies[0].Text)
			}
		}
		res := e.Handle(c, Inbound{Text: "/unsubscribe", Channel: ChannelWeb})
		if len(res.Effects) != 0 || res.Replies[0].Text != T(lang, "notices_web_unsub") {
			t.Fatalf("%s /unsubscribe: %+v", lang, res)
		}
	}
}

// Seed 000's questions, Q1-Q10, in Chinese and English, asked in the middle of the form
// at every question: answered from the catalogue (and from the current notices where the
// answer depends on them), the trip untouched, the form's question asked again.
func TestSeedFAQMidForm(t *testing.T) {
	notice := "[系统停服] 数据库升级 (2026-12-20 02:00 CST – 2026-12-20 04:00 CST)"
	noticeEN := "[Downtime] Database upgrade (2026-12-20 02:00 CST – 2026-12-20 04:00 CST)"
	faqs := []struct {
		zh, en string
		topic  string
		now    bool // the answer lists the current notices
	}{
		{"系统更新需要多长时间？", "How long does a system update take?", "faq_update_time", true},
		{"系统更新会影响我的数据吗", "Will a system update affect my data?", "faq_data", false},
		{"系统更新期间可以使用吗？", "Can I use the service during an update?", "faq_use_during", true},
		{"系统更新后需要做什么？", "What should I do after an update?", "faq_after_update", false},
		{"如何获取更新通知？", "How do I get update notifications?", "faq_notices", false},
		{"系统维护会影响我的数据吗？", "Will maintenance affect my data?", "faq_data", false},
		{"系统维护期间可以使用吗？", "Can I use it during maintenance?", "faq_use_during", true},
		{"系统停服期间可以使用吗？", "Is it available during downtime?", "faq_use_during", true},
		{"停服多久恢复", "How long until the service is back after downtime?", "faq_update_time", true},
		{"如何查看更新日志？", "Where can I see the changelog?", "faq_changelog", false},
	}
	// Each collecting state, reached by the trip so far.
	states := []struct {
		state string
		trip  []string
	}{
		{StateDestination, []string{"/start"}},
		{StateDates, []string{"想去成都"}},
		{StateBudget, []string{"想去成都", "12月20日到24日"}},
		{StateNeeds, []string{"想去成都", "12月20日到24日", "每人3000"}},
	}
	// And the states after the form: the summary, a plan being made, feedback being given.
	later := []struct {
		state string
		trip  []string
	}{
		{StateConfirm, []string{"成都，12月20日到24日，每人3000，没有特殊需求，喜欢美食"}},
		{StatePlanning, []string{"成都，12月20日到24日，每人3000，没有特殊需求，喜欢美食", "确认"}},
		{StateFeedback, []string{"成都，12月20日到24日，每人3000，没有特殊需求，喜欢美食", "/feedback"}},
	}
	for _, lang := range []string{LangZH, LangEN} {
		for _, st := range later {
			for _, q := range faqs {
				e := testEngine()
				c := &Conversation{}
				for _, m := range st.trip {
					e.Handle(c, Inbound{Text: m})
				}
				if c.State != st.state {
					t.Fatalf("setup reached %s, want %s", c.State, st.state)
				}
				c.Lang, c.Memo.LangPinned = lang, true
				trip := c.Trip
				text := map[string]string{LangZH: q.zh, LangEN: q.en}[lang]
				res := e.Handle(c, Inbound{Text: text, Channel: "telegram"})
				if res.Intent != string(ActFAQ) || c.State != st.state || c.Trip != trip || len(res.Effects) != 0 {
					t.Errorf("%s %s %q: read as %s, state %s, effects %v", lang, st.state, text, res.Intent, c.State, res.Effects)
					continue
				}
				if answer := res.Replies[0].Text; q.topic != "faq_changelog" && !strings.HasPrefix(answer, T(lang, q.topic)) {
					t.Errorf("%s %s %q: answered %q, want %s", lang, st.state, text, answer, q.topic)
				}
			}
		}
	}
	for _, lang := range []string{LangZH, LangEN} {
		for _, st := range states {
			for _, q := range faqs {
				e := testEngine()
				e.Notices = func(l string) []string { return []string{map[string]string{LangZH: notice, LangEN: noticeEN}[l]} }
				e.Changelog = func(l string) []ChangeEntry {
					return []ChangeEntry{{When: time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC), Type: "feature", Title: "新增故障进度实时查询"}}
				}
				c := &Conversation{}
				for _, m := range st.trip {
					e.Handle(c, Inbound{Text: m})
				}
				if c.State != st.state {
					t.Fatalf("setup reached %s, want %s", c.State, st.state)
				}
				c.Lang, c.Memo.LangPinned = lang, true
				trip := c.Trip
				text := map[string]string{LangZH: q.zh, LangEN: q.en}[lang]
				res := e.Handle(c, Inbound{Text: text, Channel: "telegram"})
				if res.Intent != string(ActFAQ) {
					t.Errorf("%s %s %q: read as %s", lang, st.state, text, res.Intent)
					continue
				}
				if c.State != st.state || c.Trip != trip {
					t.Errorf("%s %s %q: state %s, trip %+v changed", lang, st.state, text, c.State, c.Trip)
				}
				answer := res.Replies[0].Text
				switch {
				case q.topic == "faq_changelog":
					if !strings.Contains(answer, "新增故障进度实时查询") || !strings.Contains(answer, "/changelog") {
						t.Errorf("%s %q: %q", lang, text, answer)
					}
				case !strings.HasPrefix(answer, T(lang, q.topic)):
					t.Errorf("%s %s %q: answered %q, want %s", lang, st.state, text, answer, q.topic)
				}
				if q.now != strings.Contains(answer, map[string]string{LangZH: notice, LangEN: noticeEN}[lang]) {
					t.Errorf("%s %q: current notices shown %v, want %v: %q", lang, text, !q.now, q.now, answer)
				}
				if len(res.Replies) < 2 || res.Replies[len(res.Replies)-1].Text != T(lang, "ask_"+map[string]string{StateDestination: "destination", StateDates: "dates", StateBudget: "budget", StateNeeds: "needs"}[st.state]) {
					t.Errorf("%s %s %q: the form's question is not asked again: %+v", lang, st.state, text, res.Replies)
				}
			}
		}
	}
}

// /changelog in both languages: the latest completed updates by month as seed 000's
// 更新日志 lists them, and the link to the page.
func TestChangelogInChat(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	entries := map[string][]ChangeEntry{
		LangZH: {
			{When: time.Date(2026, 2, 20, 20, 0, 0, 0, time.UTC), Type: "feature", Title: "新增故障进度实时查询"}, // 21 Feb in Shanghai
			{When: time.Date(2026, 2, 3, 2, 0, 0, 0, sh), Type: "security", Title: "加强数据加密"},
			{When: time.Date(2026, 1, 31, 17, 0, 0, 0, time.UTC), Type: "performance", Title: "优化数据库查询性能"}, // 1 Feb in Shanghai
			{When: time.Date(2026, 1, 10, 2, 0, 0, 0, sh), Type: "feature", Title: "新增智能售后助手功能"},
		},
		LangEN: {
			{When: time.Date(2026, 2, 20, 20, 0, 0, 0, time.UTC), Type: "feature", Title: "Live fault progress"},
			{When: time.Date(2026, 2, 3, 2, 0, 0, 0, sh), Type: "security", Title: "Stronger encryption"},
			{When: time.Date(2026, 1, 31, 17, 0, 0, 0, time.UTC), Type: "performance", Title: "Faster database queries"},
			{When: time.Date(2026, 1, 10, 2, 0, 0, 0, sh), Type: "feature", Title: "After-sales assistant"},
		},
	}
	want := map[string]string{
		LangZH: "最近的更新：\n2026年2月更新\n• 功能更新：新增故障进度实时查询\n• 安全更新：加强数据加密\n• 性能优化：优化数据库查询性能\n\n2026年1月更新\n• 功能更新：新增智能售后助手功能\n\n完整的更新日志：https://xingqu.example/changelog",
		LangEN: "Recent updates:\nFebruary 2026\n• Feature update: Live fault progress\n• Security update: Stronger encryption\n• Performance update: Faster database queries\n\nJanuary 2026\n• Feature update: After-sales assistant\n\nThe full changelog: https://xingqu.example/changelog",
	}
	for _, lang := range []string{LangZH, LangEN} {
		for _, ask := range []string{"/changelog", map[string]string{LangZH: "更新日志", LangEN: "what's new"}[lang]} {
			e := testEngine()
			e.ChangelogURL = "https://xingqu.example/changelog"
			e.Changelog = func(l string) []ChangeEntry { return entries[l] }
			c := &Conversation{Lang: lang, Memo: Memo{LangPinned: true}}
			e.Handle(c, Inbound{Text: "想去成都"})
			res := e.Handle(c, Inbound{Text: ask})
			if got := res.Replies[0].Text; got != want[lang] {
				t.Errorf("%s %q:\n%s\nwant\n%s", lang, ask, got, want[lang])
			}
			if c.State != StateDates || res.Replies[len(res.Replies)-1].Text != T(lang, "ask_dates") {
				t.Errorf("%s %q: form not resumed", lang, ask)
			}
		}
		e := testEngine()
		res := e.Handle(&Conversation{Lang: lang}, Inbound{Text: "/changelog"})
		if got := res.Replies[0].Text; got != T(lang, "changelog_empty", "/changelog") {
			t.Errorf("%s empty changelog: %q", lang, got)
		}
	}
}
