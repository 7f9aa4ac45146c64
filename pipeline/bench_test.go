package pipeline

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkPersistedTurn is one whole turn against PostgreSQL: the message stored, the
// conversation locked, the engine run, replies and conversation written, committed.
func BenchmarkPersistedTurn(b *testing.B) {
	p := newPipeline(b)
	ctx := context.Background()
	if _, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "bench", InboundID: "0", Text: "福州, 12月25日到12月30日, 每人2000, 带孩子, 喜欢海边"}); err != nil {
		b.Fatal(err)
	}
	texts := []string{"预算改成5000", "预算改成3000"}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		if _, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "bench", InboundID: fmt.Sprint(i), Text: texts[i%2]}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPersistedTurnParallel runs turns for many conversations at once, as many
// travellers do.
func BenchmarkPersistedTurnParallel(b *testing.B) {
	p := newPipeline(b)
	ctx := context.Background()
	var n int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprint("bench-", nextID(&n))
		i := 0
		for pb.Next() {
			i++
			if _, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: id, InboundID: fmt.Sprint(i), Text: "预算改成5000"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func nextID(n *int64) int64 { return atomic.AddInt64(n, 1) }
