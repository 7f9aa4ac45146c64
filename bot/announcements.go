package bot

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// AnnouncementRequest is the body of POST /api/admin/announcements (SPEC section 6).
type AnnouncementRequest struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Impact   string `json:"impact"`
	Notes    string `json:"notes"`
	StartsAt string `json:"startsAt"`
	EndsAt   string `json:"endsAt"`
	// Urgent is a security update or maintenance that cannot wait, or emergency downtime.
	Urgent bool `json:"urgent"`
	// Fault is downtime caused by a failure: announced at once, its end possibly unknown.
	Fault bool `json:"fault"`
}

// AnnouncementView is an announcement as the API shows it.
type AnnouncementView struct {
	ID        int64             `json:"id"`
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Body      string            `json:"body"`
	Impact    string            `json:"impact"`
	Notes     string            `json:"notes"`
	Urgent    bool              `json:"urgent"`
	Fault     bool              `json:"fault"`
	StartsAt  time.Time         `json:"startsAt"`
	EndsAt    *time.Time        `json:"endsAt"`
	Status    string            `json:"status"` // published, cancelled, completed
	Phase     string            `json:"phase"`  // upcoming, current, past
	CreatedBy string            `json:"createdBy,omitempty"`
	Delivery  *store.Deliveries `json:"deliveries,omitempty"`
}

// MaintenanceView is the maintenance state as the API shows it: on while the admin's
// switch is on or a downtime announcement's window is open.
type MaintenanceView struct {
	On      bool       `json:"on"`
	Until   *time.Time `json:"until"`
	Message string     `json:"message"`
}

func viewOf(a store.Announcement, now time.Time) AnnouncementView {
	v := AnnouncementView{ID: a.ID, Type: a.Type, Title: a.Title, Body: a.Body, Impact: a.Impact, Notes: a.Notes,
		Urgent: a.Urgent, Fault: a.Fault, StartsAt: a.StartsAt.UTC(), Status: a.Status, Phase: "past"}
	if a.EndsAt.Valid {
		t := a.EndsAt.Time.UTC()
		v.EndsAt = &t
	}
	switch {
	case a.Status != store.AnnPublished:
	case a.StartsAt.After(now):
		v.Phase = "upcoming"
	case a.Current(now):
		v.Phase = "current"
	}
	return v
}

// leadTime is how far ahead seed 000 says a notice must go out, and the rule in words.
func leadTime(typ string, urgent, fault bool) (time.Duration, string) {
	const day = 24 * time.Hour
	switch typ {
	case store.AnnFeature, store.AnnUI:
		return 7 * day, typ + " updates are announced at least 7 days ahead"
	case store.AnnPerformance:
		return 3 * day, "performance updates are announced at least 3 days ahead"
	case store.AnnSecurity:
		if urgent {
			return 0, ""
		}
		return day, `security updates are announced at least 1 day ahead, or at once with "urgent": true`
	case store.AnnMaintenance:
		if urgent {
			return 0, ""
		}
		return day, `maintenance is announced at least 1 day ahead, or at once with "urgent": true (emergency maintenance)`
	case store.AnnDowntime:
		switch {
		case fault:
			return 0, ""
		case urgent:
			return day, `emergency downtime ("urgent": true) is announced at least 1 day ahead; downtime caused by a fault ("fault": true) at once`
		}
		return 7 * day, `planned downtime is announced at least 7 days ahead; emergency downtime ("urgent": true) 1 day ahead; downtime caused by a fault ("fault": true) at once`
	}
	return 0, ""
}

// leadSlack forgives the seconds between an admin's "now + 7 days" and our clock.
const leadSlack = 5 * time.Minute

