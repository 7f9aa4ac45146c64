package main

import (
	"bufio"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"xingqu/store/storetest"
)

const repoRoot = "../.."

// exportedMetrics names every series the service can export: the Name of each metric
// declared in the code (most appear only once something is counted) and whatever a
// running instance shows on /metrics (the Go runtime's, the process's, the pool's).
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	decl := regexp.MustCompile(`(?:Name:\s*|NewDesc\(\s*)"([a-zA-Z_:][a-zA-Z0-9_:]*)"`)
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "var" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && p != repoRoot {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), "prometheus") {
			return nil
		}
		for _, m := range decl.FindAllStringSubmatch(string(b), -1) {
			if strings.HasPrefix(m[1], "xingqu_") {
				names[m[1]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := startServe(t, storetest.URL(t))
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			names[f[2]] = true
		}
	}
	if len(names) < 20 || !names["xingqu_llm_calls_total"] || !names["go_sql_in_use_connections"] {
		t.Fatalf("found only %d metric names: %v", len(names), names)
	}
	return names
}

var (
	promFuncs = map[string]bool{"rate": true, "irate": true, "increase": true, "sum": true, "max": true, "min": true,
		"avg": true, "count": true, "histogram_quantile": true, "time": true, "by": true, "without": true, "on": true,
		"ignoring": true, "and": true, "or": true, "unless": true, "bool": true, "abs": true, "clamp_min": true}
	labelSets = regexp.MustCompile(`\{[^}]*\}`)
	grouping  = regexp.MustCompile(`\b(by|without|on|ignoring)\s*\([^)]*\)`)
	ranges    = regexp.MustCompile(`\[[^\]]*\]`)
	ident     = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
)

// metricsIn returns the metric names a PromQL expression reads.
func metricsIn(expr string) []string {
	e := labelSets.ReplaceAllString(expr, "")
	e = grouping.ReplaceAllString(e, "")
	e = ranges.ReplaceAllString(e, "")
	var out []string
	for _, id := range ident.FindAllString(e, -1) {
		if !promFuncs[id] {
			out = append(out, id)
		}
	}
	return out
}

func known(names map[string]bool, metric string) bool {
	if names[metric] {
		return true
	}
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		if b, ok := strings.CutSuffix(metric, suf); ok && names[b] {
			return true
		}
	}
	return false
}

