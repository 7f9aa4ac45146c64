package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Announcement types (seed 000) and states.
const (
	AnnFeature     = "feature"
	AnnPerformance = "performance"
	AnnSecurity    = "security"
	AnnUI          = "ui"
	AnnMaintenance = "maintenance"
	AnnDowntime    = "downtime"

	AnnPublished = "published"
	AnnCancelled = "cancelled"
	AnnCompleted = "completed"
)

// ErrClosed is returned when an announcement is already cancelled or completed.
var ErrClosed = errors.New("announcement already closed")

// Announcement is a service notice. Title, Body, Impact and Notes are in Chinese (or the
// one language the admin wrote in); the EN fields are English, empty when not given.
type Announcement struct {
	ID          int64        `db:"id"`
	Type        string       `db:"type"`
	Title       string       `db:"title"`
	Body        string       `db:"body"`
	Impact      string       `db:"impact"`
	Notes       string       `db:"notes"`
	TitleEN     string       `db:"title_en"`
	BodyEN      string       `db:"body_en"`
	ImpactEN    string       `db:"impact_en"`
	NotesEN     string       `db:"notes_en"`
	Urgent      bool         `db:"urgent"`
	Fault       bool         `db:"fault"`
	ShortNotice bool         `db:"short_notice"`
	StartsAt    time.Time    `db:"starts_at"`
	EndsAt      sql.NullTime `db:"ends_at"`
	Status      string       `db:"status"`
	CreatedBy   string       `db:"created_by"`
	CreatedAt   time.Time    `db:"created_at"`
	ClosedAt    sql.NullTime `db:"closed_at"`
	// Withdrawn counts the notices still unsent when it was cancelled, taken back.
	Withdrawn int64 `db:"withdrawn"`
}

// Current reports whether the announcement's window is open at t.
func (a Announcement) Current(t time.Time) bool {
	return a.Status == AnnPublished && !a.StartsAt.After(t) && (!a.EndsAt.Valid || a.EndsAt.Time.After(t))
}

const annCols = `id, type, title, body, impact, notes, title_en, body_en, impact_en, notes_en, urgent, fault, short_notice,
starts_at, ends_at, status, created_by, created_at, closed_at, withdrawn`

// CreateAnnouncement stores a new, published announcement.
func CreateAnnouncement(ctx context.Context, q Queryer, a Announcement) (Announcement, error) {
	var out Announcement
	err := q.GetContext(ctx, &out, `
INSERT INTO announcements (type, title, body, impact, notes, title_en, body_en, impact_en, notes_en,
    urgent, fault, short_notice, starts_at, ends_at, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING `+annCols,
		a.Type, a.Title, a.Body, a.Impact, a.Notes, a.TitleEN, a.BodyEN, a.ImpactEN, a.NotesEN,
		a.Urgent, a.Fault, a.ShortNotice, a.StartsAt, a.EndsAt, a.CreatedBy)
	if err != nil {
		return out, fmt.Errorf("create announcement: %w", err)
	}
	return out, nil
}

// GetAnnouncement returns one announcement, or ErrNotFound.
func GetAnnouncement(ctx context.Context, q Queryer, id int64) (Announcement, error) {
	var a Announcement
	err := q.GetContext(ctx, &a, `SELECT `+annCols+` FROM announcements WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("announcement %d: %w", id, err)
	}
	return a, nil
}

// CloseAnnouncement cancels or completes a published announcement at now. Completing
// ends its window then, so that a downtime finished early stops holding messages at once.
// Cancelling takes back its notices not yet handed to the sender; the row lock it takes
// waits for a notice worker's batch in flight (LockPublished), so none slips out after.
func CloseAnnouncement(ctx context.Context, q Queryer, id int64, status string, now time.Time) (Announcement, error) {
	stmt := `
WITH withdrawn AS (
    DELETE FROM outbox WHERE $2 = 'cancelled' AND state = 'pending'
        AND dedupe_key LIKE 'ann:%' AND dedupe_key LIKE $4
        AND EXISTS (SELECT 1 FROM announcements WHERE id = $1 AND status = 'published')
    RETURNING 1)
UPDATE announcements SET status = $2, closed_at = $3,
    ends_at = CASE WHEN $2 = 'completed' AND (ends_at IS NULL OR ends_at > $3) THEN $3 ELSE ends_at END,
    withdrawn = withdrawn + (SELECT count(*) FROM withdrawn)
WHERE id = $1 AND status = 'published' RETURNING ` + annCols
	if _, err := q.ExecContext(ctx, `SELECT 1 FROM announcements WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Announcement{}, fmt.Errorf("close announcement %d: %w", id, err)
	}
	var a Announcement
	err := q.GetContext(ctx, &a, stmt, id, status, now, fmt.Sprintf("ann:%d:%%", id))
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := GetAnnouncement(ctx, q, id); err != nil {
			return a, err
		}
		return a, ErrClosed
	}
	if err != nil {
		return a, fmt.Errorf("close announcement %d: %w", id, err)
	}
	return a, nil
}