func parseInstant(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// announcement validates a request against seed 000's rules.
func (req AnnouncementRequest) announcement(now time.Time) (store.Announcement, []FieldError) {
	var errs []FieldError
	bad := func(field, msg string) { errs = append(errs, FieldError{field, msg}) }
	a := store.Announcement{Type: strings.TrimSpace(req.Type), Urgent: req.Urgent, Fault: req.Fault}
	switch a.Type {
	case store.AnnFeature, store.AnnPerformance, store.AnnSecurity, store.AnnUI, store.AnnMaintenance, store.AnnDowntime:
	case "":
		bad("type", "required: one of feature, performance, security, ui, maintenance, downtime")
	default:
		bad("type", fmt.Sprintf("%q is not a notice type: use feature, performance, security, ui, maintenance or downtime", a.Type))
	}
	if req.Fault && a.Type != store.AnnDowntime {
		bad("fault", `"fault": true is for downtime caused by a fault only`)
	}
	text := func(field, v string, max int, what string) string {
		v = strings.TrimSpace(clean(v, max+1))
		switch {
		case v == "":
			bad(field, "required: "+what)
		case utf8.RuneCountInString(v) > max:
			bad(field, fmt.Sprintf("at most %d characters", max))
		}
		return v
	}
	a.Title = text("title", req.Title, 120, "a short headline")
	a.Body = text("body", req.Body, 1500, "what changes or what the work is")
	a.Impact = text("impact", req.Impact, 500, "what travellers will notice, e.g. 服务暂停约1小时")
	a.Notes = text("notes", req.Notes, 500, "what travellers should do, e.g. 请提前完成重要操作")

	lead, rule := leadTime(a.Type, req.Urgent, req.Fault)
	switch {
	case strings.TrimSpace(req.StartsAt) == "" && lead == 0 && a.Type != "":
		a.StartsAt = now
	case strings.TrimSpace(req.StartsAt) == "":
		bad("startsAt", "required: when the work starts, e.g. 2026-12-20T02:00:00+08:00")
	default:
		t, ok := parseInstant(req.StartsAt)
		if !ok {
			bad("startsAt", "not a time: use RFC 3339, e.g. 2026-12-20T02:00:00+08:00")
			break
		}
		a.StartsAt = t
		if earliest := now.Add(lead); lead > 0 && t.Before(earliest.Add(-leadSlack)) {
			bad("startsAt", fmt.Sprintf("too soon: %s, so this one can start no earlier than %s", rule, earliest.UTC().Format(time.RFC3339)))
		} else if lead == 0 && t.Before(now.Add(-time.Hour)) {
			bad("startsAt", "in the past: a notice announces work from now on")
		}
	}
	switch {
	case strings.TrimSpace(req.EndsAt) == "" && req.Fault:
		// A fault's end may be unknown; completing it ends the window.
	case strings.TrimSpace(req.EndsAt) == "":
		bad("endsAt", "required: when the work is expected to end (may be left out only for a fault)")
	default:
		t, ok := parseInstant(req.EndsAt)
		switch {
		case !ok:
			bad("endsAt", "not a time: use RFC 3339, e.g. 2026-12-20T04:00:00+08:00")
		case !a.StartsAt.IsZero() && !t.After(a.StartsAt):
			bad("endsAt", "must be after startsAt")
		case !a.StartsAt.IsZero() && t.Sub(a.StartsAt) > 30*24*time.Hour:
			bad("endsAt", "at most 30 days after startsAt")
		default:
			a.EndsAt.Time, a.EndsAt.Valid = t, true
		}
	}
	return a, errs
}

// notices is the instance's notice board: the pipeline's when it has one.
func (s *Server) notices() *NoticeBoard {
	s.boardOnce.Do(func() {
		if s.Pipeline != nil && s.Pipeline.Notices != nil {
			s.board = s.Pipeline.Notices
			return
		}
		s.board = &NoticeBoard{DB: s.DB, Log: s.Log}
	})
	return s.board
}

func (s *Server) handleCreateAnnouncement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req AnnouncementRequest
		if !decodeJSON(w, r, &req) {
			return
		}
		now := time.Now()
		a, errs := req.announcement(now)
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		a.CreatedBy = principalOf(r).Username
		err := s.DB.InTx(r.Context(), func(tx *sqlx.Tx) error {
			var err error
			if a, err = store.CreateAnnouncement(r.Context(), tx, a); err != nil {
				return err
			}
			if _, err := store.EnqueueJob(r.Context(), tx, JobNotice, 0, NoticeJob{a.ID, PhasePublished}, time.Time{}); err != nil {
				return err
			}
			// Work starting now is announced once, not twice in a row.
			if a.StartsAt.After(now.Add(time.Minute)) {
				_, err = store.EnqueueJob(r.Context(), tx, JobNotice, 0, NoticeJob{a.ID, PhaseStarted}, a.StartsAt)
			}
			return err
		})
		if err != nil {
			s.Log.Error("create announcement", "err", err)
			writeError(w, http.StatusInternalServerError, "E-101", "could not store the announcement; please retry", "")
			return
		}
		s.notices().Invalidate()
		s.Log.Info("announcement published", "id", a.ID, "type", a.Type, "by", a.CreatedBy, "starts_at", a.StartsAt)
		w.Header().Set("Location", fmt.Sprintf("/api/admin/announcements/%d", a.ID))
		v := viewOf(a, time.Now())
		v.CreatedBy = a.CreatedBy
		writeJSON(w, http.StatusCreated, v)
	})
}

