package main

import (
	"fmt"
	"strings"
)

// What the 1,000-traveller runs must show (docs/benchmarks.md): every offered turn
// served, the rate, the first reply's p99, and what a turn may cost the database and the
// service. `xingqu-load docs` writes each target with the figure measured against it,
// and fails when one is missed, so that `make bench-load` does.

// telegramPace is the longest Telegram makes a chat's next message wait (one a second):
// a Telegram traveller's p99 is allowed that much beyond the widget's bound.
const telegramPace = 1000.0 // ms

// target is one thing a run must show.
type target struct {
	what  string
	want  string
	value func(report) float64
	ok    func(float64) bool
	unit  string
}

// targets are the checks of a run, none for runs of other sizes.
func targets(r report) []target {
	if r.Travellers != 1000 {
		return nil
	}
	p99 := target{"first reply p99", "< 300 ms", func(r report) float64 { return r.P99MS }, func(v float64) bool { return v < 300 }, "ms"}
	if r.Mode == "telegram" {
		bound := telegramPace + 1500
		p99 = target{"first reply p99", fmt.Sprintf("≤ %.0f ms (the 1-s pace + 1.5 s)", bound), func(r report) float64 { return r.P99MS }, func(v float64) bool { return v <= bound }, "ms"}
	}
	return []target{
		{"travellers waiting over 5 s", "0", func(r report) float64 { return float64(r.Over5s) }, func(v float64) bool { return v == 0 }, ""},
		{"timeouts", "0", func(r report) float64 { return float64(r.Timeouts) }, func(v float64) bool { return v == 0 }, ""},
		{"errors", "0", func(r report) float64 { return float64(r.Errors) }, func(v float64) bool { return v == 0 }, ""},
		{"turns/s", "≥ 500", func(r report) float64 { return r.TurnsPerSec }, func(v float64) bool { return v >= 500 }, ""},
		p99,
		{"commits a turn", "≤ 3", func(r report) float64 { return r.TxPerTurn }, func(v float64) bool { return v <= 3 }, ""},
		{"PostgreSQL CPU a turn", "≤ 1.5 ms", func(r report) float64 { return r.DatabaseMS }, func(v float64) bool { return v <= 1.5 }, "ms"},
		{"service CPU a turn", "≤ 1.5 ms", func(r report) float64 { return r.ServiceMS }, func(v float64) bool { return v <= 1.5 }, "ms"},
	}
}

// checkTargets writes the targets of reports as a table to b and returns those missed.
func checkTargets(b *strings.Builder, reports []report) (missed []string) {
	rows := 0
	for _, r := range reports {
		for _, t := range targets(r) {
			if rows == 0 {
				b.WriteString("\nTargets of the 1,000-traveller runs (`xingqu-load docs` fails when one is missed):\n\n")
				b.WriteString("| channel | target | wanted | measured | met |\n|---|---|---|---|---|\n")
			}
			rows++
			v := t.value(r)
			got := fmt.Sprintf("%.0f", v)
			if v != float64(int64(v)) && v < 10 {
				got = fmt.Sprintf("%.2f", v)
			}
			if t.unit != "" {
				got += " " + t.unit
			}
			met := "yes"
			if !t.ok(v) {
				met = "**no**"
				missed = append(missed, fmt.Sprintf("%s %d: %s %s, wanted %s", r.Mode, r.Travellers, t.what, got, t.want))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", r.Mode, t.what, t.want, got, met)
		}
	}
	return missed
}
