package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"testing"
	"time"

	"xingqu/api"
	"xingqu/dialog"
	"xingqu/store"
)

func TestAdminFeedbackRoles(t *testing.T) {
	t.Parallel()
	e, admin, agent := noticeEnv(t)
	if code := e.do("GET", "/api/admin/feedback", "", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", code)
	}
	if code := e.do("GET", "/api/admin/feedback", "not-a-token", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("with a bad token: %d, want 401", code)
	}
	var apiErr api.Error
	if code := e.do("GET", "/api/admin/feedback", agent, nil, &apiErr); code != http.StatusForbidden || apiErr.Code == "" {
		t.Errorf("agent: %d %+v, want 403 with an error code", code, apiErr)
	}
	if code := e.do("GET", "/api/admin/feedback", admin, nil, nil); code != http.StatusOK {
		t.Errorf("admin: %d, want 200", code)
	}
}

// The report's JSON shape, with feedback classified as the dialog classifies it.
func TestAdminFeedbackShape(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)
	ctx := context.Background()
	tr, err := store.EnsureTraveller(ctx, e.db, "web", "fb-1", "Ana", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, e.db, tr.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		rating        int
		comment, open string
	}{
		{5, "great plan, thanks!", ""},
		{1, "way too slow", "this is useless"},
		{0, "how do I change my dates?", ""},
	} {
		cat, prio := dialog.ClassifyFeedback(f.rating, f.comment)
		if _, err := store.RecordFeedback(ctx, e.db, store.NewFeedback{ConversationID: conv, Rating: f.rating, Comment: f.comment,
			Opening: f.open, Category: string(cat), Priority: string(prio)}); err != nil {
			t.Fatal(err)
		}
	}

	today := time.Now().In(time.UTC).Format(time.DateOnly)
	var raw map[string]json.RawMessage
	if code := e.do("GET", "/api/admin/feedback?timeZone=UTC&from="+today+"&to="+today, admin, nil, &raw); code != 200 {
		t.Fatalf("admin: %d", code)
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"categories", "csat", "daily", "from", "items", "openHighPriority", "priorities", "rated", "ratings", "satisfiedShare", "timeZone", "to", "total"}
	if len(keys) != len(want) {
		t.Fatalf("keys = %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("keys = %v, want %v", keys, want)
		}
	}

	var rep struct {
		From, To, TimeZone string
		Total, Rated       int
		CSAT               float64 `json:"csat"`
		SatisfiedShare     float64
		Ratings            map[string]int
		Categories         map[string]int
		Priorities         map[string]int
		Daily              []struct {
			Day            string
			Ratings        int
			CSAT           float64 `json:"csat"`
			SatisfiedShare float64
		}
		OpenHighPriority []map[string]any
		Items            []map[string]any
	}
	if code := e.do("GET", "/api/admin/feedback?timeZone=UTC&from="+today+"&to="+today, admin, nil, &rep); code != 200 {
		t.Fatalf("admin: %d", code)
	}
	if rep.From != today || rep.To != time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly) || rep.TimeZone != "UTC" {
		t.Errorf("period %s..%s %s", rep.From, rep.To, rep.TimeZone)
	}
	if rep.Total != 3 || rep.Rated != 2 || rep.CSAT != 3 || rep.SatisfiedShare != 0.5 {
		t.Errorf("totals: %+v", rep)
	}
	if rep.Ratings["5"] != 1 || rep.Ratings["1"] != 1 || len(rep.Ratings) != 5 {
		t.Errorf("ratings = %v", rep.Ratings)
	}
	if rep.Categories["praise"] != 1 || rep.Categories["complaint"] != 1 || rep.Categories["question"] != 1 || rep.Priorities["high"] != 1 {
		t.Errorf("categories %v priorities %v", rep.Categories, rep.Priorities)
	}
	if len(rep.Daily) != 1 || rep.Daily[0].Day != today || rep.Daily[0].Ratings != 2 {
		t.Errorf("daily = %+v", rep.Daily)
	}
	if len(rep.OpenHighPriority) != 1 || rep.OpenHighPriority[0]["comment"] != "way too slow" || rep.OpenHighPriority[0]["opening"] != "this is useless" {
		t.Fatalf("open high = %v", rep.OpenHighPriority)
	}
	item := rep.OpenHighPriority[0]
	for _, k := range []string{"id", "conversationId", "rating", "comment", "opening", "category", "priority", "status", "reply", "createdAt", "handledAt"} {
		if _, ok := item[k]; !ok {
			t.Errorf("item lacks %q: %v", k, item)
		}
	}
	if len(rep.Items) != 3 || rep.Items[0]["rating"] != nil {
		t.Errorf("items = %v (newest, unrated, first)", rep.Items)
	}

	// The default period is the last 30 days in the service's zone.
	var def struct{ Daily []any }
	if code := e.do("GET", "/api/admin/feedback", admin, nil, &def); code != 200 || len(def.Daily) != 30 {
		t.Errorf("default period: %d, %d days", code, len(def.Daily))
	}
}

func TestAdminFeedbackRejectsBadQueries(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)
	for q, field := range map[string]string{
		"?from=yesterday":                "from",
		"?to=2026-13-01":                 "to",
		"?timeZone=Mars/Olympus":         "timeZone",
		"?from=2026-11-10&to=2026-11-01": "from",
		"?from=2020-01-01&to=2026-01-01": "from",
	} {
		var apiErr api.Error
		if code := e.do("GET", "/api/admin/feedback"+q, admin, nil, &apiErr); code != http.StatusBadRequest || apiErr.Field != field {
			t.Errorf("%s: %d %+v, want 400 naming %s", q, code, apiErr, field)
		}
	}
	if code := e.do("GET", "/api/admin/feedback?from=2026/11/01&to=2026/11/02", admin, nil, nil); code != 200 {
		t.Errorf("the seed's date format: %d", code)
	}
}
