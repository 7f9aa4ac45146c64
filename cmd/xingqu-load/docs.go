package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// Markers of the part of the benchmarks page the load runs write.
const (
	docsBegin = "<!-- xingqu-load: begin -->"
	docsEnd   = "<!-- xingqu-load: end -->"
)

// writeDocs renders the reports of a bench run and puts them between the markers of
// the benchmarks page.
func writeDocs(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("xingqu-load docs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	page := fs.String("page", "docs/benchmarks.md", "the page to update")
	ref := fs.String("reference", "", "pgbench result (JSON)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var reports []report
	for _, f := range fs.Args() {
		var r report
		b, err := os.ReadFile(f)
		if err == nil {
			err = json.Unmarshal(b, &r)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		reports = append(reports, r)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", docsBegin)
	fmt.Fprintf(&b, "Written by `make bench` (`bin/xingqu-load`) on %s, %d cores. Each traveller answers one slot a\n", machine(), runtime.NumCPU())
	b.WriteString("message, pauses 1 s after each answer, confirms, gets the plan and starts over; 20 s of ramp,\n")
	b.WriteString("then 60 s measured. Telegram runs go through a fake Bot API that paces each chat at 1 message/s\n")
	b.WriteString("(burst 3) and answers 429 beyond it. First reply: from the message to the first thing the\n")
	b.WriteString("traveller sees (a message, or \"typing\"). CPU from /proc; transactions from `pg_stat_database`.\n\n")
	b.WriteString("| channel | travellers | turns/s | p50 ms | p95 ms | p99 ms | max ms | >5 s | timeouts | errors | 429s | service CPU ms/turn | PostgreSQL CPU ms/turn | commits/turn | of them writing | load average |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range reports {
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %s |\n",
			r.Mode, r.Travellers, r.TurnsPerSec, r.P50MS, r.P95MS, r.P99MS, r.MaxMS, r.Over5s, r.Timeouts, r.Errors, r.TooMany,
			r.ServiceMS, r.DatabaseMS, r.TxPerTurn, r.WritesTurn, r.Load)
	}
	missed := checkTargets(&b, reports)
	if *ref != "" {
		var rf reference
		bs, err := os.ReadFile(*ref)
		if err == nil {
			err = json.Unmarshal(bs, &rf)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", *ref, err)
		}
		fmt.Fprintf(&b, "\nReference: `%s` (lock the conversation, insert two messages, update it) on the same\n", rf.Command)
		fmt.Fprintf(&b, "database: **%.0f transactions/s**, PostgreSQL CPU %.2f ms each (load average %s).\n", rf.TPS, rf.DatabaseMS, rf.Load)
		for _, r := range reports {
			if r.Mode == "telegram" && r.Travellers == 1000 && rf.TPS > 0 {
				fmt.Fprintf(&b, "The 1,000-traveller Telegram run served %.0f%% of that rate.\n", 100*r.TurnsPerSec/rf.TPS)
			}
		}
		// The same code's CPU figures move with the machine and the hour; their ratio to
		// the reference's moves less.
		for _, r := range reports {
			if r.Travellers == 1000 && rf.DatabaseMS > 0 {
				fmt.Fprintf(&b, "A %s turn at 1,000 travellers cost PostgreSQL the CPU of %.1f reference transactions.\n", r.Mode, r.DatabaseMS/rf.DatabaseMS)
			}
		}
	}
	for _, r := range reports {
		if r.Travellers != 1000 || len(r.Statements) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\nTop statements of the 1,000-traveller %s run (`pg_stat_statements`, by total time):\n\n", r.Mode)
		b.WriteString("| calls | mean ms | buffers/call | statement |\n|---|---|---|---|\n")
		for _, s := range r.Statements {
			q := strings.ReplaceAll(s.Query, "|", "\\|")
			fmt.Fprintf(&b, "| %d | %.3f | %.1f | `%s` |\n", s.Calls, s.MeanMS, s.Buffers, q)
		}
	}
	fmt.Fprintf(&b, "%s", docsEnd)

	old, err := os.ReadFile(*page)
	if err != nil {
		return err
	}
	s := string(old)
	i, j := strings.Index(s, docsBegin), strings.Index(s, docsEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s section", *page, docsBegin, docsEnd)
	}
	s = s[:i] + b.String() + s[j+len(docsEnd):]
	if err := os.WriteFile(*page, []byte(s), 0o644); err != nil {
		return err
	}
	if len(missed) > 0 {
		return fmt.Errorf("targets missed (written to %s):\n  %s", *page, strings.Join(missed, "\n  "))
	}
	return nil
}

// machine names the CPU, from /proc/cpuinfo.
func machine() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "an unknown machine"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "an unknown machine"
}
