package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// EditFunc makes a content edit of base with a model, falling back to the offline
// planner where it can. It runs with no transaction open. Its errors are the dialog's
// (dialog.ErrNotInPlan, dialog.ErrEditRange, dialog.ErrEditFailed …).
type EditFunc func(ctx context.Context, job PlanJob, base dialog.Plan) (dialog.Plan, error)

// OfflineEdit makes every edit the offline planner can make, with no model.
func OfflineEdit(_ context.Context, job PlanJob, base dialog.Plan) (dialog.Plan, error) {
	p, _, err := dialog.ApplyEdit(base, job.Tier, *job.Edit, job.Lang)
	return p, err
}

// processEdit makes the edit a job asks for and delivers the new version, or tells the
// traveller why there is none: the plan stays as it was.
func (w *PlanWorker) processEdit(ctx context.Context, job *store.Job, pj PlanJob) {
	start := time.Now()
	edit := w.Edit
	if edit == nil {
		edit = OfflineEdit
	}
	pctx, cancel := context.WithTimeout(ctx, w.lease()*3/4)
	plan, err := w.makeEdit(pctx, pj, edit)
	cancel()
	bg := context.WithoutCancel(ctx)
	if err != nil && ctx.Err() != nil {
		// Shutting down: the edit runs again, here or elsewhere.
		releaseJob(bg, w.Pipeline.DB, w.Log, job, "edit job", err, time.Now())
		return
	}
	if err != nil {
		reason := EditReason(err)
		w.Log.Warn("plan edit not made", "job", job.ID, "conversation", pj.ConversationID, "edit", pj.Edit.Kind, "reason", reason, "err", err)
		if err := w.deliverEditFailed(bg, job.ID, pj, reason); err != nil {
			w.Log.Error("deliver failed edit", "job", job.ID, "err", err)
			releaseJob(bg, w.Pipeline.DB, w.Log, job, "edit job", err, time.Now().Add(w.retryAfter()))
		}
		return
	}
	delivered, err := w.deliver(bg, job.ID, pj, plan)
	if err != nil {
		w.Log.Error("deliver edited plan", "job", job.ID, "conversation", pj.ConversationID, "err", err)
		releaseJob(bg, w.Pipeline.DB, w.Log, job, "edit job", err, time.Now().Add(w.retryAfter()))
		return
	}
	w.Log.Info("plan edited", "job", job.ID, "conversation", pj.ConversationID, "edit", pj.Edit.Kind, "source", plan.Source,
		"delivered", delivered, "duration_ms", time.Since(start).Milliseconds())
}

// errNoUndo and errNoVersion are versioning edits with nothing to go to.
var (
	errNoUndo    = errors.New("nothing to undo or redo")
	errNoVersion = errors.New("no such version")
)

// makeEdit returns the next version: the content edit made on the version the traveller
// saw, or an older version brought back.
func (w *PlanWorker) makeEdit(ctx context.Context, pj PlanJob, edit EditFunc) (dialog.Plan, error) {
	db := w.Pipeline.DB
	return NextVersion(ctx, pj, edit, func(version int) (dialog.Plan, error) {
		return store.PlanAt(ctx, db, pj.ConversationID, version)
	})
}

// NextVersion makes the version an edit job asks for from the versions planAt reads
// (store.ErrNotFound for none): the content edit made on the version the traveller saw,
// or an older version brought back. Its errors are EditFunc's, errNoUndo and
// errNoVersion (editReason names them).
func NextVersion(ctx context.Context, pj PlanJob, edit EditFunc, planAt func(version int) (dialog.Plan, error)) (dialog.Plan, error) {
	cur, err := planAt(pj.Version)
	if err != nil {
		return dialog.Plan{}, err
	}
	e := *pj.Edit
	if !e.Versioning() {
		p, err := edit(ctx, pj, cur)
		if err != nil {
			return dialog.Plan{}, err
		}
		p.Edit, p.Base, p.Undoes = &e, cur.Version, 0
		p.Changes = strings.Join(dialog.DiffPlans(cur, p, pj.Tier, pj.Lang), "\n")
		return p, nil
	}
	// Versions are never rewritten: going back makes a new version with the old content.
	var target, base, undoes int
	switch e.Kind {
	case dialog.EditUndo:
		if cur.Base == 0 {
			return dialog.Plan{}, errNoUndo
		}
		target, undoes = cur.Base, cur.Version
	case dialog.EditRedo:
		if cur.Undoes == 0 {
			return dialog.Plan{}, errNoUndo
		}
		target, base = cur.Undoes, cur.Version
	case dialog.EditRestore:
		target, base = e.Version, cur.Version
		if target == cur.Version {
			return dialog.Plan{}, fmt.Errorf("version %d is the current one: %w", target, errNoUndo)
		}
	}
	old, err := planAt(target)
	if errors.Is(err, store.ErrNotFound) {
		return dialog.Plan{}, fmt.Errorf("version %d: %w", target, errNoVersion)
	}
	if err != nil {
		return dialog.Plan{}, err
	}
	p := dialog.ClonePlan(old)
	if e.Kind == dialog.EditUndo {
		// Undo again steps further back, along the way the versions were made.
		base = old.Base
	}
	p.Edit, p.Base, p.Undoes = &e, base, undoes
	p.CreatedAt = time.Now()
	p.Changes = strings.Join(dialog.DiffPlans(cur, p, pj.Tier, pj.Lang), "\n")
	return p, nil
}

