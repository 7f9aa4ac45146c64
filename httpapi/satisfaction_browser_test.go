package httpapi

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xingqu/store"
)

// TestBrowserSatisfaction opens the console's feedback page as an admin: the average
// rating and the share of 4-5 over the last 30 days, the ratings, the average by day as
// a chart, and the open high-priority feedback with its words.
func TestBrowserSatisfaction(t *testing.T) {
	bin := chromium(t)
	e, _, _ := noticeEnv(t)
	ctx := context.Background()
	var conv int64
	if err := e.db.GetContext(ctx, &conv, `
WITH t AS (INSERT INTO travellers (channel, external_id) VALUES ('web', 'csat') RETURNING id)
INSERT INTO conversations (traveller_id) SELECT id FROM t RETURNING id`); err != nil {
		t.Fatal(err)
	}
	for _, f := range []store.NewFeedback{
		{ConversationID: conv, Rating: 5, Comment: "great plan", Category: "praise", Priority: "low"},
		{ConversationID: conv, Rating: 4, Comment: "good", Category: "praise", Priority: "low"},
		{ConversationID: conv, Rating: 1, Comment: "酒店地址是错的", Category: "bug", Priority: "high"},
	} {
		if _, err := store.RecordFeedback(ctx, e.db, f); err != nil {
			t.Fatal(err)
		}
	}

	tab := startBrowser(t, bin, 2*time.Minute)
	screenshotOnFailure(t, tab, "satisfaction")
	wait := func(what, js string) {
		t.Helper()
		js = "(() => { try { return " + js + " } catch (e) { return false } })()"
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/console"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin1"), chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery staple"),
		chromedp.Click(chromedp.CSS("form.login button")), chromedp.WaitVisible(chromedp.CSS("#xa-open")), chromedp.Click(chromedp.CSS("#xa-open")),
		chromedp.Click(chromedp.CSS("#xa-tab-feedback"))); err != nil {
		t.Fatal(err)
	}
	wait("the average and the share of 4-5", `(s => s.dataset.csat === '3.33' && s.dataset.rated === '3' && s.textContent.includes('67%'))(document.querySelector('#xa-csat'))`)
	wait("the ratings", `document.querySelector('#xa-ratings [data-rating="5"]').textContent.includes('1')
		&& document.querySelector('#xa-ratings [data-rating="3"]').textContent.includes('0')`)
	wait("the day's average in the chart", `document.querySelectorAll('#xa-daily svg.xa-csat .xa-csat-avg-dot').length === 1
		&& document.querySelector('#xa-daily svg.xa-csat').getAttribute('aria-label').includes('3.33')`)
	wait("the open high-priority feedback", `document.querySelector('#xa-open-high').textContent.includes('酒店地址是错的')
		&& !document.querySelector('#xa-open-high').textContent.includes('great plan')`)
	wait("the latest feedback", `document.querySelector('#xa-feedback-items').children.length === 3`)
	if *screenshotsDir != "" {
		if buf, err := chromedp.Run(tab, chromedp.CaptureScreenshot()); err == nil {
			os.WriteFile(filepath.Join(*screenshotsDir, "console-satisfaction.png"), buf, 0o644)
		}
	}
}
