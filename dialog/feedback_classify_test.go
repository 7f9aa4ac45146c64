package dialog

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestFeedbackClassificationTable classifies every comment of the table and requires
// its category and priority; it prints the tally per category (go test -v -run
// TestFeedbackClassificationTable ./dialog/).
func TestFeedbackClassificationTable(t *testing.T) {
	type tally struct{ zh, en, none, right int }
	per := map[FeedbackCategory]*tally{}
	for _, c := range FeedbackCategories {
		per[c] = &tally{}
	}
	prios := map[FeedbackPriority]int{}
	var zh, en int
	for _, l := range corpusLinesKeepEmpty(t, "testdata/feedback/feedback.tsv") {
		f := strings.SplitN(l, "\t", 4)
		if len(f) != 4 {
			t.Fatalf("feedback.tsv: want 4 fields in %q", l)
		}
		wantCat, wantPrio, text := FeedbackCategory(f[0]), FeedbackPriority(f[1]), f[3]
		rating, err := strconv.Atoi(f[2])
		if err != nil || rating < 0 || rating > 5 {
			t.Fatalf("feedback.tsv: rating %q", f[2])
		}
		tl, ok := per[wantCat]
		if !ok {
			t.Fatalf("feedback.tsv: unknown category %q", wantCat)
		}
		switch {
		case text == "":
			tl.none++
		case corpusHan(text):
			tl.zh++
			zh++
		default:
			tl.en++
			en++
		}
		prios[wantPrio]++
		cat, prio := ClassifyFeedback(rating, text)
		if cat != wantCat || prio != wantPrio {
			t.Errorf("%d %q: got %s/%s, want %s/%s", rating, text, cat, prio, wantCat, wantPrio)
			continue
		}
		tl.right++
	}
	t.Logf("%-11s %4s %4s %5s %6s", "category", "zh", "en", "empty", "right")
	for _, c := range FeedbackCategories {
		tl := per[c]
		t.Logf("%-11s %4d %4d %5d %6d", c, tl.zh, tl.en, tl.none, tl.right)
		if tl.zh < 8 || tl.en < 8 {
			t.Errorf("%s: too few comments (%d zh, %d en)", c, tl.zh, tl.en)
		}
	}
	t.Logf("priorities: high %d, normal %d, low %d", prios[FeedbackHigh], prios[FeedbackNormal], prios[FeedbackLow])
	if zh+en < 100 || zh < 40 || en < 40 {
		t.Errorf("table too small: %d zh, %d en", zh, en)
	}
}

// corpusLinesKeepEmpty is corpusLines for tables whose last field may be empty.
func corpusLinesKeepEmpty(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(readFileT(t, path), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func TestClassifyFeedbackIsDeterministicAndTotal(t *testing.T) {
	for _, text := range []string{"", "  ", "ok", "👍", "the museum on day 2 was closed", "第二天的博物馆关门了"} {
		for rating := 0; rating <= 5; rating++ {
			c1, p1 := ClassifyFeedback(rating, text)
			c2, p2 := ClassifyFeedback(rating, text)
			if c1 == "" || p1 == "" || c1 != c2 || p1 != p2 {
				t.Errorf("(%d, %q): %s/%s then %s/%s", rating, text, c1, p1, c2, p2)
			}
		}
	}
	// The rule the seed's triage rests on: a low rating with a complaint is high.
	for _, text := range []string{"太慢了", "too slow", "推荐的酒店很差", "the agent was rude"} {
		if c, p := ClassifyFeedback(1, text); c != FeedbackComplaint || p != FeedbackHigh {
			t.Errorf("1 star, %q: %s/%s, want complaint/high", text, c, p)
		}
		if _, p := ClassifyFeedback(4, text); p != FeedbackNormal {
			t.Errorf("4 stars, %q: priority %s, want normal", text, p)
		}
	}
}

func readFileT(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
