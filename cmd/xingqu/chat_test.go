package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestChatPlansATripOffline(t *testing.T) {
	in := strings.NewReader("Lisbon, Dec 20-23, $900 each, with kids\n#1\nyes\n")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"xingqu", "chat"}, env("XINGQU_DEFAULT_TZ", "Europe/Lisbon"), in, &out, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"Here's your trip", "[Nature]", "Your plan (version 1)", "== Luxury", "== Economical", "== Backpacker", "per person ==", "Planned from built-in data"} {
		if !strings.Contains(s, want) {
			t.Errorf("chat output lacks %q:\n%s", want, s)
		}
	}
}

// A Chinese plan is Chinese throughout, its labels included.
func TestChatPlanInChinese(t *testing.T) {
	in := strings.NewReader("福州，12月25日到28日，每人2000，带孩子，喜欢海边和博物馆\n#1\n")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"xingqu", "chat"}, env("XINGQU_DEFAULT_TZ", "Asia/Shanghai"), in, &out, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"== 豪华尊享游  每人 ", "美食：", "提示：", "这是根据本地资料生成的方案"} {
		if !strings.Contains(s, want) {
			t.Errorf("chat output lacks %q:\n%s", want, s)
		}
	}
	for _, bad := range []string{"food:", "tip:", "Planned from"} {
		if strings.Contains(s, bad) {
			t.Errorf("chat output has %q:\n%s", bad, s)
		}
	}
	if n := strings.Count(s, "根据本地资料"); n != 1 {
		t.Errorf("the built-in data is mentioned %d times, want once:\n%s", n, s)
	}
}

// Edits, undo and going back to a version are made at once, as the service's jobs would;
// an edit only a model can make says so and leaves the plan as it was.
func TestChatMakesEditsOffline(t *testing.T) {
	in := strings.NewReader("Lisbon, Dec 20-23, 2 people, $900 each, no special needs, history\n#1\n" +
		"make day 2 more relaxed\nundo\nadd one more day\ngo back to version 1\nmake day 3 more romantic\n")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"xingqu", "chat"}, env("XINGQU_DEFAULT_TZ", "Europe/Lisbon"), in, &out, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"Your plan (version 1)", "Your plan (version 2)", "Day 2:", "An early night",
		"Your plan (version 3)", "Your plan (version 4)", "2026-12-24", "Your plan (version 5)", "needs the AI planning service", "still version 5"} {
		if !strings.Contains(s, want) {
			t.Errorf("chat output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "version 6") {
		t.Errorf("an edit that was not made made a version:\n%s", s)
	}
}

// A slot changed after a plan makes a new plan that undo takes back, as in the service:
// the budget changed, then undone, shows the first plan's budgets again.
func TestChatUndoesAReplan(t *testing.T) {
	in := strings.NewReader("Lisbon, Dec 20-23, 2 people, $900 each, no special needs, history\n#1\n" +
		"make the budget 2000\nactually undo that\n")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"xingqu", "chat"}, env("XINGQU_DEFAULT_TZ", "Europe/Lisbon"), in, &out, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	i := strings.Index(s, "Your plan (version 3)")
	if i < 0 || strings.Contains(s, "no change to undo") {
		t.Fatalf("no third version from undo:\n%s", s)
	}
	if first := s[strings.Index(s, "Your plan (version 1)"):]; !strings.Contains(s[i:], first[strings.Index(first, "== Luxury"):strings.Index(first, " ==\n")]) {
		t.Errorf("undo did not bring the first plan's budget back:\n%s", s[i:])
	}
}
