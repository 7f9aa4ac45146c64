package telegram

import (
	"errors"
	"fmt"
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	"xingqu/api"
	"xingqu/dialog"
)

var allowedTags = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true,
	"strike": true, "del": true, "a": true, "code": true, "pre": true, "tg-spoiler": true, "span": true}

// checkTelegramHTML accepts what Telegram's HTML parse mode accepts: known tags,
// properly nested and closed, only its four named entities or numeric ones, no bare
// < or >, valid UTF-8, some visible text, and at most 4096 UTF-16 units.
func checkTelegramHTML(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("invalid UTF-8")
	}
	if n := u16len(s); n > api.MaxMessageLen {
		return fmt.Errorf("%d UTF-16 units, over %d", n, api.MaxMessageLen)
	}
	var stack []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '>':
			return fmt.Errorf("bare > at %d", i)
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return fmt.Errorf("unclosed tag at %d", i)
			}
			tag := s[i+1 : i+j]
			if strings.ContainsAny(tag, "<") {
				return fmt.Errorf("< inside a tag at %d", i)
			}
			if strings.HasPrefix(tag, "/") {
				name := tag[1:]
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return fmt.Errorf("closing </%s> does not match %v", name, stack)
				}
				stack = stack[:len(stack)-1]
			} else {
				name, _, _ := strings.Cut(tag, " ")
				if !allowedTags[name] {
					return fmt.Errorf("tag <%s> not supported", name)
				}
				stack = append(stack, name)
			}
			i += j
		case '&':
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				return fmt.Errorf("bare & at %d", i)
			}
			ent := s[i : i+j+1]
			switch {
			case ent == "&lt;" || ent == "&gt;" || ent == "&amp;" || ent == "&quot;":
			case strings.HasPrefix(ent, "&#"):
			default:
				return fmt.Errorf("entity %s not supported", ent)
			}
			i += j
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("tags left open: %v", stack)
	}
	if strings.TrimSpace(html.UnescapeString(stripTags(s))) == "" {
		return errors.New("message text is empty")
	}
	return nil
}

func TestSplitHTML(t *testing.T) {
	para := strings.Repeat("福州三坊七巷 <>&\" ", 50)
	long := "<b>" + Escape(strings.Repeat("x", 5000)) + "</b>"
	cases := []struct {
		name string
		in   string
		want int
	}{
		{"short", "<b>hi</b> there", 1},
		{"paragraphs", strings.Repeat(Escape(para)+"\n\n", 20), 7},
		{"one long bold word", long, 2},
		{"bold spanning a cut", "<b>" + strings.Repeat(Escape(para)+"\n", 20) + "</b>", 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := SplitHTML(c.in, api.MaxMessageLen)
			if len(out) < c.want-1 || len(out) > c.want+1 {
				t.Errorf("%d pieces, want about %d", len(out), c.want)
			}
			var text strings.Builder
			for _, p := range out {
				if err := checkTelegramHTML(p); err != nil {
					t.Fatalf("piece rejected: %v\n%.200s", err, p)
				}
				text.WriteString(html.UnescapeString(stripTags(p)))
			}
			if strip := func(s string) string { return strings.Join(strings.Fields(s), "") }; strip(text.String()) != strip(html.UnescapeString(stripTags(c.in))) {
				t.Fatal("text lost or changed by splitting")
			}
		})
	}
	// Paragraph boundaries are preferred: no piece of a paragraphed text ends mid-paragraph.
	paras := strings.Repeat(Escape(strings.Repeat("word ", 150))+"\n\n", 20)
	for _, p := range SplitHTML(paras, api.MaxMessageLen) {
		if !strings.HasSuffix(p, "word") {
			t.Fatalf("piece ends mid-paragraph: %q", p[len(p)-20:])
		}
	}
}

