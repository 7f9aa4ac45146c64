package httpapi

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/offline"
)

// screen is a browser window the widget and the console must work in.
type screen struct {
	name          string
	width, height int64
	phone         bool
}

var screens = []screen{
	{name: "desktop", width: 1280, height: 800},
	{name: "phone", width: 390, height: 844, phone: true},
}

// offlinePlanner plans as a service with no model keys does.
func offlinePlanner(_ context.Context, job pipeline.PlanJob, _ pipeline.ReportFunc) (dialog.Plan, error) {
	return offline.Plan(job.Trip, job.Lang, testNow), nil
}

// openTab opens a tab of browser sized and, for a phone, touch-enabled like sc.
func openTab(t *testing.T, browser context.Context, sc screen) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	opts := []chromedp.EmulateViewportOption{}
	if sc.phone {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(sc.width, sc.height, opts...)); err != nil {
		t.Fatalf("%s tab: %v", sc.name, err)
	}
	return tab
}

// screenshotsDir, when set, receives the screenshots of passing layout tests: the set in
// docs/screenshots is made this way (make screenshots).
var screenshotsDir = flag.String("screenshots", "", "write the layout tests' screenshots into this directory")

// shots keeps a test's screenshots and saves them where its output goes when it fails
// (with -artifacts, under -outputdir; otherwise in a directory it names in the log).
type shots struct {
	t     *testing.T
	names []string
	pngs  map[string][]byte
}

func newShots(t *testing.T) *shots {
	s := &shots{t: t, pngs: map[string][]byte{}}
	t.Cleanup(func() {
		if !t.Failed() && *screenshotsDir != "" {
			s.save(*screenshotsDir, false)
		}
		if !t.Failed() || len(s.names) == 0 {
			return
		}
		dir := failureDir(t)
		for _, n := range s.names {
			p := filepath.Join(dir, n+".png")
			if err := os.WriteFile(p, s.pngs[n], 0o644); err == nil {
				t.Logf("screenshot: %s", p)
			}
		}
	})
	return s
}

// save writes the screenshots into dir; the last look before a failure only when asked.
func (s *shots) save(dir string, all bool) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		s.t.Errorf("screenshots: %v", err)
		return
	}
	for _, n := range s.names {
		if !all && strings.HasSuffix(n, "-last") {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, n+".png"), s.pngs[n], 0o644); err != nil {
			s.t.Errorf("screenshots: %v", err)
		}
	}
}

// take captures what the tab shows now.
func (s *shots) take(tab context.Context, name string) []byte {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Logf("screenshot %s: %v", name, err)
		return nil
	}
	if _, ok := s.pngs[name]; !ok {
		s.names = append(s.names, name)
	}
	s.pngs[name] = buf
	return buf
}

// failureDir is where a failed test leaves its screenshots: the test's artifact directory
// when go test keeps it (-artifacts), else a directory that outlives the test.
func failureDir(t *testing.T) string {
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		return t.ArtifactDir()
	}
	dir, err := os.MkdirTemp("", "xingqu-"+strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())+"-")
	if err != nil {
		return os.TempDir()
	}
	return dir
}

// hitTest is a script that says why the element sel is not the one a tap at its centre
// reaches, fully inside the window, or "" when it is.
func hitTest(sel string) string {
	return fmt.Sprintf(`(() => {
		const b = document.querySelector(%q);
		if (!b) return 'no element';
		const r = b.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return 'not shown';
		if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth)
			return 'outside the window: ' + JSON.stringify({top: r.top, left: r.left, bottom: r.bottom, right: r.right, innerWidth, innerHeight});
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		if (hit !== b && !b.contains(hit)) return 'covered by ' + (hit ? hit.outerHTML.slice(0, 120) : 'nothing');
		return '';
	})()`, sel)
}

// mustHit fails the test unless a tap at the centre of sel reaches it.
func mustHit(t *testing.T, tab context.Context, what, sel string) {
	t.Helper()
	why, err := chromedp.Run(tab, chromedp.Evaluate[string](hitTest(sel)))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if why != "" {
		t.Errorf("%s (%s): %s", what, sel, why)
	}
}

