package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/store"
)

// Widget is the web channel. It is made by New and not changed after.
type Widget struct {
	DB       *store.DB
	Log      *slog.Logger
	Pipeline *pipeline.Pipeline
	cfg      Config
	web      webState
}

// New makes the web channel: p takes its messages; cfg is read now and never again.
func New(db *store.DB, p *pipeline.Pipeline, cfg Config, log *slog.Logger) *Widget {
	if cfg.Listener == nil {
		cfg.Listener = store.NewListener("", log) // hears nothing: streams poll
	}
	s := &Widget{DB: db, Log: log, Pipeline: p, cfg: cfg}
	if p != nil {
		// The turns taken here reach the streams open here without a read.
		p.WatchTurns(&s.web.hub)
	}
	return s
}

func (s *Widget) clientIP(r *http.Request) string { return s.cfg.TrustedProxies.ClientIP(r) }

// serverError logs err and answers 500 without showing it.
func (s *Widget) serverError(w http.ResponseWriter, r *http.Request, err error) {
	api.ServerError(w, r, s.Log, err)
}

// WireMessage is a transcript line as the widget and the console see it.
type WireMessage struct {
	ID        int64           `json:"id"`
	Role      string          `json:"role"`
	Text      string          `json:"text"`
	Kind      string          `json:"kind,omitempty"` // text | plan | working
	Buttons   []dialog.Choice `json:"buttons"`
	Plan      *dialog.Plan    `json:"plan,omitempty"`
	Action    string          `json:"action,omitempty"` // the button a traveller pressed
	Author    string          `json:"author,omitempty"` // the agent's name on a message of role agent
	CreatedAt time.Time       `json:"createdAt"`
}

// Wire is a stored message as the widget and the console see it.
func Wire(m store.Message) WireMessage {
	var b store.MessageBody
	json.Unmarshal(m.Body, &b)
	w := WireMessage{ID: m.ID, Role: m.Role, Text: m.Text, Kind: string(b.Kind), Buttons: b.Choices,
		Plan: b.Plan, Action: b.Action, Author: b.Author, CreatedAt: m.CreatedAt}
	if w.Buttons == nil {
		w.Buttons = []dialog.Choice{}
	}
	return w
}

// WireMessages is Wire of each of ms.
func WireMessages(ms []store.Message) []WireMessage {
	out := make([]WireMessage, len(ms))
	for i, m := range ms {
		out[i] = Wire(m)
	}
	return out
}

func (s *Widget) sessionRate() int {
	if s.cfg.SessionRate > 0 {
		return s.cfg.SessionRate
	}
	return 60
}

func (s *Widget) messageRate() int {
	if s.cfg.MessageRate > 0 {
		return s.cfg.MessageRate
	}
	return 30
}

