package store_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

// A known traveller's message costs no write to their row unless something about them
// changed or they were last seen over a minute ago; a redelivery stores nothing.
func TestReceiveInboundWritesTravellerOnlyOnChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	receive := func(id, name, tz string) (int64, bool) {
		t.Helper()
		var conv int64
		var dup bool
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			conv, dup, err = store.ReceiveInbound(ctx, tx, store.NewInbound{Channel: "telegram", ExternalID: "501",
				DisplayName: name, Lang: "zh", TimeZone: tz, InboundID: id, Payload: map[string]string{"text": id}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return conv, dup
	}
	type row struct {
		Version string `db:"xmin"`
		Name    string `db:"display_name"`
		Lang    string `db:"lang"`
		Zone    string `db:"time_zone"`
	}
	traveller := func() row {
		t.Helper()
		var r row
		if err := db.GetContext(ctx, &r, `SELECT xmin::text AS xmin, display_name, lang, time_zone FROM travellers WHERE channel = 'telegram' AND external_id = '501'`); err != nil {
			t.Fatal(err)
		}
		return r
	}

	conv, dup := receive("tg:1", "Li", "")
	if conv == 0 || dup {
		t.Fatalf("first message: conversation %d, dup %v", conv, dup)
	}
	first := traveller()
	if first.Name != "Li" || first.Lang != "zh" {
		t.Errorf("new traveller: %+v", first)
	}
	if c, dup := receive("tg:2", "Li", ""); c != conv || dup {
		t.Errorf("second message: conversation %d dup %v, want %d false", c, dup, conv)
	}
	if got := traveller(); got.Version != first.Version {
		t.Errorf("traveller rewritten though nothing changed: %+v, was %+v", got, first)
	}
	if c, dup := receive("tg:2", "Li", ""); c != conv || !dup {
		t.Errorf("redelivery: conversation %d dup %v, want %d true", c, dup, conv)
	}
	var n int
	db.GetContext(ctx, &n, `SELECT count(*) FROM inbox WHERE conversation_id = $1`, conv)
	if n != 2 {
		t.Errorf("inbox holds %d messages, want 2", n)
	}
	receive("tg:3", "Li Ming", "Asia/Shanghai")
	if got := traveller(); got.Version == first.Version || got.Name != "Li Ming" || got.Zone != "Asia/Shanghai" || got.Lang != "zh" {
		t.Errorf("after a new name and zone: %+v", got)
	}
	changed := traveller()
	if _, err := db.ExecContext(ctx, `UPDATE travellers SET last_seen_at = now() - interval '2 minutes' WHERE external_id = '501'`); err != nil {
		t.Fatal(err)
	}
	stale := traveller()
	receive("tg:4", "", "")
	var recent bool
	db.GetContext(ctx, &recent, `SELECT last_seen_at > now() - interval '10 seconds' FROM travellers WHERE external_id = '501'`)
	if got := traveller(); got.Version == stale.Version || !recent || got.Name != changed.Name {
		t.Errorf("seen again after two minutes: %+v, last seen now %v", got, recent)
	}
}
