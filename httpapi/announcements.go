package httpapi

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/notices"
	"xingqu/pipeline"
	"xingqu/store"
)

// AnnouncementRequest is the body of POST /api/admin/announcements (SPEC section 6).
type AnnouncementRequest struct {
	Type     string       `json:"type"`
	Title    notices.Text `json:"title"`
	Body     notices.Text `json:"body"`
	Impact   notices.Text `json:"impact"`
	Notes    notices.Text `json:"notes"`
	StartsAt string       `json:"startsAt"`
	EndsAt   string       `json:"endsAt"`
	// Urgent is a security update or maintenance that cannot wait, or emergency downtime.
	Urgent bool `json:"urgent"`
	// Fault is downtime caused by a failure: announced at once, its end possibly unknown.
	Fault bool `json:"fault"`
	// ShortNotice accepts a window sooner than the type's lead time; the notice says so.
	ShortNotice bool `json:"shortNotice"`
}

// AnnouncementView is an announcement as the API shows it: its texts in the language
// asked for, and both languages under translations.
type AnnouncementView struct {
	ID           int64                          `json:"id"`
	Type         string                         `json:"type"`
	Title        string                         `json:"title"`
	Body         string                         `json:"body"`
	Impact       string                         `json:"impact"`
	Notes        string                         `json:"notes"`
	Translations map[string]notices.NoticeWords `json:"translations"`
	Urgent       bool                           `json:"urgent"`
	Fault        bool                           `json:"fault"`
	ShortNotice  bool                           `json:"shortNotice"`
	StartsAt     time.Time                      `json:"startsAt"`
	EndsAt       *time.Time                     `json:"endsAt"`
	Status       string                         `json:"status"` // published, cancelled, completed
	Phase        string                         `json:"phase"`  // upcoming, current, past
	CreatedBy    string                         `json:"createdBy,omitempty"`
	Delivery     *store.Deliveries              `json:"deliveries,omitempty"`
	Updates      []UpdateView                   `json:"updates"`
}

// announcements is the admins' area of announcements and maintenance (SPEC section 7),
// and the public list and changelog every visitor reads.
type announcements struct {
	errorLog
	DB       *store.DB
	Pipeline *pipeline.Pipeline
	Now      func() time.Time // the clock announcements are scheduled by; nil: time.Now
	board    *notices.NoticeBoard
}

// UpdateView is a progress update as the API shows it.
type UpdateView struct {
	ID           int64        `json:"id"`
	Body         string       `json:"body"`
	Translations notices.Text `json:"translations"`
	CreatedAt    time.Time    `json:"createdAt"`
	CreatedBy    string       `json:"createdBy,omitempty"`
}

func updateViewOf(u store.Update, lang string) UpdateView {
	t := notices.Text{ZH: u.Body, EN: u.BodyEN}
	return UpdateView{ID: u.ID, Body: t.In(lang), Translations: notices.Text{ZH: t.In(dialog.LangZH), EN: t.In(dialog.LangEN)}, CreatedAt: u.CreatedAt.UTC()}
}

// MaintenanceView is the maintenance state as the API shows it: on while the admin's
// switch is on or a downtime announcement's window is open. Admins also see the message
// in both languages and how many travellers' messages wait for the end.
type MaintenanceView struct {
	On           bool          `json:"on"`
	Until        *time.Time    `json:"until"`
	Message      string        `json:"message"`
	Translations *notices.Text `json:"translations,omitempty"`
	Held         *int64        `json:"held,omitempty"`
}