// doWithin runs steps in tab, giving up after 45 s (a machine under heavy load can be
// that slow) rather than at the test's deadline.
func doWithin(tab context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(tab, 45*time.Second)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// pageScrolls is a script that is true when the document is taller than the window.
const pageScrolls = `document.scrollingElement.scrollHeight > innerHeight + 1`

// The widget on a desktop and on a phone: the Send button is what a tap on it reaches,
// with the panel open, before and after a plan arrives; on a phone the launcher hides
// while the chat is open.
func TestBrowserWidgetLayout(t *testing.T) {
	bin := chromium(t)
	e := newWebEnv(t)
	wctx, stopWorker := context.WithCancel(context.Background())
	t.Cleanup(stopWorker)
	go (&pipeline.PlanWorker{Pipeline: e.pipe, Plan: offlinePlanner, Poll: 50 * time.Millisecond, Log: e.log}).Run(wctx)
	browser := startBrowser(t, bin, 5*time.Minute)
	shots := newShots(t)
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			tab := openTab(t, browser, sc)
			defer func() { shots.take(tab, "widget-"+sc.name+"-last") }()
			// Tabs of one browser share localStorage: each screen starts a visitor of its own.
			if err := doWithin(tab, chromedp.Navigate(e.ts.URL+"/"),
				chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := chromedp.Evaluate[bool](`localStorage.clear(), sessionStorage.clear(), true`)(ctx, tg)
					return err
				}),
				chromedp.Reload(), chromedp.Click(chromedp.CSS(".xq-bubble"))); err != nil {
				t.Fatal(err)
			}
			waitJS(t, tab, "the greeting", `document.querySelectorAll('.xq-bot').length === 1`)
			shots.take(tab, "widget-"+sc.name+"-open")
			mustHit(t, tab, "Send with the chat open", ".xq-form button")
			mustHit(t, tab, "the message box", ".xq-form textarea")
			mustHit(t, tab, "the close button", ".xq-head button")
			launcher, _ := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.xq-bubble')).display`))
			if sc.phone && launcher != "none" {
				t.Errorf("the launcher is shown (display %s) over the open chat on a phone", launcher)
			}
			if !sc.phone {
				mustHit(t, tab, "the launcher beside the open chat", ".xq-bubble")
			}

			if err := doWithin(tab, chromedp.SetValue(chromedp.CSS(".xq-form textarea"), "福州, 12月25日到12月29日, 每人3000, 带孩子, 喜欢海边和博物馆"),
				chromedp.Click(chromedp.CSS(".xq-form button"))); err != nil {
				t.Fatal(err)
			}
			waitJS(t, tab, "the confirm buttons", `[...document.querySelectorAll('.xq-buttons button')].some(b => b.textContent.includes('生成行程'))`)
			mustHit(t, tab, "the primary action", ".xq-buttons button.xq-primary")
			if err := doWithin(tab, chromedp.Click(chromedp.CSS(".xq-buttons button.xq-primary"))); err != nil {
				t.Fatal(err)
			}
			waitJS(t, tab, "the plan card", `document.querySelectorAll('.xq-plan .xq-option').length === 3`)
			shots.take(tab, "widget-"+sc.name+"-plan")
			mustHit(t, tab, "Send after the plan", ".xq-form button")
			scrolls, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`(l => l.scrollHeight - l.scrollTop - l.clientHeight < 4)(document.querySelector('.xq-log'))`))
			if !scrolls {
				t.Error("the conversation is not scrolled to its newest message after the plan")
			}
			// The first option day by day, for the screenshot set and to see it opens.
			if err := doWithin(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Evaluate[bool](`(d => (d.open = true, d.parentElement.scrollIntoView({block: 'start'}), true))(document.querySelector('.xq-plan details'))`)(ctx, tg)
				return err
			})); err != nil {
				t.Fatal(err)
			}
			waitJS(t, tab, "the first option's days", `document.querySelectorAll('.xq-plan details[open] .xq-day').length >= 5`)
			shots.take(tab, "widget-"+sc.name+"-days")
			mustHit(t, tab, "Send with the days open", ".xq-form button")
			if sc.phone {
				// The chat closes only with its own button; the launcher comes back.
				if err := doWithin(tab, chromedp.Click(chromedp.CSS(".xq-head button"))); err != nil {
					t.Fatal(err)
				}
				waitJS(t, tab, "the launcher after closing", `getComputedStyle(document.querySelector('.xq-bubble')).display !== 'none' && document.querySelector('.xq-panel').hidden`)
				mustHit(t, tab, "the launcher with the chat closed", ".xq-bubble")
				// An answer that comes while the chat is closed is counted on the launcher.
				e.say(e.sessionTokenOf(t, tab), "天气怎么样")
				waitJS(t, tab, "the unread count", `(b => !b.hidden && Number(b.textContent) >= 1)(document.querySelector('.xq-badge'))`)
				shots.take(tab, "widget-"+sc.name+"-unread")
				if err := doWithin(tab, chromedp.Click(chromedp.CSS(".xq-bubble"))); err != nil {
					t.Fatal(err)
				}
				waitJS(t, tab, "the count cleared on opening", `document.querySelector('.xq-badge').hidden`)
			}
		})
	}
}

