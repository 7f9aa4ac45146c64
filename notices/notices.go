package notices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/dialog"
	"xingqu/store"
)

// NoticeBoard is each instance's view of the service notices and the maintenance state,
// read from PostgreSQL at most once per TTL however many messages arrive, so that every
// instance sees a change within the TTL without a query per message.
type NoticeBoard struct {
	DB  *store.DB
	TTL time.Duration  // how stale the view may be; default 2 s
	Loc *time.Location // for times in /status; nil: Asia/Shanghai
	Log *slog.Logger
	Now func() time.Time // the clock; nil: time.Now

	mu     sync.Mutex
	loaded time.Time
	snap   noticeSnapshot
	loads  int // reads of the database, for tests
}

type noticeSnapshot struct {
	maint   store.Maintenance
	open    []store.Announcement
	updates map[int64][]store.Update // of the open announcements, newest first
	at      time.Time                // when it was read
}

// Downtime is whether the service is down for travellers now, and until when.
type Downtime struct {
	Active  bool
	Until   time.Time // zero: not known
	Message Text      // the admin's words or the announcement's title; empty: the default
}

func (b *NoticeBoard) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *NoticeBoard) ttl() time.Duration {
	if b.TTL > 0 {
		return b.TTL
	}
	return 2 * time.Second
}

// snapshot returns the cached view, reading it again once it is older than the TTL. A
// failed read keeps the last view: a database hiccup must not flip maintenance off.
func (b *NoticeBoard) snapshot(ctx context.Context) noticeSnapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.loaded.IsZero() && time.Since(b.loaded) < b.ttl() {
		return b.snap
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	b.loads++
	m, err := store.GetMaintenance(ctx, b.DB)
	var open []store.Announcement
	if err == nil {
		open, err = store.OpenAnnouncements(ctx, b.DB, b.now())
	}
	var ups []store.Update
	if err == nil {
		ids := make([]int64, len(open))
		for i, a := range open {
			ids[i] = a.ID
		}
		ups, err = store.Updates(ctx, b.DB, ids)
	}
	b.loaded = time.Now()
	if err != nil {
		if b.Log != nil {
			b.Log.Warn("notices: keeping the last view", "err", err)
		}
		return b.snap
	}
	b.snap = noticeSnapshot{maint: m, open: open, updates: map[int64][]store.Update{}, at: b.loaded}
	for _, u := range ups {
		b.snap.updates[u.AnnouncementID] = append(b.snap.updates[u.AnnouncementID], u)
	}
	return b.snap
}

// Invalidate makes the next read go to the database, after this instance changed it.
func (b *NoticeBoard) Invalidate() {
	b.mu.Lock()
	b.loaded = time.Time{}
	b.mu.Unlock()
}

// Downtime reports whether travellers' messages are to be held now: the admin's switch
// is on (and its end, if given, not passed), or a downtime announcement's window is open.
func (b *NoticeBoard) Downtime(ctx context.Context) Downtime {
	if b == nil {
		return Downtime{}
	}
	return b.snapshot(ctx).downtime(b.now())
}

func (s noticeSnapshot) downtime(now time.Time) Downtime {
	if m := s.maint; m.On && (!m.Until.Valid || m.Until.Time.After(now)) {
		d := Downtime{Active: true, Message: Text{m.Message, m.MessageEN}}
		if m.Until.Valid {
			d.Until = m.Until.Time
		}
		return d
	}
	for _, a := range s.open {
		if a.Type == store.AnnDowntime && a.Current(now) {
			d := Downtime{Active: true, Message: Text{a.Title, a.TitleEN}}
			if a.EndsAt.Valid {
				d.Until = a.EndsAt.Time
			}
			return d
		}
	}
	return Downtime{}
}

// Open returns the current and upcoming announcements and the downtime state.
func (b *NoticeBoard) Open(ctx context.Context) ([]store.Announcement, Downtime) {
	s := b.snapshot(ctx)
	now := b.now()
	var out []store.Announcement
	for _, a := range s.open {
		if !a.EndsAt.Valid || a.EndsAt.Time.After(now) {
			out = append(out, a)
		}
	}
	return out, s.downtime(now)
}

// Updates returns the progress updates of the open announcements, newest first.
func (b *NoticeBoard) Updates(ctx context.Context) map[int64][]store.Update {
	return b.snapshot(ctx).updates
}

