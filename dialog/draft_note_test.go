package dialog_test

import (
	"strings"
	"testing"

	"xingqu/dialog"
)

// The offline draft's note is said with a new plan, not again with each edit of it;
// a plan made afresh, or an edit that turns a model's plan into a draft, says it again.
func TestDraftNoteOncePerPlan(t *testing.T) {
	e := careEngine()
	c := &dialog.Conversation{State: dialog.StatePlanned, Lang: dialog.LangEN, Trip: dialog.TripRequest{Destination: "Lisbon"}}
	deliver := func(p dialog.Plan) bool {
		t.Helper()
		c.State = dialog.StatePlanning
		c.Memo.PlanRequest++
		res := e.Handle(c, dialog.Inbound{Event: dialog.EventPlanReady, PlanRequest: c.Memo.PlanRequest, Plan: &p})
		if c.State != dialog.StatePlanned {
			t.Fatalf("version %d not delivered: state %s", p.Version, c.State)
		}
		return strings.Contains(allText(res), "Planned from built-in data")
	}
	edit := &dialog.PlanEdit{Kind: dialog.EditPace, With: "relax"}
	for _, step := range []struct {
		name string
		plan dialog.Plan
		note bool
	}{
		{"a new draft", dialog.Plan{Version: 1, Draft: true}, true},
		{"an edit of it", dialog.Plan{Version: 2, Draft: true, Edit: edit, Base: 1}, false},
		{"another edit", dialog.Plan{Version: 3, Draft: true, Edit: edit, Base: 2}, false},
		{"undone", dialog.Plan{Version: 4, Draft: true, Edit: &dialog.PlanEdit{Kind: dialog.EditUndo}, Base: 1, Undoes: 3}, false},
		{"re-planned afresh", dialog.Plan{Version: 5, Draft: true}, true},
		{"a model's plan", dialog.Plan{Version: 6, Source: "deepseek"}, false},
		{"an edit the model could not make", dialog.Plan{Version: 7, Draft: true, Edit: edit, Base: 6}, true},
		{"and the next", dialog.Plan{Version: 8, Draft: true, Edit: edit, Base: 7}, false},
	} {
		if got := deliver(step.plan); got != step.note {
			t.Errorf("%s (version %d): draft note %v, want %v", step.name, step.plan.Version, got, step.note)
		}
	}
}
