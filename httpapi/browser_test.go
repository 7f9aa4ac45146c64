package httpapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/offline"
)

// chromium finds Debian's chromium; browser tests fail, never skip, without it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("browser tests need Chromium: install Debian's package with `apt-get install chromium`")
	return ""
}

// hostileModel is a planner whose model output carries markup, as a compromised or
// confused model might.
func hostileModel(_ context.Context, job pipeline.PlanJob, _ pipeline.ReportFunc) (dialog.Plan, error) {
	p := offline.Plan(job.Trip, job.Lang, testNow)
	p.Options[0].Days[0].Morning = `<script>window.__xss = "model"</script><img src=x onerror="window.__xss='model-img'">`
	return p, nil
}

// writingSlowly makes plan report progress for three seconds first, as a model
// streaming its answer does, so that the widget has something to show before the card:
// progress is published from the plan's second second on, so the bubble shows for two.
func writingSlowly(plan pipeline.PlanFunc) pipeline.PlanFunc {
	return func(ctx context.Context, job pipeline.PlanJob, report pipeline.ReportFunc) (dialog.Plan, error) {
		partial := `{"options":[{"tier":"luxury","title":"豪华尊享游","days":[{"date":"2026-12-25","morning":"鼓山"`
		for i := range 8 {
			report("fake", len(partial)+i, partial)
			time.Sleep(400 * time.Millisecond)
		}
		return plan(ctx, job, report)
	}
}

