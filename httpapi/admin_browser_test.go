package httpapi

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xingqu/auth"
	"xingqu/notices"
	"xingqu/providers/llm"
	"xingqu/store"
)

// sendNotices stands in for the Telegram sender on the outbox's side of the contract: it
// claims pending notice rows a few at a time and records them sent, until ctx ends.
func sendNotices(ctx context.Context, db *store.DB) {
	for ctx.Err() == nil {
		var ids []int64
		db.SelectContext(ctx, &ids, `SELECT id FROM outbox WHERE state = 'pending' AND dedupe_key LIKE 'ann:%' ORDER BY id LIMIT 3`)
		for _, id := range ids {
			if _, ok, err := store.ClaimOutbox(ctx, db, id); ok && err == nil {
				store.MarkOutboxSent(ctx, db, id, id)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestBrowserAdmin drives the console as an admin: a bilingual maintenance notice is
// previewed, published and delivered to 100%, a progress update is posted and it is
// completed; an agent is created and logs in, changing the temporary password; the
// maintenance switch goes on and a held message is counted.
func TestBrowserAdmin(t *testing.T) {
	bin := chromium(t)
	var calls atomic.Int64
	e, _, _ := noticeEnv(t, func(c *Config) {
		c.ProviderHealth = func() []llm.ProviderHealth {
			n := calls.Add(5)
			return []llm.ProviderHealth{{Name: "deepseek", Model: "deepseek-chat", State: "closed", Calls: n, Errors: map[string]int64{"LLM-101": n / 5}}}
		}
	})
	const subscribers = 24
	for i := range subscribers {
		subscribe(t, e.db, fmt.Sprint(9000+i), []string{"zh", "en"}[i%2], "maintenance")
	}
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	go (&notices.NoticeWorker{DB: e.db, Poll: 100 * time.Millisecond, Batch: 5, Log: e.log}).Run(ctx)
	go sendNotices(ctx, e.db)

	admin := startBrowser(t, bin, 3*time.Minute)
	screenshotOnFailure(t, admin, "admin")
	began := time.Now()
	do := func(tab context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		t.Logf("%5.1fs %s", time.Since(began).Seconds(), what)
		if err := chromedp.Do(tab, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// A check that throws (an element not there yet) or meets the page reloading counts
	// as not yet.
	waitJS := func(t *testing.T, tab context.Context, what, js string) {
		t.Helper()
		js = "(() => { try { return " + js + " } catch (e) { return false } })()"
		for deadline := time.Now().Add(30 * time.Second); ; {
			ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) || tab.Err() != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	set := func(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SetValue(chromedp.CSS(sel), v) }
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	login := func(tab context.Context, user, pw string) {
		t.Helper()
		do(tab, "log in as "+user, chromedp.Navigate(e.ts.URL+"/console"), chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), user), chromedp.SendKeys(chromedp.CSS("#password"), pw),
			click("form.login button"))
	}

	login(admin, "admin1", "correct horse battery staple")
	do(admin, "open the admin pages", chromedp.WaitVisible(chromedp.CSS("#xa-open")), click("#xa-open"), click("#xa-new"))

	// A bilingual emergency maintenance from now for two hours, previewed first.
	if _, err := chromedp.Run(admin, chromedp.Evaluate[bool](`(() => {
		const p = n => String(n).padStart(2, '0'), f = d => d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
		document.querySelector('#xa-starts').value = f(new Date());
		document.querySelector('#xa-ends').value = f(new Date(Date.now() + 2 * 3600e3));
		return true })()`)); err != nil {
		t.Fatal(err)
	}
	do(admin, "fill in the form", set("#xa-type", "maintenance"), click("#xa-urgent"),
		set("#xa-title-zh", "数据库紧急维护"), set("#xa-title-en", "Emergency database maintenance"),
		set("#xa-body-zh", "更换故障磁盘"), set("#xa-body-en", "Replacing a failed disk"),
		set("#xa-impact-zh", "服务暂停约2小时"), set("#xa-notes-zh", "请稍后再试"), set("#xa-notes-en", "Please try again later"),
		click("#xa-preview-btn"))
	waitJS(t, admin, "the preview as Telegram messages and widget pop-ups in both languages", `(p => p.querySelectorAll('.xa-tg').length === 2
		&& p.querySelectorAll('.xa-tg')[0].textContent.includes('数据库紧急维护') && p.querySelectorAll('.xa-tg')[0].textContent.includes('影响：服务暂停约2小时')
		&& p.querySelectorAll('.xa-tg')[1].textContent.includes('Emergency database maintenance') && p.querySelectorAll('.xa-tg')[1].textContent.includes('Impact: 服务暂停约2小时')
		&& p.querySelectorAll('.xa-popup')[1].textContent.includes('Replacing a failed disk'))(document.querySelector('#xa-preview'))`)
	var n int
	e.db.Get(&n, `SELECT count(*) FROM announcements`)
	if n != 0 {
		t.Fatalf("the preview stored %d announcements", n)
	}

	do(admin, "publish", click("#xa-schedule"))
	full := func(total int) string {
		return fmt.Sprintf(`(l => !!l && l.querySelector('[role=progressbar]').getAttribute('aria-valuenow') === '100'
			&& l.querySelector('[data-k=total]').textContent.endsWith(' %d') && l.querySelector('[data-k=sent]').textContent.endsWith(' %d'))(document.querySelector('#xa-live'))`, total, total)
	}
	waitJS(t, admin, "delivery to every subscriber at 100%", full(subscribers))
	waitJS(t, admin, "the notice listed with its state and delivery", `[...document.querySelectorAll('#xa-notices tr[data-id]')].some(r =>
		r.textContent.includes('Emergency database maintenance') && r.querySelector('[role=progressbar]').getAttribute('aria-valuenow') === '100')`)

	// A progress update while it runs, sent to the same subscribers.
	waitJS(t, admin, "the update form of a running maintenance", `!document.querySelector('#xa-update-form').hidden`)
	do(admin, "post a progress update", set("#xa-updates-zh", "新磁盘已装好，正在同步数据"), set("#xa-updates-en", "New disk in, copying data"), click("#xa-post-update"))
	waitJS(t, admin, "the update listed", `document.querySelector('#xa-updates').textContent.includes('New disk in, copying data')`)
	waitJS(t, admin, "the update delivered", full(2*subscribers))
	var pub AnnouncementsResponse
	e.do("GET", "/api/announcements?lang=en", "", nil, &pub)
	if len(pub.Announcements) != 1 || len(pub.Announcements[0].Updates) != 1 || pub.Announcements[0].Updates[0].Body != "New disk in, copying data" {
		t.Errorf("the widget's view of the update: %+v", pub.Announcements)
	}

	do(admin, "complete", click("#xa-complete"))
	waitJS(t, admin, "the notice completed", `document.querySelector('#xa-status').dataset.status === 'completed'`)
	waitJS(t, admin, "the completion delivered", full(3*subscribers))

	// A new agent, whose first login asks for a new password.
	do(admin, "create an agent", click("#xa-tab-people"), chromedp.WaitVisible(chromedp.CSS("#xa-user-name")),
		set("#xa-user-name", "mei"), click("#xa-user-add"))
	waitJS(t, admin, "the temporary password", `!!document.querySelector('#xa-temp-password')`)
	temp, err := chromedp.Run(admin, chromedp.Evaluate[string](`document.querySelector('#xa-temp-password').textContent`))
	if err != nil || len(temp) < auth.MinPasswordLen {
		t.Fatalf("temporary password %q: %v", temp, err)
	}
	waitJS(t, admin, "the agent listed as having to change the password", `!!document.querySelector('#xa-users tr[data-user=mei]')`)

	agent, cancelAgent := chromedp.NewContext(admin) // a second tab: its own sessionStorage
	defer cancelAgent()
	screenshotOnFailure(t, agent, "agent")
	login(agent, "mei", temp)
	do(agent, "choose a new password", chromedp.WaitVisible(chromedp.CSS("#xa-pw-current")),
		chromedp.SendKeys(chromedp.CSS("#xa-pw-current"), temp), chromedp.SendKeys(chromedp.CSS("#xa-pw-new"), "mei's own long secret"),
		chromedp.SendKeys(chromedp.CSS("#xa-pw-repeat"), "mei's own long secret"), click("#xa-pw-save"))
	waitJS(t, agent, "the agent in the console", `!document.querySelector('.xa-overlay') && !document.querySelector('form.login') && !!sessionStorage.getItem('access')`)
	if _, err := chromedp.Run(agent, chromedp.Evaluate[bool](`(window.__queue = 0, fetch('/api/agent/conversations?status=waiting',
		{headers: {Authorization: 'Bearer ' + sessionStorage.getItem('access')}}).then(r => window.__queue = r.status), true)`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, agent, "the agent's queue to answer", `window.__queue === 200`)
	if n, _ := chromedp.Run(agent, chromedp.Evaluate[int](`document.querySelectorAll('#xa-open').length`)); n != 0 {
		t.Errorf("an agent is offered the admin pages")
	}

	// Maintenance on; a traveller's message is held and counted.
	do(admin, "switch maintenance on", click("#xa-tab-maintenance"), chromedp.WaitVisible(chromedp.CSS("#xa-maint-on")),
		click("#xa-maint-on"), set("#xa-message-zh", "数据库升级"), set("#xa-message-en", "Database upgrade"), click("#xa-maint-save"))
	waitJS(t, admin, "maintenance on with nothing held", `document.querySelector('#xa-maint-status strong').dataset.on === 'true'
		&& document.querySelector('#xa-held').dataset.held === '0'`)
	s := e.session("en")
	e.say(s.Token, "Is the service back?")
	waitJS(t, admin, "the held message counted", `document.querySelector('#xa-held').dataset.held === '1'`)
	if h := e.history(s.Token, "").Messages; !hasRole(h, "system", "Database upgrade") {
		t.Errorf("the traveller was not told in English: %+v", h)
	}
	if msg, _ := chromedp.Run(admin, chromedp.Evaluate[string](`document.querySelector('#xa-maint-status').textContent`)); !strings.Contains(msg, "数据库升级") && !strings.Contains(msg, "Database upgrade") {
		t.Errorf("the status does not show the message: %q", msg)
	}

	// Health: a provider's calls and errors over the last minutes as a chart.
	for i := range 4 {
		e.srv.admin.health.record(time.Now().Add(time.Duration(i-4)*time.Minute), e.cfg.ProviderHealth())
	}
	do(admin, "open the health page", click("#xa-tab-health"))
	waitJS(t, admin, "the provider's chart", `document.querySelectorAll('.xa-chart .xa-colbar').length === 3
		&& document.querySelector('.xa-chart').getAttribute('aria-label').includes('15')`)
}
