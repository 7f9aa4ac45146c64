package httpapi

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xingqu/channel/web"
	"xingqu/dialog"
	"xingqu/store"
)

// TestBrowserFeedbackChart: the admin's feedback page draws satisfaction per day as a
// chart and lists the open high-priority items; replying to one marks it handled and
// sends the traveller the reply.
func TestBrowserFeedbackChart(t *testing.T) {
	bin := chromium(t)
	e, _, _ := noticeEnv(t)
	ctx := context.Background()
	tr, err := store.EnsureTraveller(ctx, e.db, "web", "fb-browser", "Ana", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, e.db, tr.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	var high int64
	for _, f := range []struct {
		daysAgo int
		rating  int
		comment string
	}{{3, 5, "great plan"}, {3, 4, "nice"}, {2, 2, "too slow"}, {1, 1, "the bot is useless, it lost my plan"}} {
		cat, prio := dialog.ClassifyFeedback(f.rating, f.comment)
		id, err := store.RecordFeedback(ctx, e.db, store.NewFeedback{ConversationID: conv, Rating: f.rating, Comment: f.comment,
			Category: string(cat), Priority: string(prio)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.ExecContext(ctx, `UPDATE feedback SET created_at = now() - make_interval(days => $2) WHERE id = $1`, id, f.daysAgo); err != nil {
			t.Fatal(err)
		}
		if f.daysAgo == 1 {
			high = id
		}
	}

	admin := startBrowser(t, bin, 2*time.Minute)
	screenshotOnFailure(t, admin, "feedback")
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	if err := chromedp.Do(admin, chromedp.Navigate(e.ts.URL+"/console"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin1"), chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery staple"),
		click("form.login button"), chromedp.WaitVisible(chromedp.CSS("#xa-open")), click("#xa-open"), click("#xa-tab-feedback")); err != nil {
		t.Fatal(err)
	}
	waitJSFor := func(what, js string) {
		t.Helper()
		js = "(() => { try { return " + js + " } catch (e) { return false } })()"
		for deadline := time.Now().Add(30 * time.Second); ; {
			ok, err := chromedp.Run(admin, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// Three days with ratings: three points on each line, the average of day 3 being 4.5.
	waitJSFor("the satisfaction chart", `document.querySelectorAll('svg.xa-csat .xa-csat-avg-dot').length === 3
		&& document.querySelectorAll('svg.xa-csat .xa-csat-share-dot').length === 3
		&& document.querySelector('svg.xa-csat polyline.xa-csat-avg').getAttribute('points').split(' ').length === 3
		&& document.querySelector('svg.xa-csat').getAttribute('aria-label').includes('4.5')`)
	sel := "[data-feedback='" + itoa(high) + "']"
	waitJSFor("the open high-priority item", `document.querySelector("`+sel+`").textContent.includes('lost my plan')`)
	if err := chromedp.Do(admin, chromedp.SendKeys(chromedp.CSS("#xa-reply-"+itoa(high)), "Sorry, it is restored."),
		click("#xa-handle-"+itoa(high))); err != nil {
		t.Fatal(err)
	}
	waitJSFor("the item handled", `!document.querySelector("`+sel+`")`)
	var status string
	if err := e.db.GetContext(ctx, &status, `SELECT status FROM feedback WHERE id = $1`, high); err != nil || status != "handled" {
		t.Errorf("status %q %v, want handled", status, err)
	}
	if !hasRole(transcriptOf(t, e.db, conv), "agent", "Sorry, it is restored.") {
		t.Error("the traveller did not get the reply")
	}
}

func transcriptOf(t *testing.T, db *store.DB, conv int64) []web.WireMessage {
	t.Helper()
	return web.WireMessages(transcript(t, db, conv))
}