// CORS lets the allow-listed origins call the widget API from their pages. Requests with
// an Origin header from anywhere else are refused; requests without one (not from a
// browser page) pass, since they carry no ambient credentials to abuse.
func (s *Widget) CORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" {
			if !slices.Contains(s.cfg.WidgetOrigins, origin) {
				api.WriteError(w, http.StatusForbidden, api.Forbidden, "this site may not embed the widget", "")
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID")
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Max-Age", "600")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// HandleSession opens a chat: a traveller, a conversation and a session token.
func (s *Widget) HandleSession() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Lang     string `json:"lang"`
			TimeZone string `json:"timeZone"`
		}
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		if req.TimeZone != "" {
			if _, err := time.LoadLocation(req.TimeZone); err != nil || len(req.TimeZone) > 64 {
				api.WriteError(w, http.StatusBadRequest, api.BadRequest, "timeZone is not an IANA time zone name", "timeZone")
				return
			}
		}
		ctx := r.Context()
		ip := api.LimitKey(s.clientIP(r))
		rc, err := store.CountRate(ctx, s.DB, "session:"+ip, s.sessionRate(), time.Hour)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !rc.Allowed {
			api.WriteTooMany(w, rc.RetryAfter, "too many new chat sessions from this address")
			return
		}
		lang := dialog.LangOfHint(req.Lang)
		if lang == "" {
			lang = dialog.LangZH
		}
		id := uuid.NewString()
		tok, hash := auth.NewOpaqueToken(auth.WidgetTokenPrefix)
		tr, err := store.EnsureTraveller(ctx, s.DB, "web", id, "", lang, req.TimeZone)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		conv, err := store.CurrentConversation(ctx, s.DB, tr.ID, lang)
		if err == nil {
			err = store.CreateWidgetSession(ctx, s.DB, id, hash, tr.ID, conv, auth.SessionTTL)
		}
		if err == nil {
			// The session's model calls count against its address's budget as well.
			err = store.SetTravellerNetwork(ctx, s.DB, tr.ID, ip)
		}
		if err == nil {
			_, err = store.AddMessage(ctx, s.DB, conv, "bot", dialog.T(lang, "greeting"), store.MessageBody{Kind: dialog.ReplyText})
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		api.WriteJSON(w, http.StatusCreated, map[string]any{"sessionToken": tok, "conversationId": conv})
	})
}

// HandlePost takes a traveller's message, a button pressed or a location shared.
func (s *Widget) HandlePost() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.PrincipalOf(r)
		var req struct {
			Text   string `json:"text"`
			Action string `json:"action"`
			ID     string `json:"id"` // the widget's id for this message, so a retry is not a second message
			// Location is where the visitor is, shared from the browser with their permission.
			Location *widgetLocation `json:"location"`
		}
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		if !api.MessageFits(w, "message", "text", req.Text) {
			return
		}
		if strings.TrimSpace(req.Text) == "" && req.Action == "" && req.Location == nil {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "text or action is required", "text")
			return
		}
		if len(req.Action) > 256 {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "action is not one the bot offered", "action")
			return
		}
		// The traveller's own rate is counted by the pipeline, across instances. An address shared by many visitors (an office, a NAT) gets several sessions' worth.
		per := rate.Every(time.Minute / time.Duration(s.messageRate()))
		if ok, wait := s.web.limits.Allow("msgip:"+api.LimitKey(s.clientIP(r)), per*rate.Limit(10), 10*s.messageRate()); !ok {
			api.WriteTooMany(w, wait, "too many messages from this address")
			return
		}
		if req.ID == "" || len(req.ID) > 64 {
			req.ID = uuid.NewString()
		}
		in := pipeline.Inbound{Channel: "web", ExternalID: p.SessionID, InboundID: "w:" + req.ID, Text: req.Text, Action: req.Action}
		if req.Location != nil {
			place, ok := req.Location.place()
			if !ok {
				api.WriteError(w, http.StatusBadRequest, api.Location, "location must be a point: lat -90..90, lon -180..180", "location")
				return
			}
			in.Place = place
		}
		var tooFast *pipeline.TooFast
		if err := s.receiveAndDrain(r.Context(), in); errors.As(err, &tooFast) {
			api.WriteTooMany(w, tooFast.RetryAfter, "you are sending messages too fast")
			return
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
		api.WriteJSON(w, http.StatusAccepted, map[string]any{"accepted": true})
	})
}

// receiveAndDrain stores the message before answering, and its turn with it when the
// turn needs nothing but the database (pipeline.ReceiveAndTurn): the traveller sees the
// replies on the event stream. A turn that would be slow (an extractor call) runs after
// the answer, in a drain, and does not hold the request; messages to one conversation
// share one drain. While the server closes, messages are only stored.
func (s *Widget) receiveAndDrain(ctx context.Context, in pipeline.Inbound) error {
	if s.Pipeline == nil {
		return errors.New("no pipeline configured")
	}
	var convID int64
	var kick bool
	var err error
	// Close waits for a turn taken here, as it waits for drains.
	s.web.kickMu.RLock()
	if s.web.closed {
		var dup bool
		convID, dup, err = s.Pipeline.Receive(ctx, in)
		kick = !dup
	} else {
		convID, _, kick, err = s.Pipeline.ReceiveAndTurn(ctx, in)
	}
	s.web.kickMu.RUnlock()
	if err != nil || !kick {
		return err
	}
	s.kick(context.WithoutCancel(ctx), convID)
	return nil
}

