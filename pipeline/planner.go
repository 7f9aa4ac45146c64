package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/providers/offline"
	"xingqu/store"
)

// PlanFunc makes the plan a job asks for, telling report how far it has got. It runs with
// no transaction open and may take as long as the providers do. Its ctx says who model
// calls are charged to (llm.WithSpenderFunc): the job's traveller.
type PlanFunc func(ctx context.Context, job PlanJob, report ReportFunc) (dialog.Plan, error)

// PlanWorker runs planning jobs. Several may run, in one instance or many: each claims
// jobs with SKIP LOCKED under a lease, and a job whose worker died is claimed again when
// its lease runs out. Delivery checks the job under a row lock, so a traveller gets one
// plan even when two workers finish the same job.
type PlanWorker struct {
	Pipeline *Pipeline
	Plan     PlanFunc
	Weather  WeatherFunc   // answers forecast checks; none are claimed when nil
	Lease    time.Duration // how long a claim lasts; default 90 s
	// Wake, when set, says when jobs are queued: the worker claims one when told to, and
	// polls only every Poll for the jobs nobody announces (expired leases, retries).
	Wake  *JobSignal
	Poll  time.Duration // how often to look for work when idle; default 250 ms, 5 s with Wake
	Retry time.Duration // how long a failed job waits before it runs again; default 5 s
	Log   *slog.Logger
	// Edit makes plan edits with a model; nil makes them offline only (OfflineEdit).
	Edit EditFunc
}

// Run works until ctx ends.
func (w *PlanWorker) Run(ctx context.Context) {
	lease, poll := w.Lease, w.Poll
	if lease == 0 {
		lease = 90 * time.Second
	}
	if poll == 0 {
		poll = 250 * time.Millisecond
		if w.Wake != nil {
			poll = 5 * time.Second
		}
	}
	wait := poll
	kinds := w.Kinds()
	announced := false // whether this claim was announced, not a poll
	for ctx.Err() == nil {
		job, err := store.ClaimJob(ctx, w.Pipeline.DB, kinds, lease)
		if err != nil {
			if ctx.Err() == nil {
				// The database is down or refusing: wait longer each time, up to half a
				// minute, so that an outage neither floods the log nor hammers the server.
				w.Log.Warn("claim planning job", "err", err, "retry_in", wait)
			}
			sleep(ctx, wait)
			wait = min(2*wait, 30*time.Second)
			continue
		}
		wait = poll
		switch {
		case job == nil:
		case job.Kind == JobWeather:
			w.checkWeather(ctx, job)
		default:
			w.process(ctx, job, lease)
		}
		switch {
		case job != nil && (w.Wake == nil || !announced):
			// Found by polling: jobs nobody announced come in backlogs (a restart, leases
			// run out together), so look again at once.
			announced = false
		case w.Wake != nil:
			announced = w.Wake.wait(ctx, poll)
		default:
			sleep(ctx, poll)
		}
	}
}

