package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Feedback states.
const (
	FeedbackOpen    = "open"
	FeedbackHandled = "handled"
)

// ErrFeedbackHandled is returned when feedback already handled is handled again.
var ErrFeedbackHandled = errors.New("feedback already handled")

// NewFeedback is a rating and comment, with how they were classified.
type NewFeedback struct {
	ConversationID int64
	Rating         int    // 1-5; 0 when none was given
	Comment        string // what the traveller typed after the rating
	Opening        string // the words that started the feedback (a complaint said in passing)
	Category       string // dialog.FeedbackCategory
	Priority       string // dialog.FeedbackPriority
}

// FeedbackItem is one piece of feedback as admins see it.
type FeedbackItem struct {
	ID             int64      `db:"id" json:"id"`
	ConversationID int64      `db:"conversation_id" json:"conversationId"`
	Rating         *int       `db:"rating" json:"rating"` // null when none was given
	Comment        string     `db:"comment" json:"comment"`
	Opening        string     `db:"opening" json:"opening"`
	Category       string     `db:"category" json:"category"`
	Priority       string     `db:"priority" json:"priority"`
	Status         string     `db:"status" json:"status"`
	Reply          string     `db:"reply" json:"reply"`
	CreatedAt      time.Time  `db:"created_at" json:"createdAt"`
	HandledAt      *time.Time `db:"handled_at" json:"handledAt"`
}

const feedbackCols = `id, conversation_id, rating, comment, opening, category, priority, status, reply, created_at, handled_at`

// RecordFeedback stores feedback and returns its id.
func RecordFeedback(ctx context.Context, q Queryer, f NewFeedback) (int64, error) {
	var id int64
	err := q.GetContext(ctx, &id, `
INSERT INTO feedback (conversation_id, rating, comment, opening, category, priority)
VALUES ($1, nullif($2, 0), $3, $4, $5, $6) RETURNING id`,
		f.ConversationID, f.Rating, f.Comment, f.Opening, f.Category, f.Priority)
	if err != nil {
		return 0, fmt.Errorf("record feedback: %w", err)
	}
	return id, nil
}