// The console with a long transcript, on a desktop and on a phone: the page itself does
// not scroll, and the reply box is inside the window where a tap reaches it.
func TestBrowserConsoleLayout(t *testing.T) {
	bin := chromium(t)
	e := newWebEnv(t)
	e.addUser("agent1", "correct horse battery", auth.RoleAgent)
	// One waiting conversation per screen, each with a long day's transcript.
	for range screens {
		e.longConversation()
	}
	browser := startBrowser(t, bin, 5*time.Minute)
	shots := newShots(t)
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			tab := openTab(t, browser, sc)
			defer func() { shots.take(tab, "console-"+sc.name+"-last") }()
			// The console follows the browser's language; an agent can switch it. The
			// desktop run works in Chinese, the phone run in English.
			want := map[bool]string{false: "zh-CN", true: "en-GB"}[sc.phone]
			if err := doWithin(tab, chromedp.Navigate(e.ts.URL+"/console"), chromedp.WaitVisible(chromedp.CSS("#lang"))); err != nil {
				t.Fatal(err)
			}
			if l, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang`)); l != want {
				if err := doWithin(tab, chromedp.Click(chromedp.CSS("#lang"))); err != nil {
					t.Fatal(err)
				}
			}
			waitJS(t, tab, "the console in "+want, fmt.Sprintf(`document.documentElement.lang === %q`, want))
			if err := doWithin(tab, chromedp.WaitVisible(chromedp.CSS("#username")),
				chromedp.SendKeys(chromedp.CSS("#username"), "agent1"),
				chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
				chromedp.Click(chromedp.CSS("form.login button[type=submit]"))); err != nil {
				t.Fatal(err)
			}
			waitJS(t, tab, "the queue", `document.querySelectorAll('#queue .item').length >= 1`)
			tabText := map[bool]string{false: "等待中", true: "Waiting"}[sc.phone]
			if got, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('[data-tab=waiting]').textContent`)); got != tabText {
				t.Errorf("the waiting tab reads %q in %s, want %q", got, want, tabText)
			}
			// The first waiting conversation is this screen's: the one before was taken.
			shots.take(tab, "console-"+sc.name+"-queue")
			if err := doWithin(tab, chromedp.Click(chromedp.CSS("#queue .item"))); err != nil {
				t.Fatal(err)
			}
			waitJS(t, tab, "the long transcript", `document.querySelectorAll('#transcript .msg').length > 150`)
			taken, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`!!document.querySelector('#handback') && !document.querySelector('#handback').disabled`))
			if !taken {
				if err := doWithin(tab, chromedp.Click(chromedp.CSS("#takeover"))); err != nil {
					t.Fatal(err)
				}
			}
			waitJS(t, tab, "the reply box", `!document.querySelector('.reply textarea').disabled`)
			shots.take(tab, "console-"+sc.name+"-conversation")
			mustHit(t, tab, "the reply box", ".reply textarea")
			mustHit(t, tab, "the reply's Send button", ".reply button")
			if scrolls, _ := chromedp.Run(tab, chromedp.Evaluate[bool](pageScrolls)); scrolls {
				h, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.scrollingElement.scrollHeight`))
				t.Errorf("the console page scrolls as a whole: %d px in a %d px window", h, sc.height)
			}
			atEnd, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`(l => l.scrollHeight > l.clientHeight && l.scrollHeight - l.scrollTop - l.clientHeight < 4)(document.querySelector('#transcript'))`))
			if !atEnd {
				t.Error("the transcript does not scroll on its own, or does not open at its newest message")
			}
			if sc.phone {
				if err := doWithin(tab, chromedp.Click(chromedp.CSS("#details"))); err != nil {
					t.Fatal(err)
				}
				waitJS(t, tab, "the trip details", `getComputedStyle(document.querySelector('#side')).display !== 'none'`)
				shots.take(tab, "console-"+sc.name+"-details")
				if err := doWithin(tab, chromedp.Click(chromedp.CSS("#closeDetails"))); err != nil {
					t.Fatal(err)
				}
				mustHit(t, tab, "the reply box after the trip details", ".reply textarea")
				if err := doWithin(tab, chromedp.Click(chromedp.CSS("#back"))); err != nil {
					t.Fatal(err)
				}
				waitJS(t, tab, "the queue again", `getComputedStyle(document.querySelector('.queue')).display !== 'none'`)
			}
		})
	}
}

// longConversation makes a traveller who asked for a person and then, with an agent,
// wrote 150 more lines, stored as turns would store them.
func (e *webEnv) longConversation() widgetSession {
	e.t.Helper()
	ws := e.session("zh")
	e.say(ws.Token, "转人工")
	waitFor(e.t, 5*time.Second, "the handoff", func() bool { return hasRole(e.history(ws.Token, "").Messages, "bot", "人工客服") })
	if _, err := e.db.ExecContext(context.Background(), `
INSERT INTO messages (conversation_id, role, text, created_at)
SELECT $1, CASE WHEN i % 2 = 0 THEN 'traveller' ELSE 'agent' END,
       CASE WHEN i % 2 = 0 THEN '第' || i || '个问题：酒店离地铁站远吗？我们带着两个孩子和一辆婴儿车。'
            ELSE '第' || i || '条回复：不远，步行五分钟，有电梯。' END,
       now() - interval '2 hours' + i * interval '30 seconds'
FROM generate_series(1, 150) AS i`, ws.ConversationID); err != nil {
		e.t.Fatal(err)
	}
	return ws
}
