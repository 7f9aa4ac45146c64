package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"xingqu/dialog"
)

// driftedPlan is the recorded plan as a weaker model writes it: the level under "level"
// and in Chinese, budgets as a "budgetRange" string, as min/max and as a bare range, and
// days keyed by number without their dates, with the times of day in Chinese.
func driftedPlan(t *testing.T) string {
	var a map[string]any
	if err := json.Unmarshal(readTestdata(t, "plan_content.json"), &a); err != nil {
		t.Fatal(err)
	}
	levels := []string{"豪华尊享游", "经济适用", "特种兵穷游"}
	for i, o := range a["options"].([]any) {
		m := o.(map[string]any)
		delete(m, "tier")
		m["level"] = levels[i]
		b := m["budget"].(map[string]any)
		delete(m, "budget")
		switch i {
		case 0:
			m["budgetRange"] = fmt.Sprintf("%v-%v元/人", b["low"], b["high"])
		case 1:
			m["budget"] = map[string]any{"min": b["low"], "max": b["high"], "currency": "CNY"}
		case 2:
			m["budget"] = fmt.Sprintf("¥%v~%v", b["low"], b["high"])
		}
		days := map[string]any{}
		for j, d := range m["days"].([]any) {
			dm := d.(map[string]any)
			days[fmt.Sprint(j+1)] = map[string]any{"上午": dm["morning"], "下午": dm["afternoon"], "晚上": dm["evening"], "备注": dm["notes"]}
		}
		m["days"] = days
	}
	b, _ := json.Marshal(a)
	return string(b)
}

func answerEvery(content string) func(http.ResponseWriter, *http.Request, int, openai.ChatCompletionRequest) {
	return func(w http.ResponseWriter, _ *http.Request, _ int, req openai.ChatCompletionRequest) {
		if req.Stream {
			writeStream(w, streamOf(content, true), -1, false)
			return
		}
		writeCompletion(w, content)
	}
}

// A model that renames keys still writes a real plan, at the first attempt.
func TestDriftingKeysGiveARealPlan(t *testing.T) {
	drift := newFake(t, answerEvery(driftedPlan(t)))
	c := newTestChain(t, Config{Providers: []ProviderConfig{drift.config("drift")}})
	plan, rep, err := c.PlanWithReport(context.Background(), PlanRequest{Trip: testTrip(), Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Draft || plan.Source != "drift" || rep.Offline != "" {
		t.Fatalf("draft %v, source %q, offline %q (attempts %+v); want a real plan from drift", plan.Draft, plan.Source, rep.Offline, rep.Attempts)
	}
	if n := len(drift.requests()); n != 1 {
		t.Errorf("requests = %d, want 1 (no repair round needed)", n)
	}
	want := make([][2]float64, 3)
	var src map[string][]struct {
		Budget struct{ Low, High float64 }
	}
	json.Unmarshal(readTestdata(t, "plan_content.json"), &src)
	for i, o := range plan.Options {
		want[i] = [2]float64{src["options"][i].Budget.Low, src["options"][i].Budget.High}
		if o.Tier != dialog.Tiers[i] || o.BudgetLow != want[i][0] || o.BudgetHigh != want[i][1] || o.Currency != "CNY" {
			t.Errorf("option %d = %s %v-%v %s, want %s %v-%v CNY", i, o.Tier, o.BudgetLow, o.BudgetHigh, o.Currency, dialog.Tiers[i], want[i][0], want[i][1])
		}
		if len(o.Days) != 3 || o.Days[0].Date.String() != "2025-10-25" || o.Days[2].Date.String() != "2025-10-27" || o.Days[0].Morning == "" {
			t.Errorf("option %d days = %+v, want three filled days from 2025-10-25", i, o.Days)
		}
	}
}

// Garbage from the first provider (and from its repair) moves on to the next, whose
// drifting plan is used; with both down, the traveller gets the draft.
func TestGarbageThenNextProviderThenDraft(t *testing.T) {
	garbage := newFake(t, answerEvery("当然！这是为您准备的行程：第一天去鼓山，第二天……"))
	drift := newFake(t, answerEvery(driftedPlan(t)))
	c := newTestChain(t, Config{Providers: []ProviderConfig{garbage.config("garbage"), drift.config("drift")}})
	plan, rep, err := c.PlanWithReport(context.Background(), PlanRequest{Trip: testTrip(), Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Draft || plan.Source != "drift" {
		t.Errorf("draft %v, source %q; want drift's plan", plan.Draft, plan.Source)
	}
	if len(rep.Attempts) != 2 || rep.Attempts[0].Code != CodeMalformed || rep.Attempts[1].Code != "" {
		t.Errorf("attempts = %+v, want garbage LLM-102 then drift", rep.Attempts)
	}
	if n := len(garbage.requests()); n != 2 {
		t.Errorf("garbage requests = %d, want the answer and one repair", n)
	}

	down := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ openai.ChatCompletionRequest) {
		writeError(w, 503, "error_500.json")
	})
	c = newTestChain(t, Config{Providers: []ProviderConfig{down.config("down"), {Name: "gone", BaseURL: refusedURL(t), Model: "m"}}})
	plan, rep, err = c.PlanWithReport(context.Background(), PlanRequest{Trip: testTrip(), Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Draft || plan.Source != "offline" || rep.Offline != OfflineAllFailed || len(plan.Options) != 3 {
		t.Errorf("draft %v, source %q, offline %q; want the offline draft", plan.Draft, plan.Source, rep.Offline)
	}
}

func TestNormalizePlanLeavesAValidPlanAlone(t *testing.T) {
	in := newPlanInput(testTrip(), "zh", []dialog.Date{dialog.NewDate(2025, 10, 25), dialog.NewDate(2025, 10, 26), dialog.NewDate(2025, 10, 27)}, nil)
	valid := string(readTestdata(t, "plan_content.json"))
	if !jsonEqual([]byte(normalizePlan(valid, in.dateStrings())), []byte(valid)) {
		t.Error("normalizePlan changed a plan already in shape")
	}
	for _, tc := range []struct{ in, want string }{
		{"豪华尊享游", "luxury"}, {"Economy", "economical"}, {"穷游", "backpacker"}, {"budget", "backpacker"}, {"mystery", "mystery"},
	} {
		if got := tierOf(tc.in); got != tc.want {
			t.Errorf("tierOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