func viewOf(a store.Announcement, now time.Time, lang string) AnnouncementView {
	w := notices.WordsOf(a, lang)
	v := AnnouncementView{ID: a.ID, Type: a.Type, Title: w.Title, Body: w.Body, Impact: w.Impact, Notes: w.Notes,
		Translations: map[string]notices.NoticeWords{dialog.LangZH: notices.WordsOf(a, dialog.LangZH), dialog.LangEN: notices.WordsOf(a, dialog.LangEN)},
		Urgent:       a.Urgent, Fault: a.Fault, ShortNotice: a.ShortNotice, StartsAt: a.StartsAt.UTC(), Status: a.Status, Phase: "past",
		Updates: []UpdateView{}}
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

// requestLang is the language a reader asked for: ?lang=, else Accept-Language, else Chinese.
func requestLang(r *http.Request) string {
	switch l := r.URL.Query().Get("lang"); {
	case l == dialog.LangEN:
		return dialog.LangEN
	case l == dialog.LangZH:
		return dialog.LangZH
	}
	if al := r.Header.Get("Accept-Language"); al != "" && !strings.HasPrefix(al, "zh") {
		return dialog.LangEN
	}
	return dialog.LangZH
}

// now is the area's clock; tests give Config.Now.
func (s *announcements) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
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

// announcement validates a request against seed 000's rules at now.
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
	a.Title, a.TitleEN = bilingual(bad, "title", req.Title, 120, "a short headline")
	a.Body, a.BodyEN = bilingual(bad, "body", req.Body, 1500, "what changes or what the work is")
	a.Impact, a.ImpactEN = bilingual(bad, "impact", req.Impact, 500, "what travellers will notice, e.g. 服务暂停约1小时")
	a.Notes, a.NotesEN = bilingual(bad, "notes", req.Notes, 500, "what travellers should do, e.g. 请提前完成重要操作")

	lead, rule := notices.LeadTime(a.Type, req.Urgent, req.Fault)
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
		earliest := now.Add(lead)
		switch {
		case t.Before(now.Add(-time.Hour)):
			bad("startsAt", "in the past: a notice announces work from now on")
		case lead > 0 && t.Before(earliest.Add(-leadSlack)) && req.ShortNotice:
			a.ShortNotice = true
		case lead > 0 && t.Before(earliest.Add(-leadSlack)):
			bad("startsAt", fmt.Sprintf(`too soon: %s, so this one can start no earlier than %s; to announce it anyway at shorter notice, send "shortNotice": true`,
				rule, earliest.UTC().Format(time.RFC3339)))
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

// bilingual checks a text in both languages; one language given serves for both, and
// the English is stored only when it differs.
func bilingual(bad func(field, msg string), field string, t notices.Text, max int, what string) (zh, en string) {
	zh, en = strings.TrimSpace(pipeline.Clean(t.ZH, max+1)), strings.TrimSpace(pipeline.Clean(t.EN, max+1))
	switch {
	case zh == "" && en == "":
		bad(field, "required: "+what)
	case utf8.RuneCountInString(zh) > max || utf8.RuneCountInString(en) > max:
		bad(field, fmt.Sprintf("at most %d characters in each language", max))
	}
	if zh == "" {
		zh = en
	}
	if en == zh {
		en = ""
	}
	return zh, en
}

// scheduledNotice is one phase of an announcement's notices and when it goes out.
type scheduledNotice struct {
	Phase string
	RunAt time.Time // zero: at once
	Auto  bool      // completes the announcement itself if nobody did
}

// noticeSchedule is when a new announcement's notices go out: at once, again when its
// window starts, and at its end, when it completes itself unless an admin did first.
func noticeSchedule(a store.Announcement, now time.Time) []scheduledNotice {
	s := []scheduledNotice{{Phase: notices.PhasePublished}}
	// Work starting now is announced once, not twice in a row.
	if a.StartsAt.After(now.Add(time.Minute)) {
		s = append(s, scheduledNotice{Phase: notices.PhaseStarted, RunAt: a.StartsAt})
	}
	if a.EndsAt.Valid {
		s = append(s, scheduledNotice{Phase: notices.PhaseCompleted, RunAt: a.EndsAt.Time, Auto: true})
	}
	return s
}

// notices is the instance's notice board: the pipeline's when it has one.
func (s *announcements) notices() *notices.NoticeBoard { return s.board }

// newAnnouncements makes the area on the pipeline's notice board, or on one of its own
// when the pipeline has none.
func newAnnouncements(db *store.DB, p *pipeline.Pipeline, now func() time.Time, log *slog.Logger) *announcements {
	s := &announcements{errorLog: errorLog{log}, DB: db, Pipeline: p, Now: now}
	if p != nil && p.Notices != nil {
		s.board = p.Notices
	} else {
		s.board = &notices.NoticeBoard{DB: db, Log: log, Now: now}
	}
	return s
}

func (s *announcements) handleCreateAnnouncement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req AnnouncementRequest
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		now := s.now()
		a, errs := req.announcement(now)
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		a.CreatedBy = auth.PrincipalOf(r).Username
		err := s.DB.InTx(r.Context(), func(tx *sqlx.Tx) error {
			var err error
			if a, err = store.CreateAnnouncement(r.Context(), tx, a); err != nil {
				return err
			}
			for _, n := range noticeSchedule(a, now) {
				runAt := n.RunAt
				if runAt.IsZero() {
					runAt = now
				}
				if _, err := store.EnqueueJob(r.Context(), tx, notices.JobNotice, 0, notices.NoticeJob{AnnouncementID: a.ID, Phase: n.Phase, Auto: n.Auto}, runAt); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.Log.Error("create announcement", "err", err)
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not store the announcement; please retry", "")
			return
		}
		s.notices().Invalidate()
		s.Log.Info("announcement published", "id", a.ID, "type", a.Type, "by", a.CreatedBy, "starts_at", a.StartsAt, "short_notice", a.ShortNotice)
		w.Header().Set("Location", fmt.Sprintf("/api/admin/announcements/%d", a.ID))
		v := viewOf(a, now, requestLang(r))
		v.CreatedBy = a.CreatedBy
		api.WriteJSON(w, http.StatusCreated, v)
	})
}

// AnnouncementPreview is how a notice would read: the Telegram message in each language
// (in the service's time zone) and the announcement as the widget's pop-up gets it.
type AnnouncementPreview struct {
	Telegram notices.Text     `json:"telegram"`
	Widget   AnnouncementView `json:"widget"`
}

// handlePreviewAnnouncement checks a draft as publishing would and shows it, storing nothing.
func (s *announcements) handlePreviewAnnouncement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req AnnouncementRequest
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		now := s.now()
		a, errs := req.announcement(now)
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		a.Status = store.AnnPublished
		loc := s.notices().Loc
		if loc == nil {
			loc = notices.Shanghai()
		}
		api.WriteJSON(w, http.StatusOK, AnnouncementPreview{
			Telegram: notices.Text{ZH: notices.NoticeText(dialog.LangZH, a, notices.PhasePublished, loc), EN: notices.NoticeText(dialog.LangEN, a, notices.PhasePublished, loc)},
			Widget:   viewOf(a, now, requestLang(r)),
		})
	})
}