// EditReason is what the traveller is told about an edit not made (an EditErr*
// constant of the dialog).
func EditReason(err error) string {
	switch {
	case errors.Is(err, dialog.ErrNotInPlan):
		return dialog.EditErrNotInPlan
	case errors.Is(err, dialog.ErrEditRange):
		return dialog.EditErrRange
	case errors.Is(err, dialog.ErrAlreadySo):
		return dialog.EditErrAlreadySo
	case errors.Is(err, errNoUndo):
		return dialog.EditErrNoUndo
	case errors.Is(err, errNoVersion):
		return dialog.EditErrNoVersion
	case errors.Is(err, dialog.ErrNeedsModel):
		return dialog.EditErrNeedsModel
	}
	return dialog.EditErrFailed
}

// deliverEditFailed tells the dialog the edit was not made, with the job marked done.
func (w *PlanWorker) deliverEditFailed(ctx context.Context, jobID int64, pj PlanJob, reason string) error {
	err := w.Pipeline.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		conv, _, err := store.LockConversation(ctx, tx, pj.ConversationID)
		if err != nil {
			return err
		}
		if first, err := store.CompleteJob(ctx, tx, jobID); err != nil {
			return err
		} else if !first {
			return errDone
		}
		if !dialog.AwaitsPlan(&conv, pj.PlanRequest) {
			return nil
		}
		ev := dialog.Inbound{Event: dialog.EventEditFailed, PlanRequest: pj.PlanRequest, EditError: reason}
		return w.Pipeline.EventTx(ctx, tx, pj.ConversationID, ev)
	})
	if errors.Is(err, errDone) {
		return nil
	}
	return err
}

func (w *PlanWorker) lease() time.Duration {
	if w.Lease > 0 {
		return w.Lease
	}
	return 90 * time.Second
}

// fillPlanCards puts the plan into the plan cards a turn shows without one (/plan):
// the version the turn names, only the chosen option when there is one. It also puts
// the buttons of the places to drop under the question that asks which.
func fillPlanCards(ctx context.Context, tx *sqlx.Tx, convID int64, res *dialog.Result) error {
	return FillPlanCards(res, func(version int) (dialog.Plan, error) {
		return store.PlanAt(ctx, tx, convID, version)
	})
}

// FillPlanCards is fillPlanCards with the versions planAt reads.
func FillPlanCards(res *dialog.Result, planAt func(version int) (dialog.Plan, error)) error {
	for _, e := range res.Effects {
		if e.Kind == dialog.EffectPlacesToDrop {
			if err := fillDropButtons(e, res, planAt); err != nil {
				return err
			}
			continue
		}
		if e.Kind != dialog.EffectShowPlan {
			continue
		}
		p, err := planAt(e.Version)
		if err != nil {
			return err
		}
		if e.Tier != "" {
			var kept []dialog.Option
			for _, o := range p.Options {
				if o.Tier == e.Tier {
					kept = append(kept, o)
				}
			}
			if len(kept) > 0 {
				p.Options = kept
			}
		}
		p.Changes = ""
		for i := range res.Replies {
			if res.Replies[i].Kind == dialog.ReplyPlan && res.Replies[i].Plan == nil {
				res.Replies[i].Plan = &p
			}
		}
	}
	return nil
}

// fillDropButtons puts a button for each place the drop question offers under the
// turn's last reply, which asks it.
func fillDropButtons(e dialog.Effect, res *dialog.Result, planAt func(version int) (dialog.Plan, error)) error {
	if len(res.Replies) == 0 {
		return nil
	}
	p, err := planAt(e.Version)
	if err != nil {
		return err
	}
	r := &res.Replies[len(res.Replies)-1]
	for _, place := range dialog.DroppablePlaces(p, e.Tier, e.Day, e.Lang) {
		r.Choices = append(r.Choices, dialog.Choice{Label: "✖ " + place, Action: "pe:drop:" + place})
	}
	return nil
}
