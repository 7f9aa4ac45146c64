package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/dialog"
)

// Text PostgreSQL would refuse (NUL) or that is too long is cleaned, not a failed turn.
func TestReceiveCleansText(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	long := strings.Repeat("福", api.MaxMessageLen+500)
	for i, text := range []string{"福州\x00, 12月25日", "\xff\xfebad", long} {
		convID, _, err := p.Handle(context.Background(), Inbound{Channel: "web", ExternalID: "clean", InboundID: fmt.Sprint(i), Text: text})
		if err != nil {
			t.Fatalf("%q: %v", text[:min(len(text), 12)], err)
		}
		ms := transcript(t, p.DB, convID)
		var last string
		for _, m := range ms {
			if m.Role == "traveller" {
				last = m.Text
			}
		}
		if strings.Contains(last, "\x00") || !utf8.ValidString(last) || utf8.RuneCountInString(last) > api.MaxMessageLen {
			t.Errorf("stored %d runes, valid=%v, NUL=%v", utf8.RuneCountInString(last), utf8.ValidString(last), strings.Contains(last, "\x00"))
		}
		if ms[len(ms)-1].Role != "bot" {
			t.Errorf("no reply to message %d", i)
		}
	}
}

// Several first messages of a new traveller arriving at once land in one conversation.
func TestConcurrentFirstMessagesShareAConversation(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx := context.Background()
	for tr := 0; tr < 10; tr++ {
		var wg sync.WaitGroup
		ids := make(chan int64, 6)
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				id, _, err := p.Receive(ctx, Inbound{Channel: "web", ExternalID: fmt.Sprint("new-", tr), InboundID: fmt.Sprint(i), Text: "hi"})
				if err != nil {
					t.Error(err)
				}
				ids <- id
			}(i)
		}
		wg.Wait()
		close(ids)
		first := int64(0)
		for id := range ids {
			if first == 0 {
				first = id
			}
			if id != first {
				t.Fatalf("traveller %d: messages split across conversations %d and %d", tr, first, id)
			}
		}
	}
}

// failingOutbox fails every turn whose replies answer a message containing "poison".
type failingOutbox struct{ poisoned bool }

func (f *failingOutbox) WriteReplies(_ context.Context, _ *sqlx.Tx, c *dialog.Conversation, _ int64, _ []dialog.Reply) error {
	if f.poisoned {
		return errors.New("channel refused the reply")
	}
	return nil
}

// A message whose turn keeps failing is set aside after a few attempts, with an apology,
// and the messages behind it are answered.
func TestFailingTurnIsSetAside(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ob := &failingOutbox{poisoned: true}
	p.Outbox = ob
	ctx := context.Background()
	in := Inbound{Channel: "web", ExternalID: "poison", InboundID: "1", Text: "福州"}
	convID, _, err := p.Receive(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < maxTurnAttempts; i++ {
		if _, err := p.Drain(ctx, convID); err == nil {
			t.Fatalf("attempt %d succeeded; want the turn to fail", i+1)
		}
	}
	ob.poisoned = false
	if _, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "poison", InboundID: "2", Text: "12月25日到12月28日"}); err != nil {
		t.Fatalf("the next message is still blocked: %v", err)
	}
	ms := transcript(t, p.DB, convID)
	var roles []string
	for _, m := range ms {
		roles = append(roles, m.Role)
	}
	got := strings.Join(roles, ",")
	if !strings.HasPrefix(got, "system,traveller,bot") || !strings.Contains(ms[0].Text, "E-101") {
		t.Fatalf("transcript roles %s, first %q; want the apology, then the next message answered", got, ms[0].Text)
	}
}

// Messages stored but never handled (their handler died) are picked up by the sweeper.
func TestSweepHandlesLeftMessages(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	convID, _, err := p.Receive(ctx, Inbound{Channel: "web", ExternalID: "left", InboundID: "1", Text: "福州"})
	if err != nil {
		t.Fatal(err)
	}
	p.SweepAge = 100 * time.Millisecond
	go p.Sweep(ctx, 100*time.Millisecond)
	waitUntil(t, 5*time.Second, "left message answered", func() bool {
		ms := transcript(t, p.DB, convID)
		return len(ms) > 0 && ms[len(ms)-1].Role == "bot"
	})
}
