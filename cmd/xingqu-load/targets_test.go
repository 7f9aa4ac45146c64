package main

import (
	"strings"
	"testing"
)

// A run is held to the targets of its channel: the figures of an earlier table miss
// the rate and the database's CPU, the widget's p99 must stay under 300 ms, and runs of
// other sizes have none.
func TestTargets(t *testing.T) {
	good := report{Mode: "telegram", Travellers: 1000, TurnsPerSec: 833, P99MS: 531, ServiceMS: 0.79, DatabaseMS: 1.04, TxPerTurn: 2.58}
	earlier := report{Mode: "telegram", Travellers: 1000, TurnsPerSec: 458, P99MS: 2084, MaxMS: 2260, ServiceMS: 1.36, DatabaseMS: 2.36, TxPerTurn: 2.29}
	slowTelegram := good
	slowTelegram.P99MS, slowTelegram.Over5s = 2600, 1
	widget := report{Mode: "widget", Travellers: 1000, TurnsPerSec: 976, P99MS: 300, ServiceMS: 0.63, DatabaseMS: 0.79, TxPerTurn: 1.85}
	small := report{Mode: "telegram", Travellers: 50, TurnsPerSec: 45, ServiceMS: 2.88, DatabaseMS: 4.07, TxPerTurn: 3.69}
	for _, c := range []struct {
		name   string
		r      report
		missed []string
	}{
		{"met", good, nil},
		{"earlier table", earlier, []string{"telegram 1000: turns/s 458, wanted ≥ 500", "telegram 1000: PostgreSQL CPU a turn 2.36 ms, wanted ≤ 1.5 ms"}},
		{"slow Telegram", slowTelegram, []string{"telegram 1000: travellers waiting over 5 s 1, wanted 0", "telegram 1000: first reply p99 2600 ms, wanted ≤ 2500 ms (the 1-s pace + 1.5 s)"}},
		{"widget at 300 ms", widget, []string{"widget 1000: first reply p99 300 ms, wanted < 300 ms"}},
		{"50 travellers", small, nil},
	} {
		var b strings.Builder
		missed := checkTargets(&b, []report{c.r})
		if strings.Join(missed, "\n") != strings.Join(c.missed, "\n") {
			t.Errorf("%s: missed\n%s\nwant\n%s", c.name, strings.Join(missed, "\n"), strings.Join(c.missed, "\n"))
		}
		if rows := strings.Count(b.String(), "\n| "+c.r.Mode+" |"); c.r.Travellers == 1000 && rows != 8 {
			t.Errorf("%s: %d rows of targets:\n%s", c.name, rows, b.String())
		}
	}
}
