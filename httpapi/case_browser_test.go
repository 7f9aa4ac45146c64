package httpapi

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xingqu/auth"
	"xingqu/store"
)

// TestBrowserConsoleCase: an emergency arriving while an agent is in the console raises
// the alert with a sound; the agent acknowledges the case, sends an update and resolves
// it from the conversation's side panel, and the traveller hears of each step.
func TestBrowserConsoleCase(t *testing.T) {
	bin := chromium(t)
	e := newWebEnv(t)
	e.addUser("agent3", "correct horse battery", auth.RoleAgent)
	ws := e.session("en")
	console := startBrowser(t, bin, 2*time.Minute)
	screenshotOnFailure(t, console, "case")
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	if err := chromedp.Do(console, chromedp.Navigate(e.ts.URL+"/console"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "agent3"), chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		click("form.login button"), chromedp.WaitVisible(chromedp.CSS("#queue"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, console, "the empty queue", `document.querySelectorAll('#queue .item').length === 0`)
	// The stream is subscribed before the shared listener has said LISTEN: wait for both.
	waitFor(t, 10*time.Second, "the console's event stream", func() bool {
		_, agents, listening := e.srv.widget.Subscriptions()
		return agents > 0 && listening
	})
	e.say(ws.Token, "my husband collapsed and is not breathing")
	waitJS(t, console, "the emergency alert with a sound", `!document.querySelector('#alert').hidden
		&& document.querySelector('#alert').textContent.includes('emergency') && window.__beeps >= 1`)
	if err := chromedp.Do(console, click("#queue .item")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, console, "the case in the side panel", `!!document.querySelector('#case-ack') && document.querySelector('#case h3').textContent.includes('#')`)
	told := func(what, want string) {
		t.Helper()
		waitFor(t, 10*time.Second, what, func() bool { return hasRole(e.history(ws.Token, "").Messages, "bot", want) })
	}
	if err := chromedp.Do(console, click("#case-ack")); err != nil {
		t.Fatal(err)
	}
	told("the acknowledgement", "agent3 has picked up your case")
	waitJS(t, console, "the case acknowledged", `!document.querySelector('#case-ack') && document.querySelector('#case').textContent.includes('acknowledged')`)
	if err := chromedp.Do(console, chromedp.SendKeys(chromedp.CSS("#case-note"), "An ambulance is on its way."), click("#case-add-note")); err != nil {
		t.Fatal(err)
	}
	told("the update", "An ambulance is on its way.")
	waitJS(t, console, "the panel after the update", `!!document.querySelector('#case-resolve') && document.querySelector('#case-note').value === ''`)
	if err := chromedp.Do(console, click("#case-resolve")); err != nil {
		t.Fatal(err)
	}
	told("the case closed", "agent3 has closed your case")
	c, err := store.ConversationCase(context.Background(), e.db, ws.ConversationID)
	if err != nil || c.Status != store.CaseResolved || c.Category != "medical" {
		t.Errorf("case %+v %v, want a resolved medical case", c.Case, err)
	}
}
