package llm

import (
	"context"
	"sync"
	"unicode"
	"unicode/utf8"

	"xingqu/dialog"
)

// TokenLedger keeps the tokens each traveller spent per day. The chain only needs these
// two calls, so a PostgreSQL table can replace the in-memory one when several instances
// serve the same travellers.
type TokenLedger interface {
	Spent(ctx context.Context, traveller string, day dialog.Date) (int, error)
	Add(ctx context.Context, traveller string, day dialog.Date, tokens int) error
}

// MemoryLedger is a TokenLedger for one instance. It forgets earlier days as soon as a new
// day is written to, so it never grows beyond one day of travellers.
type MemoryLedger struct {
	mu    sync.Mutex
	day   dialog.Date
	spent map[string]int
}

// NewMemoryLedger returns an empty ledger.
func NewMemoryLedger() *MemoryLedger { return &MemoryLedger{spent: map[string]int{}} }

// Spent implements TokenLedger.
func (l *MemoryLedger) Spent(_ context.Context, traveller string, day dialog.Date) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if day != l.day {
		return 0, nil
	}
	return l.spent[traveller], nil
}

// Add implements TokenLedger.
func (l *MemoryLedger) Add(_ context.Context, traveller string, day dialog.Date, tokens int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if day.After(l.day) {
		l.day, l.spent = day, map[string]int{}
	} else if day != l.day {
		return nil // a late report for a day already closed
	}
	l.spent[traveller] += tokens
	return nil
}

// estimateTokens stands in for usage when a provider does not report it (a cancelled
// stream, an endpoint without stream usage): about one token per Han, kana or hangul
// character and one per four bytes of anything else, which errs on the high side for
// both Chinese and English text.
func estimateTokens(s string) int {
	cjk, other := 0, 0
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			cjk++
		} else {
			other += utf8.RuneLen(r)
		}
	}
	return cjk + (other+3)/4
}
