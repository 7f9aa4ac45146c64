package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/channel/web"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/store"
)

// agents is the agent console's area: the queue, a conversation's view, taking over,
// replying and handing back, cases (cases.go), answers to feedback (feedback_handle.go),
// and the console's event stream, which shares the web channel's streams.
type agents struct {
	errorLog
	DB       *store.DB
	Pipeline *pipeline.Pipeline
	streams  *web.Widget
	proxies  api.Proxies
}

// QueueItem is a conversation as the agents' queue lists it.
type QueueItem struct {
	ID            int64      `json:"id"`
	Channel       string     `json:"channel"`
	TravellerName string     `json:"travellerName"`
	Status        string     `json:"status"`
	Priority      int        `json:"priority"`
	State         string     `json:"state"`
	Lang          string     `json:"lang"`
	WaitingSince  *time.Time `json:"waitingSince"`
	Emergency     bool       `json:"emergency"`
	Agent         *string    `json:"agent"`
	LastMessage   *LastLine  `json:"lastMessage"`
}

// LastLine is the traveller's latest message in a conversation: what an agent picking
// from the queue needs, rather than the bot's last answer.
type LastLine struct {
	Role      string    `json:"role"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"createdAt"`
}

func queueItem(r store.QueueRow) QueueItem {
	it := QueueItem{ID: r.ID, Channel: r.Channel, TravellerName: r.TravellerName, Status: r.Status,
		Priority: r.Priority, State: r.State, Lang: r.Lang, Emergency: r.Emergency}
	if r.Agent.Valid {
		it.Agent = &r.Agent.String
	}
	if r.WaitingSince.Valid {
		it.WaitingSince = &r.WaitingSince.Time
	}
	if r.LastAt.Valid {
		it.LastMessage = &LastLine{Role: r.LastRole.String, Text: r.LastText.String, CreatedAt: r.LastAt.Time}
	}
	return it
}

func (s *agents) handleAgentList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queue := r.URL.Query().Get("status")
		if queue == "" {
			queue = store.QueueWaiting
		}
		rows, err := store.AgentQueue(r.Context(), s.DB, queue, auth.PrincipalOf(r).UserID)
		if errors.Is(err, store.ErrNotFound) {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "status must be waiting, mine, bot or all", "status")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		items := make([]QueueItem, len(rows))
		for i, row := range rows {
			items[i] = queueItem(row)
		}
		api.WriteJSON(w, http.StatusOK, map[string]any{"conversations": items})
	})
}

func convIDOf(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		api.WriteError(w, http.StatusNotFound, api.NotFound, "no such conversation", "id")
		return 0, false
	}
	return id, true
}

// ConversationView is everything an agent needs to help a traveller. Messages are the
// latest TranscriptPage of the transcript; Cursor, when not empty, reads the page before
// them (?before=Cursor).
type ConversationView struct {
	QueueItem
	Slots       json.RawMessage   `json:"slots"`
	Messages    []web.WireMessage `json:"messages"`
	Cursor      string            `json:"cursor"`
	Plans       []PlanVersion     `json:"plans"`
	Chosen      dialog.Tier       `json:"chosen,omitempty"` // the option the traveller chose: "my plan"
	Feedback    []FeedbackLine    `json:"feedback"`
	Emergencies []EmergencyLine   `json:"emergencies"`
}

// TranscriptPage is how many messages one answer of the conversation view carries: a
// transcript of thousands of long messages made one answer of tens of megabytes.
const TranscriptPage = 200

// transcriptPage is an older page of a transcript.
type transcriptPage struct {
	Messages []web.WireMessage `json:"messages"`
	Cursor   string            `json:"cursor"`
}

// PlanVersion is one plan made for a conversation.
type PlanVersion struct {
	Version   int             `json:"version"`
	Source    string          `json:"source"`
	Plan      json.RawMessage `json:"plan"`
	CreatedAt time.Time       `json:"createdAt"`
}

// FeedbackLine is a rating or comment a traveller left.
type FeedbackLine struct {
	Rating    *int      `db:"rating" json:"rating"`
	Comment   string    `db:"comment" json:"comment"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
}

// EmergencyLine is an emergency a traveller reported.
type EmergencyLine struct {
	Text      string    `db:"text" json:"text"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
}

