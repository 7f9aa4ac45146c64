package httpapi

import (
	"net/http"
	"time"

	"xingqu/api"
	"xingqu/store"
)

// maxFeedbackDays bounds a feedback report, so that a mistyped year cannot make the
// daily series enormous.
const maxFeedbackDays = 366

// handleAdminFeedback answers GET /api/admin/feedback (admins only: feedback carries
// travellers' own words, and agents see a conversation's feedback in the conversation
// itself). Query: from and to (dates, both included; default the last 30 days up to
// today) and timeZone (the IANA zone the days are counted in; default the service's).
// The answer is store.FeedbackReport: ratings, categories, priorities, daily CSAT and
// share of 4-5 ratings, open high-priority items and the period's items with their text.
func (s *admin) handleAdminFeedback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		qs := r.URL.Query()
		tz := qs.Get("timeZone")
		if tz == "" {
			tz = s.defaultZone()
		}
		loc, err := time.LoadLocation(tz)
		if err != nil {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "timeZone must be an IANA time zone such as Asia/Shanghai", "timeZone")
			return
		}
		today := time.Now().In(loc)
		to := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
		from := to.AddDate(0, 0, -29)
		for _, p := range []struct {
			name string
			dst  *time.Time
		}{{"from", &from}, {"to", &to}} {
			v := qs.Get(p.name)
			if v == "" {
				continue
			}
			d, ok := parseDay(v, loc)
			if !ok {
				api.WriteError(w, http.StatusBadRequest, api.BadRequest, p.name+" must be a date such as 2026-11-01", p.name)
				return
			}
			*p.dst = d
		}
		end := to.AddDate(0, 0, 1) // to is included
		if !from.Before(end) {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "from must not be after to", "from")
			return
		}
		if end.Sub(from) > maxFeedbackDays*24*time.Hour+time.Hour { // an hour of slack for daylight saving
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "a report covers at most 366 days", "from")
			return
		}
		rep, err := store.FeedbackSummary(r.Context(), s.DB, store.FeedbackQuery{From: from, To: end, TimeZone: loc.String()})
		if err != nil {
			s.Log.Error("feedback report", "err", err)
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not read the feedback; please retry", "")
			return
		}
		api.WriteJSON(w, http.StatusOK, rep)
	})
}

// parseDay reads an ISO date, or the seed's 2024/10/25, as midnight in loc.
func parseDay(v string, loc *time.Location) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "2006/01/02"} {
		if d, err := time.ParseInLocation(layout, v, loc); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// defaultZone is the zone travellers whose own is unknown are in.
func (s *admin) defaultZone() string {
	if s.Pipeline != nil && s.Pipeline.Engine != nil && s.Pipeline.Engine.DefaultLoc != nil {
		return s.Pipeline.Engine.DefaultLoc.String()
	}
	return "Asia/Shanghai"
}