func TestPlanCardAndDetailAreValid(t *testing.T) {
	days := []dialog.DayPlan{}
	start := dialog.NewDate(2026, 12, 1)
	for i := range 30 {
		days = append(days, dialog.DayPlan{Date: start.AddDays(i), Morning: strings.Repeat("<script>alert(1)</script> & 西湖 ", 8),
			Afternoon: "museum", Evening: "food", Weather: &dialog.Weather{Summary: "sunny <b>", TempMinC: 3, TempMaxC: 9}})
	}
	p := &dialog.Plan{Version: 3, Options: []dialog.Option{
		{Tier: dialog.TierLuxury, Title: "豪华尊享游 <i>", BudgetLow: 5000, BudgetHigh: 8000, Currency: "CNY", Days: days, Food: []string{"鱼丸 & 肉燕"}},
		{Tier: dialog.TierEconomical, BudgetLow: 2000, BudgetHigh: 3000, Currency: "CNY", Days: days},
		{Tier: dialog.TierBackpacker, BudgetLow: 800, BudgetHigh: 1200, Currency: "CNY", Days: days},
	}, Draft: true, WeatherNote: "E-303 <no forecast>"}
	card, buttons := PlanCard(dialog.LangZH, "你的行程方案（第3版）：", p)
	if len(buttons) != 3 || buttons[2].Action != "pd:3:2" {
		t.Fatalf("buttons %+v", buttons)
	}
	for _, piece := range SplitHTML(card, api.MaxMessageLen) {
		if err := checkTelegramHTML(piece); err != nil {
			t.Fatalf("card: %v", err)
		}
	}
	// A plan without a forecast says so in words, with the choice to check again.
	p.WeatherNote = "E-303"
	card, buttons = PlanCard(dialog.LangZH, "你的行程方案（第3版）：", p)
	if !strings.Contains(card, "暂时没有这些日期的天气预报") || len(buttons) != 4 || buttons[3].Action != "weather" || buttons[3].Label != "再查天气" {
		t.Fatalf("E-303 plan card: buttons %+v\n%s", buttons, card)
	}
	pieces := SplitHTML(PlanDetail(dialog.LangEN, p.Options[0]), api.MaxMessageLen)
	if len(pieces) < 2 {
		t.Fatalf("30 long days should need several messages, got %d", len(pieces))
	}
	for _, piece := range pieces {
		if err := checkTelegramHTML(piece); err != nil {
			t.Fatalf("detail: %v", err)
		}
		if strings.Contains(piece, "<script>") {
			t.Fatal("dynamic text not escaped")
		}
	}
}

// FuzzRender feeds arbitrary text and button actions through the renderer: every piece
// must be HTML Telegram accepts, within 4096 units, and every callback_data within 64
// bytes and mapped back to its action.
func FuzzRender(f *testing.F) {
	f.Add("福州, 12月25日到12月30日 <b>&amp;</b>", "need:none", 3)
	f.Add(strings.Repeat("a\n\n", 3000), strings.Repeat("é", 40), 1)
	f.Add(strings.Repeat("<<>>&&\"\"", 800), "x", 5000)
	f.Add("\xff\xfe invalid utf8 \x00 nul", "\xff", 0)
	f.Fuzz(func(t *testing.T, text, action string, repeat int) {
		if repeat < 0 {
			repeat = -repeat
		}
		text = strings.Repeat(text, 1+repeat%8)
		body := "<b>" + Escape(text) + "</b>\n\n<i>" + Escape(text) + "</i>\n" + Escape(text)
		for _, limit := range []int{api.MaxMessageLen, 64} {
			for _, p := range SplitHTML(body, limit) {
				if err := checkTelegramHTML(p); err != nil {
					t.Fatalf("limit %d: %v\n%q", limit, err, p)
				}
				if u16len(p) > limit {
					t.Fatalf("piece of %d units over %d", u16len(p), limit)
				}
			}
		}
		if d, ok := inlineCallback(action); ok {
			if len(d) > MaxCallbackData || !utf8.ValidString(d) {
				t.Fatalf("callback_data %q", d)
			}
			if got := strings.TrimPrefix(d, cbAction); got != action {
				t.Fatalf("round trip %q -> %q", action, got)
			}
		} else if len(cbAction+action) <= MaxCallbackData && utf8.ValidString(action) {
			t.Fatalf("action %q fits but was not inlined", action)
		}
		if l := Label(action); l == "" || utf8.RuneCountInString(l) > 40 {
			t.Fatalf("label %q", l)
		}
	})
}
