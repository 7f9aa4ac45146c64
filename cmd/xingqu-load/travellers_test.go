package main

import (
	"strings"
	"testing"
	"time"
)

// The per-second breakdown puts each reply in the second of the window it came in,
// with empty seconds kept, so that a stall shows as the seconds it lasted.
func TestPerSecondShowsAStall(t *testing.T) {
	from := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	r := &recorder{}
	r.window(from, from.Add(4*time.Second))
	for i := range 10 {
		r.answered(from.Add(time.Duration(i)*50*time.Millisecond), 40*time.Millisecond)
	}
	r.answered(from.Add(3200*time.Millisecond), 900*time.Millisecond)
	r.answered(from.Add(3300*time.Millisecond), 700*time.Millisecond)
	r.answered(from.Add(9*time.Second), time.Second) // after the window: not counted
	var b strings.Builder
	if err := r.perSecond(&b); err != nil {
		t.Fatal(err)
	}
	want := "second,replies,p50_ms,p99_ms,max_ms\n0,10,40,40,40\n1,0,0,0,0\n2,0,0,0,0\n3,2,700,900,900\n"
	if b.String() != want {
		t.Fatalf("per second:\n%s\nwant:\n%s", b.String(), want)
	}
}
