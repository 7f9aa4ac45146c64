package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/prometheus/client_golang/prometheus"

	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/store"
)

// Geocoder names the place at a point; the channel uses it for shared locations.
type Geocoder interface {
	Reverse(ctx context.Context, lat, lon float64, lang string) (dialog.Place, error)
}

// Modes.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

// Config is the channel's configuration, parsed in cmd.
type Config struct {
	Token         string
	Endpoint      string // tgbotapi format: https://api.telegram.org/bot%s/%s
	Mode          string // polling or webhook
	WebhookSecret string
	PublicURL     string // the webhook is PublicURL + /telegram/webhook
	Rate          float64
	// Listener is the process's notification listener, on which plan progress is heard;
	// nil: plans are delivered without being shown while they are written.
	Listener *store.Listener
	// LeaderDB holds the leader's advisory lock; it must reach PostgreSQL directly, not
	// through a transaction pooler, for the lock to live exactly as long as its session.
	// Nil: the channel's own database.
	LeaderDB *store.DB

	// Tunables with defaults for production; tests shorten them.
	PollTimeout   time.Duration // long-poll wait; default 25s
	LeaderRetry   time.Duration // how often a standby tries to become leader; default 2s
	Processors    int           // chats whose updates are processed at once; default 8
	Sender        Sender        // pacing fields of the sender (DB, API, Log are filled in)
	LockKey       int64         // advisory lock key; default fixed
	RequestTimout time.Duration // HTTP timeout of one Bot API call beyond the poll; default 15s
	// ProgressInterval is the least time between two edits of a plan's progress message;
	// default 1s, Telegram's pace for one chat.
	ProgressInterval time.Duration
}

// Channel is the running Telegram channel.
type Channel struct {
	cfg     Config
	db      *store.DB
	pipe    *pipeline.Pipeline
	geo     Geocoder
	log     *slog.Logger
	metrics *Metrics

	mu       sync.Mutex
	api      botAPI // ends its requests at shutdown: polling
	sendAPI  botAPI // lets its requests finish: a message on the wire is not aborted
	userName string

	wake    chan struct{}               // wakes the recovery loop
	handoff chan []store.TelegramUpdate // stored by the webhook, to be dispatched

	linesMu sync.Mutex
	lines   map[string][]queuedUpdate // chat -> updates waiting behind the one in hand
	slots   chan struct{}             // chats processed at once
	working sync.WaitGroup
}

// queuedUpdate is an update waiting to be processed in this process.
type queuedUpdate struct {
	u       store.TelegramUpdate
	claimed bool // claimed from the table (its attempts counted), not stored here
}

// New makes the channel. reg may be nil. The pipeline's Outbox should be the channel
// (or WriteReplies) so that replies reach Telegram.
func New(cfg Config, db *store.DB, pipe *pipeline.Pipeline, geo Geocoder, log *slog.Logger, reg prometheus.Registerer) *Channel {
	if cfg.Mode == "" {
		cfg.Mode = ModePolling
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = tgbotapi.APIEndpoint
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.LeaderRetry == 0 {
		cfg.LeaderRetry = 2 * time.Second
	}
	if cfg.Processors == 0 {
		cfg.Processors = 8
	}
	if cfg.LockKey == 0 {
		cfg.LockKey = 0x7467_6c65_6164 // "tgload": one key for the whole bot
	}
	if cfg.RequestTimout == 0 {
		cfg.RequestTimout = 15 * time.Second
	}
	if cfg.ProgressInterval == 0 {
		cfg.ProgressInterval = time.Second
	}
	return &Channel{
		cfg: cfg, db: db, pipe: pipe, geo: geo, log: log.With("channel", "telegram"),
		metrics: NewMetrics(reg, db),
		wake:    make(chan struct{}, 1),
		handoff: make(chan []store.TelegramUpdate, 1024),
		lines:   map[string][]queuedUpdate{},
		slots:   make(chan struct{}, cfg.Processors),
	}
}

func (c *Channel) clients() (api, sendAPI botAPI) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.api, c.sendAPI
}