// Notices lists the current and upcoming notices in lang, one line each, for /status;
// a notice with progress updates shows the latest.
// It fits dialog.Engine.Notices, which has no context: the read is bounded by its own.
func (b *NoticeBoard) Notices(lang string) []string {
	open, down := b.Open(context.Background())
	ups := b.Updates(context.Background())
	loc := b.Loc
	if loc == nil {
		loc = Shanghai()
	}
	var out []string
	if down.Active {
		out = append(out, dialog.T(lang, "status_maintenance", untilText(lang, down.Until, loc), maintenanceMessage(lang, down)))
	}
	for _, a := range open {
		line := fmt.Sprintf("[%s] %s (%s)", dialog.T(lang, "notice_type_"+a.Type), WordsOf(a, lang).Title, windowText(lang, a, loc))
		if us := ups[a.ID]; len(us) > 0 {
			line += "\n  " + dialog.T(lang, "notice_progress", us[0].CreatedAt.In(loc).Format(noticeTime), Text{us[0].Body, us[0].BodyEN}.In(lang))
		}
		out = append(out, line)
	}
	return out
}

// Shanghai is the time zone of travellers whose own is unknown, by default.
func Shanghai() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.UTC
}

// LocOf is the time zone named tz, or def when tz names none.
func LocOf(tz string, def *time.Location) *time.Location {
	if tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			return l
		}
	}
	if def != nil {
		return def
	}
	return Shanghai()
}

const noticeTime = "2006-01-02 15:04 MST"

func windowText(lang string, a store.Announcement, loc *time.Location) string {
	start := a.StartsAt.In(loc).Format(noticeTime)
	if !a.EndsAt.Valid {
		return dialog.T(lang, "notice_from", start)
	}
	return dialog.T(lang, "notice_range", start, a.EndsAt.Time.In(loc).Format(noticeTime))
}

func untilText(lang string, until time.Time, loc *time.Location) string {
	if until.IsZero() {
		return dialog.T(lang, "maintenance_until_unknown")
	}
	return until.In(loc).Format(noticeTime)
}

func maintenanceMessage(lang string, d Downtime) string {
	if m := strings.TrimSpace(d.Message.In(lang)); m != "" {
		if !strings.ContainsAny(m[len(m)-1:], ".。!！") {
			m += map[bool]string{true: "。", false: "."}[lang == dialog.LangZH]
		}
		return m + " "
	}
	return dialog.T(lang, "maintenance_default")
}

// MaintenanceReply is the answer to a message received during downtime.
func MaintenanceReply(lang string, d Downtime, loc *time.Location) string {
	return dialog.T(lang, "maintenance_reply", maintenanceMessage(lang, d), untilText(lang, d.Until, loc))
}

// Notice phases: when each notice goes out.
const (
	PhasePublished = "published"
	PhaseStarted   = "started"
	PhaseCompleted = "completed"
	PhaseCancelled = "cancelled"
	// PhaseUpdate is a progress update; its outbox rows are keyed by the update's id.
	PhaseUpdate = "update"
)

// NoticeText is the message a subscriber gets for a phase of an announcement: when,
// what, the impact and what to do, in the subscriber's language and time zone.
func NoticeText(lang string, a store.Announcement, phase string, loc *time.Location) string {
	w := WordsOf(a, lang)
	var b strings.Builder
	b.WriteString(dialog.T(lang, "notice_"+phase))
	b.WriteString(" · " + dialog.T(lang, "notice_type_"+a.Type) + "\n")
	b.WriteString(w.Title + "\n\n")
	if a.ShortNotice && phase == PhasePublished {
		lead, _ := LeadTime(a.Type, a.Urgent, a.Fault)
		b.WriteString(dialog.T(lang, "notice_short", int(lead/(24*time.Hour))) + "\n\n")
	}
	b.WriteString(dialog.T(lang, "notice_when", windowText(lang, a, loc)) + "\n")
	b.WriteString(dialog.T(lang, "notice_what", w.Body) + "\n")
	b.WriteString(dialog.T(lang, "notice_impact", w.Impact) + "\n")
	todo := w.Notes
	if phase == PhaseCompleted || phase == PhaseCancelled {
		todo = dialog.T(lang, "notice_todo_done")
	}
	b.WriteString(dialog.T(lang, "notice_todo", todo) + "\n\n")
	b.WriteString(dialog.T(lang, "notice_unsub"))
	return fitUTF16(b.String(), api.MaxMessageLen)
}