func announcementID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "E-404", "no such announcement", "")
		return 0, false
	}
	return id, true
}

func (s *Server) handleGetAnnouncement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := announcementID(w, r)
		if !ok {
			return
		}
		a, err := store.GetAnnouncement(r.Context(), s.DB, id)
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, "E-404", "no such announcement", "")
			return
		}
		var d store.Deliveries
		if err == nil {
			d, err = store.AnnouncementDeliveries(r.Context(), s.DB, id)
		}
		if err != nil {
			s.Log.Error("get announcement", "id", id, "err", err)
			writeError(w, http.StatusInternalServerError, "E-101", "could not read the announcement; please retry", "")
			return
		}
		v := viewOf(a, time.Now())
		v.CreatedBy, v.Delivery = a.CreatedBy, &d
		writeJSON(w, http.StatusOK, v)
	})
}

// handleCloseAnnouncement cancels or completes an announcement and tells the
// subscribers: completion everyone of the type, cancellation those who heard of it.
func (s *Server) handleCloseAnnouncement(status string) http.Handler {
	phase := map[string]string{store.AnnCancelled: PhaseCancelled, store.AnnCompleted: PhaseCompleted}[status]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := announcementID(w, r)
		if !ok {
			return
		}
		var a store.Announcement
		err := s.DB.InTx(r.Context(), func(tx *sqlx.Tx) error {
			cur, err := store.GetAnnouncement(r.Context(), tx, id)
			if err != nil {
				return err
			}
			if status == store.AnnCompleted && cur.Status == store.AnnPublished && cur.StartsAt.After(time.Now()) {
				return errNotStarted
			}
			if a, err = store.CloseAnnouncement(r.Context(), tx, id, status); err != nil {
				return err
			}
			_, err = store.EnqueueJob(r.Context(), tx, JobNotice, 0, NoticeJob{a.ID, phase}, time.Time{})
			return err
		})
		switch {
		case errors.Is(err, store.ErrNotFound):
			writeError(w, http.StatusNotFound, "E-404", "no such announcement", "")
			return
		case errors.Is(err, store.ErrClosed):
			writeError(w, http.StatusConflict, "E-409", "the announcement is already cancelled or completed", "")
			return
		case errors.Is(err, errNotStarted):
			writeError(w, http.StatusConflict, "E-409", "the work has not started yet: cancel the announcement instead", "")
			return
		case err != nil:
			s.Log.Error("close announcement", "id", id, "err", err)
			writeError(w, http.StatusInternalServerError, "E-101", "could not update the announcement; please retry", "")
			return
		}
		s.notices().Invalidate()
		s.Log.Info("announcement "+status, "id", id, "by", principalOf(r).Username)
		writeJSON(w, http.StatusOK, viewOf(a, time.Now()))
	})
}

var errNotStarted = errors.New("announcement not started")