func (s *agents) handleAgentConversation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := convIDOf(w, r)
		if !ok {
			return
		}
		ctx := r.Context()
		var before int64
		if v := r.URL.Query().Get("before"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				api.WriteError(w, http.StatusBadRequest, api.BadRequest, "before must be a cursor this view returned", "before")
				return
			}
			before = n
		}
		row, err := store.QueueEntry(ctx, s.DB, id)
		if errors.Is(err, store.ErrNotFound) {
			api.WriteError(w, http.StatusNotFound, api.NotFound, "no such conversation", "id")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		ms, more, err := store.TranscriptPage(ctx, s.DB, id, before, TranscriptPage)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		page := transcriptPage{Messages: web.WireMessages(ms)}
		if more {
			page.Cursor = strconv.FormatInt(ms[0].ID, 10)
		}
		if before != 0 {
			// An older page: the rest of the view is in the first answer.
			api.WriteJSON(w, http.StatusOK, page)
			return
		}
		v := ConversationView{QueueItem: queueItem(row), Messages: page.Messages, Cursor: page.Cursor,
			Plans: []PlanVersion{}, Feedback: []FeedbackLine{}, Emergencies: []EmergencyLine{}}
		slots, err := store.ConversationSlots(ctx, s.DB, id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// Re-encoding through the domain type gives the SPEC's names, ISO dates and
		// per-person budget whatever older rows hold.
		var trip dialog.TripRequest
		json.Unmarshal(slots, &trip)
		v.Slots, _ = json.Marshal(trip)
		plans, err := store.PlanVersions(ctx, s.DB, id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if v.Chosen, err = store.ChosenOption(ctx, s.DB, id); err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, p := range plans {
			v.Plans = append(v.Plans, PlanVersion{Version: p.Version, Source: p.Source, Plan: p.Plan, CreatedAt: p.CreatedAt})
		}
		// Plans delivered but not recorded in the plans table still show, from the transcript.
		if len(v.Plans) == 0 {
			for _, m := range v.Messages {
				if m.Plan != nil {
					b, _ := json.Marshal(m.Plan)
					v.Plans = append(v.Plans, PlanVersion{Version: m.Plan.Version, Source: m.Plan.Source, Plan: b, CreatedAt: m.CreatedAt})
				}
			}
		}
		if err := store.ConversationFeedback(ctx, s.DB, id, &v.Feedback); err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := store.ConversationEmergencies(ctx, s.DB, id, &v.Emergencies); err != nil {
			s.serverError(w, r, err)
			return
		}
		api.WriteJSON(w, http.StatusOK, v)
	})
}

// errHeld says another agent has the conversation.
type errHeld struct{ by string }

func (e errHeld) Error() string { return "conversation taken over by " + e.by }

var errNotHeld = errors.New("take the conversation over first")

// holdAct is what an agent does with a conversation, for hold to check.
type holdAct int

const (
	actReply holdAct = iota
	actTakeover
	actHandback
)

// hold locks the conversation's row and checks that p may act on it: an agent acts on a
// conversation they hold; a takeover may also take one nobody holds, and an admin may
// hand back one an absent agent still holds. It returns who holds it now (0: nobody).
// Every agent action on a conversation starts here.
func hold(ctx context.Context, tx *sqlx.Tx, convID int64, p auth.Principal, act holdAct) (by int64, err error) {
	by, name, err := store.LockHolder(ctx, tx, convID)
	if err != nil {
		return 0, err
	}
	switch {
	case by == p.UserID:
	case act == actTakeover && by == 0:
	case act == actHandback && p.Role == auth.RoleAdmin:
	case by != 0:
		return by, errHeld{by: name}
	default:
		return by, errNotHeld
	}
	return by, nil
}

func (s *agents) answerHold(w http.ResponseWriter, r *http.Request, err error) {
	var held errHeld
	switch {
	case errors.As(err, &held):
		api.WriteJSON(w, http.StatusConflict, map[string]string{"error_code": string(api.Conflict),
			"message": "already taken over by " + held.by, "agent": held.by})
	case errors.Is(err, errNotHeld):
		api.WriteError(w, http.StatusConflict, api.Conflict, "take the conversation over first", "")
	case errors.Is(err, store.ErrNotFound):
		api.WriteError(w, http.StatusNotFound, api.NotFound, "no such conversation", "id")
	default:
		s.serverError(w, r, err)
	}
}

func (s *agents) handleTakeover() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := convIDOf(w, r)
		if !ok {
			return
		}
		p := auth.PrincipalOf(r)
		ctx := r.Context()
		err := s.DB.InTx(ctx, func(tx *sqlx.Tx) error {
			by, err := hold(ctx, tx, id, p, actTakeover)
			if err != nil || by == p.UserID {
				return err
			}
			if err := store.SetHolder(ctx, tx, id, p.UserID); err != nil {
				return err
			}
			if err := s.Pipeline.EventTx(ctx, tx, id, dialog.Inbound{Event: dialog.EventTakeover}); err != nil {
				return err
			}
			if err := acknowledgeOnTakeover(ctx, tx, id, p.UserID); err != nil {
				return err
			}
			conv, travellerID, err := store.LockConversation(ctx, tx, id)
			if err != nil {
				return err
			}
			_, err = s.sayToTraveller(ctx, tx, &conv, travellerID, "system", "", dialog.T(conv.Lang, "agent_joined"))
			return err
		})
		if err != nil {
			s.answerHold(w, r, err)
			return
		}
		s.Log.Info("takeover", "conversation", id, "user_id", p.UserID)
		api.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "status": "human", "agent": p.Username})
	})
}

