package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/lib/pq"

	"xingqu/store"
	"xingqu/store/storetest"
)

// doneRows is how many finished rows each queue-like table holds: about a day of
// traffic at 1,000 travellers.
const doneRows = 1_000_000

// On a database holding a million finished rows in each queue-like table (inbox,
// messages, outbox, Telegram updates, jobs), every statement of the turn, the sender,
// the queues and the sweeper reads at most 10 buffers: none of them walks rows that are
// done, nor (the job claim) the 500 jobs other workers hold.
func TestHotQueriesReadFewPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	start := time.Now()
	for _, s := range []string{
		`INSERT INTO travellers (channel, external_id) SELECT 'telegram', g::text FROM generate_series(1, 10000) g`,
		`INSERT INTO conversations (traveller_id) SELECT id FROM travellers ORDER BY id`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	var conv0, trav0 int64
	db.GetContext(ctx, &conv0, `SELECT min(id) FROM conversations`)
	db.GetContext(ctx, &trav0, `SELECT min(id) FROM travellers`)
	series := " FROM generate_series(1, " + itoa(doneRows) + ") g"
	convOf, travOf := itoa64(conv0)+" + g % 10000", itoa64(trav0)+" + g % 10000"
	bulk := map[string]string{
		"inbox": `INSERT INTO inbox (conversation_id, inbound_id, payload, received_at, handled_at)
		 SELECT ` + convOf + `, 'tg:' || g, '{"text":"x"}', now() - interval '2 hours', now() - interval '2 hours'` + series,
		"messages": `INSERT INTO messages (conversation_id, role, text)
		 SELECT ` + convOf + `, CASE WHEN g % 2 = 0 THEN 'bot' ELSE 'traveller' END, 'x'` + series,
		"outbox": `INSERT INTO outbox (traveller_id, conversation_id, chat_id, method, params, state, message_id, done_at)
		 SELECT ` + travOf + `, ` + convOf + `, (g % 10000)::text, 'sendMessage', '{"text":"x"}', 'sent', g, now() - interval '2 hours'` + series,
		"telegram_updates": `INSERT INTO telegram_updates (update_id, chat_id, payload, processed_at, outcome)
		 SELECT g, (g % 10000)::text, '{}', now() - interval '2 hours', 'message'` + series,
		"jobs": `INSERT INTO jobs (kind, conversation_id, payload, run_at, done_at)
		 SELECT 'plan', ` + convOf + `, '{}', now() - interval '2 hours', now() - interval '2 hours'` + series,
	}
	// Loaded as a restore would be: the secondary indexes built after the rows, each
	// table on a connection of its own.
	errs := make(chan error, len(bulk))
	for table, insert := range bulk {
		go func() { errs <- bulkLoad(ctx, db, table, insert) }()
	}
	for range bulk {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// What is pending now: one conversation's message, reply, update and job.
	for _, s := range []string{
		`INSERT INTO inbox (conversation_id, inbound_id, payload, received_at)
		 SELECT max(id), 'tg:pending', '{}', now() - interval '1 minute' FROM conversations`,
		`INSERT INTO outbox (traveller_id, conversation_id, chat_id, method, dedupe_key)
		 SELECT max(id), max(id), 'pending', 'sendMessage', 'tgworking:1:1' FROM travellers`,
		`INSERT INTO telegram_updates (update_id, chat_id, payload) VALUES (` + itoa(doneRows+1) + `, 'pending', '{}')`,
		`INSERT INTO jobs (kind, conversation_id, run_at) SELECT 'plan', max(id), now() - interval '1 second' FROM conversations`,
		// Plans being made: jobs other workers hold, older than the one waiting.
		`INSERT INTO jobs (kind, conversation_id, run_at, leased_until)
		 SELECT 'plan', id, now() - interval '5 seconds', now() + interval '1 minute' FROM conversations ORDER BY id LIMIT 500`,
		// A backlog: plans and weather checks waiting behind the first.
		`INSERT INTO jobs (kind, conversation_id, run_at)
		 SELECT CASE WHEN id % 2 = 0 THEN 'plan' ELSE 'weather' END, id, now() - interval '0.5 seconds'
		 FROM conversations ORDER BY id LIMIT 500`,
		`VACUUM ANALYZE travellers, conversations, inbox, messages, outbox, telegram_updates, jobs`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	t.Logf("seeded %d done rows in each of 5 tables in %v", doneRows, time.Since(start).Round(time.Second))

	var conv, trav, pendingOutbox int64
	db.GetContext(ctx, &conv, `SELECT max(id) FROM conversations`)
	db.GetContext(ctx, &trav, `SELECT max(id) FROM travellers`)
	db.GetContext(ctx, &pendingOutbox, `SELECT max(id) FROM outbox`)
	var lastMessage int64
	db.GetContext(ctx, &lastMessage, `SELECT max(id) FROM messages WHERE conversation_id = $1`, conv)
	args := map[string][]any{
		"receive":                {conv, "tg:new", `{"text":"hi"}`},
		"next inbox":             {conv},
		"mark handled":           {int64(doneRows + 1)},
		"pending conversations":  {1000},
		"stale pending":          {int64(15000), 100},
		"due outbox":             {"telegram", int64(0), pq.Array([]int64{}), 1000},
		"claim outbox rows":      {pq.Array([]int64{pendingOutbox}), pq.Array([]int64{}), pq.Array([]int64{})},
		"mark outbox delivered":  {pq.Array([]int64{pendingOutbox}), pq.Array([]int64{42})},
		"outbox by keys":         {"telegram", pq.Array([]string{"tgprogress:1:1", "tgprogress:1:1:end", "tgworking:1:1"})},
		"claim telegram update":  {int64(15000)},
		"finish telegram update": {int64(doneRows + 1), "pending", "message"},
		"claim job":              {"plan", int64(90000)},
		"current conversation":   {trav},
		"lock conversation":      {conv},
		"messages":               {conv, lastMessage - 5, 500},
	}
	names := make([]string, 0, len(store.HotQueries))
	for name := range store.HotQueries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a, ok := args[name]
		if !ok {
			t.Errorf("%s: no arguments to explain it with", name)
			continue
		}
		got, total, plan := buffers(t, db, store.HotQueries[name], a...)
		t.Logf("%-24s reads %2d buffers (%2d with its writes)", name, got, total)
		if got > 10 {
			t.Errorf("%s reads %d buffers, want at most 10:\n%s", name, got, plan)
		}
	}
}

// buffers runs q under EXPLAIN (ANALYZE, BUFFERS) in a transaction it rolls back, and
// returns the shared buffers (hit or read) it read to find its rows, all it touched, and
// the plan.
func buffers(t *testing.T, db *store.DB, q string, args ...any) (reads, total int, plan string) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var out []byte
	if err := tx.QueryRowContext(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+q, args...).Scan(&out); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
		t.Fatalf("explain output %s: %v", out, err)
	}
	return plans[0].Plan.reads(), plans[0].Plan.total(), string(out)
}

