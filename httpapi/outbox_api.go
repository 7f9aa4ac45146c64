package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"xingqu/api"
	"xingqu/store"
)

// outboxProblem is one row of the outbox that did not go out, as admins see it.
type outboxProblem struct {
	ID       int64     `json:"id"`
	Chat     string    `json:"chat"`
	Method   string    `json:"method"`
	State    string    `json:"state"`
	Error    string    `json:"error"`
	Attempts int       `json:"attempts"`
	At       time.Time `json:"at"`
}

// handleOutbox shows Telegram delivery: rows by state, and the latest rows that failed,
// were blocked, ended unknown or are being retried, with their errors. ?limit= sets how
// many problems (default 50, at most 500).
func (s *admin) handleOutbox() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := 50
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 500 {
				api.WriteError(w, http.StatusBadRequest, api.BadRequest, "limit: want a whole number from 1 to 500", "limit")
				return
			}
			limit = n
		}
		ctx := r.Context()
		counts, err := store.OutboxStats(ctx, s.DB, "telegram")
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// Every state is listed, so that a zero reads as zero rather than as missing.
		stats := map[string]int64{}
		for _, st := range []string{store.OutboxPending, store.OutboxSending, store.OutboxSent,
			store.OutboxFailed, store.OutboxBlocked, store.OutboxUnknown} {
			stats[st] = counts[st]
		}
		rows, err := store.OutboxProblems(ctx, s.DB, "telegram", limit)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		problems := make([]outboxProblem, 0, len(rows))
		for _, p := range rows {
			problems = append(problems, outboxProblem{ID: p.ID, Chat: p.ChatID, Method: p.Method, State: p.State,
				Error: p.LastError, Attempts: p.Attempts, At: p.At})
		}
		api.WriteJSON(w, http.StatusOK, map[string]any{"stats": stats, "problems": problems})
	})
}
