package dialog

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Service notices in chat (seed 000): which kinds a traveller gets, what changed lately,
// and the answers to questions about the service that depend on the current notices.

// NoticeTypes are the kinds of service notice, in the order the toggles show them.
var NoticeTypes = []string{"feature", "performance", "security", "ui", "maintenance", "downtime"}

// ChannelWeb is the web widget's channel. It sends nobody anything on its own: notices
// reach a visitor only in its pop-up and banner while the chat is open.
const ChannelWeb = "web"

// ChangeEntry is one completed update, for /changelog in chat.
type ChangeEntry struct {
	When  time.Time
	Type  string // one of NoticeTypes
	Title string // in the language asked for
}

// changelogShown is how many updates /changelog lists in chat; the page has the rest.
const changelogShown = 6

// noticeWords name the kinds in a command's arguments or a sentence, in both languages.
var noticeWords = []struct{ word, typ string }{
	{"feature", "feature"}, {"features", "feature"}, {"功能", "feature"},
	{"performance", "performance"}, {"perf", "performance"}, {"性能", "performance"},
	{"security", "security"}, {"安全", "security"},
	{"ui", "ui"}, {"interface", "ui"}, {"界面", "ui"},
	{"maintenance", "maintenance"}, {"维护", "maintenance"},
	{"downtime", "downtime"}, {"outage", "downtime"}, {"outages", "downtime"}, {"停服", "downtime"},
}

var allWords = []string{"all", "everything", "全部", "所有"}

// noticeArg reads the kinds named in s: "" when none are, a comma-separated list in
// NoticeTypes order, or, when strict (a command's own arguments) and some word names no
// kind, "?" and the words.
func noticeArg(s string, strict bool) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	words := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == ',' || r == '，' || r == '、' || r == '/' || r == '+' || r == ';'
	})
	named := map[string]bool{}
	var unknown []string
	for _, w := range words {
		hit := false
		if slices.Contains(allWords, w) {
			for _, typ := range NoticeTypes {
				named[typ] = true
			}
			hit = true
		}
		for _, nw := range noticeWords {
			// English words whole; Chinese ones anywhere ("维护和停服通知").
			if w == nw.word || nw.word[0] >= 0x80 && strings.Contains(w, nw.word) {
				named[nw.typ], hit = true, true
			}
		}
		if !hit && w != "and" && w != "和" && w != "to" && w != "notices" && w != "通知" {
			unknown = append(unknown, w)
		}
	}
	if strict && len(unknown) > 0 {
		return "?" + strings.Join(unknown, " ")
	}
	var out []string
	for _, typ := range NoticeTypes {
		if named[typ] {
			out = append(out, typ)
		}
	}
	return strings.Join(out, ",")
}

// subscription is what the traveller gets now: the kinds last set in this conversation,
// or, before any, every kind (what /subscribe always gave).
func (t *turn) subscription() []string {
	if t.c.Memo.SubscriptionKnown {
		return t.c.Memo.Subscribed
	}
	return NoticeTypes
}

// setSubscription records the kinds and asks for the subscription to match.
func (t *turn) setSubscription(types []string) {
	t.c.Memo.Subscribed, t.c.Memo.SubscriptionKnown = types, true
	if len(types) == 0 {
		t.effect(Effect{Kind: EffectUnsubscribe})
		return
	}
	t.effect(Effect{Kind: EffectSubscribe, Types: types})
}

// noticeChoices are the toggles: one button a kind, on or off, and one for all of them.
func (t *turn) noticeChoices(on []string) []Choice {
	var cs []Choice
	for _, typ := range NoticeTypes {
		mark := "⬜ "
		if slices.Contains(on, typ) {
			mark = "✅ "
		}
		cs = append(cs, Choice{Label: mark + T(t.c.Lang, "notice_type_"+typ), Action: "notices:" + typ})
	}
	if len(on) == 0 {
		return append(cs, t.choice("btn_notices_all", "notices:all"))
	}
	return append(cs, t.choice("btn_notices_none", "notices:none"))
}

// sayNotices tells the traveller which kinds they get, with the toggles.
func (t *turn) sayNotices(on []string) {
	var r *Reply
	if len(on) == 0 {
		r = t.say("unsubscribed")
	} else {
		names := make([]string, len(on))
		for i, typ := range on {
			names[i] = T(t.c.Lang, "notice_type_"+typ)
		}
		r = t.say("subscribed", strings.Join(names, listSep(t.c.Lang)))
	}
	r.Choices = t.noticeChoices(on)
}

