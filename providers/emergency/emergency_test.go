package emergency

import (
	"os"
	"strings"
	"testing"

	"xingqu/dialog"
)

// The numbers a traveller must get right, from the issue and the countries most visited.
func TestNumbersOfNamedCountries(t *testing.T) {
	for _, c := range []struct{ code, general, police, ambulance, fire string }{
		{"CN", "", "110", "120", "119"},
		{"JP", "", "110", "119", "119"},
		{"PT", "112", "112", "112", "112"},
		{"US", "911", "911", "911", "911"},
		{"GB", "999", "999", "999", "999"},
		{"FR", "112", "17", "15", "18"},
		{"DE", "112", "110", "112", "112"},
		{"KR", "", "112", "119", "119"},
		{"TH", "", "191", "1669", "199"},
		{"AU", "000", "000", "000", "000"},
		{"HK", "999", "999", "999", "999"},
		{"TW", "", "110", "119", "119"},
	} {
		n, ok := Lookup(strings.ToLower(c.code))
		if !ok {
			t.Errorf("%s: not in the table", c.code)
			continue
		}
		got := [4]string{n.General, n.Police, n.Ambulance, n.Fire}
		want := [4]string{c.general, c.police, c.ambulance, c.fire}
		if got != want {
			t.Errorf("%s: general/police/ambulance/fire = %v, want %v", c.code, got, want)
		}
	}
}

// Every EU member state answers 112 (Directive 2018/1972, art. 109).
func TestEUAnswers112(t *testing.T) {
	for _, c := range strings.Fields("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE") {
		n, _ := Lookup(c)
		if n.General != "112" {
			t.Errorf("%s: general number %q, want 112", c, n.General)
		}
	}
}

// The table covers every country the gazetteer knows, so wherever a trip goes the first
// reply has numbers (or says plainly that there is no public service).
func TestEveryGazetteerCountryHasAnEntry(t *testing.T) {
	b, err := os.ReadFile("../geo/countries.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var countries int
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		countries++
		code := strings.Split(line, "\t")[0]
		n, ok := Lookup(code)
		if !ok {
			t.Errorf("%s: no emergency numbers", code)
			continue
		}
		if !n.Any() && n.Note == "" {
			t.Errorf("%s: neither numbers nor a note", code)
		}
	}
	if countries < 240 || len(Countries()) != countries {
		t.Errorf("gazetteer has %d countries, table %d", countries, len(Countries()))
	}
}

func TestParseRejectsBadRows(t *testing.T) {
	for name, tsv := range map[string]string{
		"short row":  "CN\t\t110\t120\t119\n",
		"bad code":   "china\t\t110\t120\t119\t\n",
		"duplicate":  "CN\t\t110\t120\t119\t\nCN\t\t110\t120\t119\t\n",
		"not digits": "CN\t\t110\t1-20\t119\t\n",
		"nothing":    "AQ\t\t\t\t\t\n",
	} {
		if _, err := parse(tsv); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestReply(t *testing.T) {
	for _, c := range []struct {
		name string
		r    Request
		want []string
		not  []string
	}{
		{"lost passport in China, zh", Request{Country: "CN", Category: dialog.EmergencyDocuments, Lang: dialog.LangZH},
			[]string{"中国", "警察 110", "急救 120", "火警 119", "出入境管理", "报案"}, []string{"112"}},
		{"lost passport of a Chinese citizen abroad", Request{Country: "TH", Category: dialog.EmergencyDocuments, Lang: dialog.LangZH, Citizenship: "CN"},
			[]string{"警察 191", "+86-10-12308"}, []string{"出入境管理"}},
		{"hit by a car in Lisbon", Request{Country: "PT", Category: dialog.EmergencyInjury, Lang: dialog.LangEN},
			[]string{"Portugal", "ambulance 112", "police 112", "bleeding"}, []string{"12308", "; all services"}},
		{"Tokyo, medical: ambulance first", Request{Country: "JP", Category: dialog.EmergencyMedical, Lang: dialog.LangEN},
			[]string{"Japan: ambulance 119, police 110, fire 119", "ambulance now"}, nil},
		{"France names the general number too", Request{Country: "FR", Category: dialog.EmergencyCrime, Lang: dialog.LangEN},
			[]string{"police 17", "ambulance 15", "fire 18", "all services: 112"}, nil},
		{"American passport lost in Japan", Request{Country: "JP", Category: dialog.EmergencyDocuments, Lang: dialog.LangEN, Citizenship: "US"},
			[]string{"police 110", "https://www.usembassy.gov/"}, []string{"12308"}},
		{"country unknown asks for it", Request{Category: dialog.EmergencyOther, Lang: dialog.LangZH},
			[]string{"哪个国家", "112", "110/120/119"}, nil},
		{"Antarctica has no service", Request{Country: "AQ", Category: dialog.EmergencyMedical, Lang: dialog.LangEN},
			[]string{"no public emergency number", "station leader"}, nil},
	} {
		got := Reply(c.r)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: reply lacks %q:\n%s", c.name, w, got)
			}
		}
		for _, w := range c.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: reply has %q:\n%s", c.name, w, got)
			}
		}
	}
}

func TestAdviceInBothLanguagesForEveryCategory(t *testing.T) {
	for _, cat := range dialog.EmergencyCategories {
		zh, en := Advice(cat, dialog.LangZH), Advice(cat, dialog.LangEN)
		if _, ok := advice[cat]; !ok || zh == "" || en == "" || zh == en {
			t.Errorf("%s: advice zh=%q en=%q", cat, zh, en)
		}
	}
}

func TestConsular(t *testing.T) {
	if got := Consular("CN", dialog.LangZH); !strings.Contains(got, "+86-10-12308") {
		t.Errorf("Chinese citizen: %q", got)
	}
	if got := Consular("GB", dialog.LangEN); !strings.Contains(got, "gov.uk/world/embassies") || strings.Contains(got, "12308") {
		t.Errorf("British citizen: %q", got)
	}
	if got := Consular("BR", dialog.LangEN); !strings.Contains(got, "foreign ministry") || strings.Contains(got, "12308") {
		t.Errorf("Brazilian citizen: %q", got)
	}
	if got := Consular("", dialog.LangEN); !strings.Contains(got, "12308") || !strings.Contains(got, "foreign ministry") {
		t.Errorf("unknown citizenship: %q", got)
	}
}

// The first reply must cost nothing: well under a millisecond, with no I/O.
func BenchmarkReply(b *testing.B) {
	r := Request{Country: "PT", Category: dialog.EmergencyInjury, Lang: dialog.LangEN}
	for i := 0; i < b.N; i++ {
		Reply(r)
	}
}

// Rows that still need checking are the exception, and never a country travellers visit most.
func TestUnconfirmedRowsAreFew(t *testing.T) {
	var n int
	for _, c := range Countries() {
		if nb, _ := Lookup(c); strings.HasPrefix(nb.Note, "unconfirmed") {
			n++
		}
	}
	if n > 50 {
		t.Errorf("%d unconfirmed rows", n)
	}
	for _, c := range []string{"CN", "JP", "PT", "US", "GB", "FR", "DE", "TH", "KR"} {
		if nb, _ := Lookup(c); strings.Contains(nb.Note, "unconfirmed") {
			t.Errorf("%s is unconfirmed", c)
		}
	}
}