// botName is the bot's @username, "" until the channel has connected: updates are
// processed from the start, while Run may still be connecting.
func (c *Channel) botName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.userName
}

// Run connects (retrying for as long as Telegram is unreachable), processes stored
// updates, and competes to be the one instance that polls and sends. It returns when ctx
// ends, after in-flight work has finished.
func (c *Channel) Run(ctx context.Context) error {
	// The loops that dispatch updates end before the wait for the updates in hand.
	defer c.working.Wait()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() { defer wg.Done(); c.recoverLoop(ctx) }()
	wg.Add(1)
	go func() { defer wg.Done(); c.progressLoop(ctx) }()

	api, err := connect(ctx, c.cfg.Token, c.cfg.Endpoint, c.cfg.PollTimeout+c.cfg.RequestTimout, func(err error, wait time.Duration) {
		c.log.Warn("Telegram unreachable; the web keeps serving, retrying", "err", err, "retry_in", wait)
	})
	if err != nil {
		return nil // shut down before Telegram came back
	}
	c.mu.Lock()
	c.api, c.sendAPI, c.userName = api, detached(api, c.cfg.RequestTimout), api.Self.UserName
	c.mu.Unlock()
	c.log.Info("connected to Telegram", "bot", api.Self.UserName, "mode", c.cfg.Mode)

	for ctx.Err() == nil {
		ldb := c.cfg.LeaderDB
		if ldb == nil {
			ldb = c.db
		}
		lead, release, err := store.AcquireLeader(ctx, ldb, c.cfg.LockKey, c.cfg.LeaderRetry)
		if err != nil {
			return nil
		}
		c.log.Info("telegram: this instance now polls and sends", "mode", c.cfg.Mode)
		c.lead(lead)
		release()
	}
	return nil
}

// lead does the leader's work until it loses the lock or ctx ends.
func (c *Channel) lead(ctx context.Context) {
	api, sendAPI := c.clients()
	var wg sync.WaitGroup
	snd := c.cfg.Sender
	snd.DB, snd.API, snd.Log, snd.Metrics = c.db, sendAPI, c.log, c.metrics
	if snd.Rate == 0 {
		snd.Rate = c.cfg.Rate
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := snd.Run(ctx); err != nil && ctx.Err() == nil {
			c.log.Error("telegram sender stopped", "err", err)
		}
	}()
	// Registration can fail for a long time (a public URL Telegram refuses, say) and
	// none of it may hold up the sender.
	wg.Add(1)
	go func() { defer wg.Done(); c.retry(ctx, "setMyCommands", func() error { return c.setCommands(api) }) }()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if c.cfg.Mode == ModeWebhook {
			c.retry(ctx, "setWebhook", func() error { return c.setWebhook(api) })
			return
		}
		// getUpdates answers 409 while a webhook is set.
		deleted := c.retry(ctx, "deleteWebhook", func() error {
			_, err := api.MakeRequest("deleteWebhook", tgbotapi.Params{"drop_pending_updates": "false"})
			return err
		})
		if deleted {
			c.poll(ctx, api)
		}
	}()
	wg.Wait()
}

// retry calls f until it succeeds, backing off up to a minute, and reports whether it
// did before ctx ended.
func (c *Channel) retry(ctx context.Context, what string, f func() error) bool {
	wait := time.Second
	for ctx.Err() == nil {
		err := f()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			break
		}
		c.log.Warn("telegram: "+what+" failed, retrying", "err", redact(err, c.cfg.Token), "retry_in", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Minute)
	}
	return false
}

// commandList is the menu registered with setMyCommands, in both languages.
var commandList = []string{"start", "help", "new", "lang", "subscribe", "unsubscribe", "status", "changelog", "feedback", "human", "sos", "case", "cancel"}

