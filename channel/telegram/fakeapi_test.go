package telegram

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAPI is an in-process Bot API: it speaks Telegram's JSON, records every request,
// serves getUpdates from a queue with Telegram's offset semantics, and enforces the
// limits a bot must respect, answering 429 with retry_after when paced too fast.
type fakeAPI struct {
	srv *httptest.Server

	mu       sync.Mutex
	reqs     []fakeReq
	nextMsg  int
	updates  []json.RawMessage // not yet confirmed by an offset
	newUpd   chan struct{}
	polling  map[string]int // instance -> getUpdates in progress
	conflict int

	globalLimit int           // paced requests allowed in any 1 s window; 0 = none
	chatGap     time.Duration // least time between two messages to one chat; 0 = none
	lastByChat  map[string]time.Time
	window      []time.Time
	tooMany     int
	blocked     map[string]bool
	force429    func(n int) int // retry_after for the n-th paced request, 0 for none
	paced       int
	delay       time.Duration  // added to every paced answer
	fail5xx     int            // the next n paced requests answer 502
	down        bool           // every request answers 502, as when Telegram is unreachable
	texts       map[int]string // message id -> its text, for edits
	deleted     map[int]bool
	refuse      map[string]int           // method -> error_code it always answers
	slow        map[string]time.Duration // method -> wait before answering
	conns       atomic.Int64             // TCP connections the clients opened
}

type fakeReq struct {
	At       time.Time
	Instance string
	Method   string
	Params   url.Values
	Status   int // HTTP-level: 200, or the error_code answered
	mid      int
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{newUpd: make(chan struct{}), polling: map[string]int{}, lastByChat: map[string]time.Time{},
		blocked: map[string]bool{}, chatGap: time.Second,
		texts: map[int]string{}, deleted: map[int]bool{}, refuse: map[string]int{}, slow: map[string]time.Duration{}}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// endpoint is the tgbotapi endpoint format for an instance name (recorded per request).
func (f *fakeAPI) endpoint(instance string) string {
	return f.srv.URL + "/" + instance + "/bot%s/%s"
}

func pacedMethod(m string) bool {
	return strings.HasPrefix(m, "send") || strings.HasPrefix(m, "edit") || m == "answerCallbackQuery"
}

// chatPaced methods are messages in a chat, limited to one a second per chat.
func chatPaced(m string) bool {
	return (strings.HasPrefix(m, "send") || strings.HasPrefix(m, "edit")) && m != "sendChatAction"
}

func (f *fakeAPI) ok(w http.ResponseWriter, result any) {
	b, _ := json.Marshal(map[string]any{"ok": true, "result": result})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (f *fakeAPI) fail(w http.ResponseWriter, code int, desc string, retryAfter int) {
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 3 || !strings.HasPrefix(parts[len(parts)-2], "bot") {
		http.NotFound(w, r)
		return
	}
	instance, method := parts[0], parts[len(parts)-1]
	r.ParseForm()
	f.mu.Lock()
	down, refuse, slow := f.down, f.refuse[method], f.slow[method]
	f.mu.Unlock()
	if down {
		f.fail(w, http.StatusBadGateway, "Bad Gateway", 0)
		return
	}
	time.Sleep(slow)
	if refuse != 0 {
		f.mu.Lock()
		f.reqs = append(f.reqs, fakeReq{At: time.Now(), Instance: instance, Method: method, Params: r.PostForm, Status: refuse})
		f.mu.Unlock()
		f.fail(w, refuse, "Bad Request: refused by the test", 0)
		return
	}
	now := time.Now()
	rec := fakeReq{At: now, Instance: instance, Method: method, Params: r.PostForm, Status: 200}

	if method == "getUpdates" {
		f.getUpdates(w, r, rec)
		return
	}
	f.mu.Lock()
	status, desc, retry := 200, "", 0
	chat := r.PostForm.Get("chat_id")
	if pacedMethod(method) {
		f.paced++
		cut := now.Add(-time.Second)
		for len(f.window) > 0 && !f.window[0].After(cut) {
			f.window = f.window[1:]
		}
		switch {
		case f.force429 != nil && f.force429(f.paced) > 0:
			status, desc, retry = 429, "Too Many Requests: retry after", f.force429(f.paced)
		case f.globalLimit > 0 && len(f.window) >= f.globalLimit:
			status, desc, retry = 429, "Too Many Requests: retry after 1", 1
		case chatPaced(method) && f.chatGap > 0 && !f.lastByChat[chat].IsZero() && now.Sub(f.lastByChat[chat]) < f.chatGap:
			status, desc, retry = 429, "Too Many Requests: retry after 1", 1
		case f.blocked[chat]:
			status, desc = 403, "Forbidden: bot was blocked by the user"
		case f.fail5xx > 0:
			f.fail5xx--
			status, desc = 502, "Bad Gateway"
		}
		if status == 429 {
			f.tooMany++
		} else {
			f.window = append(f.window, now)
			if chatPaced(method) {
				f.lastByChat[chat] = now
			}
		}
	}
	f.nextMsg++
	mid := f.nextMsg
	if status == 200 {
		status, desc = f.content(method, mid, r.PostForm)
	}
	rec.Status = status
	rec.mid = mid
	f.reqs = append(f.reqs, rec)
	delay := f.delay
	f.mu.Unlock()
	if delay > 0 && pacedMethod(method) {
		time.Sleep(delay)
	}
	if status != 200 {
		f.fail(w, status, desc, retry)
		return
	}
	switch method {
	case "getMe":
		f.ok(w, map[string]any{"id": 777, "is_bot": true, "first_name": "xingqu", "username": "xingqu_test_bot"})
	case "sendMessage":
		var cid int64
		fmt.Sscan(chat, &cid)
		f.ok(w, map[string]any{"message_id": mid, "date": now.Unix(), "chat": map[string]any{"id": cid, "type": "private"},
			"text": r.PostForm.Get("text")})
	default:
		f.ok(w, true)
	}
}

// content applies what a request does to the chat's messages, refusing what Telegram
// refuses: an edit that changes nothing, and an edit or deletion of a deleted message.
func (f *fakeAPI) content(method string, mid int, p url.Values) (int, string) {
	var target int
	fmt.Sscan(p.Get("message_id"), &target)
	switch method {
	case "sendMessage":
		f.texts[mid] = p.Get("text")
	case "editMessageText":
		switch {
		case f.deleted[target]:
			return 400, "Bad Request: message to edit not found"
		case f.texts[target] == p.Get("text"):
			return 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
		}
		f.texts[target] = p.Get("text")
	case "deleteMessage":
		if f.deleted[target] {
			return 400, "Bad Request: message to delete not found"
		}
		f.deleted[target] = true
	}
	return 200, ""
}

// getUpdates confirms updates below offset, then answers what is left, waiting up to
// timeout seconds for something new. A second poller at the same time gets 409, as
// from Telegram.
func (f *fakeAPI) getUpdates(w http.ResponseWriter, r *http.Request, rec fakeReq) {
	var offset, timeout int
	fmt.Sscan(r.PostForm.Get("offset"), &offset)
	fmt.Sscan(r.PostForm.Get("timeout"), &timeout)
	f.mu.Lock()
	others := 0
	for inst, n := range f.polling {
		if inst != rec.Instance {
			others += n
		}
	}
	if others > 0 {
		f.conflict++
		rec.Status = 409
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
		f.fail(w, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", 0)
		return
	}
	f.polling[rec.Instance]++
	f.reqs = append(f.reqs, rec)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.polling[rec.Instance]--
		f.mu.Unlock()
	}()
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		f.mu.Lock()
		var keep, out []json.RawMessage
		for _, u := range f.updates {
			var h struct {
				ID int `json:"update_id"`
			}
			json.Unmarshal(u, &h)
			if h.ID >= offset {
				keep = append(keep, u)
			}
		}
		f.updates = keep
		out = append(out, keep...)
		wake := f.newUpd
		f.mu.Unlock()
		if len(out) > 0 || timeout == 0 {
			if out == nil {
				out = []json.RawMessage{}
			}
			f.ok(w, out)
			return
		}
		select {
		case <-wake:
		case <-deadline:
			timeout = 0
		case <-r.Context().Done():
			return
		}
	}
}

// push queues an update for getUpdates.
func (f *fakeAPI) push(u any) {
	b, _ := json.Marshal(u)
	f.mu.Lock()
	f.updates = append(f.updates, b)
	close(f.newUpd)
	f.newUpd = make(chan struct{})
	f.mu.Unlock()
}

func (f *fakeAPI) requests() []fakeReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeReq(nil), f.reqs...)
}

