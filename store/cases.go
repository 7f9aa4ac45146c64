package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Case kinds, priorities and states.
const (
	CaseEmergency = "emergency"
	CaseHuman     = "human"

	CaseUrgent = "urgent"
	CaseNormal = "normal"

	CaseOpen         = "open"
	CaseAcknowledged = "acknowledged"
	CaseInProgress   = "in_progress"
	CaseResolved     = "resolved"

	NoteAgent     = "agent"
	NoteTraveller = "traveller"
	NoteSystem    = "system"
)

// ErrCaseResolved is returned when a resolved case is asked to change.
var ErrCaseResolved = errors.New("case already resolved")

// Case is an emergency or a request for a human, followed until an agent resolves it.
type Case struct {
	ID             int64         `db:"id"`
	ConversationID int64         `db:"conversation_id"`
	Kind           string        `db:"kind"`
	Category       string        `db:"category"`
	Priority       string        `db:"priority"`
	Status         string        `db:"status"`
	AgentID        sql.NullInt64 `db:"agent_id"`
	Summary        string        `db:"summary"`
	Country        string        `db:"country"`
	SafeAt         sql.NullTime  `db:"safe_at"`
	CreatedAt      time.Time     `db:"created_at"`
	UpdatedAt      time.Time     `db:"updated_at"`
	AcknowledgedAt sql.NullTime  `db:"acknowledged_at"`
	ResolvedAt     sql.NullTime  `db:"resolved_at"`
}

// CaseNote is a line on a case: an agent's note, what the traveller said, or an event.
type CaseNote struct {
	ID        int64         `db:"id"`
	CaseID    int64         `db:"case_id"`
	Author    string        `db:"author"`
	AgentID   sql.NullInt64 `db:"agent_id"`
	Text      string        `db:"text"`
	CreatedAt time.Time     `db:"created_at"`
}

const caseCols = `id, conversation_id, kind, category, priority, status, agent_id, summary, country, safe_at,
created_at, updated_at, acknowledged_at, resolved_at`

// NewCase is what raises a case.
type NewCase struct {
	ConversationID int64
	Kind           string // CaseEmergency or CaseHuman
	Category       string // the emergency's category (dialog.EmergencyCategory)
	Summary        string // the traveller's words
	Country        string
}

// OpenCase raises a case for a conversation, or adds to the one already open there: an
// emergency makes an open request for a human urgent, and the traveller's words are
// kept as a note either way. created says whether the case is new.
func OpenCase(ctx context.Context, q Queryer, n NewCase) (c Case, created bool, err error) {
	priority := CaseNormal
	if n.Kind == CaseEmergency {
		priority = CaseUrgent
	}
	var row struct {
		Case
		Created bool `db:"created"`
	}
	err = q.GetContext(ctx, &row, `
INSERT INTO cases AS c (conversation_id, kind, category, priority, summary, country)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (conversation_id) WHERE status <> 'resolved' DO UPDATE SET
    kind       = CASE WHEN EXCLUDED.kind = 'emergency' THEN 'emergency' ELSE c.kind END,
    priority   = CASE WHEN EXCLUDED.priority = 'urgent' THEN 'urgent' ELSE c.priority END,
    category   = CASE WHEN c.category = '' THEN EXCLUDED.category ELSE c.category END,
    country    = CASE WHEN EXCLUDED.country <> '' THEN EXCLUDED.country ELSE c.country END,
    updated_at = now()
RETURNING `+caseCols+`, (xmax = 0) AS created`,
		n.ConversationID, n.Kind, n.Category, priority, n.Summary, n.Country)
	if err != nil {
		return Case{}, false, fmt.Errorf("open case for conversation %d: %w", n.ConversationID, err)
	}
	if n.Summary != "" {
		if _, err := AddCaseNote(ctx, q, row.ID, NoteTraveller, 0, n.Summary); err != nil {
			return Case{}, false, err
		}
	}
	return row.Case, row.Created, nil
}

// GetCase returns one case, or ErrNotFound.
func GetCase(ctx context.Context, q Queryer, id int64) (Case, error) {
	var c Case
	err := q.GetContext(ctx, &c, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("case %d: %w", id, err)
	}
	return c, nil
}

// updateOpenCase applies set to a case that is not resolved; ErrCaseResolved or
// ErrNotFound otherwise.
func updateOpenCase(ctx context.Context, q Queryer, id int64, set string, args ...any) (Case, error) {
	var c Case
	err := q.GetContext(ctx, &c, `UPDATE cases SET `+set+`, updated_at = now()
WHERE id = $1 AND status <> 'resolved' RETURNING `+caseCols, append([]any{id}, args...)...)
	if errors.Is(err, sql.ErrNoRows) {
		if _, gerr := GetCase(ctx, q, id); gerr != nil {
			return c, gerr
		}
		return c, fmt.Errorf("case %d: %w", id, ErrCaseResolved)
	}
	if err != nil {
		return c, fmt.Errorf("update case %d: %w", id, err)
	}
	return c, nil
}

// AcknowledgeCase records that an agent has seen the case; the agent holds it unless
// someone already does. Acknowledging twice changes nothing more.
func AcknowledgeCase(ctx context.Context, q Queryer, id, agentID int64) (Case, error) {
	return updateOpenCase(ctx, q, id, `
    status          = CASE WHEN status = 'open' THEN 'acknowledged' ELSE status END,
    agent_id        = coalesce(agent_id, $2),
    acknowledged_at = coalesce(acknowledged_at, now())`, agentID)
}

