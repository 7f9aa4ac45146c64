package httpapi

import (
	"context"
	"net/http/httptest"
	"testing"

	"xingqu/auth"
	"xingqu/store"
)

// Delivery state and the errors of what did not go out are there for admins, and for
// nobody else, without SQL.
func TestAdminOutbox(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	s := New(Config{DB: p.DB, Log: p.Log, Version: "test"})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	ctx := context.Background()
	for _, chat := range []string{"9101", "9102"} {
		if _, err := store.EnqueueOutbox(ctx, p.DB, store.NewOutbox{ChatID: chat, Method: "sendMessage", Params: map[string]string{"chat_id": chat, "text": "hi"}}); err != nil {
			t.Fatal(err)
		}
	}
	var failed int64
	p.DB.GetContext(ctx, &failed, `SELECT id FROM outbox WHERE chat_id = '9101'`)
	if _, ok, err := store.ClaimOutbox(ctx, p.DB, failed); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := store.FailOutbox(ctx, p.DB, failed, store.OutboxFailed, "400 Bad Request: can't parse entities"); err != nil {
		t.Fatal(err)
	}

	if code, _ := call(t, "GET", ts.URL+"/api/admin/outbox", agentToken(t, s), ""); code != 403 {
		t.Errorf("agent: %d, want 403", code)
	}
	admin, err := store.CreateAccount(ctx, s.cfg.DB, "root", "x", auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	adminTok, _ := s.accounts.issueAccess(ctx, admin)
	code, body := call(t, "GET", ts.URL+"/api/admin/outbox", adminTok, "")
	if code != 200 {
		t.Fatalf("admin: %d %v", code, body)
	}
	stats, _ := body["stats"].(map[string]any)
	if stats["failed"] != float64(1) || stats["pending"] != float64(1) || stats["unknown"] != float64(0) {
		t.Errorf("stats = %v, want failed 1, pending 1, unknown 0", stats)
	}
	problems, _ := body["problems"].([]any)
	if len(problems) != 1 {
		t.Fatalf("problems = %v, want the failed row", problems)
	}
	pr := problems[0].(map[string]any)
	if pr["chat"] != "9101" || pr["method"] != "sendMessage" || pr["state"] != "failed" ||
		pr["error"] != "400 Bad Request: can't parse entities" || pr["attempts"] != float64(1) || pr["at"] == "" || pr["at"] == nil {
		t.Errorf("problem = %v", pr)
	}
}