// UpdateText is the message a subscriber gets for a progress update.
func UpdateText(lang string, a store.Announcement, u store.Update, loc *time.Location) string {
	var b strings.Builder
	b.WriteString(dialog.T(lang, "notice_update") + " · " + dialog.T(lang, "notice_type_"+a.Type) + "\n")
	b.WriteString(WordsOf(a, lang).Title + "\n\n")
	b.WriteString(dialog.T(lang, "notice_progress", u.CreatedAt.In(loc).Format(noticeTime), Text{u.Body, u.BodyEN}.In(lang)) + "\n")
	b.WriteString(dialog.T(lang, "notice_when", windowText(lang, a, loc)) + "\n\n")
	b.WriteString(dialog.T(lang, "notice_unsub"))
	return fitUTF16(b.String(), api.MaxMessageLen)
}

// fitUTF16 cuts s to max UTF-16 code units.
func fitUTF16(s string, max int) string {
	if len(utf16.Encode([]rune(s))) <= max {
		return s
	}
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > max-1 {
			return s[:i] + "…"
		}
	}
	return s
}

// JobNotice is the kind of notice delivery jobs.
const JobNotice = "notice"

// NoticeJob asks for one phase of an announcement to be sent to its subscribers.
type NoticeJob struct {
	AnnouncementID int64  `json:"announcementId"`
	Phase          string `json:"phase"`
	// UpdateID names the progress update of an update job, or the words of correction
	// of a cancellation.
	UpdateID int64 `json:"updateId,omitempty"`
	// Auto marks the completion scheduled for the end of the window: it completes the
	// announcement if nobody did, and does nothing if somebody already closed it.
	Auto bool `json:"auto,omitempty"`
}

// NoticeWorker sends announcements to Telegram subscribers. It only writes outbox rows,
// one per subscriber and phase under a dedupe key, so a job run twice (its worker died
// after writing some rows, or two workers raced on an expired lease) sends nobody the
// same notice twice; the Telegram sender paces the rows under the Bot API's limits.
type NoticeWorker struct {
	DB    *store.DB
	Loc   *time.Location // for travellers whose zone is unknown; nil: Asia/Shanghai
	Lease time.Duration  // default 60 s
	Poll  time.Duration  // default 1 s
	Batch int            // rows per transaction; default 500
	Log   *slog.Logger
	Now   func() time.Time // the clock; nil: time.Now

	// AfterBatch, when set, runs after each batch is committed (tests count batches).
	AfterBatch func()
}

func (w *NoticeWorker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Run works until ctx ends.
func (w *NoticeWorker) Run(ctx context.Context) {
	lease, poll := w.Lease, w.Poll
	if lease == 0 {
		lease = 60 * time.Second
	}
	if poll == 0 {
		poll = time.Second
	}
	for ctx.Err() == nil {
		job, err := store.ClaimJob(ctx, w.DB, []string{JobNotice}, lease)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("claim notice job", "err", err)
		}
		if job == nil {
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
			continue
		}
		if err := w.Process(ctx, job); err != nil && ctx.Err() == nil {
			w.Log.Warn("notice job failed; will retry", "job", job.ID, "err", err)
			if err := store.RetryJob(context.WithoutCancel(ctx), w.DB, job.ID, err, time.Now().Add(10*time.Second)); err != nil {
				w.Log.Error("retry notice job", "job", job.ID, "err", err)
			}
		}
	}
}

// stale reports whether a job has nothing left to send: a plan cancelled before its
// notice or its start went out is not announced, and an automatic completion does
// nothing once somebody closed the announcement.
func (nj NoticeJob) stale(a store.Announcement) bool {
	switch {
	case nj.Auto:
		return a.Status != store.AnnPublished
	case a.Status == store.AnnCancelled:
		return nj.Phase != PhaseCancelled
	case a.Status == store.AnnCompleted:
		return nj.Phase == PhaseStarted
	}
	return false
}

