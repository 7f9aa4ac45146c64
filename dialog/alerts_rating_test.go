package dialog_test

import (
	"strings"
	"testing"

	"xingqu/dialog"
)

// Weather warnings are switched off and on in words or by /alerts, in both languages,
// from any ordinary state; nearby messages are not taken for the command.
func TestAlertsCommand(t *testing.T) {
	e := careEngine()
	for _, tc := range []struct {
		text string
		want dialog.EffectKind // "" : not the command
	}{
		{"/alerts off", dialog.EffectAlertsOff},
		{"/alerts on", dialog.EffectAlertsOn},
		{"关闭天气提醒", dialog.EffectAlertsOff},
		{"关闭天气预警", dialog.EffectAlertsOff},
		{"不要天气提醒了", dialog.EffectAlertsOff},
		{"开启天气预警", dialog.EffectAlertsOn},
		{"打开天气提醒", dialog.EffectAlertsOn},
		{"turn off weather alerts", dialog.EffectAlertsOff},
		{"Stop weather warnings!", dialog.EffectAlertsOff},
		{"turn on weather alerts", dialog.EffectAlertsOn},
		{"weather warnings on", dialog.EffectAlertsOn},
		{"what's the weather like", ""},
		{"明天天气怎么样", ""},
		{"turn off the lights", ""},
	} {
		for _, state := range []string{dialog.StateBudget, dialog.StatePlanned} {
			c := &dialog.Conversation{State: state, Lang: dialog.LangEN, Trip: dialog.TripRequest{Destination: "Lisbon"},
				Memo: dialog.Memo{PlanVersion: 1}}
			res := e.Handle(c, dialog.Inbound{Text: tc.text})
			got := dialog.EffectKind("")
			for _, ef := range res.Effects {
				if ef.Kind == dialog.EffectAlertsOn || ef.Kind == dialog.EffectAlertsOff {
					got = ef.Kind
				}
			}
			if got != tc.want {
				t.Errorf("%q in %s: effect %q, want %q", tc.text, state, got, tc.want)
			}
			if tc.want != "" && c.State != state {
				t.Errorf("%q in %s: state became %s", tc.text, state, c.State)
			}
		}
	}
	c := &dialog.Conversation{State: dialog.StatePlanned, Lang: dialog.LangZH}
	if got := allText(e.Handle(c, dialog.Inbound{Text: "/alerts"})); !strings.Contains(got, "/alerts off") {
		t.Errorf("/alerts alone: %q, want how to use it", got)
	}
}

// The rating is asked unprompted when a plan is delivered, when an option is chosen and
// when an agent hands the conversation back: at most once a day, and never after an emergency.
func TestRatingPromptOnceADayNeverInEmergency(t *testing.T) {
	e := careEngine()
	asked := func(res dialog.Result) bool {
		return strings.Contains(allText(res), "how are we doing") && hasChoice(res, "rate:5")
	}
	c := &dialog.Conversation{State: dialog.StatePlanned, Lang: dialog.LangEN, Trip: dialog.TripRequest{Destination: "Lisbon"},
		Memo: dialog.Memo{PlanVersion: 1}}
	if !asked(e.Handle(c, dialog.Inbound{Action: "choose:economical"})) {
		t.Error("not asked after choosing")
	}
	if asked(e.Handle(c, dialog.Inbound{Action: "choose:luxury"})) {
		t.Error("asked twice the same day")
	}
	c.State, c.Status = dialog.StateHuman, dialog.StatusHuman
	if asked(e.Handle(c, dialog.Inbound{Event: dialog.EventHandback})) {
		t.Error("asked again after a handback the same day")
	}
	// The next day, a handback asks.
	c.Memo.RatingAskedOn = "2026-11-30"
	c.State, c.Status = dialog.StateHuman, dialog.StatusHuman
	if !asked(e.Handle(c, dialog.Inbound{Event: dialog.EventHandback})) {
		t.Error("not asked after a handback on a new day")
	}
	// An emergency handed back is not asked about, nor a choice made during one.
	fresh := &dialog.Conversation{State: dialog.StatePlanned, Lang: dialog.LangEN, Trip: dialog.TripRequest{Destination: "Lisbon"},
		Memo: dialog.Memo{PlanVersion: 1}}
	e.Handle(fresh, dialog.Inbound{Text: "I was hit by a car"})
	if asked(e.Handle(fresh, dialog.Inbound{Action: "choose:economical"})) {
		t.Error("asked during an emergency")
	}
	if asked(e.Handle(fresh, dialog.Inbound{Event: dialog.EventHandback})) {
		t.Error("asked when an emergency was handed back")
	}
	// A plan delivered asks (its edits do not); choosing the same day then does not.
	planned := &dialog.Conversation{State: dialog.StatePlanning, Lang: dialog.LangEN, Trip: dialog.TripRequest{Destination: "Lisbon"},
		Memo: dialog.Memo{PlanRequest: 1}}
	if !asked(e.Handle(planned, dialog.Inbound{Event: dialog.EventPlanReady, PlanRequest: 1, Plan: &dialog.Plan{Version: 1}})) {
		t.Error("not asked when the plan was delivered")
	}
	if asked(e.Handle(planned, dialog.Inbound{Action: "choose:economical"})) {
		t.Error("asked again on choosing, the same day")
	}
	// Pressing a star records the rating.
	other := &dialog.Conversation{State: dialog.StatePlanned, Lang: dialog.LangEN, Memo: dialog.Memo{PlanVersion: 1}}
	e.Handle(other, dialog.Inbound{Action: "choose:economical"})
	res := e.Handle(other, dialog.Inbound{Action: "rate:4"})
	if other.State != dialog.StateFeedback && func() bool { _, ok := effectOf(res, dialog.EffectFeedback); return !ok }() {
		t.Errorf("rate:4 after the prompt: state %s, effects %+v", other.State, res.Effects)
	}
}