// ownConversation answers 404 when the request names a conversation other than the
// session's own: whether it exists is none of this visitor's business.
func ownConversation(w http.ResponseWriter, r *http.Request, p auth.Principal) bool {
	c := r.URL.Query().Get("conversationId")
	if c == "" || c == strconv.FormatInt(p.ConversationID, 10) {
		return true
	}
	api.WriteError(w, http.StatusNotFound, api.NotFound, "no such conversation", "conversationId")
	return false
}

// historyPage is how many messages one history read returns; the widget reads on with
// the cursor until a page comes back empty.
const historyPage = 500

// HandleHistory reads the session's transcript a page at a time.
func (s *Widget) HandleHistory() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.PrincipalOf(r)
		if !ownConversation(w, r, p) {
			return
		}
		var after int64
		if a := r.URL.Query().Get("after"); a != "" {
			n, err := strconv.ParseInt(a, 10, 64)
			if err != nil || n < 0 {
				api.WriteError(w, http.StatusBadRequest, api.BadRequest, "after must be a cursor from an earlier answer", "after")
				return
			}
			after = n
		}
		ms, err := store.Messages(r.Context(), s.DB, p.ConversationID, after, historyPage)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		cursor := after
		if len(ms) > 0 {
			cursor = ms[len(ms)-1].ID
		}
		api.WriteJSON(w, http.StatusOK, map[string]any{"messages": WireMessages(ms), "cursor": strconv.FormatInt(cursor, 10)})
	})
}

// EventStream writes server-sent events. Every write and flush gets a deadline: a client
// that stops reading fills the socket's buffers, and without one the next write would hold
// the stream's goroutine, and the server's shutdown, for as long as the client stays.
type EventStream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

// OpenEvents answers with an event stream.
func (s *Widget) OpenEvents(w http.ResponseWriter) (*EventStream, error) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not hold events back
	es := &EventStream{w: w, rc: http.NewResponseController(w), timeout: s.cfg.StreamWriteTimeout}
	if es.timeout <= 0 {
		es.timeout = 10 * time.Second
	}
	if err := es.deadline(); err != nil {
		return nil, err
	}
	w.WriteHeader(http.StatusOK)
	return es, es.Comment("stream open")
}

func (es *EventStream) deadline() error {
	return es.rc.SetWriteDeadline(time.Now().Add(es.timeout))
}

// Event writes one event; id is omitted when "".
func (es *EventStream) Event(id, event string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if err := es.deadline(); err != nil {
		return err
	}
	if id != "" {
		_, err = fmt.Fprintf(es.w, "id: %s\nevent: %s\ndata: %s\n\n", id, event, b)
	} else {
		_, err = fmt.Fprintf(es.w, "event: %s\ndata: %s\n\n", event, b)
	}
	return err
}

