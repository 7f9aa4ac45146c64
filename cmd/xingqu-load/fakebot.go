package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// fakeBot is a Bot API server as a bot sees it: getUpdates hands out what the travellers
// typed, and sendMessage is paced per chat as Telegram paces it (one message a second,
// a burst of three), answering 429 with retry_after beyond that.
type fakeBot struct {
	mu      sync.Mutex
	queue   []json.RawMessage // updates not yet confirmed by an offset
	first   int64             // update_id of queue[0]
	next    int64             // the next update_id to hand out
	arrived chan struct{}     // closed and replaced when an update is queued
	chats   map[int64]*fakeChat
	msgID   atomic.Int64

	tooMany atomic.Int64 // 429 answers
}

// fakeChat is one traveller's chat: its pace and where its replies go.
type fakeChat struct {
	limiter *rate.Limiter
	replies chan botReply
}

// botReply is something the bot sent to a chat.
type botReply struct {
	At      time.Time
	Method  string
	Text    string
	Markup  string
	Working bool
}

func newFakeBot() *fakeBot {
	return &fakeBot{next: 1, first: 1, arrived: make(chan struct{}), chats: map[int64]*fakeChat{}}
}

// chat registers a traveller's chat and returns where its replies arrive.
func (f *fakeBot) chat(id int64) <-chan botReply {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fakeChat{limiter: rate.NewLimiter(1, 3), replies: make(chan botReply, 64)}
	f.chats[id] = c
	return c.replies
}

// say queues a text message from a traveller and returns when it became available.
func (f *fakeBot) say(chat int64, text string) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.next
	f.next++
	u, _ := json.Marshal(map[string]any{
		"update_id": id,
		"message": map[string]any{
			"message_id": id, "date": time.Now().Unix(), "text": text,
			"chat": map[string]any{"id": chat, "type": "private"},
			"from": map[string]any{"id": chat, "is_bot": false, "first_name": "Load", "language_code": "zh-hans"},
		},
	})
	f.queue = append(f.queue, u)
	close(f.arrived)
	f.arrived = make(chan struct{})
	return time.Now()
}

func (f *fakeBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "bot") {
		http.NotFound(w, r) // weather and geocoding: not found, quickly
		return
	}
	if err := r.ParseForm(); err != nil {
		writeAPI(w, 400, nil, "Bad Request: "+err.Error(), 0)
		return
	}
	switch method := parts[1]; method {
	case "getMe":
		writeAPI(w, 200, map[string]any{"id": 1, "is_bot": true, "first_name": "Load", "username": "xingqu_load_bot"}, "", 0)
	case "getUpdates":
		f.getUpdates(w, r)
	case "sendMessage", "sendChatAction":
		chat, _ := strconv.ParseInt(r.Form.Get("chat_id"), 10, 64)
		f.mu.Lock()
		c := f.chats[chat]
		f.mu.Unlock()
		if c == nil {
			writeAPI(w, 400, nil, "Bad Request: chat not found", 0)
			return
		}
		if method == "sendMessage" && !c.limiter.Allow() {
			f.tooMany.Add(1)
			writeAPI(w, 429, nil, "Too Many Requests: retry after 1", 1)
			return
		}
		reply := botReply{At: time.Now(), Method: method, Text: r.Form.Get("text"), Markup: r.Form.Get("reply_markup")}
		select {
		case c.replies <- reply:
		default: // a traveller not listening: dropped
		}
		if method == "sendChatAction" {
			writeAPI(w, 200, true, "", 0)
			return
		}
		writeAPI(w, 200, map[string]any{"message_id": f.msgID.Add(1), "date": time.Now().Unix(),
			"chat": map[string]any{"id": chat, "type": "private"}, "text": reply.Text}, "", 0)
	default:
		// setMyCommands, deleteWebhook, answerCallbackQuery, edits, deletes.
		writeAPI(w, 200, true, "", 0)
	}
}

// getUpdates answers at once with what is queued after offset, or waits for the
// timeout for something to arrive.
func (f *fakeBot) getUpdates(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.ParseInt(r.Form.Get("offset"), 10, 64)
	timeout, _ := strconv.Atoi(r.Form.Get("timeout"))
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		f.mu.Lock()
		if offset > f.first {
			drop := min(int(offset-f.first), len(f.queue))
			f.queue = f.queue[drop:]
			f.first += int64(drop)
		}
		if n := len(f.queue); n > 0 {
			out := append([]json.RawMessage(nil), f.queue[:min(n, 100)]...)
			f.mu.Unlock()
			writeAPI(w, 200, out, "", 0)
			return
		}
		arrived := f.arrived
		f.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline:
			writeAPI(w, 200, []json.RawMessage{}, "", 0)
			return
		case <-r.Context().Done():
			return
		}
	}
}

func writeAPI(w http.ResponseWriter, status int, result any, description string, retryAfter int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"ok": status == 200}
	if status == 200 {
		body["result"] = result
	} else {
		body["error_code"] = status
		body["description"] = description
		if retryAfter > 0 {
			body["parameters"] = map[string]any{"retry_after": retryAfter}
		}
	}
	if err := json.NewEncoder(w).Encode(body); err != nil {
		fmt.Println("fake bot api:", err)
	}
}