// TestBrowser drives one headless Chromium through the widget and the console: plan to a
// plan card, reload with the history intact, an agent takes over, replies, hands back,
// and markup from the traveller or the model never executes.
func TestBrowser(t *testing.T) {
	bin := chromium(t)
	e := newWebEnv(t)
	e.addUser("agent1", "correct horse battery", auth.RoleAgent)
	wctx, stopWorker := context.WithCancel(context.Background())
	t.Cleanup(stopWorker)
	go (&pipeline.PlanWorker{Pipeline: e.pipe, Plan: writingSlowly(hostileModel), Poll: 50 * time.Millisecond, Log: e.log}).Run(wctx)

	visitor := startBrowser(t, bin, 3*time.Minute)
	var dialogs atomic.Int32
	onDialog := func(ctx context.Context) {
		go func() {
			for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
				if err != nil {
					return
				}
				dialogs.Add(1)
				chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}
		}()
	}
	onDialog(visitor)
	console, cancelConsole := chromedp.NewContext(visitor)
	defer cancelConsole()
	if err := chromedp.Do(console); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	onDialog(console)
	dir := t.TempDir()
	defer func() {
		if !t.Failed() {
			return
		}
		for name, ctx := range map[string]context.Context{"visitor": visitor, "console": console} {
			sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if buf, err := chromedp.Run(sctx, chromedp.FullScreenshot(80)); err == nil {
				p := filepath.Join(dir, name+".jpg")
				os.WriteFile(p, buf, 0o644)
				t.Logf("screenshot: %s", p)
			}
			cancel()
		}
	}()

	wait := func(ctx context.Context, what, js string) {
		t.Helper()
		waitJS(t, ctx, what, js)
	}
	say := func(text string) {
		t.Helper()
		if err := chromedp.Do(visitor, chromedp.SetValue(chromedp.CSS(".xq-form textarea"), text),
			chromedp.Click(chromedp.CSS(".xq-form button"))); err != nil {
			t.Fatalf("say %q: %v", text, err)
		}
	}
	count := func(ctx context.Context, sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// A visitor plans a trip on the demo page.
	if err := chromedp.Do(visitor, chromedp.Navigate(e.ts.URL+"/"), chromedp.Click(chromedp.CSS(".xq-bubble"))); err != nil {
		t.Fatal(err)
	}
	wait(visitor, "the greeting", `document.querySelectorAll('.xq-bot').length >= 1`)
	say(`<img src=x onerror=alert(1)>`)
	wait(visitor, "the traveller's markup shown as text", `[...document.querySelectorAll('.xq-traveller')].some(n => n.textContent.includes('<img src=x onerror=alert(1)>'))`)
	say("福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边")
	wait(visitor, "the confirm buttons", `[...document.querySelectorAll('.xq-buttons button')].some(b => b.textContent.includes('生成行程'))`)
	if _, err := chromedp.Run(visitor, chromedp.Evaluate[bool](`[...document.querySelectorAll('.xq-buttons button')].filter(b => b.textContent.includes('生成行程')).pop().click() || true`)); err != nil {
		t.Fatal(err)
	}
	wait(visitor, "the plan being written", `(n => !!n && n.textContent.includes('正在为您撰写行程') && n.textContent.includes('== 豪华尊享游') && n.getAttribute('aria-live') === 'polite')(document.querySelector('.xq-progress'))`)
	wait(visitor, "a plan card with three options", `document.querySelectorAll('.xq-plan .xq-option').length === 3`)
	if n := count(visitor, ".xq-progress"); n != 0 {
		t.Errorf("%d progress bubbles left beside the plan card", n)
	}
	wait(visitor, "the model's markup shown as text", `document.querySelector('.xq-plan').textContent.includes('<script>')`)

	// The page reloads mid-conversation and the history is intact.
	ids := `[...document.querySelectorAll('.xq-log [data-id]')].map(n => n.dataset.id).join(',')`
	before, _ := chromedp.Run(visitor, chromedp.Evaluate[string](ids))
	if err := chromedp.Do(visitor, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	wait(visitor, "the plan card after reload", `document.querySelectorAll('.xq-plan .xq-option').length === 3`)
	after, _ := chromedp.Run(visitor, chromedp.Evaluate[string](ids))
	if before == "" || after != before {
		t.Fatalf("history after reload:\n got %s\nwant %s", after, before)
	}

	// An agent logs in, takes over and replies; the visitor sees it.
	say("转人工")
	wait(visitor, "the handoff notice", `[...document.querySelectorAll('.xq-bot')].some(n => n.textContent.includes('人工客服'))`)
	if len(e.history(e.sessionTokenOf(t, visitor), "").Messages) == 0 {
		t.Fatal("the widget's stored token reads no history")
	}
	if err := chromedp.Do(console, chromedp.Navigate(e.ts.URL+"/console"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "agent1"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS("form.login button"))); err != nil {
		t.Fatal(err)
	}
	wait(console, "the waiting conversation in the queue", `document.querySelectorAll('#queue .item').length === 1`)
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#queue .item"))); err != nil {
		t.Fatal(err)
	}
	wait(console, "the transcript", `!!document.querySelector('#takeover')`)
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#takeover"))); err != nil {
		t.Fatal(err)
	}
	wait(console, "the reply box", `!document.querySelector('.reply textarea').disabled`)
	if err := chromedp.Do(console, chromedp.SetValue(chromedp.CSS(".reply textarea"), "您好，我是客服小艾"),
		chromedp.Click(chromedp.CSS(".reply button"))); err != nil {
		t.Fatal(err)
	}
	wait(visitor, "the agent's reply in the widget", `[...document.querySelectorAll('.xq-agent')].some(n => n.textContent.includes('小艾'))`)
	wait(console, "the traveller's markup in the console as text", `document.querySelector('#transcript').textContent.includes('<img src=x onerror=alert(1)>')`)
	say("谢谢")
	wait(console, "the traveller's message live in the console", `document.querySelector('#transcript').textContent.includes('谢谢')`)

	// Hand back: the bot answers again.
	bots := count(visitor, ".xq-bot")
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#handback"))); err != nil {
		t.Fatal(err)
	}
	wait(visitor, "the bot after hand-back", fmt.Sprintf(`document.querySelectorAll('.xq-bot').length > %d && [...document.querySelectorAll('.xq-bot')].some(n => n.textContent.includes('客服已结束对话'))`, bots))

	// Neither the traveller's nor the model's markup ran, in the widget or the console.
	for name, ctx := range map[string]context.Context{"widget": visitor, "console": console} {
		flag, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`String(window.__xss)`))
		if flag != "undefined" {
			t.Errorf("%s: injected script ran (window.__xss = %s)", name, flag)
		}
		if n := count(ctx, "img[src='x']"); n != 0 {
			t.Errorf("%s: %d injected <img> elements", name, n)
		}
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened: injected markup executed", n)
	}
}

// startBrowser starts headless Chromium for one test and returns its first tab.
func startBrowser(t *testing.T, bin string, within time.Duration) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	tab, cancelTimeout := context.WithTimeout(tab, within)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return tab
}

// waitJS polls js in the page until it is true, or fails the test.
func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	// A page between two states (an element not drawn yet, a reload under way) makes the
	// expression throw: that is "not yet", not a failure, so the poll goes on.
	js = "(() => { try { return !!(" + js + ") } catch (e) { return false } })()"
	// A poll does not survive the page's navigation or reload (its JavaScript context
	// goes with the page): it is started again in the new page, within the same time.
	deadline := time.Now().Add(45 * time.Second)
	for {
		left := time.Until(deadline)
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(max(left, time.Millisecond)), chromedp.WithPollingInterval(50*time.Millisecond)))
		switch {
		case err == nil:
			return
		case errors.Is(err, chromedp.ErrPollingTimeout) || ctx.Err() != nil || time.Now().After(deadline):
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// screenshotOnFailure saves the tab's page under the test's temp dir if the test fails.
func screenshotOnFailure(t *testing.T, tab context.Context, name string) {
	dir := t.TempDir()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		sctx, cancel := context.WithTimeout(tab, 5*time.Second)
		defer cancel()
		if buf, err := chromedp.Run(sctx, chromedp.FullScreenshot(80)); err == nil {
			p := filepath.Join(dir, name+".jpg")
			os.WriteFile(p, buf, 0o644)
			t.Logf("screenshot: %s", p)
		}
	})
}

