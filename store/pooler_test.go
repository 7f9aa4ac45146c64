package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

// With binary_parameters=yes, which a transaction pooler needs, a []byte reaches a jsonb
// parameter as text and a bytea parameter unchanged.
func TestBinaryParametersKeepJSONAndBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := storetest.URL(t) + "&binary_parameters=yes"
	raw, err := sqlx.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// lib/pq alone sends the document in binary, which jsonb refuses: the reason for the connector.
	if _, err := raw.ExecContext(ctx, `INSERT INTO jobs (kind, payload) VALUES ($1, $2)`, "t", []byte(`{"a":1}`)); err == nil || !strings.Contains(err.Error(), "jsonb") {
		t.Fatalf("plain lib/pq with binary parameters: %v, want jsonb's refusal", err)
	}
	db, err := store.Open(ctx, u, store.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	doc := []byte(`{"text":"line\none \"quoted\" 行趣"}`)
	for i := 0; i < 2; i++ { // the second time from the remembered parameter types
		if _, err := db.ExecContext(ctx, `INSERT INTO jobs (kind, payload) VALUES ($1, $2)`, "t", doc); err != nil {
			t.Fatalf("jsonb from []byte: %v", err)
		}
	}
	var text string
	if err := db.GetContext(ctx, &text, `SELECT payload->>'text' FROM jobs WHERE kind = $1 LIMIT 1`, "t"); err != nil || text != "line\none \"quoted\" 行趣" {
		t.Errorf("jsonb read back %q, %v", text, err)
	}
	blob := []byte{0, 0xff, '\\', '{', '}', 0x80, '"'}
	if _, err := db.ExecContext(ctx, `INSERT INTO cache (key, value, expires_at) VALUES ($1, $2, now())`, "k", blob); err != nil {
		t.Fatalf("bytea: %v", err)
	}
	var got []byte
	if err := db.GetContext(ctx, &got, `SELECT value FROM cache WHERE key = $1`, "k"); err != nil || !bytes.Equal(got, blob) {
		t.Errorf("bytea read back %v, %v; want %v", got, err, blob)
	}
	// A JSON document bound for bytea stays bytes too.
	if _, err := db.ExecContext(ctx, `INSERT INTO cache (key, value, expires_at) VALUES ($1, $2, now())`, "j", doc); err != nil {
		t.Fatalf("bytea holding JSON: %v", err)
	}
	if err := db.GetContext(ctx, &got, `SELECT value FROM cache WHERE key = $1`, "j"); err != nil || !bytes.Equal(got, doc) {
		t.Errorf("bytea holding JSON read back %q, %v", got, err)
	}
}