// setCommands registers the command menu in each language and as the default.
func (c *Channel) setCommands(api botAPI) error {
	var errs []error
	for _, lang := range []string{dialog.LangZH, dialog.LangEN, ""} {
		var cmds []tgbotapi.BotCommand
		for _, name := range commandList {
			l := lang
			if l == "" {
				l = dialog.LangEN
			}
			cmds = append(cmds, tgbotapi.BotCommand{Command: name, Description: dialog.T(l, "tg_cmd_"+name)})
		}
		b, _ := json.Marshal(cmds)
		p := tgbotapi.Params{"commands": string(b)}
		if lang != "" {
			p["language_code"] = lang
		}
		if _, err := api.MakeRequest("setMyCommands", p); err != nil {
			errs = append(errs, fmt.Errorf("language %q: %w", lang, err))
		}
	}
	return errors.Join(errs...)
}

// setWebhook points Telegram at this service's webhook, with the secret it must send.
func (c *Channel) setWebhook(api botAPI) error {
	allowed, _ := json.Marshal(allowedUpdates)
	_, err := api.MakeRequest("setWebhook", tgbotapi.Params{
		"url":             strings.TrimRight(c.cfg.PublicURL, "/") + "/telegram/webhook",
		"secret_token":    c.cfg.WebhookSecret,
		"allowed_updates": string(allowed),
		"max_connections": "40",
	})
	return err
}

var allowedUpdates = []string{"message", "edited_message", "channel_post", "edited_channel_post", "callback_query", "my_chat_member"}

// rawUpdate is what the channel reads of an update before storing it.
type rawUpdate struct {
	UpdateID int64 `json:"update_id"`
}

// chatOf returns the chat an update belongs to, "" for none.
func chatOf(u *tgbotapi.Update) string {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return strconv.FormatInt(u.Message.Chat.ID, 10)
	case u.EditedMessage != nil && u.EditedMessage.Chat != nil:
		return strconv.FormatInt(u.EditedMessage.Chat.ID, 10)
	case u.ChannelPost != nil && u.ChannelPost.Chat != nil:
		return strconv.FormatInt(u.ChannelPost.Chat.ID, 10)
	case u.EditedChannelPost != nil && u.EditedChannelPost.Chat != nil:
		return strconv.FormatInt(u.EditedChannelPost.Chat.ID, 10)
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return strconv.FormatInt(u.CallbackQuery.Message.Chat.ID, 10)
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return strconv.FormatInt(u.CallbackQuery.From.ID, 10)
	case u.MyChatMember != nil:
		return strconv.FormatInt(u.MyChatMember.Chat.ID, 10)
	}
	return ""
}

// storeUpdates keeps raw updates in one statement and returns those not stored before,
// leased to this process to be processed at once (dispatch). A redelivered update_id is
// a no-op. polled says they came from getUpdates: the statement also moves the poll
// offset past them.
func (c *Channel) storeUpdates(ctx context.Context, q store.Queryer, raws []json.RawMessage, polled bool) (fresh []store.TelegramUpdate, maxID int64, err error) {
	us := make([]store.TelegramUpdate, 0, len(raws))
	for _, raw := range raws {
		var u tgbotapi.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			// An update we cannot read is still recorded, or it would be redelivered forever.
			var r rawUpdate
			if json.Unmarshal(raw, &r) != nil {
				continue
			}
			u.UpdateID = int(r.UpdateID)
		}
		us = append(us, store.TelegramUpdate{UpdateID: int64(u.UpdateID), ChatID: chatOf(&u), Payload: storable(raw)})
		maxID = max(maxID, int64(u.UpdateID))
	}
	var offset int64
	if polled && maxID > 0 {
		offset = maxID + 1
	}
	fresh, err = store.StorePolledUpdates(ctx, q, us, updateLease, offset)
	if err != nil {
		return nil, 0, err
	}
	if n := len(us) - len(fresh); n > 0 {
		c.metrics.updates.WithLabelValues("duplicate").Add(float64(n))
	}
	return fresh, maxID, nil
}

// updateLease is how long an update is left to the process that stored or claimed it
// before another may claim it: far longer than processing one takes (a turn is not part
// of it), short enough that a crash delays a chat by seconds.
const updateLease = 15 * time.Second