// LockPublished reports, inside a notice worker's transaction, the announcement's status,
// holding a share lock until the transaction ends so that a cancellation waits for the
// rows being written and then takes them back.
func LockPublished(ctx context.Context, tx Queryer, id int64) (string, error) {
	var status string
	if err := tx.GetContext(ctx, &status, `SELECT status FROM announcements WHERE id = $1 FOR SHARE`, id); err != nil {
		return "", fmt.Errorf("lock announcement %d: %w", id, err)
	}
	return status, nil
}

// OpenAnnouncements lists published announcements whose window has not ended, soonest
// first: what /api/announcements and /status show.
func OpenAnnouncements(ctx context.Context, q Queryer, now time.Time) ([]Announcement, error) {
	var as []Announcement
	err := q.SelectContext(ctx, &as, `
SELECT `+annCols+` FROM announcements
WHERE status = 'published' AND (ends_at IS NULL OR ends_at > $1)
ORDER BY starts_at, id LIMIT 50`, now)
	if err != nil {
		return nil, fmt.Errorf("open announcements: %w", err)
	}
	return as, nil
}

// PastAnnouncements lists finished announcements of the given types, newest first, for
// the changelog. Cancelled ones never happened and are left out.
func PastAnnouncements(ctx context.Context, q Queryer, types []string, limit int) ([]Announcement, error) {
	var as []Announcement
	err := q.SelectContext(ctx, &as, `
SELECT `+annCols+` FROM announcements
WHERE type = ANY($1) AND (status = 'completed' OR (status = 'published' AND ends_at <= now()))
ORDER BY coalesce(closed_at, ends_at) DESC, id DESC LIMIT $2`, pq.Array(types), limit)
	if err != nil {
		return nil, fmt.Errorf("past announcements: %w", err)
	}
	return as, nil
}

// ListAnnouncements pages through announcements newest first: those with an id below
// before (0: from the newest), of one status when status is not empty.
func ListAnnouncements(ctx context.Context, q Queryer, status string, before int64, limit int) ([]Announcement, error) {
	var as []Announcement
	err := q.SelectContext(ctx, &as, `
SELECT `+annCols+` FROM announcements
WHERE ($1 = '' OR status = $1) AND ($2 = 0 OR id < $2)
ORDER BY id DESC LIMIT $3`, status, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list announcements: %w", err)
	}
	return as, nil
}

// Update is a progress report on a fault or a running maintenance.
type Update struct {
	ID             int64     `db:"id"`
	AnnouncementID int64     `db:"announcement_id"`
	Body           string    `db:"body"`
	BodyEN         string    `db:"body_en"`
	CreatedBy      string    `db:"created_by"`
	CreatedAt      time.Time `db:"created_at"`
}

const updateCols = `id, announcement_id, body, body_en, created_by, created_at`

// AddUpdate stores a progress update.
func AddUpdate(ctx context.Context, q Queryer, u Update) (Update, error) {
	var out Update
	err := q.GetContext(ctx, &out, `INSERT INTO announcement_updates (announcement_id, body, body_en, created_by, created_at)
VALUES ($1, $2, $3, $4, $5) RETURNING `+updateCols, u.AnnouncementID, u.Body, u.BodyEN, u.CreatedBy, u.CreatedAt)
	if err != nil {
		return out, fmt.Errorf("add update: %w", err)
	}
	return out, nil
}