// Kinds are the kinds of job the worker claims, first what a traveller waits for.
func (w *PlanWorker) Kinds() []string {
	if w.Weather != nil {
		return []string{JobPlan, JobWeather}
	}
	return []string{JobPlan}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func (w *PlanWorker) process(ctx context.Context, job *store.Job, lease time.Duration) {
	var pj PlanJob
	if err := json.Unmarshal(job.Payload, &pj); err != nil {
		dropJob(ctx, w.Pipeline.DB, w.Log, job, "planning job", err)
		return
	}
	// Plans and edits are charged to the traveller, looked up only if a model is called.
	ctx = w.Pipeline.spender(ctx, pj.ConversationID)
	if pj.Edit != nil {
		w.processEdit(ctx, job, pj)
		return
	}
	// Finish well inside the lease, so that no other worker takes the job meanwhile.
	start := time.Now()
	var plan dialog.Plan
	var err error
	if job.Attempts > maxPlanAttempts {
		// Whatever keeps failing, the traveller still gets a plan: the offline draft.
		w.Log.Error("planning keeps failing; sending the offline draft", "job", job.ID, "conversation", pj.ConversationID, "attempts", job.Attempts)
		plan = offline.Plan(pj.Trip, pj.Lang, time.Now())
	} else {
		pctx, cancel := context.WithTimeout(ctx, lease*3/4)
		plan, err = w.Plan(pctx, pj, w.reporter(ctx, pj))
		cancel()
	}
	bg := context.WithoutCancel(ctx)
	if err != nil {
		// Shutting down or out of time: let the job run again, here or elsewhere.
		retry := time.Now().Add(w.retryAfter())
		if ctx.Err() != nil {
			retry = time.Now()
		}
		w.Log.Warn("planning failed", "job", job.ID, "conversation", pj.ConversationID, "err", err)
		releaseJob(bg, w.Pipeline.DB, w.Log, job, "planning job", err, retry)
		return
	}
	delivered, err := w.deliver(bg, job.ID, pj, plan)
	if err != nil {
		w.Log.Error("deliver plan", "job", job.ID, "conversation", pj.ConversationID, "err", err)
		releaseJob(bg, w.Pipeline.DB, w.Log, job, "planning job", err, time.Now().Add(w.retryAfter()))
		return
	}
	w.Log.Info("plan made", "job", job.ID, "conversation", pj.ConversationID, "source", plan.Source,
		"delivered", delivered, "duration_ms", time.Since(start).Milliseconds())
}

// maxPlanAttempts is how often a plan is tried before the offline draft is sent instead.
const maxPlanAttempts = 5

// errDone ends a delivery that another worker already made.
var errDone = errors.New("job already done")

// deliver stores the plan as the conversation's next version and hands it to the dialog,
// in one transaction with the job marked done. It reports false when there was nothing
// to deliver: the job was done by another worker, or a newer request superseded it.
func (w *PlanWorker) deliver(ctx context.Context, jobID int64, pj PlanJob, plan dialog.Plan) (bool, error) {
	delivered := false
	var lines store.TurnLines // the plan card and its replies, for the streams open here
	var told *turnWatch
	err := w.Pipeline.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		lines, told = store.TurnLines{}, nil
		// The conversation first, then the job, as everywhere: no two transactions
		// take these locks in opposite orders.
		conv, travellerID, err := store.LockConversation(ctx, tx, pj.ConversationID)
		if err != nil {
			return err
		}
		if first, err := store.CompleteJob(ctx, tx, jobID); err != nil {
			return err
		} else if !first {
			return errDone
		}
		if dialog.AwaitsPlan(&conv, pj.PlanRequest) {
			if pj.Edit == nil {
				plan.Base = ReplanBase(&conv)
			}
			if plan.Version, err = store.AddPlan(ctx, tx, pj.ConversationID, plan); err != nil {
				return err
			}
			ev := dialog.Inbound{Event: dialog.EventPlanReady, Plan: &plan, PlanRequest: pj.PlanRequest}
			// The plan changed nothing of the conversation read above.
			if err := w.Pipeline.eventLocked(ctx, tx, &conv, travellerID, ev, &lines); err != nil {
				return err
			}
			delivered = true
			told = w.Pipeline.turnCommitting(lines)
		}
		return nil
	})
	told.ended(lines, err)
	if errors.Is(err, errDone) {
		return false, nil
	}
	return delivered, err
}

// ReplanBase is the version a new plan of conv's trip can be undone to: a re-plan of the
// same trip (a slot changed after a plan) goes back to the plan it replaced; a first
// plan, to none.
func ReplanBase(conv *dialog.Conversation) int {
	if conv.Memo.PlannedTrip != nil {
		return conv.Memo.PlanVersion
	}
	return 0
}

func (w *PlanWorker) retryAfter() time.Duration {
	if w.Retry > 0 {
		return w.Retry
	}
	return 5 * time.Second
}