func announcementID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		api.WriteError(w, http.StatusNotFound, api.NotFound, "no such announcement", "")
		return 0, false
	}
	return id, true
}

// adminView is an announcement with its delivery counts and updates, for admins.
func (s *announcements) adminView(ctx context.Context, a store.Announcement, ups []store.Update, lang string) (AnnouncementView, error) {
	d, err := store.AnnouncementDeliveries(ctx, s.DB, a.ID)
	if err != nil {
		return AnnouncementView{}, err
	}
	d.Withdrawn = a.Withdrawn
	v := viewOf(a, s.now(), lang)
	v.CreatedBy, v.Delivery = a.CreatedBy, &d
	for _, u := range ups {
		if u.AnnouncementID == a.ID {
			uv := updateViewOf(u, lang)
			uv.CreatedBy = u.CreatedBy
			v.Updates = append(v.Updates, uv)
		}
	}
	return v, nil
}

func (s *announcements) handleGetAnnouncement() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := announcementID(w, r)
		if !ok {
			return
		}
		a, err := store.GetAnnouncement(r.Context(), s.DB, id)
		if errors.Is(err, store.ErrNotFound) {
			api.WriteError(w, http.StatusNotFound, api.NotFound, "no such announcement", "")
			return
		}
		var ups []store.Update
		if err == nil {
			ups, err = store.Updates(r.Context(), s.DB, []int64{id})
		}
		var v AnnouncementView
		if err == nil {
			v, err = s.adminView(r.Context(), a, ups, requestLang(r))
		}
		if err != nil {
			s.Log.Error("get announcement", "id", id, "err", err)
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not read the announcement; please retry", "")
			return
		}
		api.WriteJSON(w, http.StatusOK, v)
	})
}