// sent returns the successful requests of a method (all methods for "").
func (f *fakeAPI) sent(method, chat string) []fakeReq {
	var out []fakeReq
	for _, r := range f.requests() {
		if (method == "" || r.Method == method) && (chat == "" || r.Params.Get("chat_id") == chat) && r.Status == 200 {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeAPI) count429() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tooMany
}

// Update builders in Telegram's JSON.

func user(id int64, lang string) map[string]any {
	return map[string]any{"id": id, "is_bot": false, "first_name": "Traveller", "language_code": lang}
}

func privateChat(id int64) map[string]any { return map[string]any{"id": id, "type": "private"} }

func textUpdate(uid int, chat int64, lang, text string) map[string]any {
	m := map[string]any{"message_id": uid, "date": time.Now().Unix(), "chat": privateChat(chat), "from": user(chat, lang), "text": text}
	if strings.HasPrefix(text, "/") {
		end := strings.IndexByte(text, ' ')
		if end < 0 {
			end = len(text)
		}
		m["entities"] = []any{map[string]any{"type": "bot_command", "offset": 0, "length": end}}
	}
	return map[string]any{"update_id": uid, "message": m}
}

func messageUpdate(uid int, chat int64, lang string, fields map[string]any) map[string]any {
	m := map[string]any{"message_id": uid, "date": time.Now().Unix(), "chat": privateChat(chat), "from": user(chat, lang)}
	for k, v := range fields {
		m[k] = v
	}
	return map[string]any{"update_id": uid, "message": m}
}

func callbackUpdate(uid int, chat int64, lang string, msg fakeReq, data string) map[string]any {
	var markup any
	json.Unmarshal([]byte(msg.Params.Get("reply_markup")), &markup)
	return map[string]any{"update_id": uid, "callback_query": map[string]any{
		"id": fmt.Sprint("cq", uid), "from": user(chat, lang), "chat_instance": "ci", "data": data,
		"message": map[string]any{"message_id": msg.messageID(), "date": time.Now().Unix(), "chat": privateChat(chat),
			"text": msg.Params.Get("text"), "reply_markup": markup},
	}}
}

// messageID is the id the fake gave a sendMessage: its position in the request log.
func (r fakeReq) messageID() int { return r.mid }

// buttons returns the callback data of a sent message's keyboard.
func (r fakeReq) buttons() []string {
	var m inlineMarkup
	json.Unmarshal([]byte(r.Params.Get("reply_markup")), &m)
	var out []string
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.CallbackData)
		}
	}
	return out
}