func (s *agents) handleAgentReply() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := convIDOf(w, r)
		if !ok {
			return
		}
		var req struct {
			Text string `json:"text"`
		}
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		if !api.MessageFits(w, "message", "text", req.Text) {
			return
		}
		if strings.TrimSpace(req.Text) == "" {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "text is required", "text")
			return
		}
		p := auth.PrincipalOf(r)
		var msgID int64
		err := s.DB.InTx(r.Context(), func(tx *sqlx.Tx) error {
			var err error
			msgID, err = s.deliverAgentReply(r.Context(), tx, id, p, req.Text)
			return err
		})
		if err != nil {
			s.answerHold(w, r, err)
			return
		}
		api.WriteJSON(w, http.StatusCreated, map[string]any{"id": msgID})
	})
}

// deliverAgentReply stores an agent's reply in the transcript as role agent, hands it to
// the traveller's channel through the outbox when there is one (the widget reads the
// transcript), and notifies every instance's streams, all in tx. Only the agent holding
// the conversation may reply.
func (s *agents) deliverAgentReply(ctx context.Context, tx *sqlx.Tx, convID int64, p auth.Principal, text string) (int64, error) {
	if _, err := hold(ctx, tx, convID, p, actReply); err != nil {
		return 0, err
	}
	conv, travellerID, err := store.LockConversation(ctx, tx, convID)
	if err != nil {
		return 0, err
	}
	return s.sayToTraveller(ctx, tx, &conv, travellerID, "agent", p.Username, text)
}

// sayToTraveller adds a message of role, written by author when a person wrote it, to the
// transcript and the traveller's channel, and notifies every instance's streams.
func (s *agents) sayToTraveller(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, role, author, text string) (int64, error) {
	id, err := store.AddMessage(ctx, tx, conv.ID, role, text, store.MessageBody{Kind: dialog.ReplyText, Author: author})
	if err != nil {
		return 0, err
	}
	if err := s.toOutbox(ctx, tx, conv, travellerID, text); err != nil {
		return 0, err
	}
	err = store.NotifyAfterCommit(ctx, tx, store.ConversationChannel, strconv.FormatInt(conv.ID, 10))
	return id, err
}

func (s *agents) toOutbox(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, text string) error {
	if s.Pipeline == nil || s.Pipeline.Outbox == nil {
		return nil
	}
	if err := s.Pipeline.Outbox.WriteReplies(ctx, tx, conv, travellerID, []dialog.Reply{{Kind: dialog.ReplyText, Text: text}}); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

func (s *agents) handleHandback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := convIDOf(w, r)
		if !ok {
			return
		}
		p := auth.PrincipalOf(r)
		ctx := r.Context()
		err := s.DB.InTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := hold(ctx, tx, id, p, actHandback); err != nil {
				return err
			}
			if err := store.SetHolder(ctx, tx, id, 0); err != nil {
				return err
			}
			return s.Pipeline.EventTx(ctx, tx, id, dialog.Inbound{Event: dialog.EventHandback})
		})
		if err != nil {
			s.answerHold(w, r, err)
			return
		}
		s.Log.Info("handback", "conversation", id, "user_id", p.UserID)
		api.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "status": "bot"})
	})
}

// handleAgentEvents streams a "conversation" event whenever any conversation changes
// (the console re-reads its queue and the open conversation) and "resync" when changes
// may have been missed.
// agentStreamPoll is how often an agents' stream tells the console to read its queue
// again whatever it heard.
var agentStreamPoll = time.Minute

func (s *agents) handleAgentEvents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, release, ok := s.streams.AdmitStream(s.proxies.ClientIP(r), "")
		if !ok {
			api.WriteTooMany(w, web.Heartbeat, "too many open streams from this address")
			return
		}
		defer release()
		ctx := r.Context()
		sb, unsubscribe := s.streams.Subscribe(0)
		defer unsubscribe()
		s.streams.Listening(ctx)
		es, err := s.streams.OpenEvents(w)
		if err != nil {
			s.Log.Warn("event stream open", "err", err)
			return
		}
		beat := time.NewTicker(web.Heartbeat)
		defer beat.Stop()
		// Notifications are hints sent after their commits; one can be lost (a process
		// killed between the two). The queue is read again now and then, as a widget
		// stream polls.
		poll := time.NewTicker(agentStreamPoll)
		defer poll.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.streams.Closing():
				return
			case <-poll.C:
				if es.Event("", "resync", map[string]string{"message": "reload the queue"}) != nil || es.Flush() != nil {
					return
				}
			case <-sb.Woken():
				ids, resync := sb.Take()
				if resync && es.Event("", "resync", map[string]string{"message": "reload the queue"}) != nil {
					return
				}
				for _, id := range ids {
					st, err := store.GetStanding(ctx, s.DB, id)
					if err != nil {
						continue
					}
					if es.Event("", "conversation", map[string]any{"id": id, "status": st.Status, "priority": st.Priority}) != nil {
						return
					}
				}
				if es.Flush() != nil {
					return
				}
			case <-beat.C:
				if es.Comment("ping") != nil {
					return
				}
			}
		}
	})
}
