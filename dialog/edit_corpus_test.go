package dialog

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestEditCorpus reads what travellers type to change a plan (testdata/edits) and checks
// each message is read as the edit it asks for, and nothing else as an edit.
func TestEditCorpus(t *testing.T) {
	f, err := os.Open("testdata/edits/edits.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		text, want, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("corpus line without a tab: %q", line)
		}
		n++
		got, ok := readEdit(text)
		if want == "none" {
			if ok {
				t.Errorf("%q read as an edit %+v, want none", text, got)
			}
			continue
		}
		if !ok {
			t.Errorf("%q not read as an edit, want %s", text, want)
			continue
		}
		if s := describeEdit(got); s != want {
			t.Errorf("%q read as %q, want %q", text, s, want)
		}
	}
	if n < 100 {
		t.Fatalf("corpus has %d messages; it was cut short", n)
	}
}

// describeEdit writes an edit the way the corpus does.
func describeEdit(e PlanEdit) string {
	parts := []string{string(e.Kind)}
	if e.Day != 0 {
		parts = append(parts, "day="+strconv.Itoa(e.Day))
	}
	if e.Days != 0 {
		parts = append(parts, "days="+strconv.Itoa(e.Days))
	}
	if e.Part != "" {
		parts = append(parts, "part="+e.Part)
	}
	if e.Place != "" {
		parts = append(parts, "place="+e.Place)
	}
	if e.With != "" {
		parts = append(parts, "with="+e.With)
	}
	if e.Version != 0 {
		parts = append(parts, "version="+strconv.Itoa(e.Version))
	}
	// The corpus writes days= before day= for shorter edits; keep one order.
	if e.Kind == EditShorter && e.Day != 0 {
		parts = []string{string(e.Kind), "days=" + strconv.Itoa(e.Days), "day=" + strconv.Itoa(e.Day)}
	}
	return strings.Join(parts, " ")
}
