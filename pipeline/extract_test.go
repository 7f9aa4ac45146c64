package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/store"
	"xingqu/store/storetest"
)

type fakeExtractor struct {
	calls int
	ex    *dialog.Extraction
	err   error
}

func (f *fakeExtractor) Extract(_ context.Context, text string, _ dialog.ParseContext, _ string) (*dialog.Extraction, error) {
	f.calls++
	return f.ex, f.err
}

// A message the parsers cannot read is read by the extractor, outside the turn's
// transaction, and its proposal is applied like parser output.
func TestExtractorFillsWhatParsersCannot(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	fx := &fakeExtractor{ex: &dialog.Extraction{Destination: "Kyoto"}}
	p.Extractor = fx
	ctx := context.Background()
	convID, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "x1", InboundID: "1", Text: "that old capital with all the temples, you know"})
	if err != nil {
		t.Fatal(err)
	}
	if fx.calls != 1 {
		t.Fatalf("extractor called %d times, want 1", fx.calls)
	}
	var dest string
	p.DB.GetContext(ctx, &dest, `SELECT slots->>'destination' FROM conversations WHERE id = $1`, convID)
	if dest != "Kyoto" {
		t.Fatalf("destination = %q, want the extractor's Kyoto", dest)
	}
	// A message the parsers read fully does not cost an extractor call.
	if _, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "x1", InboundID: "2", Text: "12月25日到12月28日"}); err != nil {
		t.Fatal(err)
	}
	if fx.calls != 1 {
		t.Fatalf("extractor called for a message the parsers read (%d calls)", fx.calls)
	}
}

// With the extractor failing, the dialog carries on with its parsers alone.
func TestExtractorFailureIsHarmless(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	p.Extractor = &fakeExtractor{err: errors.New("LLM-104: unavailable")}
	ctx := context.Background()
	convID, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "x2", InboundID: "1", Text: "that old capital with all the temples, you know"})
	if err != nil {
		t.Fatal(err)
	}
	if ms := transcript(t, p.DB, convID); len(ms) < 2 || ms[len(ms)-1].Role != "bot" {
		t.Fatalf("no bot reply after an extractor failure: %+v", ms)
	}
}

// countingExtractor counts its calls and takes a while, as a model does.
type countingExtractor struct {
	mu    sync.Mutex
	calls map[string]int
}

func (f *countingExtractor) Extract(_ context.Context, text string, _ dialog.ParseContext, _ string) (*dialog.Extraction, error) {
	time.Sleep(30 * time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[text]++
	return &dialog.Extraction{}, nil
}

// Ten messages sent together cost at most ten extraction calls: one per message, however
// many drains race for them.
func TestTenMessagesTogetherAreExtractedOnceEach(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	fx := &countingExtractor{calls: map[string]int{}}
	p.Extractor = fx
	ctx := context.Background()
	sendTogether(t, "ten", func(int) *Pipeline { return p })
	extractedOnceEach(t, fx, "")
	var pending int
	p.DB.GetContext(ctx, &pending, `SELECT count(*) FROM inbox WHERE handled_at IS NULL`)
	if pending != 0 {
		t.Errorf("%d messages left pending", pending)
	}
}

// Two instances on one database share the reading of each message: ten messages sent
// together, half to each, still cost at most ten extraction calls.
func TestTwoInstancesExtractEachMessageOnce(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	fx := &countingExtractor{calls: map[string]int{}}
	instance := func() *Pipeline {
		db, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		p := newPipeline(t)
		p.DB, p.Extractor = db, fx
		return p
	}
	a, b := instance(), instance()
	sendTogether(t, "two", func(i int) *Pipeline {
		if i%2 == 1 {
			return b
		}
		return a
	})
	extractedOnceEach(t, fx, " over two instances")
}

// togetherWords end the ten messages sendTogether sends, each one a model must read.
var togetherWords = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"}

// sendTogether sends the ten messages of one traveller at once, the i-th through on(i),
// and returns when each was handled.
func sendTogether(t *testing.T, traveller string, on func(i int) *Pipeline) {
	t.Helper()
	var wg sync.WaitGroup
	for i, w := range togetherWords {
		p := on(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := "that old capital with all the temples, you know, " + w
			if _, _, err := p.Handle(context.Background(), Inbound{Channel: "web", ExternalID: traveller, InboundID: fmt.Sprint(i), Text: text}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// extractedOnceEach checks that no message was read twice and that the ten cost at most
// ten extraction calls.
func extractedOnceEach(t *testing.T, fx *countingExtractor, where string) {
	t.Helper()
	total := 0
	for text, n := range fx.calls {
		total += n
		if n > 1 {
			t.Errorf("%q extracted %d times", text, n)
		}
	}
	t.Logf("extraction calls for %d messages%s: %d", len(togetherWords), where, total)
	if total > len(togetherWords) {
		t.Errorf("extraction calls = %d, want at most %d", total, len(togetherWords))
	}
}
