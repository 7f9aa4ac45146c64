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

// Announcement is a service notice.
type Announcement struct {
	ID        int64        `db:"id"`
	Type      string       `db:"type"`
	Title     string       `db:"title"`
	Body      string       `db:"body"`
	Impact    string       `db:"impact"`
	Notes     string       `db:"notes"`
	Urgent    bool         `db:"urgent"`
	Fault     bool         `db:"fault"`
	StartsAt  time.Time    `db:"starts_at"`
	EndsAt    sql.NullTime `db:"ends_at"`
	Status    string       `db:"status"`
	CreatedBy string       `db:"created_by"`
	CreatedAt time.Time    `db:"created_at"`
	ClosedAt  sql.NullTime `db:"closed_at"`
}

// Current reports whether the announcement's window is open at t.
func (a Announcement) Current(t time.Time) bool {
	return a.Status == AnnPublished && !a.StartsAt.After(t) && (!a.EndsAt.Valid || a.EndsAt.Time.After(t))
}

const annCols = `id, type, title, body, impact, notes, urgent, fault, starts_at, ends_at, status, created_by, created_at, closed_at`

// CreateAnnouncement stores a new, published announcement.
func CreateAnnouncement(ctx context.Context, q Queryer, a Announcement) (Announcement, error) {
	var out Announcement
	err := q.GetContext(ctx, &out, `
INSERT INTO announcements (type, title, body, impact, notes, urgent, fault, starts_at, ends_at, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+annCols,
		a.Type, a.Title, a.Body, a.Impact, a.Notes, a.Urgent, a.Fault, a.StartsAt, a.EndsAt, a.CreatedBy)
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

// CloseAnnouncement cancels or completes a published announcement. Completing ends its
// window now, so that a downtime finished early stops holding messages at once.
func CloseAnnouncement(ctx context.Context, q Queryer, id int64, status string) (Announcement, error) {
	stmt := `UPDATE announcements SET status = $2, closed_at = now() WHERE id = $1 AND status = 'published' RETURNING ` + annCols
	if status == AnnCompleted {
		stmt = `UPDATE announcements SET status = $2, closed_at = now(),
    ends_at = CASE WHEN ends_at IS NULL OR ends_at > now() THEN now() ELSE ends_at END
WHERE id = $1 AND status = 'published' RETURNING ` + annCols
	}
	var a Announcement
	err := q.GetContext(ctx, &a, stmt, id, status)
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

// OpenAnnouncements lists published announcements whose window has not ended, soonest
// first: what /api/announcements and /status show.
func OpenAnnouncements(ctx context.Context, q Queryer) ([]Announcement, error) {
	var as []Announcement
	err := q.SelectContext(ctx, &as, `
SELECT `+annCols+` FROM announcements
WHERE status = 'published' AND (ends_at IS NULL OR ends_at > now())
ORDER BY starts_at, id LIMIT 50`)
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

// Deliveries counts an announcement's outbox rows by state.
type Deliveries struct {
	Total   int64 `db:"total" json:"total"`
	Sent    int64 `db:"sent" json:"sent"`
	Failed  int64 `db:"failed" json:"failed"`
	Blocked int64 `db:"blocked" json:"blocked"`
	Pending int64 `db:"pending" json:"pending"`
	// Unknown rows were in flight when a sender died: maybe delivered, never resent.
	Unknown int64 `db:"unknown" json:"unknown"`
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
	UpdatedBy string       `db:"updated_by"`
	UpdatedAt time.Time    `db:"updated_at"`
}

// GetMaintenance reads the switch.
func GetMaintenance(ctx context.Context, q Queryer) (Maintenance, error) {
	var m Maintenance
	err := q.GetContext(ctx, &m, `SELECT active, until, message, updated_by, updated_at FROM maintenance WHERE id = 1`)
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
INSERT INTO maintenance (id, active, until, message, updated_by, updated_at) VALUES (1, $1, $2, $3, $4, now())
ON CONFLICT (id) DO UPDATE SET active = $1, until = $2, message = $3, updated_by = $4, updated_at = now()
RETURNING active, until, message, updated_by, updated_at`, m.On, m.Until, m.Message, m.UpdatedBy)
	if err != nil {
		return out, fmt.Errorf("set maintenance: %w", err)
	}
	return out, nil
}
