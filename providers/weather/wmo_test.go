package weather

import "testing"

// Every summary a service gives reads in Chinese for a Chinese traveller, and is left
// alone for everyone else.
func TestLocalize(t *testing.T) {
	for code, d := range wmoCodes {
		if got := Localize(SummaryFor(code, "en"), "zh"); got != d[1] {
			t.Errorf("code %d: %q, want %q", code, got, d[1])
		}
	}
	for _, c := range []struct{ in, lang, want string }{
		{"Overcast clouds", "zh-CN", "阴"},
		{"light rain", "zh", "小雨"},
		{"light rain", "en", "light rain"},
		{"volcanic ash", "zh", "volcanic ash"},
	} {
		if got := Localize(c.in, c.lang); got != c.want {
			t.Errorf("Localize(%q, %q) = %q, want %q", c.in, c.lang, got, c.want)
		}
	}
}