// storable returns the update without NUL characters, which PostgreSQL's jsonb refuses:
// left in, one such update would fail the storing of every update polled with it, again
// and again.
func storable(raw json.RawMessage) json.RawMessage {
	if !bytes.Contains(raw, []byte(`\u0000`)) {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return raw
	}
	b, err := json.Marshal(withoutNUL(v))
	if err != nil {
		return raw
	}
	return b
}

func withoutNUL(v any) any {
	switch v := v.(type) {
	case string:
		return strings.ReplaceAll(v, "\x00", "")
	case []any:
		for i := range v {
			v[i] = withoutNUL(v[i])
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[strings.ReplaceAll(k, "\x00", "")] = withoutNUL(e)
		}
		return out
	}
	return v
}

func (c *Channel) kick() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// poll long-polls getUpdates. The offset moves on (and with it Telegram's copy of the
// updates is dropped) only after the updates are committed to the database.
func (c *Channel) poll(ctx context.Context, api botAPI) {
	offset, err := store.TelegramOffset(ctx, c.db)
	if err != nil {
		c.log.Error("telegram: cannot read the poll offset", "err", err)
		return
	}
	allowed, _ := json.Marshal(allowedUpdates)
	wait := time.Second
	for ctx.Err() == nil {
		resp, err := api.MakeRequest("getUpdates", tgbotapi.Params{
			"offset":          strconv.FormatInt(offset, 10),
			"timeout":         strconv.Itoa(int(c.cfg.PollTimeout / time.Second)),
			"allowed_updates": string(allowed),
		})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			out, ra := classify(err)
			if out == outcomeRateLimit {
				wait = ra
			}
			c.log.Warn("telegram: getUpdates failed", "err", redact(err, c.cfg.Token), "retry_in", wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(wait*2, 30*time.Second)
			continue
		}
		wait = time.Second
		var raws []json.RawMessage
		if err := json.Unmarshal(resp.Result, &raws); err != nil {
			c.log.Warn("telegram: unreadable getUpdates result", "err", err)
			continue
		}
		if len(raws) == 0 {
			continue
		}
		// The updates and the offset past them, in one statement.
		fresh, maxID, err := c.storeUpdates(ctx, c.db, raws, true)
		if err != nil {
			// Not stored: ask for the same updates again.
			c.log.Warn("telegram: storing updates failed", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		offset = maxID + 1
		c.dispatch(ctx, fresh, false)
	}
}

// Webhook is the handler of POST /telegram/webhook. It checks the secret, stores the
// update and answers; the update is processed afterwards, so a slow turn never makes
// Telegram wait or resend.
func (c *Channel) Webhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if c.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.cfg.WebhookSecret)) != 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		var probe rawUpdate
		if err := json.Unmarshal(body, &probe); err != nil || probe.UpdateID == 0 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 800*time.Millisecond)
		defer cancel()
		fresh, _, err := c.storeUpdates(ctx, c.db, []json.RawMessage{body}, false)
		if err != nil {
			// Telegram resends on an error: nothing is lost.
			c.log.Warn("telegram webhook: could not store an update", "update_id", probe.UpdateID, "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{}"))
		// The request ends with the answer; the update is the channel's now. If the
		// hand-over is full, the update is claimed from the table after its lease.
		select {
		case c.handoff <- fresh:
		default:
		}
	})
}

// maxUpdateAttempts is how often processing an update may fail before it is given up.
const maxUpdateAttempts = 3

// dispatch processes updates in this process right away: one chat's in the order given,
// after any of the chat's still in hand, and up to Processors chats at once. An update
// that is not processed here (a crash, shutdown) is claimed from the table once its
// lease ends.
func (c *Channel) dispatch(ctx context.Context, us []store.TelegramUpdate, claimed bool) {
	for _, u := range us {
		q := queuedUpdate{u: u, claimed: claimed}
		c.linesMu.Lock()
		if waiting, busy := c.lines[u.ChatID]; busy {
			c.lines[u.ChatID] = append(waiting, q)
			c.linesMu.Unlock()
			continue
		}
		c.lines[u.ChatID] = nil
		c.working.Add(1)
		c.linesMu.Unlock()
		go c.runChat(ctx, q)
	}
}