// The console renews its access token before it expires, and requests that meet an
// expired one together renew it once: a refresh token used twice signs the agent out.
func TestBrowserConsoleOutlivesAccessTokens(t *testing.T) {
	bin := chromium(t)
	e := newWebEnv(t, func(c *Config) { c.AccessTTL = 2 * time.Second })
	e.addUser("agent1", "correct horse battery", auth.RoleAgent)
	e.session("zh")
	console := startBrowser(t, bin, time.Minute)
	screenshotOnFailure(t, console, "console")
	if err := chromedp.Do(console, chromedp.Navigate(e.ts.URL+"/console"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "agent1"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS("form.login button"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, console, "the console", `!!document.querySelector('#queue')`)
	first, _ := chromedp.Run(console, chromedp.Evaluate[string](`sessionStorage.getItem('access')`))
	// The "all" tab reads two lists at once; keep asking across several expiries.
	for end := time.Now().Add(7 * time.Second); time.Now().Before(end); time.Sleep(150 * time.Millisecond) {
		signedOut, err := chromedp.Run(console, chromedp.Evaluate[bool](
			`!!document.querySelector('form.login') || (document.querySelector('[data-tab=all]').click(), false)`))
		if err != nil {
			t.Fatal(err)
		}
		if signedOut {
			t.Fatal("the console showed the login form")
		}
	}
	waitJS(t, console, "the queue read with a renewed token",
		`document.querySelectorAll('#queue .item').length === 1 && !document.querySelector('form.login')`)
	if last, _ := chromedp.Run(console, chromedp.Evaluate[string](`sessionStorage.getItem('access')`)); last == first {
		t.Error("the access token was never renewed")
	}
}

// A widget whose stream cannot be resumed reads the conversation again and shows E-606
// with a Sync button that reads it once more.
func TestBrowserWidgetResyncNotice(t *testing.T) {
	bin := chromium(t)
	e := newWebEnv(t)
	visitor := startBrowser(t, bin, time.Minute)
	screenshotOnFailure(t, visitor, "visitor")
	if err := chromedp.Do(visitor, chromedp.Navigate(e.ts.URL+"/"), chromedp.Click(chromedp.CSS(".xq-bubble"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, visitor, "the greeting", `document.querySelectorAll('.xq-bot').length >= 1`)
	// After the reload, the widget's first stream asks to resume from an id the server
	// never gave, as one kept from a database since restored would.
	stale := `(() => {
		const f = window.fetch;
		let once = true;
		window.fetch = function (url, opts) {
			if (once && String(url).includes('/api/widget/events')) {
				once = false;
				opts = Object.assign({}, opts, { headers: Object.assign({}, opts.headers, { 'Last-Event-ID': '999999999' }) });
			}
			return f.call(this, url, opts);
		};
	})()`
	if _, err := chromedp.Call(visitor, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: stale}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(visitor, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitJS(t, visitor, "the E-606 notice with its Sync button",
		`[...document.querySelectorAll('.xq-notice')].some(n => n.textContent.includes('E-606') && n.querySelector('button') && n.querySelector('button').textContent === '同步')`)
	if n := count(t, visitor, ".xq-bot"); n != 1 {
		t.Errorf("%d greetings after the resync, want 1", n)
	}
	if err := chromedp.Do(visitor, chromedp.Click(chromedp.CSS(".xq-notice button"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, visitor, "the notice gone and the history read again",
		`!document.querySelector('.xq-notice') && document.querySelectorAll('.xq-log .xq-bot').length === 1`)
	if err := chromedp.Do(visitor, chromedp.SetValue(chromedp.CSS(".xq-form textarea"), "你好"),
		chromedp.Click(chromedp.CSS(".xq-form button"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, visitor, "the conversation going on after the sync",
		`[...document.querySelectorAll('.xq-traveller')].some(n => n.textContent === '你好') && document.querySelectorAll('.xq-log .xq-bot').length >= 2`)
	ids, _ := chromedp.Run(visitor, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.xq-log [data-id]')].map(n => n.dataset.id)`))
	if len(ids) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
		t.Errorf("messages shown twice after the sync: %v", ids)
	}
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sessionTokenOf reads the widget's session token from the visitor's localStorage.
func (e *webEnv) sessionTokenOf(t *testing.T, ctx context.Context) string {
	t.Helper()
	tok, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Object.keys(localStorage).filter(k => k.startsWith('xingqu.widget.')).map(k => localStorage.getItem(k))[0]`))
	if err != nil || !strings.HasPrefix(tok, auth.WidgetTokenPrefix) {
		t.Fatalf("widget token in localStorage: %q %v", tok, err)
	}
	return tok
}
