package planner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"xingqu/dialog"
	"xingqu/providers/llm"
)

// EditRequest is one change to make to a plan.
type EditRequest struct {
	Base        dialog.Plan     // the version the traveller saw
	Edit        dialog.PlanEdit // what to change
	Tier        dialog.Tier     // the chosen option, or "" for all three
	Lang        string
	TravellerID string
	Address     string
}

// maxEditAttempts is how often a model is asked for a day before its answers count as
// failing validation.
const maxEditAttempts = 2

// Edit makes a change to a plan. A change to one day (replace it, add to it, or change it
// in free words) goes to the models, asking for that day only with the rest of the plan
// given as fixed; only that day is taken from the answer, so the others come back
// unchanged whatever the model wrote, and an answer that leaves the day empty or as it
// was fails validation. Every other edit, and any edit when the models fail, is made by
// the offline planner; an edit it cannot make (free words) then fails with
// dialog.ErrEditFailed, the plan unchanged.
func (p *Planner) Edit(ctx context.Context, req EditRequest) (dialog.Plan, error) {
	e := req.Edit
	day := dayIndex(req.Base, req.Tier, e)
	if p.Chain != nil && day >= 0 && (e.Kind == dialog.EditReplace || e.Kind == dialog.EditFree || e.Kind == dialog.EditAdd || e.Kind == dialog.EditPace && e.Day != 0) {
		plan, err := p.editDay(ctx, req, day)
		if err == nil || ctx.Err() != nil {
			return plan, err
		}
		p.log().Warn("plan edit by model failed; trying offline", "edit", e.Kind, "err", err)
	}
	plan, _, err := dialog.ApplyEdit(req.Base, req.Tier, e, req.Lang)
	if errors.Is(err, dialog.ErrNeedsModel) {
		return dialog.Plan{}, fmt.Errorf("%w: %w", dialog.ErrEditFailed, err)
	}
	return plan, err
}

// dayIndex is the 0-based day an edit is about, or -1 when it is about no one day.
func dayIndex(base dialog.Plan, tier dialog.Tier, e dialog.PlanEdit) int {
	if e.Day == 0 || len(base.Options) == 0 {
		return -1
	}
	n := len(base.Options[dialog.EditTargets(base, tier)[0]].Days)
	d := e.Day
	if d < 0 {
		d = n + 1 + d
	}
	if d < 1 || d > n {
		return -1
	}
	return d - 1
}

// errUnchanged: the model's answer left the day to change as it was, or empty.
var errUnchanged = errors.New("the day to change came back unchanged")

func (p *Planner) editDay(ctx context.Context, req EditRequest, day int) (dialog.Plan, error) {
	trip := req.Base.Trip
	trip.OtherNeeds = editInstruction(req, day)
	var lastErr error
	for attempt := 0; attempt < maxEditAttempts; attempt++ {
		answer, rep, err := p.Chain.PlanWithReport(ctx, llm.PlanRequest{Trip: trip, Lang: req.Lang,
			TravellerID: req.TravellerID, Address: req.Address})
		if err != nil {
			return dialog.Plan{}, err
		}
		if rep.Offline != "" {
			var why []string
			for _, a := range rep.Failed() {
				why = append(why, a.Provider+" "+a.Code)
				if a.Err != nil {
					why[len(why)-1] += ": " + a.Err.Error()
				}
			}
			return dialog.Plan{}, fmt.Errorf("%s (%s): %w", rep.Offline, strings.Join(why, "; "), dialog.ErrEditFailed)
		}
		plan, err := mergeDay(req, answer, day)
		if err == nil {
			plan.Source = answer.Source
			plan.Draft = false
			return plan, nil
		}
		lastErr = err
	}
	return dialog.Plan{}, fmt.Errorf("%w: %w", dialog.ErrEditFailed, lastErr)
}

// mergeDay takes day from the answer into each target option of the base, and nothing
// else: every other day and option stays as it was.
func mergeDay(req EditRequest, answer dialog.Plan, day int) (dialog.Plan, error) {
	p := dialog.ClonePlan(req.Base)
	p.Version, p.Changes = 0, ""
	for _, i := range dialog.EditTargets(p, req.Tier) {
		o := &p.Options[i]
		var got *dialog.DayPlan
		for j := range answer.Options {
			if answer.Options[j].Tier == o.Tier && day < len(answer.Options[j].Days) {
				got = &answer.Options[j].Days[day]
			}
		}
		if got == nil || strings.TrimSpace(got.Morning+got.Afternoon+got.Evening) == "" {
			return dialog.Plan{}, fmt.Errorf("option %s day %d missing: %w", o.Tier, day+1, errUnchanged)
		}
		old := o.Days[day]
		if got.Morning == old.Morning && got.Afternoon == old.Afternoon && got.Evening == old.Evening {
			return dialog.Plan{}, fmt.Errorf("option %s day %d: %w", o.Tier, day+1, errUnchanged)
		}
		o.Days[day] = dialog.DayPlan{Date: old.Date, Morning: got.Morning, Afternoon: got.Afternoon, Evening: got.Evening,
			Notes: got.Notes, Weather: old.Weather}
	}
	return p, nil
}

// editInstruction tells the model, as trip data, which day to change and how, and what
// the other days hold. It is clipped like any traveller text.
func editInstruction(req EditRequest, day int) string {
	zh := req.Lang == dialog.LangZH
	var b strings.Builder
	what := req.Edit.Text
	if what == "" {
		what = req.Edit.With
	}
	if zh {
		fmt.Fprintf(&b, "只修改第%d天：%s。其他每一天保持不变：", day+1, what)
	} else {
		fmt.Fprintf(&b, "Change only day %d: %s. Keep every other day as it is: ", day+1, what)
	}
	o := req.Base.Options[dialog.EditTargets(req.Base, req.Tier)[0]]
	for i, d := range o.Days {
		if i == day {
			continue
		}
		fmt.Fprintf(&b, "%d) %s / %s / %s; ", i+1, d.Morning, d.Afternoon, d.Evening)
	}
	s := b.String()
	if utf8.RuneCountInString(s) > 290 {
		s = string([]rune(s)[:290])
	}
	return s
}
