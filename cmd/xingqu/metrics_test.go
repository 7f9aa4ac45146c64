package main

import (
	"regexp"
	"testing"
	"time"

	"xingqu/store/storetest"
)

// XINGQU_METRICS_ADDR moves /metrics to a listener of its own, off the public one.
func TestMetricsOnItsOwnListener(t *testing.T) {
	t.Parallel()
	base, _ := startServe(t, storetest.URL(t), "XINGQU_METRICS_ADDR", "127.0.0.1:0")
	out, _ := serveOut.Load(t.Name())
	var metrics string
	for deadline := time.Now().Add(5 * time.Second); metrics == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`metrics on (http://\S+)/metrics`).FindStringSubmatch(out.(*syncBuffer).String()); m != nil {
			metrics = m[1]
		}
	}
	if metrics == "" {
		t.Fatal("serve did not announce the metrics listener")
	}
	if got := status(t, metrics+"/metrics"); got != 200 {
		t.Errorf("/metrics on its own listener = %d, want 200", got)
	}
	if got := status(t, base+"/metrics"); got != 404 {
		t.Errorf("/metrics on the public listener = %d, want 404", got)
	}
	if got := status(t, metrics+"/healthz"); got != 404 {
		t.Errorf("/healthz on the metrics listener = %d, want 404: it serves /metrics only", got)
	}
}