// AssignCase gives the case to an agent, who is now working on it.
func AssignCase(ctx context.Context, q Queryer, id, agentID int64) (Case, error) {
	return updateOpenCase(ctx, q, id, `
    status          = 'in_progress',
    agent_id        = $2,
    acknowledged_at = coalesce(acknowledged_at, now())`, agentID)
}

// MarkCaseSafe records that the traveller says they are safe, with their words as a
// note. It does not resolve the case: only an agent does.
func MarkCaseSafe(ctx context.Context, q Queryer, id int64, words string) (Case, error) {
	c, err := updateOpenCase(ctx, q, id, `safe_at = coalesce(safe_at, now())`)
	if err != nil {
		return c, err
	}
	if words != "" {
		if _, err := AddCaseNote(ctx, q, id, NoteTraveller, 0, words); err != nil {
			return c, err
		}
	}
	return c, nil
}

// ResolveCase closes the case, with the agent's closing note when there is one.
func ResolveCase(ctx context.Context, q Queryer, id, agentID int64, note string) (Case, error) {
	c, err := updateOpenCase(ctx, q, id, `
    status      = 'resolved',
    agent_id    = coalesce(agent_id, $2),
    resolved_at = now()`, agentID)
	if err != nil {
		return c, err
	}
	if note != "" {
		if _, err := AddCaseNote(ctx, q, id, NoteAgent, agentID, note); err != nil {
			return c, err
		}
	}
	return c, nil
}

// AddCaseNote adds a line to a case; agentID is 0 for the traveller or the system.
func AddCaseNote(ctx context.Context, q Queryer, caseID int64, author string, agentID int64, text string) (CaseNote, error) {
	var n CaseNote
	err := q.GetContext(ctx, &n, `
WITH touched AS (UPDATE cases SET updated_at = now() WHERE id = $1 RETURNING id)
INSERT INTO case_notes (case_id, author, agent_id, text)
SELECT id, $2, nullif($3, 0), $4 FROM touched
RETURNING id, case_id, author, agent_id, text, created_at`, caseID, author, agentID, text)
	if errors.Is(err, sql.ErrNoRows) {
		return n, fmt.Errorf("note on case %d: %w", caseID, ErrNotFound)
	}
	if err != nil {
		return n, fmt.Errorf("note on case %d: %w", caseID, err)
	}
	return n, nil
}

// CaseNotes returns a case's notes, oldest first.
func CaseNotes(ctx context.Context, q Queryer, caseID int64) ([]CaseNote, error) {
	var ns []CaseNote
	err := q.SelectContext(ctx, &ns, `SELECT id, case_id, author, agent_id, text, created_at
FROM case_notes WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("notes of case %d: %w", caseID, err)
	}
	return ns, nil
}

// CaseStatus is what a traveller is told about their case: its state, who holds it and
// the last word on it.
type CaseStatus struct {
	Case
	AgentName string       `db:"agent_name"` // "" while nobody holds it
	LastNote  string       `db:"last_note"`  // the last agent's note, else the last note of any kind
	LastAt    sql.NullTime `db:"last_at"`
}

// ConversationCase returns the status of a conversation's case: the open one, else the
// most recently resolved; ErrNotFound when the conversation never had one.
func ConversationCase(ctx context.Context, q Queryer, conversationID int64) (CaseStatus, error) {
	var s CaseStatus
	err := q.GetContext(ctx, &s, `
SELECT `+qualifyCols("c", caseCols)+`, coalesce(a.username, '') AS agent_name,
       coalesce(n.text, '') AS last_note, n.created_at AS last_at
FROM cases c
LEFT JOIN accounts a ON a.id = c.agent_id
LEFT JOIN LATERAL (
    SELECT text, created_at FROM case_notes WHERE case_id = c.id
    ORDER BY (author = 'agent') DESC, id DESC LIMIT 1) n ON true
WHERE c.conversation_id = $1
ORDER BY (c.status <> 'resolved') DESC, c.id DESC
LIMIT 1`, conversationID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("case of conversation %d: %w", conversationID, err)
	}
	return s, nil
}

// QueuedCase is an open case as the agents' queue shows it.
type QueuedCase struct {
	CaseStatus
	TravellerName string `db:"traveller_name"`
	Channel       string `db:"channel"`
}

// CaseQueue lists the open cases for the agents: urgent first, then the longest
// waiting; at most limit (0: 100).
func CaseQueue(ctx context.Context, q Queryer, limit int) ([]QueuedCase, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []QueuedCase
	err := q.SelectContext(ctx, &out, `
SELECT `+qualifyCols("c", caseCols)+`, coalesce(a.username, '') AS agent_name,
       coalesce(n.text, '') AS last_note, n.created_at AS last_at,
       t.display_name AS traveller_name, t.channel
FROM cases c
JOIN conversations cv ON cv.id = c.conversation_id
JOIN travellers t ON t.id = cv.traveller_id
LEFT JOIN accounts a ON a.id = c.agent_id
LEFT JOIN LATERAL (
    SELECT text, created_at FROM case_notes WHERE case_id = c.id
    ORDER BY (author = 'agent') DESC, id DESC LIMIT 1) n ON true
WHERE c.status <> 'resolved'
ORDER BY (c.priority = 'urgent') DESC, c.created_at, c.id
LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("case queue: %w", err)
	}
	return out, nil
}

// qualifyCols qualifies a comma list of columns with a table alias.
func qualifyCols(alias, cols string) string {
	out := make([]byte, 0, len(cols)*2)
	start := true
	for i := 0; i < len(cols); i++ {
		c := cols[i]
		if start && c != ' ' && c != '\n' {
			out = append(out, alias...)
			out = append(out, '.')
			start = false
		}
		out = append(out, c)
		if c == ',' {
			start = true
		}
	}
	return string(out)
}
