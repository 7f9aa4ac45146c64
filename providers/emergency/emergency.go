// Package emergency answers a traveller in trouble without any network: the emergency
// numbers of every country (an offline table shipped with the binary), what to do for
// each kind of emergency, and whom to call about a lost passport. The data's sources are
// credited in LICENSE-DATA.md.
package emergency

import (
	"bufio"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"xingqu/dialog"
)

//go:embed numbers.tsv
var numbersTSV string

// Numbers are the emergency telephone numbers of one country. A service without a
// number of its own is empty; a place without any public service has only a Note.
type Numbers struct {
	Country   string // ISO 3166-1 alpha-2
	General   string // one number for every service (112, 911, 999, 000...), when there is one
	Police    string
	Ambulance string
	Fire      string
	Note      string // what else to know, in English, for the people who keep the table
}

// Any reports whether the country has at least one public emergency number.
func (n Numbers) Any() bool {
	return n.General != "" || n.Police != "" || n.Ambulance != "" || n.Fire != ""
}

var (
	tableOnce sync.Once
	table     map[string]Numbers
)

func load() map[string]Numbers {
	tableOnce.Do(func() {
		t, err := parse(numbersTSV)
		if err != nil {
			panic(fmt.Sprintf("emergency: embedded numbers.tsv: %v", err))
		}
		table = t
	})
	return table
}

// parse reads the table: code, general, police, ambulance, fire, note, tab-separated,
// '#' starting a comment line.
func parse(tsv string) (map[string]Numbers, error) {
	t := map[string]Numbers{}
	sc := bufio.NewScanner(strings.NewReader(tsv))
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Split(s, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("line %d: %d fields, want 6", line, len(f))
		}
		n := Numbers{Country: f[0], General: f[1], Police: f[2], Ambulance: f[3], Fire: f[4], Note: f[5]}
		if len(n.Country) != 2 || strings.ToUpper(n.Country) != n.Country {
			return nil, fmt.Errorf("line %d: country code %q", line, n.Country)
		}
		if _, dup := t[n.Country]; dup {
			return nil, fmt.Errorf("line %d: %s listed twice", line, n.Country)
		}
		for _, num := range []string{n.General, n.Police, n.Ambulance, n.Fire} {
			if strings.Trim(num, "0123456789") != "" {
				return nil, fmt.Errorf("line %d: %q is not a number to dial", line, num)
			}
		}
		if !n.Any() && n.Note == "" {
			return nil, fmt.Errorf("line %d: %s has neither a number nor a note", line, n.Country)
		}
		t[n.Country] = n
	}
	return t, sc.Err()
}

// Lookup returns the numbers of a country by its ISO 3166-1 alpha-2 code (any case).
func Lookup(country string) (Numbers, bool) {
	n, ok := load()[strings.ToUpper(strings.TrimSpace(country))]
	return n, ok
}

// Countries returns every country code in the table, sorted.
func Countries() []string {
	t := load()
	out := make([]string, 0, len(t))
	for c := range t {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Request is what the first reply to an emergency depends on.
type Request struct {
	Country     string // where the traveller is (shared location, else the trip's destination); "" when unknown
	Category    dialog.EmergencyCategory
	Lang        string // dialog.LangZH or dialog.LangEN
	Citizenship string // the traveller's passport country when known; "" otherwise
}

// Reply is the first answer to an emergency: the numbers to call where the traveller is
// (or a question where they are), what to do for this kind of emergency and, for lost
// documents, whom to call about a new passport. It does no I/O and cannot fail.
func Reply(r Request) string {
	zh := r.Lang == dialog.LangZH
	var b strings.Builder
	if n, ok := Lookup(r.Country); ok {
		b.WriteString(numbersLine(n, r.Category, zh))
	} else {
		b.WriteString(pick(zh, unknownCountryZH, unknownCountryEN))
	}
	b.WriteString("\n")
	b.WriteString(Advice(r.Category, r.Lang))
	if r.Category == dialog.EmergencyDocuments {
		b.WriteString("\n")
		if strings.EqualFold(r.Country, "CN") && (r.Citizenship == "" || strings.EqualFold(r.Citizenship, "CN")) {
			b.WriteString(pick(zh, inChinaZH, inChinaEN))
		} else {
			b.WriteString(Consular(r.Citizenship, r.Lang))
		}
	}
	return b.String()
}

const (
	unknownCountryZH = "🚨 请告诉我你现在在哪个国家或城市，或分享你的位置，我好告诉你当地的报警和急救电话。在大多数国家，手机拨打 112 都能接通紧急服务（北美 911，中国 110/120/119）。"
	unknownCountryEN = "🚨 Tell me which country or city you are in, or share your location, so I can give you the local emergency numbers. From a mobile, 112 reaches emergency services in most countries (911 in North America; 110/120/119 in China)."
)

// A passport lost inside mainland China is replaced by the police, not a consulate.
const (
	inChinaZH = "在中国境内：中国公民请到当地公安局出入境管理部门报失并补办；外国公民请先到公安机关报失，再联系本国驻华使领馆。"
	inChinaEN = "In mainland China: Chinese citizens report the loss to the exit-entry office of the local public security bureau, which issues a new passport; foreign citizens report it to the police, then contact their embassy or consulate in China."
)

// numbersLine names the country's numbers, leading with the service the category needs.
func numbersLine(n Numbers, cat dialog.EmergencyCategory, zh bool) string {
	name := countryName(n.Country, zh)
	if !n.Any() {
		return pick(zh, fmt.Sprintf("🚨 %s没有公共紧急电话，请立即联系身边的负责人（站长、船长、驻地官员）。", name),
			fmt.Sprintf("🚨 %s has no public emergency number: %s.", name, n.Note))
	}
	type svc struct{ zh, en, num string }
	police := svc{"警察", "police", n.Police}
	amb := svc{"急救", "ambulance", n.Ambulance}
	fire := svc{"火警", "fire", n.Fire}
	order := []svc{police, amb, fire}
	switch cat {
	case dialog.EmergencyMedical, dialog.EmergencyInjury:
		order = []svc{amb, police, fire}
	case dialog.EmergencyDisaster:
		order = []svc{fire, amb, police}
	}
	var parts []string
	for _, s := range order {
		if s.num == "" {
			continue
		}
		parts = append(parts, pick(zh, s.zh+" "+s.num, s.en+" "+s.num))
	}
	line := pick(zh, fmt.Sprintf("🚨 %s紧急电话：%s", name, strings.Join(parts, "，")),
		fmt.Sprintf("🚨 Emergency numbers in %s: %s", name, strings.Join(parts, ", ")))
	if n.General != "" && !(n.General == n.Police && n.General == n.Ambulance && n.General == n.Fire) {
		line += pick(zh, fmt.Sprintf("；统一紧急号码 %s", n.General), fmt.Sprintf("; all services: %s", n.General))
	}
	return line + pick(zh, "。", ".")
}

func pick(zh bool, a, b string) string {
	if zh {
		return a
	}
	return b
}

// Help is Reply in the shape the conversation engine takes (dialog.EmergencyHelp): the
// traveller's citizenship is not asked for, so a lost passport gets both the Chinese
// consular hotline and the advice for other citizens.
func Help(country string, cat dialog.EmergencyCategory, lang string) string {
	return Reply(Request{Country: country, Category: cat, Lang: lang})
}