type grafanaPanel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		Type, UID string
	} `json:"datasource"`
	GridPos struct{ H, W, X, Y int } `json:"gridPos"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []grafanaPanel `json:"panels"`
}

func TestDashboardQueriesExportedMetrics(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(repoRoot, "docs/grafana/xingqu-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Inputs []struct {
			Name, Type, PluginID string
		} `json:"__inputs"`
		Title         string         `json:"title"`
		UID           string         `json:"uid"`
		SchemaVersion int            `json:"schemaVersion"`
		Panels        []grafanaPanel `json:"panels"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatal("dashboard JSON: more after the object")
	}
	if d.Title == "" || d.UID == "" || d.SchemaVersion < 30 || len(d.Panels) == 0 {
		t.Fatalf("dashboard lacks title, uid, a recent schemaVersion or panels: %q %q %d %d", d.Title, d.UID, d.SchemaVersion, len(d.Panels))
	}
	if len(d.Inputs) != 1 || d.Inputs[0].Name != "DS_PROMETHEUS" || d.Inputs[0].PluginID != "prometheus" {
		t.Fatalf("import needs one Prometheus data source input named DS_PROMETHEUS, have %+v", d.Inputs)
	}
	names := exportedMetrics(t)
	ids := map[int]bool{}
	var queried int
	var check func(ps []grafanaPanel)
	check = func(ps []grafanaPanel) {
		for _, p := range ps {
			if ids[p.ID] || p.ID == 0 {
				t.Errorf("panel %q: id %d missing or used twice", p.Title, p.ID)
			}
			ids[p.ID] = true
			if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
				t.Errorf("panel %q: gridPos %+v outside Grafana's 24 columns", p.Title, p.GridPos)
			}
			if p.Type == "row" {
				check(p.Panels)
				continue
			}
			if p.Type != "timeseries" && p.Type != "stat" {
				t.Errorf("panel %q: type %q", p.Title, p.Type)
			}
			if p.Title == "" || p.Datasource == nil || p.Datasource.UID != "${DS_PROMETHEUS}" || len(p.Targets) == 0 {
				t.Errorf("panel %q: needs a title, the imported data source and a query", p.Title)
			}
			for _, tg := range p.Targets {
				ms := metricsIn(tg.Expr)
				if tg.RefID == "" || len(ms) == 0 {
					t.Errorf("panel %q: query %q has no refId or reads no metric", p.Title, tg.Expr)
				}
				for _, m := range ms {
					if !known(names, m) {
						t.Errorf("panel %q: %s is not a metric the service exports (query %q)", p.Title, m, tg.Expr)
					}
				}
				queried++
			}
		}
	}
	check(d.Panels)
	if queried < 15 {
		t.Errorf("only %d queries", queried)
	}

	// The alert rules read exported metrics too (and Prometheus's own up), and each
	// names a runbook section that exists.
	rules, err := os.ReadFile(filepath.Join(repoRoot, "docs/grafana/alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := os.ReadFile(filepath.Join(repoRoot, "docs/operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, line := range strings.Split(string(ops), "\n") {
		if h, ok := strings.CutPrefix(line, "#"); ok {
			anchors[anchor(strings.TrimLeft(h, "# "))] = true
		}
	}
	names["up"] = true
	lines := strings.Split(string(rules), "\n")
	var alerts int
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if v, ok := strings.CutPrefix(l, "runbook:"); ok {
			_, frag, _ := strings.Cut(strings.Trim(strings.TrimSpace(v), `"`), "#")
			if !anchors[frag] {
				t.Errorf("alerts.yml line %d: no section #%s in docs/operations.md", i+1, frag)
			}
		}
		v, ok := strings.CutPrefix(l, "expr:")
		if !ok {
			continue
		}
		alerts++
		expr := strings.TrimSpace(v)
		if expr == "|" {
			indent := len(lines[i+1]) - len(strings.TrimLeft(lines[i+1], " "))
			expr = ""
			for i+1 < len(lines) && len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " ")) >= indent && strings.TrimSpace(lines[i+1]) != "" {
				i++
				expr += " " + strings.TrimSpace(lines[i])
			}
		}
		ms := metricsIn(expr)
		if len(ms) == 0 {
			t.Errorf("alerts.yml line %d reads no metric: %q", i+1, expr)
		}
		for _, m := range ms {
			if !known(names, m) {
				t.Errorf("alerts.yml line %d: %s is not exported (%q)", i+1, m, expr)
			}
		}
	}
	if alerts < 8 {
		t.Errorf("alerts.yml has %d rules", alerts)
	}
}

// anchor is the fragment a Markdown renderer gives a heading.
func anchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune('-')
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestMetricsIn(t *testing.T) {
	for expr, want := range map[string]string{
		`histogram_quantile(0.95, sum by (le, route) (rate(xingqu_http_request_duration_seconds_bucket[5m])))`:        "xingqu_http_request_duration_seconds_bucket",
		`sum(rate(xingqu_http_requests_total{status=~"5.."}[5m])) / sum(rate(xingqu_http_requests_total[5m])) > 0.05`: "xingqu_http_requests_total xingqu_http_requests_total",
		`time() - max(xingqu_backup_last_success_timestamp_seconds) > 26 * 3600`:                                      "xingqu_backup_last_success_timestamp_seconds",
		`max by (instance) (go_sql_in_use_connections / go_sql_max_open_connections) > 0.9`:                           "go_sql_in_use_connections go_sql_max_open_connections",
		`sum(rate(no_such_metric_total[5m]))`:                                                                         "no_such_metric_total",
	} {
		if got := strings.Join(metricsIn(expr), " "); got != want {
			t.Errorf("metricsIn(%q) = %q, want %q", expr, got, want)
		}
	}
}
