package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"xingqu/store"
	"xingqu/store/storetest"
)

func TestTravellerForget(t *testing.T) {
	url := storetest.URL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tr, err := store.EnsureTraveller(ctx, db, "telegram", "777", "Li", "zh", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, db, tr.ID, "zh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddMessage(ctx, db, conv, "traveller", "我的护照号是 E123", store.MessageBody{}); err != nil {
		t.Fatal(err)
	}
	forget := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"xingqu", "traveller", "forget"}, args...), env("DATABASE_URL", url), nil, &out, &out)
		return out.String(), err
	}
	if out, err := forget("--channel", "telegram", "--id", "777"); err != nil || !strings.Contains(out, "1 message(s)") {
		t.Fatalf("forget: %q %v", out, err)
	}
	var left int
	db.Get(&left, `SELECT (SELECT count(*) FROM travellers) + (SELECT count(*) FROM messages)`)
	if left != 0 {
		t.Errorf("%d rows left after forget", left)
	}
	if _, err := forget("--channel", "telegram", "--id", "777"); err == nil || !strings.Contains(err.Error(), "no traveller") {
		t.Errorf("forgetting an unknown traveller: %v, want an error saying so", err)
	}
	if _, err := forget("--channel", "telegram"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("without --id: %v, want the usage", err)
	}
}