// runChat processes a chat's updates until none is waiting.
func (c *Channel) runChat(ctx context.Context, q queuedUpdate) {
	defer c.working.Done()
	chat := q.u.ChatID
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		c.linesMu.Lock()
		delete(c.lines, chat)
		c.linesMu.Unlock()
		return
	}
	for {
		c.handle(ctx, q)
		c.linesMu.Lock()
		waiting := c.lines[chat]
		if len(waiting) == 0 || ctx.Err() != nil {
			delete(c.lines, chat)
			c.linesMu.Unlock()
			return
		}
		q, c.lines[chat] = waiting[0], waiting[1:]
		c.linesMu.Unlock()
	}
}

// handle processes one update, records its outcome and starts the turn it brought.
func (c *Channel) handle(ctx context.Context, q queuedUpdate) {
	u := &q.u
	outcome, convID, finished, err := c.process(ctx, u)
	switch {
	case errors.Is(err, store.ErrUpdateDone):
		return // another worker processed it
	case errors.Is(err, store.ErrUpdateNotNext):
		// An older update of the chat is in another worker's hands, or failed a moment
		// ago: this one follows it, claimed from the table.
		store.ReleaseTelegramUpdate(context.WithoutCancel(ctx), c.db, u.UpdateID, 500*time.Millisecond)
		c.kick()
		return
	case err != nil && ctx.Err() != nil:
		return // shutting down: claimed again after its lease
	case err != nil:
		attempts := u.Attempts
		backoff := time.Duration(attempts+1) * time.Second
		if q.claimed {
			if attempts < maxUpdateAttempts {
				store.ReleaseTelegramUpdate(ctx, c.db, u.UpdateID, backoff)
			}
		} else if n, ferr := store.FailedTelegramUpdate(ctx, c.db, u.UpdateID, backoff); ferr == nil {
			attempts = n
		}
		if attempts < maxUpdateAttempts {
			c.log.Warn("telegram: processing an update failed, will retry", "update_id", u.UpdateID, "attempt", attempts, "err", err)
			return
		}
		// The chat's later updates wait for this one: one that keeps failing is set
		// aside, its reason kept with it, rather than silence the chat for good.
		c.log.Error("telegram: giving up on an update", "update_id", u.UpdateID, "chat", u.ChatID, "attempts", attempts, "err", err)
		outcome, finished = "failed: "+err.Error(), false
		c.kick() // the chat's next update may be waiting for this one
	}
	c.metrics.updates.WithLabelValues(strings.SplitN(outcome, ":", 2)[0]).Inc()
	if !finished {
		if err := store.FinishTelegramUpdate(ctx, c.db, u.UpdateID, outcome); err != nil {
			c.log.Warn("telegram: recording an update failed", "update_id", u.UpdateID, "err", err)
		}
	}
	if convID != 0 {
		c.pipe.Kick(ctx, convID)
	}
}

// recoverLoop claims from the table the updates no process has in hand: those stored
// before a crash, or by an instance that died, or whose processing failed and waits to
// be retried. It runs every second, or sooner when woken; it also dispatches what the
// webhook stored.
func (c *Channel) recoverLoop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for ctx.Err() == nil {
		for ctx.Err() == nil {
			u, err := store.ClaimTelegramUpdate(ctx, c.db, updateLease)
			if err != nil && ctx.Err() == nil {
				c.log.Warn("telegram: claiming an update failed", "err", err)
			}
			if u == nil {
				break
			}
			c.dispatch(ctx, []store.TelegramUpdate{*u}, true)
		}
		select {
		case <-ctx.Done():
		case <-c.wake:
		case <-tick.C:
		case us := <-c.handoff:
			c.dispatch(ctx, us, false)
		}
	}
}
