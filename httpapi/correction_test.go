package httpapi

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xingqu/store"
)

// A cancellation with words of correction: those who were told of the plan get the
// cancellation with the words in their language; a cancellation without a body works as
// before, and an empty message is no correction.
func TestCancelWithCorrection(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)
	ana := subscribe(t, e.db, "201", "en", "maintenance")
	bo := subscribe(t, e.db, "202", "zh", "maintenance")
	code, out := e.announce(admin, map[string]any{"type": "maintenance", "urgent": true, "title": map[string]string{"zh": "数据库维护", "en": "Database maintenance"},
		"startsAt": ahead(2 * time.Hour), "endsAt": ahead(3 * time.Hour)})
	if code != 201 {
		t.Fatalf("create: %d %v", code, out)
	}
	id := idOf(t, out)
	runNoticeJobs(t, e.db)
	// Both are told of the plan: the cancellation goes to who heard of it.
	told := func(id int64) {
		t.Helper()
		for _, r := range noticeRows(t, e.db, id) {
			if _, ok, err := store.ClaimOutbox(context.Background(), e.db, r.ID); !ok || err != nil {
				t.Fatal(ok, err)
			}
			if err := store.MarkOutboxSent(context.Background(), e.db, r.ID, r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	told(id)
	path := fmt.Sprintf("/api/admin/announcements/%d/cancel", id)
	if code := e.do("POST", path, admin, map[string]any{"message": map[string]string{"zh": "", "en": strings.Repeat("x", 1001)}}, nil); code != 400 {
		t.Fatalf("an over-long correction: %d", code)
	}
	if code := e.do("POST", path, admin, map[string]any{"message": map[string]string{"zh": "维护改到下周六，届时另行通知", "en": "Moved to next Saturday; we will tell you again"}}, nil); code != 200 {
		t.Fatalf("cancel: %d", code)
	}
	runNoticeJobs(t, e.db)
	got := map[int64]string{}
	for _, r := range noticeRows(t, e.db, id) {
		if strings.Contains(r.Key, ":cancelled:") {
			got[r.TravellerID] = r.Text
		}
	}
	for tr, want := range map[int64][]string{
		ana.ID: {"Cancelled", "Note: Moved to next Saturday; we will tell you again", "Database maintenance"},
		bo.ID:  {"已取消", "说明：维护改到下周六，届时另行通知", "数据库维护"},
	} {
		for _, w := range want {
			if !strings.Contains(got[tr], w) {
				t.Errorf("traveller %d's cancellation lacks %q:\n%s", tr, w, got[tr])
			}
		}
	}
	var v AnnouncementView
	if code := e.do("GET", fmt.Sprintf("/api/admin/announcements/%d", id), admin, nil, &v); code != 200 || len(v.Updates) != 1 || v.Updates[0].Translations.EN != "Moved to next Saturday; we will tell you again" {
		t.Errorf("the admin's view of the correction: %d %+v", code, v.Updates)
	}

	// No body, and an empty message: the plain cancellation.
	for i, body := range []any{nil, map[string]any{"message": ""}} {
		code, out := e.announce(admin, map[string]any{"type": "maintenance", "urgent": true, "title": "维护", "startsAt": ahead(2 * time.Hour), "endsAt": ahead(3 * time.Hour)})
		if code != 201 {
			t.Fatal(code, out)
		}
		id := idOf(t, out)
		runNoticeJobs(t, e.db)
		told(id)
		if code := e.do("POST", fmt.Sprintf("/api/admin/announcements/%d/cancel", id), admin, body, nil); code != 200 {
			t.Fatalf("cancel %d: %d", i, code)
		}
		runNoticeJobs(t, e.db)
		cancelled := 0
		for _, r := range noticeRows(t, e.db, id) {
			if strings.Contains(r.Key, ":cancelled:") {
				cancelled++
			}
			if strings.Contains(r.Key, ":cancelled:") && (strings.Contains(r.Text, "Note:") || strings.Contains(r.Text, "说明：")) {
				t.Errorf("cancel %d: a correction nobody wrote:\n%s", i, r.Text)
			}
		}
		if cancelled != 2 {
			t.Errorf("cancel %d: %d cancellation notices, want 2", i, cancelled)
		}
	}
}

// TestBrowserCancelWithCorrection cancels a notice from the console with words of
// correction in both languages.
func TestBrowserCancelWithCorrection(t *testing.T) {
	bin := chromium(t)
	e, admin, _ := noticeEnv(t)
	code, out := e.announce(admin, map[string]any{"type": "maintenance", "urgent": true, "title": "数据库维护",
		"startsAt": ahead(2 * time.Hour), "endsAt": ahead(3 * time.Hour)})
	if code != 201 {
		t.Fatal(code, out)
	}
	id := idOf(t, out)
	tab := startBrowser(t, bin, 2*time.Minute)
	screenshotOnFailure(t, tab, "cancel")
	wait := func(what, js string) {
		t.Helper()
		js = "(() => { try { return " + js + " } catch (e) { return false } })()"
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	row := fmt.Sprintf(`#xa-notices tr[data-id="%d"] button`, id)
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/console"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin1"), chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery staple"),
		chromedp.Click(chromedp.CSS("form.login button")), chromedp.WaitVisible(chromedp.CSS("#xa-open")), chromedp.Click(chromedp.CSS("#xa-open")),
		chromedp.WaitVisible(chromedp.CSS(row)), chromedp.Click(chromedp.CSS(row))); err != nil {
		t.Fatal(err)
	}
	wait("the correction fields of a published notice", `!document.querySelector('#xa-correction').hidden && !!document.querySelector('#xa-correction-zh')`)
	if err := chromedp.Do(tab, chromedp.SetValue(chromedp.CSS("#xa-correction-zh"), "改到下周六"),
		chromedp.SetValue(chromedp.CSS("#xa-correction-en"), "Moved to next Saturday")); err != nil {
		t.Fatal(err)
	}
	if *screenshotsDir != "" {
		if buf, err := chromedp.Run(tab, chromedp.CaptureScreenshot()); err == nil {
			os.WriteFile(filepath.Join(*screenshotsDir, "console-cancel-correction.png"), buf, 0o644)
		}
	}
	// The notice's live view is drawn again every second (counts, the list row above it),
	// so a click at the button's coordinates can land where it was a moment before: the
	// button is clicked as the page's own handler sees a click, wherever it is.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`(() => { document.querySelector('#xa-cancel').click(); return true })()`)); err != nil {
		t.Fatal(err)
	}
	wait("the notice cancelled, the correction listed and the fields gone", `document.querySelector('#xa-status').dataset.status === 'cancelled'
		&& document.querySelector('#xa-updates').textContent.includes('Moved to next Saturday') && document.querySelector('#xa-correction').hidden`)
	var v AnnouncementView
	if code := e.do("GET", fmt.Sprintf("/api/admin/announcements/%d", id), admin, nil, &v); code != 200 || v.Status != "cancelled" ||
		len(v.Updates) != 1 || v.Updates[0].Translations.ZH != "改到下周六" {
		t.Fatalf("%d %+v", code, v)
	}
}
