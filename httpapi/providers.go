package httpapi

import (
	"net/http"

	"xingqu/api"
	"xingqu/pipeline"
	"xingqu/providers/llm"
	"xingqu/store"
)

// admin is the admins' area of the service's state: the planning providers and their
// spending, the outbox's problems (outbox_api.go), the travellers' feedback
// (feedback_admin.go).
type admin struct {
	errorLog
	DB       *store.DB
	Pipeline *pipeline.Pipeline
	// ProviderHealth reports the planning providers; Spending this instance's model spending.
	ProviderHealth func() []llm.ProviderHealth
	Spending       func() llm.Spending
	health         healthHistory
}

// handleProviders shows each planning provider's breaker state, structured-output mode,
// calls, errors by code and latency percentiles, the offline planner, which never fails,
// ending the list; history, each provider's calls and errors per interval over the
// last hours; and the spending: tokens today (this instance's calls, and every
// instance's from the shared ledger), drafts served because a budget was spent, and the
// values extraction dropped as ungrounded, by field.
func (s *admin) handleProviders() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ps []llm.ProviderHealth
		if s.ProviderHealth != nil {
			ps = s.ProviderHealth()
		}
		ps = append(ps, llm.ProviderHealth{Name: "offline", Model: "offline", State: "closed", Errors: map[string]int64{}})
		out := map[string]any{"providers": ps, "history": s.health.samples()}
		if s.Spending != nil {
			sp := s.Spending()
			all, err := store.TokensOn(r.Context(), s.DB, sp.Day)
			if err != nil {
				s.Log.Warn("tokens today", "err", err)
			}
			out["spending"] = struct {
				llm.Spending
				TokensTodayAllInstances int64 `json:"tokensTodayAllInstances"`
			}{sp, all}
		}
		api.WriteJSON(w, http.StatusOK, out)
	})
}