// AnnouncementList is the body of GET /api/admin/announcements; cursor, when not empty,
// is the before= of the next page.
type AnnouncementList struct {
	Announcements []AnnouncementView `json:"announcements"`
	Cursor        string             `json:"cursor"`
}

// handleListAnnouncements pages through every announcement, newest first, each with its
// delivery counts: ?state=published|cancelled|completed, ?limit= (1-100, default 20),
// ?before= the cursor of the page before.
func (s *announcements) handleListAnnouncements() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var errs []FieldError
		state := q.Get("state")
		switch state {
		case "", store.AnnPublished, store.AnnCancelled, store.AnnCompleted:
		default:
			errs = append(errs, FieldError{"state", "one of published, cancelled, completed"})
		}
		limit := 20
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				errs = append(errs, FieldError{"limit", "a number from 1 to 100"})
			}
			limit = n
		}
		var before int64
		if v := q.Get("before"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				errs = append(errs, FieldError{"before", "the cursor of the previous page"})
			}
			before = n
		}
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		ctx := r.Context()
		as, err := store.ListAnnouncements(ctx, s.DB, state, before, limit+1)
		resp := AnnouncementList{Announcements: []AnnouncementView{}}
		if len(as) > limit {
			as = as[:limit]
			resp.Cursor = strconv.FormatInt(as[limit-1].ID, 10)
		}
		ids := make([]int64, len(as))
		for i, a := range as {
			ids[i] = a.ID
		}
		var ups []store.Update
		if err == nil {
			ups, err = store.Updates(ctx, s.DB, ids)
		}
		lang := requestLang(r)
		for _, a := range as {
			if err != nil {
				break
			}
			var v AnnouncementView
			if v, err = s.adminView(ctx, a, ups, lang); err == nil {
				resp.Announcements = append(resp.Announcements, v)
			}
		}
		if err != nil {
			s.Log.Error("list announcements", "err", err)
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not read the announcements; please retry", "")
			return
		}
		api.WriteJSON(w, http.StatusOK, resp)
	})
}

// handleCloseAnnouncement cancels or completes an announcement and tells the
// subscribers: completion everyone of the type, cancellation those who heard of it.
// Notices of a cancelled one not yet sent are taken back.
func (s *announcements) handleCloseAnnouncement(status string) http.Handler {
	phase := map[string]string{store.AnnCancelled: notices.PhaseCancelled, store.AnnCompleted: notices.PhaseCompleted}[status]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := announcementID(w, r)
		if !ok {
			return
		}
		var zh, en string
		if status == store.AnnCancelled {
			if zh, en, ok = readCorrection(w, r); !ok {
				return
			}
		}
		now := s.now()
		var a store.Announcement
		err := s.DB.InTx(r.Context(), func(tx *sqlx.Tx) error {
			cur, err := store.GetAnnouncement(r.Context(), tx, id)
			if err != nil {
				return err
			}
			if status == store.AnnCompleted && cur.Status == store.AnnPublished && cur.StartsAt.After(now) {
				return errNotStarted
			}
			if a, err = store.CloseAnnouncement(r.Context(), tx, id, status, now); err != nil {
				return err
			}
			job := notices.NoticeJob{AnnouncementID: a.ID, Phase: phase}
			if zh != "" {
				u, err := store.AddUpdate(r.Context(), tx, store.Update{AnnouncementID: id, Body: zh, BodyEN: en, CreatedBy: auth.PrincipalOf(r).Username, CreatedAt: now})
				if err != nil {
					return err
				}
				job.UpdateID = u.ID
			}
			_, err = store.EnqueueJob(r.Context(), tx, notices.JobNotice, 0, job, now)
			return err
		})
		if !s.changed(w, err, id, "close announcement", "could not update the announcement; please retry",
			refusal{store.ErrClosed, "the announcement is already cancelled or completed"},
			refusal{errNotStarted, "the work has not started yet: cancel the announcement instead"}) {
			return
		}
		s.notices().Invalidate()
		s.Log.Info("announcement "+status, "id", id, "by", auth.PrincipalOf(r).Username, "withdrawn", a.Withdrawn)
		api.WriteJSON(w, http.StatusOK, viewOf(a, now, requestLang(r)))
	})
}

