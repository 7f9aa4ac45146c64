package telegram

import (
	"fmt"
	"html"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"xingqu/dialog"
	"xingqu/providers/weather"
)

// MaxCallbackData is Telegram's limit on a button's callback_data, in bytes.
const MaxCallbackData = 64

// Escape makes dynamic text safe for parse_mode HTML: Telegram accepts only &lt; &gt;
// &amp; &quot; as named entities, and invalid UTF-8 would be rejected outright.
func Escape(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case 0:
			// NUL is not allowed in a message.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func u16len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// token is one indivisible piece of an HTML text: a tag, an entity, or a rune.
type token struct {
	s     string
	open  string // tag name when s opens a tag
	close string // tag name when s closes one
}

func tokenize(s string) []token {
	var ts []token
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			if j := strings.IndexByte(s[i:], '>'); j > 0 {
				tag := s[i : i+j+1]
				t := token{s: tag}
				name := strings.TrimPrefix(tag[1:len(tag)-1], "/")
				if k := strings.IndexAny(name, " \t\n"); k >= 0 {
					name = name[:k]
				}
				if strings.HasPrefix(tag, "</") {
					t.close = name
				} else {
					t.open = name
				}
				ts = append(ts, t)
				i += j + 1
				continue
			}
		case '&':
			if j := strings.IndexByte(s[i:], ';'); j > 0 && j < 12 {
				ts = append(ts, token{s: s[i : i+j+1]})
				i += j + 1
				continue
			}
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		ts = append(ts, token{s: s[i : i+n]})
		i += n
	}
	return ts
}

// SplitHTML cuts an HTML text (tags balanced, text escaped) into messages of at most
// limit UTF-16 units each, preferring paragraph breaks, then line breaks, then spaces.
// A cut never falls inside a tag or an entity: tags open at a cut are closed at the end
// of one piece and opened again at the start of the next.
func SplitHTML(s string, limit int) []string {
	s = strings.TrimSpace(s)
	if !hasText(s) {
		return nil // Telegram refuses a message with nothing to show
	}
	if u16len(s) <= limit {
		return []string{s}
	}
	ts := tokenize(s)
	var out []string
	type openTag struct{ name, tag string }
	var stack []openTag // tags open at the current position
	closers := func(st []openTag) string {
		var b strings.Builder
		for i := len(st) - 1; i >= 0; i-- {
			b.WriteString("</" + st[i].name + ">")
		}
		return b.String()
	}
	openers := func(st []openTag) string {
		var b strings.Builder
		for _, t := range st {
			b.WriteString(t.tag)
		}
		return b.String()
	}
	type cut struct {
		at    int // token index the next piece starts at
		prio  int
		stack []openTag
	}
	start := 0
	prefix := ""
	for start < len(ts) {
		n := u16len(prefix)
		best := cut{at: -1}
		i := start
		cur := append([]openTag(nil), stack...)
		for ; i < len(ts); i++ {
			t := ts[i]
			// Apply the token to a copy of the stack to know what would be open after it.
			next := cur
			if t.open != "" {
				next = append(append([]openTag(nil), cur...), openTag{t.open, t.s})
			} else if t.close != "" && len(cur) > 0 {
				next = cur[:len(cur)-1]
			}
			if n+u16len(t.s)+u16len(closers(next)) > limit {
				break
			}
			n += u16len(t.s)
			cur = next
			prio := 0
			switch {
			case t.s == "\n" && i > start && ts[i-1].s == "\n":
				prio = 3
			case t.s == "\n":
				prio = 2
			case t.s == " ":
				prio = 1
			}
			if t.open == "" && (prio >= best.prio || best.at < 0) {
				best = cut{at: i + 1, prio: prio, stack: append([]openTag(nil), cur...)}
			}
		}
		if i == len(ts) {
			piece := prefix + joinTokens(ts[start:])
			if p := strings.TrimSpace(piece); p != "" && hasText(p) {
				out = append(out, p)
			}
			break
		}
		if best.at <= start {
			// Not even one token fits beside the reopened tags: drop the reopened tags
			// rather than loop (only possible with absurdly deep nesting).
			best = cut{at: start + 1, stack: nil}
			prefix = ""
		}
		piece := prefix + joinTokens(ts[start:best.at]) + closers(best.stack)
		if p := strings.TrimSpace(piece); p != "" && hasText(p) {
			out = append(out, p)
		}
		stack = best.stack
		prefix = openers(stack)
		start = best.at
		for start < len(ts) && (ts[start].s == "\n" || ts[start].s == " ") {
			start++
		}
	}
	return out
}

func joinTokens(ts []token) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(t.s)
	}
	return b.String()
}

// hasText reports whether an HTML piece shows anything: Telegram rejects a message whose
// text is empty once tags are removed.
func hasText(s string) bool {
	return strings.TrimSpace(html.UnescapeString(stripTags(s))) != ""
}

func stripTags(s string) string {
	var b strings.Builder
	for _, t := range tokenize(s) {
		if t.open == "" && t.close == "" {
			b.WriteString(t.s)
		}
	}
	return b.String()
}

// Button is an inline keyboard button before it is given its callback_data.
type Button struct {
	Label  string
	Action string // a dialog action, or one of the channel's own (planDetail...)
}