// GetUpdate returns one progress update, or ErrNotFound.
func GetUpdate(ctx context.Context, q Queryer, id int64) (Update, error) {
	var u Update
	err := q.GetContext(ctx, &u, `SELECT `+updateCols+` FROM announcement_updates WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("update %d: %w", id, err)
	}
	return u, nil
}

// Updates lists the progress updates of the given announcements, newest first.
func Updates(ctx context.Context, q Queryer, ids []int64) ([]Update, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var us []Update
	err := q.SelectContext(ctx, &us, `SELECT `+updateCols+` FROM announcement_updates
WHERE announcement_id = ANY($1) ORDER BY id DESC`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("updates: %w", err)
	}
	return us, nil
}

// HeldMessages counts travellers' messages received during maintenance and not yet answered.
func HeldMessages(ctx context.Context, q Queryer) (int64, error) {
	var n int64
	err := q.GetContext(ctx, &n, `SELECT count(*) FROM inbox WHERE handled_at IS NULL AND held_at IS NOT NULL`)
	if err != nil {
		return 0, fmt.Errorf("held messages: %w", err)
	}
	return n, nil
}

// Deliveries counts an announcement's outbox rows by state.
type Deliveries struct {
	Total   int64 `db:"total" json:"total"`
	Sent    int64 `db:"sent" json:"sent"`
	Failed  int64 `db:"failed" json:"failed"`
	Blocked int64 `db:"blocked" json:"blocked"`
	Pending int64 `db:"pending" json:"pending"`
	// Unknown rows were in flight when a sender died: maybe delivered, never resent.
	Unknown int64 `db:"unknown" json:"unknown"`
	// Withdrawn notices were still unsent when the announcement was cancelled.
	Withdrawn int64 `db:"-" json:"withdrawn"`
}

// AnnouncementDedupeKey names the one outbox row a traveller gets for a phase of an
// announcement; the outbox drops a second row with the same key.
func AnnouncementDedupeKey(id int64, phase string, travellerID int64) string {
	return fmt.Sprintf("ann:%d:%s:%d", id, phase, travellerID)
}

// AnnouncementDeliveries counts the rows written for an announcement, every phase.
func AnnouncementDeliveries(ctx context.Context, q Queryer, id int64) (Deliveries, error) {
	var d Deliveries
	// The literal LIKE lets the planner use the partial index outbox_announcement.
	err := q.GetContext(ctx, &d, `
SELECT count(*) AS total,
       count(*) FILTER (WHERE state = 'sent') AS sent,
       count(*) FILTER (WHERE state = 'failed') AS failed,
       count(*) FILTER (WHERE state = 'blocked') AS blocked,
       count(*) FILTER (WHERE state IN ('pending', 'sending')) AS pending,
       count(*) FILTER (WHERE state = 'unknown') AS unknown
FROM outbox WHERE dedupe_key LIKE 'ann:%' AND dedupe_key LIKE $1`, fmt.Sprintf("ann:%d:%%", id))
	if err != nil {
		return d, fmt.Errorf("announcement %d deliveries: %w", id, err)
	}
	return d, nil
}

// Subscriber is a Telegram traveller who asked for a type of notice.
type Subscriber struct {
	TravellerID int64  `db:"id"`
	ChatID      string `db:"external_id"`
	Lang        string `db:"lang"`
	TimeZone    string `db:"time_zone"`
}

// Subscribers lists, in pages by traveller id, the reachable Telegram travellers
// subscribed to typ. onlyPhase, when set, narrows them to those who were sent that phase
// of the announcement: a cancellation goes only to who heard of the plan.
func Subscribers(ctx context.Context, q Queryer, typ string, annID int64, onlyPhase string, afterID int64, limit int) ([]Subscriber, error) {
	var ss []Subscriber
	err := q.SelectContext(ctx, &ss, `
SELECT t.id, t.external_id, t.lang, t.time_zone FROM subscriptions s
JOIN travellers t ON t.id = s.traveller_id
WHERE $1 = ANY(s.types) AND t.channel = 'telegram' AND t.reachable AND t.id > $2
  AND ($4 = '' OR EXISTS (SELECT 1 FROM outbox o WHERE o.dedupe_key = 'ann:' || $5 || ':' || $4 || ':' || t.id
                          AND o.state IN ('pending', 'sending', 'sent', 'unknown')))
ORDER BY t.id LIMIT $3`, typ, afterID, limit, onlyPhase, fmt.Sprint(annID))
	if err != nil {
		return nil, fmt.Errorf("subscribers: %w", err)
	}
	return ss, nil
}

// Maintenance is the switch an admin turns by hand.
type Maintenance struct {
	On        bool         `db:"active"`
	Until     sql.NullTime `db:"until"`
	Message   string       `db:"message"`
	MessageEN string       `db:"message_en"`
	UpdatedBy string       `db:"updated_by"`
	UpdatedAt time.Time    `db:"updated_at"`
}

// GetMaintenance reads the switch.
func GetMaintenance(ctx context.Context, q Queryer) (Maintenance, error) {
	var m Maintenance
	err := q.GetContext(ctx, &m, `SELECT active, until, message, message_en, updated_by, updated_at FROM maintenance WHERE id = 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return Maintenance{}, nil
	}
	if err != nil {
		return m, fmt.Errorf("maintenance: %w", err)
	}
	return m, nil
}

// SetMaintenance turns the switch.
func SetMaintenance(ctx context.Context, q Queryer, m Maintenance) (Maintenance, error) {
	var out Maintenance
	err := q.GetContext(ctx, &out, `
INSERT INTO maintenance (id, active, until, message, message_en, updated_by, updated_at) VALUES (1, $1, $2, $3, $5, $4, now())
ON CONFLICT (id) DO UPDATE SET active = $1, until = $2, message = $3, message_en = $5, updated_by = $4, updated_at = now()
RETURNING active, until, message, message_en, updated_by, updated_at`, m.On, m.Until, m.Message, m.UpdatedBy, m.MessageEN)
	if err != nil {
		return out, fmt.Errorf("set maintenance: %w", err)
	}
	return out, nil
}
