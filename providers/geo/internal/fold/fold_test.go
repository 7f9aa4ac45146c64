package fold

import "testing"

func TestKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"São Paulo", "sao paulo"},
		{"SAO PAULO", "sao paulo"},
		{"sao-paulo", "sao paulo"},
		{"  Lisbon ", "lisbon"},
		{"Kraków", "krakow"},
		{"Hà Nội", "ha noi"},
		{"N'Djamena", "ndjamena"},
		{"Saint-Étienne", "saint etienne"},
		{"Düsseldorf", "dusseldorf"},
		{"Łódź", "lodz"},
		{"Straße", "strasse"},
		{"Ærøskøbing", "aeroskobing"},
		{"Portland, OR", "portland or"},
		{"福州", "福州"},
		{"Москва", "москва"},
	} {
		if got := Key(c.in); got != c.want {
			t.Errorf("Key(%q): got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsHan(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{{"福州", true}, {"里斯本", true}, {"Xiamen - 厦门", false}, {"東京", true}, {"", false}, {"リスボン", false}} {
		if got := IsHan(c.in); got != c.want {
			t.Errorf("IsHan(%q): got %v, want %v", c.in, got, c.want)
		}
	}
}
