package httpapi

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"xingqu/api"
	"xingqu/auth"
)

// A JSON body followed by more data is refused: a proxy and the service must not read
// two different requests out of one body.
func TestJSONWithTrailingDataRefused(t *testing.T) {
	e := newWebEnv(t)
	var ae api.Error
	if code := e.do("POST", "/api/login", "", `{"username":"a","password":"b"} {"username":"admin"}`, &ae); code != 400 || ae.Code != "E-400" {
		t.Errorf("body with a second object: %d %+v, want 400", code, ae)
	}
	if code := e.do("POST", "/api/login", "", `{"username":"a","password":"b"}`+"\n", nil); code != 401 {
		t.Errorf("body with a trailing newline: %d, want 401 (a plain failed login)", code)
	}
	if code := e.do("POST", "/api/login", "", map[string]string{"username": strings.Repeat("u", auth.MaxUsernameLen+1), "password": "whatever12345"}, &ae); code != 400 || ae.Field != "username" {
		t.Errorf("username over %d bytes: %d %+v, want 400 naming username", auth.MaxUsernameLen, code, ae)
	}
}

// Once the server has begun to close, a message is stored but no turn starts for it:
// the wait for turns in flight must not race new ones, and the database may be closed
// next. The sweeper or the next start handles the message.
func TestNoTurnStartsAfterClose(t *testing.T) {
	e := newWebEnv(t)
	ws := e.session("en")
	// Turns starting while Close waits: under the race detector a WaitGroup added to
	// while it is waited for at zero is reported.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"text": fmt.Sprint("hi ", i)}, nil)
		}()
		if i == 10 {
			go e.srv.Close()
		}
	}
	wg.Wait()
	e.srv.Close()
	if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"text": "after close"}, nil); code != 202 {
		t.Fatalf("message after close: %d, want 202 (stored for later)", code)
	}
	time.Sleep(300 * time.Millisecond)
	var pending int
	e.db.Get(&pending, `SELECT count(*) FROM inbox WHERE handled_at IS NULL AND payload->>'text' = 'after close'`)
	if pending != 1 {
		t.Errorf("a turn ran after the server closed")
	}
}
