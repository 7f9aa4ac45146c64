package llm

import (
	"context"
	"errors"
	"sync"
	"time"

	"xingqu/dialog"
)

// Spender is who a model call is charged to: the traveller (a Telegram user, a widget
// session, an account) and the network address they came from. Either may be empty,
// and an empty one is not limited.
type Spender struct {
	Traveller string
	Address   string
}

type spenderKey struct{}

// WithSpender says who the model calls made with ctx are charged to; Extract reads it,
// since the dialog's extractor interface knows only the message, and so does a plan whose
// request names nobody.
func WithSpender(ctx context.Context, s Spender) context.Context {
	return context.WithValue(ctx, spenderKey{}, s)
}

// WithSpenderFunc is WithSpender with the spender found by find when the first model
// call is about to be made, and only then: finding it costs a database query, which work
// that calls no model (the offline planner, a message the parsers read) does not pay.
// find runs at most once for ctx and every context made from it.
func WithSpenderFunc(ctx context.Context, find func(context.Context) Spender) context.Context {
	return context.WithValue(ctx, spenderKey{}, &lazySpender{find: find})
}

type lazySpender struct {
	once sync.Once
	find func(context.Context) Spender
	s    Spender
}

func spenderOf(ctx context.Context) Spender {
	switch v := ctx.Value(spenderKey{}).(type) {
	case Spender:
		return v
	case *lazySpender:
		v.once.Do(func() { v.s = v.find(ctx) })
		return v.s
	}
	return Spender{}
}

// Ledger keys: travellers and addresses share the ledger without sharing a budget.
func travellerKey(id string) string { return "traveller:" + id }
func addressKey(a string) string    { return "address:" + a }

// Errors of calls the chain does not make.
var (
	// ErrOverBudget: the traveller or their address has spent the day's tokens.
	ErrOverBudget = errors.New("llm: daily token budget spent")
	// ErrBusy: as many model calls as the instance allows are already in flight.
	ErrBusy = errors.New("llm: too many model calls in flight")
)

// overBudget reports whether the traveller or the address has spent the day's budget.
func (c *Chain) overBudget(ctx context.Context, s Spender, now time.Time) bool {
	day := dialog.DateOf(now)
	check := func(key string, budget int) bool {
		if budget <= 0 {
			return false
		}
		spent, err := c.ledger.Spent(ctx, key, day)
		if err != nil {
			// Better an unmetered plan than none because the ledger is down.
			c.log.Warn("llm token ledger", "err", err)
			return false
		}
		return spent >= budget
	}
	return s.Traveller != "" && check(travellerKey(s.Traveller), c.cfg.DailyTokenBudget) ||
		s.Address != "" && check(addressKey(s.Address), c.cfg.AddressDailyTokenBudget)
}

// charge books tokens to the traveller and the address, and to the instance's count.
func (c *Chain) charge(s Spender, kind string, tokens int) {
	if tokens <= 0 {
		return
	}
	c.metrics.tokens.WithLabelValues(kind).Add(float64(tokens))
	c.spend.add(dialog.DateOf(c.now()), tokens)
	// Detached from the call's context: tokens a cancelled hedge burnt are still spent.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	day := dialog.DateOf(c.now())
	for _, key := range []string{keyIf(s.Traveller, travellerKey), keyIf(s.Address, addressKey)} {
		if key == "" {
			continue
		}
		if err := c.ledger.Add(ctx, key, day, tokens); err != nil {
			c.log.Warn("llm token ledger", "err", err)
		}
	}
}

func keyIf(id string, key func(string) string) string {
	if id == "" {
		return ""
	}
	return key(id)
}

// slots caps the model calls one instance has in flight.
type slots chan struct{}

func newSlots(n int) slots {
	if n <= 0 {
		return nil
	}
	return make(slots, n)
}

// acquire waits for a free slot until ctx ends.
func (s slots) acquire(ctx context.Context) error {
	if s == nil {
		return nil
	}
	select {
	case s <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// try takes a slot only if one is free now.
func (s slots) try() bool {
	if s == nil {
		return true
	}
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s slots) release() {
	if s != nil {
		<-s
	}
}

// spendStats is what the admin page shows of spending on this instance.
type spendStats struct {
	mu           sync.Mutex
	day          dialog.Date
	tokens       int64 // spent today by this instance's calls
	budgetDrafts int64 // drafts served since start-up because a budget was spent
	ungrounded   map[string]int64
}

func (s *spendStats) add(day dialog.Date, tokens int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if day != s.day {
		s.day, s.tokens = day, 0
	}
	s.tokens += int64(tokens)
}

func (s *spendStats) dropped(fields []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ungrounded == nil {
		s.ungrounded = map[string]int64{}
	}
	for _, f := range fields {
		s.ungrounded[f]++
	}
}

// Spending is the admin page's summary of model spending on this instance.
type Spending struct {
	Day               string           `json:"day"`
	TokensToday       int64            `json:"tokensToday"`
	BudgetDrafts      int64            `json:"budgetDrafts"`
	UngroundedDropped map[string]int64 `json:"ungroundedDropped"` // by field
}

// Spending reports today's tokens, drafts served because of a budget, and the values
// extraction dropped as ungrounded.
func (c *Chain) Spending() Spending {
	s := &c.spend
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Spending{Day: dialog.DateOf(c.now()).String(), BudgetDrafts: s.budgetDrafts, UngroundedDropped: map[string]int64{}}
	if s.day == dialog.DateOf(c.now()) {
		out.TokensToday = s.tokens
	}
	for k, v := range s.ungrounded {
		out.UngroundedDropped[k] = v
	}
	return out
}
