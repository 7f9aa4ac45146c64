package llm

import (
	"context"
	"testing"
)

// BenchmarkChainOverhead measures what the chain itself costs around a provider that
// answers at once: the request, the stream over loopback HTTP, parsing, validation and
// bookkeeping. "offline" is the same call with no provider configured.
func BenchmarkChainOverhead(b *testing.B) {
	req := PlanRequest{Trip: testTrip(), Lang: "zh", TravellerID: "bench"}
	b.Run("provider", func(b *testing.B) {
		f := newFake(b, okStream(b))
		c := newTestChain(b, Config{Providers: []ProviderConfig{f.config("fake")}})
		b.ReportAllocs()
		for b.Loop() {
			p, err := c.Plan(context.Background(), req)
			if err != nil || p.Source != "fake" {
				b.Fatalf("source %q, err %v", p.Source, err)
			}
		}
	})
	b.Run("offline", func(b *testing.B) {
		c := newTestChain(b, Config{})
		b.ReportAllocs()
		for b.Loop() {
			if p, _ := c.Plan(context.Background(), req); p.Source != "offline" {
				b.Fatalf("source %q", p.Source)
			}
		}
	})
}
