package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Job is a unit of slow work (planning, weather, broadcasts) that runs outside any turn.
type Job struct {
	ID             int64           `db:"id"`
	Kind           string          `db:"kind"`
	ConversationID sql.NullInt64   `db:"conversation_id"`
	Payload        json.RawMessage `db:"payload"`
	Attempts       int             `db:"attempts"`
}

// EnqueueJob records a job; inside a turn's transaction it is queued only if the turn
// commits. A job due now is also announced on JobsChannel (its kind as the payload), so
// that idle workers need not poll for it; the announcement, like the job, goes out only
// on commit.
func EnqueueJob(ctx context.Context, q Queryer, kind string, convID int64, payload any, runAt time.Time) (int64, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return 0, err
	}
	var conv sql.NullInt64
	if convID != 0 {
		conv = sql.NullInt64{Int64: convID, Valid: true}
	}
	now := time.Now()
	if runAt.IsZero() {
		runAt = now
	}
	var id int64
	if runAt.After(now) {
		err = q.GetContext(ctx, &id, qEnqueueJob, kind, conv, b, runAt)
	} else {
		err = q.GetContext(ctx, &id, qEnqueueDueJob, kind, conv, b, runAt, JobsChannel)
	}
	if err != nil {
		return 0, fmt.Errorf("enqueue %s job: %w", kind, err)
	}
	return id, nil
}

const qEnqueueJob = `INSERT INTO jobs (kind, conversation_id, payload, run_at) VALUES ($1, $2, $3, $4) RETURNING id`

// qEnqueueDueJob is qEnqueueJob with the announcement in the same statement: no round
// trip more for the turn that queues it.
const qEnqueueDueJob = `
WITH j AS (
    INSERT INTO jobs (kind, conversation_id, payload, run_at) VALUES ($1, $2, $3, $4) RETURNING id),
n AS (
    SELECT pg_notify($5, $1))
SELECT j.id FROM j, n`

// qClaimJob takes the first due job of a kind that no worker holds: the first waiting
// one (jobs_due, in its order) or, sooner if it is older, one whose lease ran out
// (jobs_lease_ended, which holds the leased jobs by the end of their lease, so that the
// claim reads none whose lease still runs). One kind a statement: with kind = ANY the
// index cannot give the order, and a claim read and sorted every job waiting, so that a
// backlog made each claim slower (500 buffers a call with 500 plans waiting).
const qClaimJob = `
WITH waiting AS (
    SELECT id, run_at FROM jobs
    WHERE kind = $1 AND done_at IS NULL AND leased_until IS NULL AND run_at <= now()
    ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED),
ended AS (
    SELECT id, run_at FROM jobs
    WHERE done_at IS NULL AND leased_until IS NOT NULL AND leased_until < now() AND run_at <= now() AND kind = $1
    ORDER BY leased_until LIMIT 1 FOR UPDATE SKIP LOCKED)
UPDATE jobs SET leased_until = now() + $2 * interval '1 millisecond', attempts = attempts + 1
WHERE id = (SELECT id FROM (SELECT * FROM waiting UNION ALL SELECT * FROM ended) due ORDER BY run_at, id LIMIT 1)
RETURNING id, kind, conversation_id, payload, attempts`

// ClaimJob leases the next due job of the given kinds for lease, the kinds in the order
// given: a job of a later kind is taken only when none of an earlier one is due. Workers
// skip rows others hold, and a job whose lease ran out (its worker died) is handed out
// again.
func ClaimJob(ctx context.Context, db *DB, kinds []string, lease time.Duration) (*Job, error) {
	for _, kind := range kinds {
		var j Job
		err := db.GetContext(ctx, &j, qClaimJob, kind, lease.Milliseconds())
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("claim %s job: %w", kind, err)
		}
		return &j, nil
	}
	return nil, nil
}

// CompleteJob marks a job done. It reports false when the job was already done, so that
// a worker whose lease ran out does not deliver a second result.
func CompleteJob(ctx context.Context, q Queryer, id int64) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE jobs SET done_at = now(), leased_until = NULL WHERE id = $1 AND done_at IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("complete job %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RetryJob releases a job to run again at runAt, recording why it failed.
func RetryJob(ctx context.Context, q Queryer, id int64, cause error, runAt time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE jobs SET leased_until = NULL, run_at = $2, last_error = $3 WHERE id = $1`,
		id, runAt, cause.Error())
	if err != nil {
		return fmt.Errorf("retry job %d: %w", id, err)
	}
	return nil
}

// Jobs returns the jobs of a conversation, oldest first (for tests and the console).
func Jobs(ctx context.Context, q Queryer, convID int64) ([]Job, error) {
	var js []Job
	err := q.SelectContext(ctx, &js, `SELECT id, kind, conversation_id, payload, attempts FROM jobs WHERE conversation_id = $1 ORDER BY id`, convID)
	return js, err
}