var (
	errNotStarted = errors.New("announcement not started")
	errNoProgress = errors.New("announcement takes no progress updates")
)

// refusal is a change an announcement's state refuses (409), and what the admin is told.
type refusal struct {
	err     error
	message string
}

// changed answers a change of announcement id that failed with err: 404 when it does not
// exist, 409 with the message of the refusal err is, otherwise 500 (logged as what, the
// admin told retry). It reports true, writing nothing, when err is nil.
func (s *announcements) changed(w http.ResponseWriter, err error, id int64, what, retry string, refusals ...refusal) bool {
	if err == nil {
		return true
	}
	if errors.Is(err, store.ErrNotFound) {
		api.WriteError(w, http.StatusNotFound, api.NotFound, "no such announcement", "")
		return false
	}
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			api.WriteError(w, http.StatusConflict, api.Conflict, r.message, "")
			return false
		}
	}
	s.Log.Error(what, "id", id, "err", err)
	api.WriteError(w, http.StatusInternalServerError, api.Network, retry, "")
	return false
}

// handleAddUpdate posts a progress update on a fault or a running maintenance: sent to
// the type's subscribers, shown by /status and in /api/announcements.
func (s *announcements) handleAddUpdate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := announcementID(w, r)
		if !ok {
			return
		}
		var req struct {
			Body notices.Text `json:"body"`
		}
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		var errs []FieldError
		zh, en := bilingual(func(f, m string) { errs = append(errs, FieldError{f, m}) }, "body", req.Body, 1000, "how the work is going and what travellers can expect")
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		now := s.now()
		u := store.Update{AnnouncementID: id, Body: zh, BodyEN: en, CreatedBy: auth.PrincipalOf(r).Username, CreatedAt: now}
		err := s.DB.InTx(r.Context(), func(tx *sqlx.Tx) error {
			a, err := store.GetAnnouncement(r.Context(), tx, id)
			if err != nil {
				return err
			}
			if !a.Current(now) || a.Type != store.AnnDowntime && a.Type != store.AnnMaintenance {
				return errNoProgress
			}
			if u, err = store.AddUpdate(r.Context(), tx, u); err != nil {
				return err
			}
			_, err = store.EnqueueJob(r.Context(), tx, notices.JobNotice, 0, notices.NoticeJob{AnnouncementID: id, Phase: notices.PhaseUpdate, UpdateID: u.ID}, now)
			return err
		})
		if !s.changed(w, err, id, "announcement update", "could not store the update; please retry",
			refusal{errNoProgress, "progress updates are for a fault or maintenance while it is under way"}) {
			return
		}
		s.notices().Invalidate()
		s.Log.Info("announcement update", "id", id, "update", u.ID, "by", u.CreatedBy)
		v := updateViewOf(u, requestLang(r))
		v.CreatedBy = u.CreatedBy
		api.WriteJSON(w, http.StatusCreated, v)
	})
}

func (s *announcements) handleMaintenance() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			On      *bool        `json:"on"`
			Until   string       `json:"until"`
			Message notices.Text `json:"message"`
		}
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		var errs []FieldError
		bad := func(f, m string) { errs = append(errs, FieldError{f, m}) }
		m := store.Maintenance{UpdatedBy: auth.PrincipalOf(r).Username}
		if req.Message.ZH != "" || req.Message.EN != "" {
			m.Message, m.MessageEN = bilingual(bad, "message", req.Message, 500, "")
		}
		if req.On == nil {
			bad("on", "required: true to start maintenance, false to end it")
		} else {
			m.On = *req.On
		}
		if strings.TrimSpace(req.Until) != "" {
			t, ok := parseInstant(req.Until)
			switch {
			case !ok:
				bad("until", "not a time: use RFC 3339, e.g. 2026-12-20T04:00:00+08:00")
			case m.On && !t.After(s.now()):
				bad("until", "must be in the future: the expected end of the maintenance")
			default:
				m.Until.Time, m.Until.Valid = t, true
			}
		}
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		if _, err := store.SetMaintenance(r.Context(), s.DB, m); err != nil {
			s.Log.Error("set maintenance", "err", err)
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not change maintenance; please retry", "")
			return
		}
		s.notices().Invalidate()
		s.Log.Info("maintenance", "on", m.On, "until", m.Until.Time, "by", m.UpdatedBy)
		s.writeMaintenance(w, r)
	})
}

