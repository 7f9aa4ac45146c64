package dialog

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"
)

// readCorpus returns the non-comment lines of a test corpus file.
func corpusLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestEmergencyCorpus reads every message of the emergency corpus and requires the
// expected category for each, and no emergency at all in the ordinary messages. It
// prints the table per category (go test -v -run TestEmergencyCorpus ./dialog/).
func TestEmergencyCorpus(t *testing.T) {
	type tally struct{ zh, en, right int }
	per := map[EmergencyCategory]*tally{}
	for _, c := range EmergencyCategories {
		per[c] = &tally{}
	}
	lines := corpusLines(t, "testdata/emergency/emergency.tsv")
	for _, l := range lines {
		want, text, ok := strings.Cut(l, "\t")
		if !ok {
			t.Fatalf("emergency.tsv: no tab in %q", l)
		}
		tl, known := per[EmergencyCategory(want)]
		if !known {
			t.Fatalf("emergency.tsv: unknown category %q", want)
		}
		if corpusHan(text) {
			tl.zh++
		} else {
			tl.en++
		}
		got, ok := ReadEmergency(text)
		switch {
		case !ok:
			t.Errorf("missed %s: %q", want, text)
		case string(got) != want:
			t.Errorf("%q: got %s, want %s", text, got, want)
		default:
			tl.right++
		}
	}
	ordinary := corpusLines(t, "testdata/emergency/ordinary.txt")
	var triggered, ordZH int
	for _, text := range ordinary {
		if corpusHan(text) {
			ordZH++
		}
		if got, ok := ReadEmergency(text); ok {
			triggered++
			t.Errorf("ordinary message read as %s: %q", got, text)
		}
	}

	t.Logf("%-12s %4s %4s %6s %8s", "category", "zh", "en", "right", "accuracy")
	var total, right, zh, en int
	for _, c := range EmergencyCategories {
		tl := per[c]
		n := tl.zh + tl.en
		total, right, zh, en = total+n, right+tl.right, zh+tl.zh, en+tl.en
		t.Logf("%-12s %4d %4d %6d %7.1f%%", c, tl.zh, tl.en, tl.right, corpusPct(tl.right, n))
		if n < 10 {
			t.Errorf("%s: only %d messages in the corpus", c, n)
		}
	}
	t.Logf("%-12s %4d %4d %6d %7.1f%%", "all", zh, en, right, corpusPct(right, total))
	t.Logf("%-12s %4d %4d %6d %7.1f%% not triggered", "ordinary", ordZH, len(ordinary)-ordZH, len(ordinary)-triggered, corpusPct(len(ordinary)-triggered, len(ordinary)))
	if total < 150 || len(ordinary) < 150 || zh < 50 || en < 50 {
		t.Errorf("corpus too small: %d emergency (%d zh, %d en), %d ordinary", total, zh, en, len(ordinary))
	}
}

func corpusPct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func corpusHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}

func TestReadEmergencySpellings(t *testing.T) {
	for _, c := range []struct {
		text string
		want EmergencyCategory
	}{
		{"  I\u2019M LOST  ", EmergencyLostPerson},
		{"ＳＯＳ", EmergencyOther},
		{"/SOS", EmergencyOther},
		{"my passport was stolen, and I was robbed", EmergencyDocuments}, // documents before crime
		{"I was hit by a car and I'm lost", EmergencyLostPerson},         // a person first
	} {
		if got, ok := ReadEmergency(c.text); !ok || got != c.want {
			t.Errorf("ReadEmergency(%q) = %q, %v; want %q", c.text, got, ok, c.want)
		}
	}
	for _, text := range []string{"", "   ", "hello"} {
		if got, ok := ReadEmergency(text); ok {
			t.Errorf("ReadEmergency(%q) = %q", text, got)
		}
	}
	cats := map[EmergencyCategory]bool{}
	for _, r := range emergencyRules {
		cats[r.cat] = true
	}
	var names []string
	for _, c := range EmergencyCategories {
		if !cats[c] {
			names = append(names, string(c))
		}
	}
	sort.Strings(names)
	if len(names) > 0 || len(cats) != len(EmergencyCategories) {
		t.Errorf("categories without a rule: %v", names)
	}
}

func BenchmarkReadEmergency(b *testing.B) {
	msgs := []string{"福州，10月25日到11月4日，每人2000，带孩子", "I'm dying to see the Great Wall", "my passport was stolen", "what's the weather like in Kyoto?"}
	for i := 0; i < b.N; i++ {
		ReadEmergency(msgs[i%len(msgs)])
	}
}
