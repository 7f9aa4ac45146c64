package bot

import (
	"context"
	"errors"
	"testing"

	"xingqu/dialog"
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
