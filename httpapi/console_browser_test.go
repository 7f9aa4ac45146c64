package httpapi

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"xingqu/auth"
	"xingqu/store"

	"github.com/chromedp/chromedp"
)

// TestConsoleLoadsOlderMessages: the console shows the latest page of a long transcript
// and reads the pages before it as the agent scrolls up, keeping what is on screen.
func TestConsoleLoadsOlderMessages(t *testing.T) {
	bin := chromium(t)
	e := newWebEnv(t)
	e.addUser("agent2", "correct horse battery", auth.RoleAgent)
	ws := e.session("en")
	if _, err := e.db.Exec(`INSERT INTO messages (conversation_id, role, text)
SELECT $1, 'traveller', 'line ' || n FROM generate_series(1, 450) n`, ws.ConversationID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(`UPDATE conversations SET status = 'waiting', waiting_since = now() WHERE id = $1`, ws.ConversationID); err != nil {
		t.Fatal(err)
	}
	console := startBrowser(t, bin, 2*time.Minute)
	if err := chromedp.Do(console, chromedp.Navigate(e.ts.URL+"/console"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "agent2"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS("form.login button"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, console, "the conversation in the queue", `document.querySelectorAll('#queue .item').length === 1`)
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#queue .item"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, console, "the latest page", `document.querySelectorAll('#transcript .msg').length === 200`)
	top := `(() => { const tr = document.querySelector('#transcript'); tr.scrollTop = 0; tr.dispatchEvent(new Event('scroll')); return true })()`
	for _, want := range []string{"400", "451"} {
		if _, err := chromedp.Run(console, chromedp.Evaluate[bool](top)); err != nil {
			t.Fatal(err)
		}
		waitJS(t, console, want+" messages after scrolling up", `document.querySelectorAll('#transcript .msg').length === `+want)
	}
	got, err := chromedp.Run(console, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#transcript .msg')].map(n => n.lastChild.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got[1], "line 1") || got[1] != "line 1" || got[450] != "line 450" {
		t.Errorf("transcript order: first %q %q, last %q", got[0], got[1], got[450])
	}
	// New messages refresh the view: the older pages stay, with nothing missing between.
	if _, err := e.db.Exec(`INSERT INTO messages (conversation_id, role, text)
SELECT $1, 'traveller', 'new ' || n FROM generate_series(1, 5) n`, ws.ConversationID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(`SELECT pg_notify($1, $2)`, store.ConversationChannel, fmt.Sprint(ws.ConversationID)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, console, "the new messages below the older pages", `[...document.querySelectorAll('#transcript .msg')].some(n => n.lastChild.textContent === 'new 5')`)
	if n := count(t, console, "#transcript .msg"); n != 456 {
		t.Errorf("%d messages shown after 5 more arrived, want 456", n)
	}
}
