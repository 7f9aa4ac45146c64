package pipeline

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// ReceiveUpdateAndTurn takes a known traveller's turn in the transaction that stores the
// message, and leaves it to a drain (kick) whenever it cannot: a new traveller, a turn
// that fails (the message still stored, and answered once the fault is gone), a
// conversation being drained here already. Nothing is lost and nothing answered twice.
func TestReceiveUpdateAndTurn(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ob := &failingOutbox{}
	p.Outbox = ob
	ctx := context.Background()
	next := int64(0)
	send := func(text string) (int64, bool, bool) {
		t.Helper()
		next++
		if _, err := store.StoreTelegramUpdate(ctx, p.DB, next, "701", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		in := Inbound{Channel: "telegram", ExternalID: "701", InboundID: fmt.Sprint("tg:", next), Text: text, LangHint: "zh"}
		convID, dup, kick, err := p.ReceiveUpdateAndTurn(ctx, in, store.UpdateDone{UpdateID: next, ChatID: "701",
			Outcome: "message", DupOutcome: "message: duplicate"})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		return convID, dup, kick
	}
	pending := func(convID int64) int {
		var n int
		if err := p.DB.Get(&n, `SELECT count(*) FROM inbox WHERE conversation_id = $1 AND handled_at IS NULL`, convID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	answered := func(convID int64) (travellers, bots int) {
		for _, m := range transcript(t, p.DB, convID) {
			switch m.Role {
			case "traveller":
				travellers++
			case "bot":
				bots++
			}
		}
		return travellers, bots
	}

	// A new traveller: stored the long way, the turn left to a drain.
	convID, _, kick := send("你好")
	if !kick || pending(convID) != 1 {
		t.Fatalf("first message: kick %v, %d pending; want a drain to follow the one stored", kick, pending(convID))
	}
	if _, err := p.Drain(ctx, convID); err != nil {
		t.Fatal(err)
	}

	// A known traveller: the turn taken at once, nothing left.
	if c, _, kick := send("福州"); c != convID || kick || pending(convID) != 0 {
		t.Fatalf("known traveller: conversation %d, kick %v, %d pending; want the turn taken", c, kick, pending(convID))
	}
	if tr, bots := answered(convID); tr != 2 || bots < 2 {
		t.Fatalf("after two messages: %d traveller lines, %d replies", tr, bots)
	}

	// The turn fails: the message is stored on its own and waits for a drain.
	ob.poisoned = true
	if _, _, kick := send("12月25日到12月28日"); !kick || pending(convID) != 1 {
		t.Fatalf("failing turn: kick %v, %d pending; want the message kept for a drain", kick, pending(convID))
	}
	ob.poisoned = false
	if n, err := p.Drain(ctx, convID); err != nil || n != 1 {
		t.Fatalf("drain after the fault: %d handled, %v", n, err)
	}

	// An older message waits (stored, its drain not run yet): its turn comes first, and a
	// drain must follow for the new one.
	next++
	if _, err := store.StoreTelegramUpdate(ctx, p.DB, next, "701", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.ReceiveUpdate(ctx, Inbound{Channel: "telegram", ExternalID: "701", InboundID: fmt.Sprint("tg:", next), Text: "older"},
		store.UpdateDone{UpdateID: next, ChatID: "701", Outcome: "message"}); err != nil {
		t.Fatal(err)
	}
	if _, _, kick := send("newer"); !kick || pending(convID) != 1 {
		t.Fatalf("behind an older message: kick %v, %d pending; want the older handled and the newer left", kick, pending(convID))
	}
	if n, err := p.Drain(ctx, convID); err != nil || n != 1 {
		t.Fatalf("drain of the newer: %d handled, %v", n, err)
	}
	var order []string
	for _, m := range transcript(t, p.DB, convID) {
		if m.Role == "traveller" && (m.Text == "older" || m.Text == "newer") {
			order = append(order, m.Text)
		}
	}
	if fmt.Sprint(order) != "[older newer]" {
		t.Fatalf("turns in the order %v; want the older first", order)
	}

	// A drain of the conversation already running here takes the message.
	if !p.drains.enter(convID, p.MaxDrains) {
		t.Fatal("the conversation is not free")
	}
	if _, _, kick := send("两个人"); !kick || pending(convID) != 1 {
		t.Fatalf("while drained here: kick %v, %d pending; want the message left to that drain", kick, pending(convID))
	}
	p.drains.mu.Lock()
	again := p.drains.running[convID]
	p.drains.leaveLocked(convID)
	p.drains.mu.Unlock()
	if !again {
		t.Fatal("the running drain was not asked to look again")
	}
	if n, err := p.Drain(ctx, convID); err != nil || n != 1 {
		t.Fatalf("the running drain's second look: %d handled, %v", n, err)
	}
	if tr, _ := answered(convID); tr != 6 {
		t.Fatalf("%d traveller lines; want each of the six messages once", tr)
	}
	var unprocessed int
	p.DB.Get(&unprocessed, `SELECT count(*) FROM telegram_updates WHERE processed_at IS NULL`)
	if unprocessed != 0 {
		t.Errorf("%d updates without an outcome", unprocessed)
	}
}

// Messages of one conversation taken this way from many goroutines at once (as several
// instances would) are each answered once, in order: the conversation's lock orders them.
func TestReceiveUpdateAndTurnConcurrently(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx := context.Background()
	if _, _, err := p.Handle(ctx, Inbound{Channel: "telegram", ExternalID: "702", InboundID: "tg:0", Text: "你好"}); err != nil {
		t.Fatal(err)
	}
	const n = 12
	for i := int64(1); i <= n; i++ {
		if _, err := store.StoreTelegramUpdate(ctx, p.DB, i, fmt.Sprint("70", i), []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var convID int64
	for i := int64(1); i <= n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := Inbound{Channel: "telegram", ExternalID: "702", InboundID: fmt.Sprint("tg:", i), Text: fmt.Sprint("第", i, "条")}
			c, _, kick, err := p.ReceiveUpdateAndTurn(ctx, in, store.UpdateDone{UpdateID: i, ChatID: fmt.Sprint("70", i), Outcome: "message"})
			if err != nil {
				t.Error(err)
				return
			}
			if kick {
				p.Kick(ctx, c)
			}
			mu.Lock()
			convID = c
			mu.Unlock()
		}()
	}
	wg.Wait()
	p.Wait()
	ms := transcript(t, p.DB, convID)
	seen := map[string]int{}
	lastWasTraveller := false
	for _, m := range ms {
		if m.Role == "traveller" {
			seen[m.Text]++
			if lastWasTraveller {
				t.Errorf("two traveller lines in a row before %q: a turn's replies were split from it", m.Text)
			}
			lastWasTraveller = true
		} else if m.Role == "bot" {
			lastWasTraveller = false
		}
	}
	for i := 1; i <= n; i++ {
		if k := fmt.Sprint("第", i, "条"); seen[k] != 1 {
			t.Errorf("%q in the transcript %d times; want once", k, seen[k])
		}
	}
}

// The widget's messages likewise: the turn taken with the message, or left to a drain
// with the message kept when it fails.
func TestReceiveAndTurnWidget(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ob := &failingOutbox{}
	p.Outbox = ob
	ctx := context.Background()
	in := func(id, text string) Inbound {
		return Inbound{Channel: "web", ExternalID: "w-703", InboundID: id, Text: text}
	}
	convID, _, kick, err := p.ReceiveAndTurn(ctx, in("1", "你好"))
	if err != nil || kick {
		t.Fatalf("first message: kick %v, %v; want the turn taken", kick, err)
	}
	if ms := transcript(t, p.DB, convID); len(ms) < 2 || ms[len(ms)-1].Role != "bot" {
		t.Fatalf("first message not answered in its transaction: %d lines", len(ms))
	}
	if _, dup, kick, err := p.ReceiveAndTurn(ctx, in("1", "你好")); err != nil || !dup || kick {
		t.Fatalf("the same message again: dup %v kick %v, %v; want a duplicate and nothing to do", dup, kick, err)
	}
	ob.poisoned = true
	if _, _, kick, err := p.ReceiveAndTurn(ctx, in("2", "福州")); err != nil || !kick {
		t.Fatalf("failing turn: kick %v, %v; want the message kept for a drain", kick, err)
	}
	ob.poisoned = false
	if n, err := p.Drain(ctx, convID); err != nil || n != 1 {
		t.Fatalf("drain after the fault: %d handled, %v", n, err)
	}
}

// A message that waits for the extractor's reading goes back in the queue in the
// transaction that stored it, so a message its traveller sends right after is stored
// behind it and answered after it (the widget sends without waiting for an answer).
func TestReceiveAndTurnKeepsOrderBehindAReading(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	fx := &fakeExtractor{ex: &dialog.Extraction{Destination: "Kyoto"}}
	p.Extractor = fx
	ctx := context.Background()
	in := func(id, text string) Inbound {
		return Inbound{Channel: "web", ExternalID: "w-704", InboundID: id, Text: text}
	}
	convID, _, _, err := p.ReceiveAndTurn(ctx, in("0", "你好"))
	if err != nil {
		t.Fatal(err)
	}
	p.Wait()
	_, _, kick, err := p.ReceiveAndTurn(ctx, in("1", "that old capital with all the temples, you know"))
	if err != nil || !kick {
		t.Fatalf("a message for the extractor: kick %v, %v; want it left to a drain", kick, err)
	}
	// Sent right after, before any drain: it must not overtake the first.
	if _, _, kick, err := p.ReceiveAndTurn(ctx, in("2", "12月25日到12月28日")); err != nil || !kick {
		t.Fatalf("the next message: kick %v, %v; want it behind the first", kick, err)
	}
	if _, err := p.Drain(ctx, convID); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range transcript(t, p.DB, convID) {
		if m.Role == "traveller" && m.Text != "你好" {
			order = append(order, m.Text)
		}
	}
	if len(order) != 2 || order[0] != "that old capital with all the temples, you know" {
		t.Fatalf("turns in the order %q; want the first message first", order)
	}
	var dest string
	p.DB.GetContext(ctx, &dest, `SELECT slots->>'destination' FROM conversations WHERE id = $1`, convID)
	if dest != "Kyoto" || fx.calls != 1 {
		t.Errorf("destination %q after %d extractor calls; want the extractor's Kyoto", dest, fx.calls)
	}
}

// A message stored handled while an older one was being stored (its statement waited for
// the traveller's row) finds that one waiting once it holds the conversation, and goes
// behind it.
func TestReceiveAndTurnFindsAnOlderMessageAfterAll(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx := context.Background()
	in := func(id, text string) Inbound {
		return Inbound{Channel: "web", ExternalID: "w-705", InboundID: id, Text: text}
	}
	convID, _, _, err := p.ReceiveAndTurn(ctx, in("0", "你好"))
	if err != nil {
		t.Fatal(err)
	}
	// The older message, stored and waiting; the newer one stored handled all the same,
	// as a statement whose snapshot predated the older one's commit would store it.
	if _, _, err := p.Receive(ctx, in("1", "older")); err != nil {
		t.Fatal(err)
	}
	var take store.Taken
	msg := p.inbound(ptr(in("2", "newer")))
	msg.Take = &take
	err = p.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, _, err := store.ReceiveInbound(ctx, tx, msg); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE inbox SET handled_at = now() WHERE id = $1`, take.InboxID); err != nil {
			return err
		}
		took, more, err := p.takeTurnOf(ctx, tx, convID, in("2", "newer"), take.InboxID, nil)
		if err != nil || !took || !more {
			return fmt.Errorf("took %v more %v, %v; want the older one's turn and the newer waiting", took, more, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Drain(ctx, convID); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range transcript(t, p.DB, convID) {
		if m.Role == "traveller" && m.Text != "你好" {
			order = append(order, m.Text)
		}
	}
	if fmt.Sprint(order) != "[older newer]" {
		t.Fatalf("turns in the order %v; want the older first, each once", order)
	}
}

func ptr[T any](v T) *T { return &v }