// HandleFeedback marks feedback handled by an agent or admin, with the reply the
// traveller is to be sent (seed 001: 向用户反馈处理结果).
func HandleFeedback(ctx context.Context, q Queryer, id, accountID int64, reply string) (FeedbackItem, error) {
	var f FeedbackItem
	err := q.GetContext(ctx, &f, `
UPDATE feedback SET status = 'handled', reply = $3, handled_by = $2, handled_at = now()
WHERE id = $1 AND status = 'open' RETURNING `+feedbackCols, id, accountID, reply)
	if errors.Is(err, sql.ErrNoRows) {
		var exists bool
		if err := q.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM feedback WHERE id = $1)`, id); err != nil {
			return f, fmt.Errorf("feedback %d: %w", id, err)
		}
		if !exists {
			return f, ErrNotFound
		}
		return f, fmt.Errorf("feedback %d: %w", id, ErrFeedbackHandled)
	}
	if err != nil {
		return f, fmt.Errorf("handle feedback %d: %w", id, err)
	}
	return f, nil
}

// FeedbackQuery bounds a report: feedback created in [From, To), days counted in
// TimeZone (an IANA name; "" is UTC), at most Limit items (0: 200).
type FeedbackQuery struct {
	From, To time.Time
	TimeZone string
	Limit    int
}

// FeedbackDay is one day of satisfaction: how many ratings, their average (the CSAT
// score, 1-5) and the share of them that were 4 or 5 (0-1). A day without ratings has
// zeros, so a chart has every day.
type FeedbackDay struct {
	Day            string  `db:"day" json:"day"`
	Ratings        int     `db:"ratings" json:"ratings"`
	CSAT           float64 `db:"csat" json:"csat"`
	SatisfiedShare float64 `db:"satisfied_share" json:"satisfiedShare"`
}

// FeedbackReport is what GET /api/admin/feedback answers.
type FeedbackReport struct {
	From           string         `json:"from"`
	To             string         `json:"to"` // exclusive
	TimeZone       string         `json:"timeZone"`
	Total          int            `json:"total"`
	Rated          int            `json:"rated"`
	CSAT           float64        `json:"csat"`           // average rating over the period
	SatisfiedShare float64        `json:"satisfiedShare"` // share of 4-5 ratings over the period
	Ratings        map[string]int `json:"ratings"`        // "1".."5" -> count, every key present
	Categories     map[string]int `json:"categories"`     // bug, complaint, suggestion, question, praise ("" is "unclassified")
	Priorities     map[string]int `json:"priorities"`     // high, normal, low
	Daily          []FeedbackDay  `json:"daily"`
	OpenHigh       []FeedbackItem `json:"openHighPriority"` // open high-priority items, whenever they came, oldest first
	Items          []FeedbackItem `json:"items"`            // the period's items, newest first
}

// FeedbackSummary reads the report for a period, in five queries.
func FeedbackSummary(ctx context.Context, q Queryer, fq FeedbackQuery) (FeedbackReport, error) {
	tz := fq.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return FeedbackReport{}, fmt.Errorf("feedback report: time zone %q: %w", tz, err)
	}
	limit := fq.Limit
	if limit <= 0 {
		limit = 200
	}
	r := FeedbackReport{
		From: fq.From.In(loc).Format(time.DateOnly), To: fq.To.In(loc).Format(time.DateOnly), TimeZone: tz,
		Ratings: map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}, Categories: map[string]int{}, Priorities: map[string]int{},
		Daily: []FeedbackDay{}, OpenHigh: []FeedbackItem{}, Items: []FeedbackItem{},
	}
	const inRange = `created_at >= $1 AND created_at < $2`
	var totals struct {
		Total     int     `db:"total"`
		Rated     int     `db:"rated"`
		CSAT      float64 `db:"csat"`
		Satisfied float64 `db:"satisfied"`
	}
	if err := q.GetContext(ctx, &totals, `
SELECT count(*) AS total, count(rating) AS rated, coalesce(avg(rating), 0)::float8 AS csat,
       coalesce(avg(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) FILTER (WHERE rating IS NOT NULL), 0)::float8 AS satisfied
FROM feedback WHERE `+inRange, fq.From, fq.To); err != nil {
		return r, fmt.Errorf("feedback totals: %w", err)
	}
	r.Total, r.Rated, r.CSAT, r.SatisfiedShare = totals.Total, totals.Rated, totals.CSAT, totals.Satisfied

	var groups []struct {
		Dim   string `db:"dim"`
		Key   string `db:"key"`
		Count int    `db:"n"`
	}
	if err := q.SelectContext(ctx, &groups, `
SELECT 'rating' AS dim, rating::text AS key, count(*) AS n FROM feedback WHERE `+inRange+` AND rating IS NOT NULL GROUP BY rating
UNION ALL
SELECT 'category', CASE WHEN category = '' THEN 'unclassified' ELSE category END, count(*) FROM feedback WHERE `+inRange+` GROUP BY 2
UNION ALL
SELECT 'priority', CASE WHEN priority = '' THEN 'unclassified' ELSE priority END, count(*) FROM feedback WHERE `+inRange+` GROUP BY 2`,
		fq.From, fq.To); err != nil {
		return r, fmt.Errorf("feedback counts: %w", err)
	}
	for _, g := range groups {
		switch g.Dim {
		case "rating":
			if _, err := strconv.Atoi(g.Key); err == nil {
				r.Ratings[g.Key] = g.Count
			}
		case "category":
			r.Categories[g.Key] = g.Count
		case "priority":
			r.Priorities[g.Key] = g.Count
		}
	}

	if err := q.SelectContext(ctx, &r.Daily, `
WITH days AS (
    SELECT d::date AS day
    FROM generate_series(($1::timestamptz AT TIME ZONE $3)::date, (($2::timestamptz - interval '1 microsecond') AT TIME ZONE $3)::date, interval '1 day') d
)
SELECT to_char(days.day, 'YYYY-MM-DD') AS day, count(f.rating) AS ratings,
       coalesce(avg(f.rating), 0)::float8 AS csat,
       coalesce(avg(CASE WHEN f.rating >= 4 THEN 1 ELSE 0 END) FILTER (WHERE f.rating IS NOT NULL), 0)::float8 AS satisfied_share
FROM days
LEFT JOIN feedback f ON f.created_at >= $1 AND f.created_at < $2 AND (f.created_at AT TIME ZONE $3)::date = days.day
GROUP BY days.day ORDER BY days.day`, fq.From, fq.To, tz); err != nil {
		return r, fmt.Errorf("feedback by day: %w", err)
	}
	if err := q.SelectContext(ctx, &r.OpenHigh, `SELECT `+feedbackCols+` FROM feedback
WHERE status = 'open' AND priority = 'high' ORDER BY created_at, id LIMIT $1`, limit); err != nil {
		return r, fmt.Errorf("open high-priority feedback: %w", err)
	}
	if err := q.SelectContext(ctx, &r.Items, `SELECT `+feedbackCols+` FROM feedback
WHERE `+inRange+` ORDER BY created_at DESC, id DESC LIMIT $3`, fq.From, fq.To, limit); err != nil {
		return r, fmt.Errorf("feedback items: %w", err)
	}
	return r, nil
}