func (s *Server) handleMaintenance() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			On      *bool  `json:"on"`
			Until   string `json:"until"`
			Message string `json:"message"`
		}
		if !decodeJSON(w, r, &req) {
			return
		}
		var errs []FieldError
		m := store.Maintenance{UpdatedBy: principalOf(r).Username, Message: strings.TrimSpace(clean(req.Message, 501))}
		if req.On == nil {
			errs = append(errs, FieldError{"on", "required: true to start maintenance, false to end it"})
		} else {
			m.On = *req.On
		}
		if strings.TrimSpace(req.Until) != "" {
			t, ok := parseInstant(req.Until)
			switch {
			case !ok:
				errs = append(errs, FieldError{"until", "not a time: use RFC 3339, e.g. 2026-12-20T04:00:00+08:00"})
			case m.On && !t.After(time.Now()):
				errs = append(errs, FieldError{"until", "must be in the future: the expected end of the maintenance"})
			default:
				m.Until.Time, m.Until.Valid = t, true
			}
		}
		if utf8.RuneCountInString(m.Message) > 500 {
			errs = append(errs, FieldError{"message", "at most 500 characters"})
		}
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		if _, err := store.SetMaintenance(r.Context(), s.DB, m); err != nil {
			s.Log.Error("set maintenance", "err", err)
			writeError(w, http.StatusInternalServerError, "E-101", "could not change maintenance; please retry", "")
			return
		}
		s.notices().Invalidate()
		s.Log.Info("maintenance", "on", m.On, "until", m.Until.Time, "by", m.UpdatedBy)
		_, down := s.notices().Open(r.Context())
		writeJSON(w, http.StatusOK, maintenanceView(down))
	})
}

func maintenanceView(d Downtime) MaintenanceView {
	v := MaintenanceView{On: d.Active, Message: d.Message}
	if !d.Until.IsZero() {
		t := d.Until.UTC()
		v.Until = &t
	}
	return v
}

// AnnouncementsResponse is the body of GET /api/announcements.
type AnnouncementsResponse struct {
	Announcements []AnnouncementView `json:"announcements"`
	Maintenance   MaintenanceView    `json:"maintenance"`
}

// handlePublicAnnouncements answers from the notice board's cache: every widget opening
// asks, and none of them needs a fresher view than the pipeline has.
func (s *Server) handlePublicAnnouncements() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		open, down := s.notices().Open(r.Context())
		now := time.Now()
		resp := AnnouncementsResponse{Announcements: []AnnouncementView{}, Maintenance: maintenanceView(down)}
		for _, a := range open {
			resp.Announcements = append(resp.Announcements, viewOf(a, now))
		}
		w.Header().Set("Cache-Control", "no-cache")
		writeJSON(w, http.StatusOK, resp)
	})
}

var changelogPage = template.Must(template.ParseFS(webFS, "web/changelog.html"))

// changelogTypes are the updates the changelog lists; maintenance and downtime are not news.
var changelogTypes = []string{store.AnnFeature, store.AnnPerformance, store.AnnSecurity, store.AnnUI}

type changelogEntry struct {
	Date, Type, Title, Body, Impact string
}

func (s *Server) handleChangelog() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := dialog.LangZH
		if l := r.URL.Query().Get("lang"); l == "en" || (l == "" && !strings.HasPrefix(r.Header.Get("Accept-Language"), "zh") && r.Header.Get("Accept-Language") != "") {
			lang = dialog.LangEN
		}
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		past, err := store.PastAnnouncements(ctx, s.DB, changelogTypes, 200)
		if err != nil {
			s.Log.Error("changelog", "err", err)
			writeError(w, http.StatusInternalServerError, "E-101", "could not read the changelog; please retry", "")
			return
		}
		data := struct {
			Lang, Title, Empty string
			Entries            []changelogEntry
		}{Lang: map[string]string{dialog.LangZH: "zh-CN", dialog.LangEN: "en"}[lang],
			Title: map[string]string{dialog.LangZH: "行趣更新日志", dialog.LangEN: "xingqu changelog"}[lang],
			Empty: map[string]string{dialog.LangZH: "暂无更新记录。", dialog.LangEN: "No updates yet."}[lang]}
		loc := shanghai()
		for _, a := range past {
			when := a.StartsAt
			if a.ClosedAt.Valid {
				when = a.ClosedAt.Time
			} else if a.EndsAt.Valid {
				when = a.EndsAt.Time
			}
			data.Entries = append(data.Entries, changelogEntry{Date: when.In(loc).Format("2006-01-02"),
				Type: dialog.T(lang, "notice_type_"+a.Type), Title: a.Title, Body: a.Body, Impact: a.Impact})
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if err := changelogPage.Execute(w, data); err != nil {
			s.Log.Warn("changelog page", "err", err)
		}
	})
}
