package store_test

import (
	"context"
	"testing"

	"xingqu/store/storetest"
)

// A statement with parameters is prepared once per connection and then only executed;
// one whose result changes shape under a schema change is prepared again.
func TestStatementsPreparedOncePerConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	db.SetMaxOpenConns(1)
	const q = `SELECT $1::int + 1`
	for i := range 3 {
		var n int
		if err := db.GetContext(ctx, &n, q, i); err != nil || n != i+1 {
			t.Fatalf("run %d: %d %v", i, n, err)
		}
	}
	var prepared int
	if err := db.GetContext(ctx, &prepared, `SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT $1::int + 1'`); err != nil {
		t.Fatal(err)
	}
	if prepared != 1 {
		t.Errorf("the statement is prepared %d times on the connection, want once", prepared)
	}

	for _, s := range []string{`CREATE TABLE shapes (a int)`, `INSERT INTO shapes VALUES (1)`} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	read := func() (int, error) {
		rows, err := db.QueryContext(ctx, `SELECT * FROM shapes WHERE a = $1`, 1)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		return len(cols), err
	}
	if n, err := read(); err != nil || n != 1 {
		t.Fatalf("before the change: %d columns, %v", n, err)
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE shapes ADD COLUMN b int`); err != nil {
		t.Fatal(err)
	}
	read() // may fail once: PostgreSQL refuses a kept plan whose result changed shape
	if n, err := read(); err != nil || n != 2 {
		t.Errorf("after the change: %d columns, %v; want 2 and no error", n, err)
	}
}