// planNode is a node of EXPLAIN's JSON plan, with the buffers it and its children used.
type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Parent Relationship"`
	Hit      int        `json:"Shared Hit Blocks"`
	Read     int        `json:"Shared Read Blocks"`
	Plans    []planNode `json:"Plans"`
}

// reads is the buffers a plan read to find its rows. Writing a row touches the same
// pages of its table and indexes however big the table is, so for a statement that
// writes only the plan under the write counts; a sub-plan run once for the whole
// statement (an InitPlan) is counted inside the node whose condition uses it.
func (n planNode) reads() int {
	switch {
	case n.Type == "ModifyTable":
		sum := 0
		for _, c := range n.Plans {
			if c.Relation != "InitPlan" {
				sum += c.Hit + c.Read
			}
		}
		return sum
	case n.modifies():
		sum := 0
		for _, c := range n.Plans {
			if c.modifies() {
				sum += c.reads()
			}
		}
		return sum
	}
	return n.Hit + n.Read
}

// total is every buffer the statement touched, writes included.
func (n planNode) total() int { return n.Hit + n.Read }

func (n planNode) modifies() bool {
	if n.Type == "ModifyTable" {
		return true
	}
	for _, c := range n.Plans {
		if c.modifies() {
			return true
		}
	}
	return false
}

// bulkLoad runs insert on table with its secondary indexes dropped, then builds them
// again from their own definitions.
func bulkLoad(ctx context.Context, db *store.DB, table, insert string) error {
	var defs []struct {
		Name string `db:"indexname"`
		Def  string `db:"indexdef"`
	}
	err := db.SelectContext(ctx, &defs, `
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.tablename = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, table)
	if err != nil {
		return err
	}
	for _, d := range defs {
		if _, err := db.ExecContext(ctx, "DROP INDEX "+d.Name); err != nil {
			return err
		}
	}
	if _, err := db.ExecContext(ctx, insert); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	for _, d := range defs {
		if _, err := db.ExecContext(ctx, d.Def); err != nil {
			return err
		}
	}
	return nil
}

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