// Comment writes a line clients ignore and flushes it.
func (es *EventStream) Comment(text string) error {
	if err := es.deadline(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(es.w, ": %s\n\n", text); err != nil {
		return err
	}
	return es.Flush()
}

// Flush sends what was written.
func (es *EventStream) Flush() error {
	if err := es.deadline(); err != nil {
		return err
	}
	return es.rc.Flush()
}

// Heartbeat keeps proxies from closing an idle stream; poll is the safety net under
// LISTEN/NOTIFY, catching up even if a notification was lost.
const (
	Heartbeat  = 20 * time.Second
	pollStream = 15 * time.Second
)

// HandleEvents streams the session's new messages and its plan's progress.
func (s *Widget) HandleEvents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.PrincipalOf(r)
		if !ownConversation(w, r, p) {
			return
		}
		kicked, release, ok := s.AdmitStream(s.clientIP(r), p.SessionID)
		if !ok {
			api.WriteTooMany(w, Heartbeat, "too many open chats from this address")
			return
		}
		defer release()
		ctx := r.Context()
		sb, unsubscribe := s.Subscribe(p.ConversationID)
		defer unsubscribe()
		s.Listening(ctx)
		latest, err := store.LatestMessageID(ctx, s.DB, p.ConversationID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		last, resync := latest, false
		if v := r.Header.Get("Last-Event-ID"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			// An id this conversation never had (another conversation's, a restored
			// database's) cannot be resumed from: the widget must read its history again.
			if err != nil || n < 0 || n > latest {
				resync = true
			} else {
				last = n
			}
		}
		es, err := s.OpenEvents(w)
		if err != nil {
			s.Log.Warn("event stream open", "err", err)
			return
		}
		if resync {
			if es.Event("", "resync", api.Error{Code: api.Sync, Message: "widget lost sync: reload the conversation"}) != nil || es.Flush() != nil {
				return
			}
		}
		beat := time.NewTicker(Heartbeat)
		defer beat.Stop()
		poll := time.NewTicker(pollStream)
		defer poll.Stop()
		progress := sb.takeProgress() // the plan being written when the stream opened
		// read: the transcript may have grown since it was last read. A heartbeat, a
		// plan's progress, or a turn handed over whole reads nothing.
		var handed []store.Message
		for read := true; ; {
			for _, m := range handed {
				if err := es.Event(strconv.FormatInt(m.ID, 10), "message", Wire(m)); err != nil {
					return
				}
				last = m.ID
			}
			if len(handed) > 0 && es.Flush() != nil {
				return
			}
			handed = nil
			for read {
				ms, err := store.Messages(ctx, s.DB, p.ConversationID, last, 200)
				if err != nil {
					if ctx.Err() == nil {
						s.Log.Warn("event stream read", "err", err)
					}
					return
				}
				for _, m := range ms {
					if err := es.Event(strconv.FormatInt(m.ID, 10), "message", Wire(m)); err != nil {
						return
					}
					last = m.ID
				}
				if len(ms) > 0 {
					if es.Flush() != nil {
						return
					}
				}
				read = len(ms) == 200
			}
			// Messages first, then progress only while the plan is still awaited: a
			// notification overtaken by its plan card must not reopen the bubble the card
			// closed. A plan delivered after this check wakes the stream again.
			if progress != nil && s.awaitsPlan(ctx, p.ConversationID, progress.PlanRequest) {
				ev := progressEvent{PlanRequest: progress.PlanRequest, Chars: progress.Chars, Preview: progress.Preview}
				if es.Event("", "progress", ev) != nil || es.Flush() != nil {
					return
				}
			}
			progress = nil
			select {
			case <-ctx.Done():
				return
			case <-s.Closing():
				return
			case <-kicked:
				return
			case <-sb.ch:
				handed, read = sb.catchUp(p.ConversationID, last)
				progress = sb.takeProgress()
			case <-poll.C:
				read = true
			case <-beat.C:
				if es.Comment("ping") != nil {
					return
				}
			}
		}
	})
}

// progressEvent is a plan being written, as the widget sees it. It has no id: progress
// is shown once and forgotten, and must not move the point a stream resumes from.
// The provider's name stays inside: travellers have no use for it.
type progressEvent struct {
	PlanRequest int    `json:"planRequest"`
	Chars       int    `json:"chars"`
	Preview     string `json:"preview"`
}

func (s *Widget) awaitsPlan(ctx context.Context, convID int64, request int) bool {
	c, err := store.GetConversation(ctx, s.DB, convID)
	return err == nil && dialog.AwaitsPlan(&c, request)
}
