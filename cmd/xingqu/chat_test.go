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
	for _, want := range []string{"Here's your trip", "[Nature]", "Your plan (version 1)", "== Luxury", "== Economical", "== Backpacker", "Planned from built-in data"} {
		if !strings.Contains(s, want) {
			t.Errorf("chat output lacks %q:\n%s", want, s)
		}
	}
}
