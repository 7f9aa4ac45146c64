package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// PlanFunc makes the plan a job asks for. It runs with no transaction open and may take
// as long as the providers do.
type PlanFunc func(ctx context.Context, job PlanJob) (dialog.Plan, error)

// PlanWorker runs planning jobs. Several may run, in one instance or many: each claims
// jobs with SKIP LOCKED under a lease, and a job whose worker died is claimed again when
// its lease runs out. Delivery checks the job under a row lock, so a traveller gets one
// plan even when two workers finish the same job.
type PlanWorker struct {
	Pipeline *Pipeline
	Plan     PlanFunc
	Lease    time.Duration // how long a claim lasts; default 90 s
	Poll     time.Duration // how often to look for work when idle; default 250 ms
	Log      *slog.Logger
}

// Run works until ctx ends.
func (w *PlanWorker) Run(ctx context.Context) {
	lease, poll := w.Lease, w.Poll
	if lease == 0 {
		lease = 90 * time.Second
	}
	if poll == 0 {
		poll = 250 * time.Millisecond
	}
	for ctx.Err() == nil {
		job, err := store.ClaimJob(ctx, w.Pipeline.DB, []string{JobPlan}, lease)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("claim planning job", "err", err)
		}
		if job == nil {
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
			continue
		}
		w.process(ctx, job, lease)
	}
}

func (w *PlanWorker) process(ctx context.Context, job *store.Job, lease time.Duration) {
	var pj PlanJob
	if err := json.Unmarshal(job.Payload, &pj); err != nil {
		w.Log.Error("planning job unreadable", "job", job.ID, "err", err)
		store.CompleteJob(ctx, w.Pipeline.DB, job.ID)
		return
	}
	// Finish well inside the lease, so that no other worker takes the job meanwhile.
	pctx, cancel := context.WithTimeout(w.withProgress(ctx, pj), lease*3/4)
	start := time.Now()
	plan, err := w.Plan(pctx, pj)
	cancel()
	if err != nil {
		// Shutting down or out of time: let the job run again, here or elsewhere.
		retry := time.Now().Add(5 * time.Second)
		if ctx.Err() != nil {
			retry = time.Now()
		}
		w.Log.Warn("planning failed", "job", job.ID, "conversation", pj.ConversationID, "err", err)
		store.RetryJob(context.WithoutCancel(ctx), w.Pipeline.DB, job.ID, err, retry)
		return
	}
	delivered, err := w.deliver(context.WithoutCancel(ctx), job.ID, pj, plan)
	if err != nil {
		w.Log.Error("deliver plan", "job", job.ID, "conversation", pj.ConversationID, "err", err)
		store.RetryJob(context.WithoutCancel(ctx), w.Pipeline.DB, job.ID, err, time.Now().Add(5*time.Second))
		return
	}
	w.Log.Info("plan made", "job", job.ID, "conversation", pj.ConversationID, "source", plan.Source,
		"delivered", delivered, "duration_ms", time.Since(start).Milliseconds())
}

// errDone ends a delivery that another worker already made.
var errDone = errors.New("job already done")

// deliver stores the plan as the conversation's next version and hands it to the dialog,
// in one transaction with the job marked done. It reports false when there was nothing
// to deliver: the job was done by another worker, or a newer request superseded it.
func (w *PlanWorker) deliver(ctx context.Context, jobID int64, pj PlanJob, plan dialog.Plan) (bool, error) {
	delivered := false
	err := w.Pipeline.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		var done bool
		if err := tx.GetContext(ctx, &done, `SELECT done_at IS NOT NULL FROM jobs WHERE id = $1 FOR UPDATE`, jobID); err != nil {
			return fmt.Errorf("lock job: %w", err)
		}
		if done {
			return errDone
		}
		conv, _, err := store.LockConversation(ctx, tx, pj.ConversationID)
		if err != nil {
			return err
		}
		if dialog.AwaitsPlan(&conv, pj.PlanRequest) {
			if plan.Version, err = store.AddPlan(ctx, tx, pj.ConversationID, plan); err != nil {
				return err
			}
			ev := dialog.Inbound{Event: dialog.EventPlanReady, Plan: &plan, PlanRequest: pj.PlanRequest}
			if err := w.Pipeline.EventTx(ctx, tx, pj.ConversationID, ev); err != nil {
				return err
			}
			delivered = true
		}
		_, err = store.CompleteJob(ctx, tx, jobID)
		return err
	})
	if errors.Is(err, errDone) {
		return false, nil
	}
	return delivered, err
}
