package pipeline

import (
	"context"
	"log/slog"
	"time"

	"xingqu/store"
)

// dropJob completes a job whose payload cannot be read: it would fail the same way on
// every attempt, so it is logged and taken off the queue.
func dropJob(ctx context.Context, db store.Queryer, log *slog.Logger, job *store.Job, what string, cause error) {
	log.Error(what+" unreadable; dropped", "job", job.ID, "err", cause)
	if _, err := store.CompleteJob(ctx, db, job.ID); err != nil {
		log.Error("drop "+what, "job", job.ID, "err", err)
	}
}

// releaseJob lets a job that failed run again at runAt, here or on another instance. If
// even that cannot be written, the job's lease still ends and it runs again then.
func releaseJob(ctx context.Context, db store.Queryer, log *slog.Logger, job *store.Job, what string, cause error, runAt time.Time) {
	if err := store.RetryJob(ctx, db, job.ID, cause, runAt); err != nil {
		log.Error("release "+what+"; it runs again when its lease ends", "job", job.ID, "err", err)
	}
}
