package dialog

import "testing"

// BenchmarkTurn is one engine turn in memory: a correction at the summary, which parses
// the message, applies it and renders the summary again.
func BenchmarkTurn(b *testing.B) {
	e := testEngine()
	base := &Conversation{}
	e.Handle(base, Inbound{Text: "福州, 12月25日到12月30日, 每人2000, 带孩子, 喜欢海边和闽菜"})
	b.ReportAllocs()
	for b.Loop() {
		c := *base
		e.Handle(&c, Inbound{Text: "预算改成5000"})
	}
}

// BenchmarkTurnFirstMessage is the heaviest common turn: every slot in one message.
func BenchmarkTurnFirstMessage(b *testing.B) {
	e := testEngine()
	b.ReportAllocs()
	for b.Loop() {
		c := &Conversation{}
		e.Handle(c, Inbound{Text: "Lisbon Dec 20-27, 2 of us, around €1500 each, no special needs, we love seafood and museums"})
	}
}