// Process writes the outbox rows of one claimed job and marks it done.
func (w *NoticeWorker) Process(ctx context.Context, job *store.Job) error {
	var nj NoticeJob
	if err := json.Unmarshal(job.Payload, &nj); err != nil {
		w.Log.Error("notice job unreadable; dropped", "job", job.ID, "err", err)
		_, err := store.CompleteJob(ctx, w.DB, job.ID)
		return err
	}
	a, err := store.GetAnnouncement(ctx, w.DB, nj.AnnouncementID)
	if err != nil {
		return err
	}
	if nj.stale(a) {
		_, err := store.CompleteJob(ctx, w.DB, job.ID)
		return err
	}
	if nj.Auto {
		return w.completeAtEnd(ctx, job, a)
	}
	var u store.Update
	key := nj.Phase
	if nj.UpdateID != 0 {
		// A progress update, or a cancellation's words of correction.
		if u, err = store.GetUpdate(ctx, w.DB, nj.UpdateID); err != nil {
			return err
		}
	}
	if nj.Phase == PhaseUpdate {
		key = fmt.Sprintf("%s-%d", PhaseUpdate, u.ID)
	}
	only := ""
	if nj.Phase == PhaseCancelled {
		only = PhasePublished
	}
	batch := w.Batch
	if batch <= 0 {
		batch = 500
	}
	written := 0
	for after := int64(0); ; {
		subs, err := store.Subscribers(ctx, w.DB, a.Type, a.ID, only, after, batch)
		if err != nil {
			return err
		}
		if len(subs) == 0 {
			break
		}
		stop := false
		err = w.DB.InTx(ctx, func(tx *sqlx.Tx) error {
			// Checked under a lock each batch: a cancellation during delivery stops the
			// rest, and takes back what is written but not yet sent.
			status, err := store.LockPublished(ctx, tx, a.ID)
			if err != nil {
				return err
			}
			if a.Status = status; nj.stale(a) {
				stop = true
				return nil
			}
			for _, s := range subs {
				lang, loc := langOf(s.Lang), LocOf(s.TimeZone, w.Loc)
				text := NoticeText(lang, a, nj.Phase, loc)
				switch {
				case nj.Phase == PhaseUpdate:
					text = UpdateText(lang, a, u, loc)
				case u.ID != 0:
					text = CorrectionText(lang, a, u, loc)
				}
				n, err := w.write(ctx, tx, a, key, s, text)
				if err != nil {
					return err
				}
				written += n
			}
			return nil
		})
		if err != nil {
			return err
		}
		if stop {
			w.Log.Info("notice stopped: the announcement was cancelled", "announcement", a.ID, "phase", nj.Phase)
			break
		}
		if w.AfterBatch != nil {
			w.AfterBatch()
		}
		after = subs[len(subs)-1].TravellerID
	}
	if _, err := store.CompleteJob(ctx, w.DB, job.ID); err != nil {
		return err
	}
	w.Log.Info("notice queued", "announcement", a.ID, "phase", key, "rows", written)
	return nil
}

// completeAtEnd completes an announcement whose window has ended with nobody completing
// it, and queues its completion notice in the same transaction, so that a crash between
// the two can leave neither half done.
func (w *NoticeWorker) completeAtEnd(ctx context.Context, job *store.Job, a store.Announcement) error {
	now := w.now()
	if a.EndsAt.Valid && a.EndsAt.Time.After(now) {
		// Taken early (the database's clock ahead of ours): wait for the end.
		return store.RetryJob(ctx, w.DB, job.ID, errors.New("window not over yet"), a.EndsAt.Time)
	}
	err := w.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.CloseAnnouncement(ctx, tx, a.ID, store.AnnCompleted, now); err != nil {
			return err
		}
		if _, err := store.EnqueueJob(ctx, tx, JobNotice, 0, NoticeJob{AnnouncementID: a.ID, Phase: PhaseCompleted}, now); err != nil {
			return err
		}
		_, err := store.CompleteJob(ctx, tx, job.ID)
		return err
	})
	if errors.Is(err, store.ErrClosed) {
		_, err = store.CompleteJob(ctx, w.DB, job.ID)
		return err
	}
	if err == nil {
		w.Log.Info("announcement completed at the end of its window", "announcement", a.ID)
	}
	return err
}

func langOf(l string) string {
	if l != dialog.LangEN {
		return dialog.LangZH
	}
	return l
}

func (w *NoticeWorker) write(ctx context.Context, tx *sqlx.Tx, a store.Announcement, key string, s store.Subscriber, text string) (int, error) {
	// Plain text, no parse_mode: an admin's words need no escaping and cannot break markup.
	id, err := store.EnqueueOutbox(ctx, tx, store.NewOutbox{
		Channel: "telegram", TravellerID: s.TravellerID, ChatID: s.ChatID, Method: "sendMessage",
		Params: map[string]string{
			"chat_id": s.ChatID, "text": text, "disable_web_page_preview": "true",
		},
		DedupeKey: store.AnnouncementDedupeKey(a.ID, key, s.TravellerID),
	})
	if err != nil || id == 0 {
		return 0, err
	}
	return 1, nil
}