// Keyboard lays buttons out in rows: short labels share a row, long ones get their own.
func Keyboard(bs []Button) [][]Button {
	var rows [][]Button
	var row []Button
	width := 0
	for _, b := range bs {
		w := utf8.RuneCountInString(b.Label)
		if len(row) > 0 && (len(row) == 3 || width+w > 24) {
			rows = append(rows, row)
			row, width = nil, 0
		}
		row = append(row, b)
		width += w
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// Label trims a button label to what a phone shows; Telegram also rejects empty ones.
func Label(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if s == "" {
		return "·"
	}
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		s = string(r[:39]) + "…"
	}
	return s
}

// Callback data prefixes. A dialog action travels as "a:"+action when it fits in 64
// bytes, otherwise as "k:"+id of a row in telegram_callbacks.
const (
	cbAction = "a:"
	cbKey    = "k:"
	cbDetail = "pd:" // pd:<plan version>:<option index>
)

// inlineCallback returns the callback_data for a dialog action that fits, or ok=false.
func inlineCallback(action string) (string, bool) {
	d := cbAction + action
	if len(d) <= MaxCallbackData && utf8.ValidString(d) {
		return d, true
	}
	return "", false
}

func money(v float64, cur string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "?"
	}
	return fmt.Sprintf("%.0f %s", v, cur)
}

// PlanCard renders the readable summary of a plan: each option's budget and its first
// days, with the full day-by-day detail left to a button per option.
func PlanCard(lang, heading string, p *dialog.Plan) (text string, buttons []Button) {
	var b strings.Builder
	b.WriteString("<b>" + Escape(heading) + "</b>")
	if p.Changes != "" {
		b.WriteString("\n" + Escape(p.Changes))
	}
	for i, o := range p.Options {
		title := o.Title
		if title == "" {
			title = dialog.TierTitle(lang, o.Tier)
		}
		b.WriteString("\n\n<b>" + Escape(title) + "</b> · " +
			Escape(dialog.T(lang, "tg_per_person", money(o.BudgetLow, o.Currency)+"–"+money(o.BudgetHigh, o.Currency))))
		const shown = 2
		for j, d := range o.Days {
			if j == shown {
				b.WriteString("\n<i>" + Escape(dialog.T(lang, "tg_more_days", len(o.Days)-shown)) + "</i>")
				break
			}
			b.WriteString("\n" + Escape(d.Date.String()) + weatherLine(d.Weather) + " — " + Escape(firstNonEmpty(d.Morning, d.Afternoon, d.Evening)))
		}
		if len(o.Food) > 0 {
			b.WriteString("\n🍜 " + Escape(strings.Join(firstN(o.Food, 3), "、")))
		}
		if len(o.Days) > 0 {
			buttons = append(buttons, Button{Label: dialog.T(lang, "tg_plan_day_by_day", title), Action: fmt.Sprintf("%s%d:%d", cbDetail, p.Version, i)})
		}
	}
	switch p.WeatherNote {
	case "":
	case weather.CodeWeatherUnavailable:
		// Said in words (SPEC section 8), with the choice to ask again.
		b.WriteString("\n\n<i>" + Escape(dialog.T(lang, "weather_none")) + "</i>")
		buttons = append(buttons, Button{Label: dialog.T(lang, "btn_weather_again"), Action: "weather"})
	default:
		b.WriteString("\n\n<i>" + Escape(p.WeatherNote) + "</i>")
	}
	if p.Draft {
		b.WriteString("\n\n<i>" + Escape(dialog.T(lang, "plan_draft_note")) + "</i>")
	}
	return b.String(), buttons
}

// PlanDetail renders one option day by day.
func PlanDetail(lang string, o dialog.Option) string {
	var b strings.Builder
	title := o.Title
	if title == "" {
		title = dialog.TierTitle(lang, o.Tier)
	}
	b.WriteString("<b>" + Escape(dialog.T(lang, "tg_plan_days_title", title)) + "</b>")
	for _, d := range o.Days {
		b.WriteString("\n\n<b>" + Escape(d.Date.String()) + "</b>" + weatherLine(d.Weather))
		for _, part := range []struct{ key, v string }{{"tg_morning", d.Morning}, {"tg_afternoon", d.Afternoon}, {"tg_evening", d.Evening}} {
			if part.v != "" {
				b.WriteString("\n" + Escape(dialog.T(lang, part.key)) + ": " + Escape(part.v))
			}
		}
		if d.Notes != "" {
			b.WriteString("\n<i>" + Escape(d.Notes) + "</i>")
		}
	}
	if len(o.Food) > 0 {
		b.WriteString("\n\n<b>" + Escape(dialog.T(lang, "tg_food")) + "</b>\n" + Escape(strings.Join(o.Food, "\n")))
	}
	if len(o.Tips) > 0 {
		b.WriteString("\n\n<b>" + Escape(dialog.T(lang, "tg_tips")) + "</b>\n" + Escape(strings.Join(o.Tips, "\n")))
	}
	return b.String()
}

func weatherLine(w *dialog.Weather) string {
	if w == nil {
		return ""
	}
	return " · " + Escape(fmt.Sprintf("%s %.0f–%.0f°C", w.Summary, w.TempMinC, w.TempMaxC))
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func firstN(ss []string, n int) []string {
	if len(ss) > n {
		return ss[:n]
	}
	return ss
}
