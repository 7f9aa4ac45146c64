package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/store"
)

// CaseItem is a case as the console shows it.
type CaseItem struct {
	ID             int64      `json:"id"`
	ConversationID int64      `json:"conversationId"`
	Kind           string     `json:"kind"`
	Category       string     `json:"category"`
	Priority       string     `json:"priority"`
	Status         string     `json:"status"`
	Agent          string     `json:"agent"`
	Summary        string     `json:"summary"`
	Country        string     `json:"country"`
	Safe           bool       `json:"safe"`
	LastNote       string     `json:"lastNote"`
	TravellerName  string     `json:"travellerName,omitempty"`
	Channel        string     `json:"channel,omitempty"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
	ResolvedAt     *time.Time `json:"resolvedAt"`
}

func caseItem(st store.CaseStatus) CaseItem {
	it := CaseItem{ID: st.ID, ConversationID: st.ConversationID, Kind: st.Kind, Category: st.Category, Priority: st.Priority,
		Status: st.Status, Agent: st.AgentName, Summary: st.Summary, Country: st.Country, Safe: st.SafeAt.Valid,
		LastNote: st.LastNote, CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt}
	if st.ResolvedAt.Valid {
		it.ResolvedAt = &st.ResolvedAt.Time
	}
	return it
}

// handleCaseQueue answers GET /api/agent/cases: the open cases, urgent first, then the
// longest waiting.
func (s *agents) handleCaseQueue() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rows, err := store.CaseQueue(r.Context(), s.DB, 0)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		items := make([]CaseItem, len(rows))
		for i, row := range rows {
			items[i] = caseItem(row.CaseStatus)
			items[i].TravellerName, items[i].Channel = row.TravellerName, row.Channel
		}
		api.WriteJSON(w, http.StatusOK, map[string]any{"cases": items})
	})
}

// The changes an agent can make to a case, each told to the traveller.
const (
	caseAcknowledge = "acknowledge" // seen; the agent holds it unless someone does
	caseAssign      = "assign"      // the agent works on it
	caseNote        = "notes"       // a note the traveller reads
	caseResolve     = "resolve"     // closed, with an optional closing note
)

// handleCaseChange answers POST /api/agent/cases/{id}/{acknowledge|assign|notes|resolve}
// ({"text"} for a note, required for notes, optional for resolve). The change, the
// message to the traveller and the conversation's place in the queue commit together;
// a resolved case answers 409.
func (s *agents) handleCaseChange(change string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			api.WriteError(w, http.StatusNotFound, api.NotFound, "no such case", "id")
			return
		}
		var req struct {
			Text string `json:"text"`
		}
		if r.ContentLength != 0 && !api.DecodeJSON(w, r, &req) {
			return
		}
		req.Text = strings.TrimSpace(req.Text)
		if change == caseNote && req.Text == "" {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "text is required", "text")
			return
		}
		if !api.MessageFits(w, "note", "text", req.Text) {
			return
		}
		p := auth.PrincipalOf(r)
		var item CaseItem
		err = s.DB.InTx(r.Context(), func(tx *sqlx.Tx) error {
			var err error
			item, err = s.changeCase(r.Context(), tx, id, p.UserID, change, req.Text)
			return err
		})
		switch {
		case errors.Is(err, store.ErrNotFound):
			api.WriteError(w, http.StatusNotFound, api.NotFound, "no such case", "id")
		case errors.Is(err, store.ErrCaseResolved):
			api.WriteError(w, http.StatusConflict, api.Conflict, "the case is already resolved", "")
		case err != nil:
			s.serverError(w, r, err)
		default:
			s.Log.Info("case changed", "case", id, "change", change, "user_id", p.UserID)
			api.WriteJSON(w, http.StatusOK, item)
		}
	})
}

// changeCase applies one change and tells the traveller, in tx.
func (s *agents) changeCase(ctx context.Context, tx *sqlx.Tx, id, agentID int64, change, text string) (CaseItem, error) {
	c, err := store.GetCase(ctx, tx, id)
	if err != nil {
		return CaseItem{}, err
	}
	// The conversation first: a turn locks it before the case, and so must this.
	if _, _, err := store.LockConversation(ctx, tx, c.ConversationID); err != nil {
		return CaseItem{}, err
	}
	var ev dialog.CaseEvent
	switch change {
	case caseAcknowledge:
		ev = dialog.CaseEvAcknowledged
		_, err = store.AcknowledgeCase(ctx, tx, id, agentID)
	case caseAssign:
		ev = dialog.CaseEvAssigned
		_, err = store.AssignCase(ctx, tx, id, agentID)
	case caseNote:
		ev = dialog.CaseEvNote
		if c.Status == store.CaseResolved {
			return CaseItem{}, fmt.Errorf("case %d: %w", id, store.ErrCaseResolved)
		}
		// A note from an agent who has not acknowledged the case yet says they have.
		if _, err = store.AcknowledgeCase(ctx, tx, id, agentID); err == nil {
			_, err = store.AddCaseNote(ctx, tx, id, store.NoteAgent, agentID, text)
		}
	case caseResolve:
		ev = dialog.CaseEvResolved
		_, err = store.ResolveCase(ctx, tx, id, agentID, text)
	default:
		return CaseItem{}, fmt.Errorf("case change %q: %w", change, store.ErrNotFound)
	}
	if err != nil {
		return CaseItem{}, err
	}
	st, err := store.ConversationCase(ctx, tx, c.ConversationID)
	if err != nil {
		return CaseItem{}, err
	}
	note := ""
	if ev == dialog.CaseEvNote || ev == dialog.CaseEvResolved {
		note = text
	}
	err = s.Pipeline.EventTx(ctx, tx, c.ConversationID, dialog.Inbound{Event: dialog.EventCaseUpdate, CaseEvent: ev,
		Case: pipeline.CaseViewOf(st), Text: note})
	return caseItem(st), err
}

// acknowledgeOnTakeover records on the conversation's open case that the agent taking
// the conversation over has seen it; the traveller hears of it from the agent joining.
func acknowledgeOnTakeover(ctx context.Context, tx *sqlx.Tx, convID, agentID int64) error {
	c, err := store.OpenCaseOf(ctx, tx, convID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = store.AcknowledgeCase(ctx, tx, c.ID, agentID)
	return err
}
