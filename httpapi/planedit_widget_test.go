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

// In the widget: choosing an option by its button, changing day 2 by buttons, undo,
// restore by words and /plan, with every version and the choice visible to an agent.
func TestWidgetChooseEditUndoRestore(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &pipeline.PlanWorker{Pipeline: e.pipe, Plan: offlinePlanner, Poll: 20 * time.Millisecond, Log: e.pipe.Log}
	go w.Run(ctx)
	ws := e.session("zh")
	press := func(action string) {
		t.Helper()
		if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"action": action}, nil); code != 202 {
			t.Fatalf("press %q: %d", action, code)
		}
	}
	// planCard waits for the plan card of version v and returns it.
	planCard := func(v int) web.WireMessage {
		t.Helper()
		var card web.WireMessage
		waitFor(t, 15*time.Second, fmt.Sprintf("plan card of version %d", v), func() bool {
			for _, m := range e.history(ws.Token, "").Messages {
				if m.Kind == "plan" && m.Plan != nil && strings.Contains(m.Text, fmt.Sprintf("第%d版", v)) {
					card = m
					return true
				}
			}
			return false
		})
		return card
	}
	buttons := func(m web.WireMessage) string {
		var out []string
		for _, b := range m.Buttons {
			out = append(out, b.Action)
		}
		return strings.Join(out, " ")
	}
	e.say(ws.Token, "福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边")
	e.say(ws.Token, "好")
	v1 := planCard(1)
	if b := buttons(v1); !strings.Contains(b, "choose:economical") {
		t.Fatalf("plan card buttons %q, want a choose button per option", b)
	}
	press("choose:economical")
	waitFor(t, 5*time.Second, "the choice confirmed", func() bool {
		return hasRole(e.history(ws.Token, "").Messages, "bot", "你选择了「经济适用游」")
	})
	press("day:2")
	waitFor(t, 5*time.Second, "the day 2 question", func() bool {
		return hasRole(e.history(ws.Token, "").Messages, "bot", "第2天想怎么改")
	})
	press("pe:in:2")
	v2 := planCard(2)
	if !strings.Contains(v2.Text, "第2天：") || !strings.Contains(v2.Text, "室内") {
		t.Errorf("version 2 says %q, want what changed on day 2", v2.Text)
	}
	if b := buttons(v2); !strings.Contains(b, "pe:undo") {
		t.Errorf("version 2 buttons %q, want undo", b)
	}
	press("pe:undo")
	v3 := planCard(3)
	if fmt.Sprint(optionOf(*v3.Plan, dialog.TierEconomical).Days) != fmt.Sprint(optionOf(*v1.Plan, dialog.TierEconomical).Days) {
		t.Error("undo did not bring version 1's days back")
	}
	e.say(ws.Token, "用第2版")
	v4 := planCard(4)
	if fmt.Sprint(optionOf(*v4.Plan, dialog.TierEconomical).Days) != fmt.Sprint(optionOf(*v2.Plan, dialog.TierEconomical).Days) {
		t.Error("用第2版 did not bring version 2's days back")
	}
	// /plan shows my plan: the chosen option of the latest version only.
	e.say(ws.Token, "/plan")
	var mine web.WireMessage
	waitFor(t, 5*time.Second, "my plan", func() bool {
		for _, m := range e.history(ws.Token, "").Messages {
			if m.Kind == "plan" && strings.Contains(m.Text, "你的行程（第4版，经济适用游）") {
				mine = m
				return true
			}
		}
		return false
	})
	if mine.Plan == nil || len(mine.Plan.Options) != 1 || mine.Plan.Options[0].Tier != dialog.TierEconomical {
		t.Fatalf("/plan card = %+v, want the economical option only", mine.Plan)
	}
	// An agent sees the choice and every version with what changed.
	e.addUser("ana", "correct horse battery", "agent")
	tok := e.login("ana", "correct horse battery").AccessToken
	var view ConversationView
	if code := e.do("GET", fmt.Sprintf("/api/agent/conversations/%d", ws.ConversationID), tok, nil, &view); code != 200 {
		t.Fatalf("agent view: %d", code)
	}
	if view.Chosen != dialog.TierEconomical || len(view.Plans) != 4 {
		t.Fatalf("agent sees chosen %q and %d versions, want economical and 4", view.Chosen, len(view.Plans))
	}
	if !strings.Contains(string(view.Plans[1].Plan), `"changes":"第2天：`) {
		t.Errorf("version 2 as the agent sees it has no diff: %.300s", view.Plans[1].Plan)
	}
}