// handleGetMaintenance shows admins the maintenance state and the messages it holds.
func (s *announcements) handleGetMaintenance() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.writeMaintenance(w, r) })
}

func (s *announcements) writeMaintenance(w http.ResponseWriter, r *http.Request) {
	held, err := store.HeldMessages(r.Context(), s.DB)
	if err != nil {
		s.Log.Error("held messages", "err", err)
		api.WriteError(w, http.StatusInternalServerError, api.Network, "could not read the maintenance state; please retry", "")
		return
	}
	_, down := s.notices().Open(r.Context())
	v := maintenanceView(down, requestLang(r))
	v.Translations, v.Held = &notices.Text{ZH: down.Message.In(dialog.LangZH), EN: down.Message.In(dialog.LangEN)}, &held
	api.WriteJSON(w, http.StatusOK, v)
}

func maintenanceView(d notices.Downtime, lang string) MaintenanceView {
	v := MaintenanceView{On: d.Active, Message: d.Message.In(lang)}
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
// asks, and none of them needs a fresher view than the pipeline has. Texts are in the
// language of ?lang= or Accept-Language, both languages under translations.
func (s *announcements) handlePublicAnnouncements() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := s.notices()
		open, down := b.Open(r.Context())
		ups := b.Updates(r.Context())
		now, lang := s.now(), requestLang(r)
		resp := AnnouncementsResponse{Announcements: []AnnouncementView{}, Maintenance: maintenanceView(down, lang)}
		for _, a := range open {
			v := viewOf(a, now, lang)
			for _, u := range ups[a.ID] {
				v.Updates = append(v.Updates, updateViewOf(u, lang))
			}
			resp.Announcements = append(resp.Announcements, v)
		}
		w.Header().Set("Cache-Control", "no-cache")
		api.WriteJSON(w, http.StatusOK, resp)
	})
}

var changelogPage = template.Must(template.ParseFS(webFS, "web/changelog.html"))

// changelogTypes are the updates the changelog lists; maintenance and downtime are not news.
var changelogTypes = []string{store.AnnFeature, store.AnnPerformance, store.AnnSecurity, store.AnnUI}

type changelogEntry struct {
	Date, Type, Title, Body, Impact string
}

// changelogMonth is one month of the changelog, headed as seed 000's 更新日志 is.
type changelogMonth struct {
	Heading string
	Entries []changelogEntry
}

func (s *announcements) handleChangelog() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := requestLang(r)
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		past, err := store.PastAnnouncements(ctx, s.DB, changelogTypes, 200)
		if err != nil {
			s.Log.Error("changelog", "err", err)
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not read the changelog; please retry", "")
			return
		}
		data := struct {
			Lang, Title, Empty string
			Months             []changelogMonth
		}{Lang: map[string]string{dialog.LangZH: "zh-CN", dialog.LangEN: "en"}[lang],
			Title: map[string]string{dialog.LangZH: "行趣更新日志", dialog.LangEN: "xingqu changelog"}[lang],
			Empty: map[string]string{dialog.LangZH: "暂无更新记录。", dialog.LangEN: "No updates yet."}[lang]}
		loc := notices.Shanghai()
		for _, a := range past {
			when := changelogDate(a).In(loc)
			words := notices.WordsOf(a, lang)
			e := changelogEntry{Date: when.Format("2006-01-02"),
				Type: dialog.T(lang, "notice_type_"+a.Type), Title: words.Title, Body: words.Body, Impact: words.Impact}
			head := dialog.MonthHeading(lang, when)
			if n := len(data.Months); n == 0 || data.Months[n-1].Heading != head {
				data.Months = append(data.Months, changelogMonth{Heading: head})
			}
			m := &data.Months[len(data.Months)-1]
			m.Entries = append(m.Entries, e)
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
