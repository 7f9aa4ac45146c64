package bot

import (
	"net/http"

	"xingqu/providers/llm"
)

// handleProviders shows each planning provider's breaker state, calls, errors by code and
// latency percentiles; the offline planner, which never fails, ends the list. history
// holds each provider's calls and errors per interval over the last hours.
func (s *Server) handleProviders() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ps []llm.ProviderHealth
		if s.ProviderHealth != nil {
			ps = s.ProviderHealth()
		}
		ps = append(ps, llm.ProviderHealth{Name: "offline", Model: "offline", State: "closed", Errors: map[string]int64{}})
		writeJSON(w, http.StatusOK, map[string]any{"providers": ps, "history": s.health.samples()})
	})
}