// subscribe answers /subscribe: with kinds named, those alone; without, every kind for
// a traveller who had none and the same kinds again for one who had some, and the
// toggles either way. The web chat sends nothing and
// says so rather than promise notices that would never come.
func (t *turn) subscribe(arg string) {
	if t.in.Channel == ChannelWeb {
		t.say("notices_web")
		return
	}
	switch {
	case strings.HasPrefix(arg, "?"):
		r := t.say("notices_unknown", strings.TrimPrefix(arg, "?"))
		r.Choices = t.noticeChoices(t.subscription())
		return
	case arg != "":
		t.setSubscription(strings.Split(arg, ","))
	case len(t.subscription()) == 0 || !t.c.Memo.SubscriptionKnown:
		t.setSubscription(NoticeTypes)
	default:
		// Written again: the channel drops a subscription when the chat blocks the bot,
		// and whoever asks again must really get what the toggles show.
		t.setSubscription(t.subscription())
	}
	t.sayNotices(t.subscription())
}

// unsubscribe answers /unsubscribe: the kinds named, or all of them.
func (t *turn) unsubscribe(arg string) {
	if t.in.Channel == ChannelWeb {
		t.say("notices_web_unsub")
		return
	}
	if strings.HasPrefix(arg, "?") {
		r := t.say("notices_unknown", strings.TrimPrefix(arg, "?"))
		r.Choices = t.noticeChoices(t.subscription())
		return
	}
	var keep []string
	if arg != "" {
		drop := strings.Split(arg, ",")
		for _, typ := range t.subscription() {
			if !slices.Contains(drop, typ) {
				keep = append(keep, typ)
			}
		}
	}
	t.setSubscription(keep)
	t.sayNotices(keep)
}

// toggleNotice is a toggle pressed: one kind switched, or all on or off.
func (t *turn) toggleNotice(arg string) {
	if t.in.Channel == ChannelWeb {
		t.say("notices_web")
		return
	}
	var on []string
	switch {
	case arg == "all":
		on = NoticeTypes
	case arg == "none":
	case slices.Contains(NoticeTypes, arg):
		cur := t.subscription()
		for _, typ := range NoticeTypes {
			if (typ == arg) != slices.Contains(cur, typ) {
				on = append(on, typ)
			}
		}
	default:
		t.say("err_unknown_action")
		return
	}
	t.setSubscription(on)
	t.sayNotices(on)
}

// changelog lists the latest completed updates by month, as seed 000's 更新日志 does,
// with the page that has them all.
func (t *turn) changelog() {
	url := t.e.ChangelogURL
	if url == "" {
		url = "/changelog"
	}
	var entries []ChangeEntry
	if t.e.Changelog != nil {
		entries = t.e.Changelog(t.c.Lang)
	}
	if len(entries) > changelogShown {
		entries = entries[:changelogShown]
	}
	if len(entries) == 0 {
		t.say("changelog_empty", url)
		return
	}
	var b strings.Builder
	month := ""
	for _, e := range entries {
		when := e.When.In(t.loc)
		if h := MonthHeading(t.c.Lang, when); h != month {
			if month != "" {
				b.WriteString("\n")
			}
			month = h
			b.WriteString(h + "\n")
		}
		b.WriteString("• " + T(t.c.Lang, "notice_type_"+e.Type) + listSepField(t.c.Lang) + e.Title + "\n")
	}
	t.say("changelog_recent", strings.TrimRight(b.String(), "\n"), url)
}

// MonthHeading heads a month of the changelog as seed 000 does: "2025年1月更新".
func MonthHeading(lang string, t time.Time) string {
	if lang == LangZH {
		return fmt.Sprintf("%d年%d月更新", t.Year(), t.Month())
	}
	return t.Format("January 2006")
}

// faq answers a question about the service. How long work lasts and whether the service
// can be used depend on the notices of the moment, which follow the catalogue's answer.
func (t *turn) faq(topic string) {
	switch topic {
	case "faq_changelog":
		t.changelog()
		return
	case "faq_notices":
		if t.in.Channel == ChannelWeb {
			t.say("notices_web")
			return
		}
	}
	r := t.say(topic)
	switch topic {
	case "faq_update_time", "faq_use_during", "faq_downtime":
		if t.e.Notices == nil {
			return
		}
		if notes := t.e.Notices(t.c.Lang); len(notes) > 0 {
			r.Text += "\n\n" + T(t.c.Lang, "faq_now", "• "+strings.Join(notes, "\n• "))
		}
	}
}
