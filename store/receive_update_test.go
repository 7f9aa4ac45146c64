package store_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

// ReceiveUpdate stores a known traveller's message and the outcome of its update in one
// statement, or writes nothing and says why: a new traveller (the long way), an update
// already processed or not the chat's next, a message over its rate.
func TestReceiveUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	stored := func(ids ...int64) {
		t.Helper()
		for _, id := range ids {
			if _, err := store.StoreTelegramUpdate(ctx, db, id, "601", []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
		}
	}
	outcome := func(id int64) string {
		t.Helper()
		var o string
		if err := db.GetContext(ctx, &o, `SELECT CASE WHEN processed_at IS NULL THEN 'unprocessed' ELSE outcome END FROM telegram_updates WHERE update_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return o
	}
	inbox := func() int {
		var n int
		db.GetContext(ctx, &n, `SELECT count(*) FROM inbox`)
		return n
	}
	msg := func(inbound string) store.NewInbound {
		return store.NewInbound{Channel: "telegram", ExternalID: "601", DisplayName: "Wang", Lang: "zh", InboundID: inbound,
			Payload: map[string]string{"text": inbound}, Rate: &store.RateLimit{Key: "msg:telegram:601", Limit: 3, Window: time.Minute}}
	}
	done := func(id int64) store.UpdateDone {
		return store.UpdateDone{UpdateID: id, ChatID: "601", Outcome: "message", DupOutcome: "message: duplicate"}
	}

	// A new traveller: nothing written, the caller takes the long way.
	stored(1)
	if _, _, ok, err := store.ReceiveUpdate(ctx, db, msg("tg:1"), done(1)); ok || err != nil {
		t.Fatalf("new traveller: ok %v, %v; want the long way", ok, err)
	}
	if outcome(1) != "unprocessed" || inbox() != 0 {
		t.Fatalf("new traveller: update %q, %d inbox rows; want nothing written", outcome(1), inbox())
	}
	var conv int64
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if conv, _, err = store.ReceiveInbound(ctx, tx, msg("tg:1")); err != nil {
			return err
		}
		return store.FinishNextTelegramUpdate(ctx, tx, 1, "601", "message")
	})
	if err != nil {
		t.Fatal(err)
	}

	// A known traveller: the message and the outcome at once.
	stored(2)
	if c, dup, ok, err := store.ReceiveUpdate(ctx, db, msg("tg:2"), done(2)); !ok || err != nil || dup || c != conv {
		t.Fatalf("known traveller: conversation %d dup %v ok %v, %v; want %d", c, dup, ok, err, conv)
	}
	if outcome(2) != "message" || inbox() != 2 {
		t.Errorf("known traveller: update %q, %d inbox rows", outcome(2), inbox())
	}
	// The same update again: processed already, nothing written.
	if _, _, _, err := store.ReceiveUpdate(ctx, db, msg("tg:2"), done(2)); !errors.Is(err, store.ErrUpdateDone) {
		t.Errorf("processed update: %v, want ErrUpdateDone", err)
	}
	// An update behind an older one of the chat still pending: nothing written.
	stored(3, 4)
	if _, _, _, err := store.ReceiveUpdate(ctx, db, msg("tg:4"), done(4)); !errors.Is(err, store.ErrUpdateNotNext) {
		t.Errorf("update behind another: %v, want ErrUpdateNotNext", err)
	}
	if outcome(4) != "unprocessed" || inbox() != 2 {
		t.Errorf("update behind another: update %q, %d inbox rows", outcome(4), inbox())
	}
	// A message stored before under another update: recorded as a duplicate.
	if _, dup, ok, err := store.ReceiveUpdate(ctx, db, msg("tg:2"), done(3)); !ok || err != nil || !dup {
		t.Errorf("redelivered message: dup %v ok %v, %v", dup, ok, err)
	}
	if outcome(3) != "message: duplicate" || inbox() != 2 {
		t.Errorf("redelivered message: update %q, %d inbox rows", outcome(3), inbox())
	}
	// Counted: tg:1, tg:2, tg:2 again; the fourth is over the limit of three.
	var refused *store.RateRefusal
	if _, _, _, err := store.ReceiveUpdate(ctx, db, msg("tg:4"), done(4)); !errors.As(err, &refused) || !refused.First {
		t.Fatalf("over the rate: %v, want the first refusal", err)
	}
	if outcome(4) != "unprocessed" || inbox() != 2 {
		t.Errorf("over the rate: update %q, %d inbox rows; want nothing written but the count", outcome(4), inbox())
	}
}

// A poll's updates and the offset past them are stored by one statement; the offset
// never goes back, and a redelivered update is not stored again.
func TestStorePolledUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	poll := func(offset int64, ids ...int64) int {
		t.Helper()
		var us []store.TelegramUpdate
		for _, id := range ids {
			us = append(us, store.TelegramUpdate{UpdateID: id, ChatID: "9", Payload: []byte(`{}`)})
		}
		fresh, err := store.StorePolledUpdates(ctx, db, us, time.Minute, offset)
		if err != nil {
			t.Fatal(err)
		}
		return len(fresh)
	}
	offset := func() int64 {
		t.Helper()
		o, err := store.TelegramOffset(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	if n := poll(12, 10, 11); n != 2 || offset() != 12 {
		t.Errorf("first poll: %d stored, offset %d; want 2, 12", n, offset())
	}
	if n := poll(12, 11); n != 0 || offset() != 12 {
		t.Errorf("redelivery: %d stored, offset %d; want 0, 12", n, offset())
	}
	if n := poll(5); n != 0 || offset() != 12 {
		t.Errorf("an older offset: %d stored, offset %d; want 0, 12", n, offset())
	}
	if n := poll(0, 12); n != 1 || offset() != 12 {
		t.Errorf("stored without an offset (a webhook): %d stored, offset %d; want 1, 12", n, offset())
	}
}

// A message whose turn the caller takes in the same transaction is stored as handled,
// unless an older message of its conversation waits: then it is stored waiting, behind it.
func TestReceiveTakenStoredHandled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	msg := func(id string, take *store.Taken) store.NewInbound {
		return store.NewInbound{Channel: "web", ExternalID: "take", InboundID: id, Payload: map[string]string{"text": id}, Take: take}
	}
	handled := func(id string) bool {
		t.Helper()
		var h bool
		if err := db.GetContext(ctx, &h, `SELECT handled_at IS NOT NULL FROM inbox WHERE inbound_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return h
	}
	if _, _, err := store.ReceiveInbound(ctx, db, msg("w:1", nil)); err != nil {
		t.Fatal(err)
	}
	// w:1 waits (no turn taken): w:2 is stored behind it.
	var take store.Taken
	if _, _, err := store.ReceiveInbound(ctx, db, msg("w:2", &take)); err != nil || take.Handled || handled("w:2") {
		t.Fatalf("behind a waiting message: %+v, handled %v, %v; want it stored waiting", take, handled("w:2"), err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE inbox SET handled_at = now()`); err != nil {
		t.Fatal(err)
	}
	take = store.Taken{}
	if _, _, err := store.ReceiveInbound(ctx, db, msg("w:3", &take)); err != nil || !take.Handled || !handled("w:3") {
		t.Fatalf("none waiting: %+v, handled %v, %v; want it stored handled", take, handled("w:3"), err)
	}
	// Without Take, stored waiting as always.
	if _, _, err := store.ReceiveInbound(ctx, db, msg("w:4", nil)); err != nil || handled("w:4") {
		t.Fatalf("no turn taken: handled %v, %v; want it waiting", handled("w:4"), err)
	}

	// The same through a Telegram update.
	if _, err := store.StoreTelegramUpdate(ctx, db, 9, "take", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	tg := store.NewInbound{Channel: "web", ExternalID: "take", InboundID: "tg:9", Payload: map[string]string{}, Take: &take}
	take = store.Taken{}
	db.MustExec(`UPDATE inbox SET handled_at = now()`)
	if _, _, ok, err := store.ReceiveUpdate(ctx, db, tg, store.UpdateDone{UpdateID: 9, ChatID: "take", Outcome: "message"}); err != nil || !ok || !take.Handled || !handled("tg:9") {
		t.Fatalf("update, none waiting: %+v ok %v, %v; want it stored handled", take, ok, err)
	}
}

// A known traveller's message rewrites their row only when something about them changed
// or they were last seen over a minute ago, and otherwise neither rewrites nor locks it.
func TestReceiveUpdateTouchesTravellerOnlyWhenChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	msg := func(inbound, name string) store.NewInbound {
		return store.NewInbound{Channel: "telegram", ExternalID: "602", DisplayName: name, Lang: "en", InboundID: inbound,
			Payload: map[string]string{"text": inbound}}
	}
	if _, _, err := store.ReceiveInbound(ctx, db, msg("tg:0", "Ann")); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Xmin string  `db:"xmin"`
		Xmax string  `db:"xmax"`
		Name string  `db:"display_name"`
		Age  float64 `db:"age"`
	}
	read := func() (r row) {
		t.Helper()
		if err := db.GetContext(ctx, &r, `SELECT xmin::text, xmax::text, display_name, EXTRACT(EPOCH FROM now() - last_seen_at)::float8 AS age
			FROM travellers WHERE external_id = '602'`); err != nil {
			t.Fatal(err)
		}
		return r
	}
	receive := func(id int64, name string) {
		t.Helper()
		if _, err := store.StoreTelegramUpdate(ctx, db, id, "602", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		in := msg("tg:"+strconv.FormatInt(id, 10), name)
		if _, _, ok, err := store.ReceiveUpdate(ctx, db, in, store.UpdateDone{UpdateID: id, ChatID: "602", Outcome: "message"}); !ok || err != nil {
			t.Fatalf("update %d: ok %v, %v", id, ok, err)
		}
	}
	before := read()
	receive(1, "Ann")
	if after := read(); after.Xmin != before.Xmin || after.Xmax != before.Xmax {
		t.Errorf("nothing changed: row %+v, was %+v; want it neither rewritten nor locked", after, before)
	}
	receive(2, "Ann Lee")
	if after := read(); after.Name != "Ann Lee" || after.Xmin == before.Xmin {
		t.Errorf("a new name: row %+v; want the name kept", after)
	}
	db.MustExec(`UPDATE travellers SET last_seen_at = now() - interval '2 minutes' WHERE external_id = '602'`)
	receive(3, "")
	if after := read(); after.Age > 10 || after.Name != "Ann Lee" {
		t.Errorf("seen again after two minutes: row %+v; want last seen now, the name kept", after)
	}
}
