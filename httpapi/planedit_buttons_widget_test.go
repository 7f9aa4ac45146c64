package httpapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"xingqu/channel/web"
	"xingqu/dialog"
	"xingqu/pipeline"
)

// In the widget, in English: drop a place and add one by the buttons under a day; each
// answer names its version and what changed, and the other days stay as they were.
func TestWidgetDropAndAddByButtons(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &pipeline.PlanWorker{Pipeline: e.pipe, Plan: offlinePlanner, Poll: 20 * time.Millisecond, Log: e.pipe.Log}
	go w.Run(ctx)
	ws := e.session("en")
	press := func(action string) {
		t.Helper()
		if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"action": action}, nil); code != 202 {
			t.Fatalf("press %q: %d", action, code)
		}
	}
	// botSaid waits for a bot message containing text and returns it.
	botSaid := func(kind, text string) web.WireMessage {
		t.Helper()
		var got web.WireMessage
		waitFor(t, 15*time.Second, text, func() bool {
			for _, m := range e.history(ws.Token, "").Messages {
				if m.Role == "bot" && (kind == "" || m.Kind == kind) && strings.Contains(m.Text, text) {
					got = m
					return true
				}
			}
			return false
		})
		return got
	}
	e.say(ws.Token, "Lisbon, Dec 25-28, 2000 CNY each, with kids, we like beaches")
	e.say(ws.Token, "yes")
	v1 := botSaid("plan", "version 1")
	press("choose:economical")
	botSaid("", "you chose Economical")
	press("day:2")
	menu := botSaid("", "How should day 2 change")
	var actions []string
	for _, b := range menu.Buttons {
		actions = append(actions, b.Action)
	}
	if a := strings.Join(actions, " "); !strings.Contains(a, "pe:pickdrop:2") || !strings.Contains(a, "pe:askadd:2") {
		t.Fatalf("day 2's buttons %q, want drop and add", a)
	}
	press("pe:pickdrop:2")
	ask := botSaid("", "Which part of day 2 should go")
	before := optionOf(*v1.Plan, dialog.TierEconomical)
	if len(ask.Buttons) == 0 || ask.Buttons[0].Action != "pe:drop:"+before.Days[1].Morning {
		t.Fatalf("drop buttons %+v, want day 2's places", ask.Buttons)
	}
	press(ask.Buttons[0].Action)
	v2 := botSaid("plan", "version 2")
	if !strings.Contains(v2.Text, "Day 2: "+before.Days[1].Morning+" → Free time") {
		t.Errorf("version 2 says %q", v2.Text)
	}
	press("day:1")
	botSaid("", "How should day 1 change")
	press("pe:askadd:1")
	botSaid("", "What should I add to day 1")
	e.say(ws.Token, "a cooking class")
	v3 := botSaid("plan", "version 3")
	if !strings.Contains(v3.Text, "Day 1: ") || !strings.Contains(v3.Text, "cooking class") {
		t.Errorf("version 3 says %q", v3.Text)
	}
	o2, o3 := optionOf(*v2.Plan, dialog.TierEconomical), optionOf(*v3.Plan, dialog.TierEconomical)
	for d := 1; d < 4; d++ {
		if fmt.Sprint(o2.Days[d]) != fmt.Sprint(o3.Days[d]) {
			t.Errorf("adding to day 1 changed day %d", d+1)
		}
	}
	for _, d := range []int{0, 2, 3} {
		if fmt.Sprint(before.Days[d]) != fmt.Sprint(o2.Days[d]) {
			t.Errorf("dropping from day 2 changed day %d", d+1)
		}
	}
}
