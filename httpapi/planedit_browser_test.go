package httpapi

import (
	"context"
	"fmt"
	"testing"
	"time"
	"xingqu/auth"
	"xingqu/pipeline"

	"github.com/chromedp/chromedp"
)

// A visitor chooses an option on the plan card, changes day 2 by its buttons, sees what
// changed, and presses undo, in headless Chromium through the real widget.
func TestBrowserChooseEditUndo(t *testing.T) {
	bin := chromium(t)
	e := newWebEnv(t)
	wctx, stopWorker := context.WithCancel(context.Background())
	t.Cleanup(stopWorker)
	go (&pipeline.PlanWorker{Pipeline: e.pipe, Plan: offlinePlanner, Poll: 50 * time.Millisecond, Log: e.log}).Run(wctx)
	visitor := startBrowser(t, bin, 3*time.Minute)
	screenshotOnFailure(t, visitor, "plan-edit")
	wait := func(what, js string) {
		t.Helper()
		waitJS(t, visitor, what, js)
	}
	// click presses the last button whose label contains label.
	click := func(label string) {
		t.Helper()
		js := fmt.Sprintf(`(b => { if (!b) return false; b.click(); return true })([...document.querySelectorAll('.xq-buttons button')].filter(b => b.textContent.includes(%q)).pop())`, label)
		ok, err := chromedp.Run(visitor, chromedp.Evaluate[bool](js))
		if err != nil || !ok {
			t.Fatalf("press %q: %v (found %v)", label, err, ok)
		}
	}
	if err := chromedp.Do(visitor, chromedp.Navigate(e.ts.URL+"/"), chromedp.Click(chromedp.CSS(".xq-bubble"))); err != nil {
		t.Fatal(err)
	}
	wait("the greeting", `document.querySelectorAll('.xq-bot').length >= 1`)
	if err := chromedp.Do(visitor, chromedp.SetValue(chromedp.CSS(".xq-form textarea"), "福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边"),
		chromedp.Click(chromedp.CSS(".xq-form button"))); err != nil {
		t.Fatal(err)
	}
	wait("the confirm buttons", `[...document.querySelectorAll('.xq-buttons button')].some(b => b.textContent.includes('生成行程'))`)
	click("生成行程")
	wait("the plan card with its choose buttons", `[...document.querySelectorAll('.xq-plan .xq-buttons button')].some(b => b.textContent.includes('选经济适用游'))`)
	click("选经济适用游")
	wait("the choice confirmed", `[...document.querySelectorAll('.xq-bot')].some(n => n.textContent.includes('你选择了「经济适用游」'))`)
	click("第2天")
	wait("the day 2 question", `[...document.querySelectorAll('.xq-bot')].some(n => n.textContent.includes('第2天想怎么改'))`)
	click("换成室内活动")
	wait("version 2 with what changed", `[...document.querySelectorAll('.xq-plan')].some(n => n.textContent.includes('第2版') && n.textContent.includes('第2天：') && n.textContent.includes('室内活动'))`)
	click("撤销")
	wait("version 3, undone", `[...document.querySelectorAll('.xq-plan')].some(n => n.textContent.includes('第3版') && n.textContent.includes('第2天：室内活动'))`)

	// Drop a place of day 2 and add one to day 3, by buttons.
	click("第2天")
	wait("the day 2 question again", `[...document.querySelectorAll('.xq-bot')].filter(n => n.textContent.includes('第2天想怎么改')).length === 2`)
	click("去掉一个地方")
	wait("a button per place of day 2", `[...document.querySelectorAll('.xq-buttons button')].some(b => b.textContent.startsWith('✖'))`)
	ok, err := chromedp.Run(visitor, chromedp.Evaluate[bool](`(b => { b.click(); return true })([...document.querySelectorAll('.xq-buttons button')].find(b => b.textContent.startsWith('✖')))`))
	if err != nil || !ok {
		t.Fatalf("press a place to drop: %v", err)
	}
	wait("version 4, a place dropped", `[...document.querySelectorAll('.xq-plan')].some(n => n.textContent.includes('第4版') && n.textContent.includes('→ 自由活动'))`)
	click("第3天")
	wait("the day 3 question", `[...document.querySelectorAll('.xq-bot')].some(n => n.textContent.includes('第3天想怎么改'))`)
	click("加一个地方或活动")
	wait("what to add", `[...document.querySelectorAll('.xq-bot')].some(n => n.textContent.includes('第3天想加什么'))`)
	if err := chromedp.Do(visitor, chromedp.SetValue(chromedp.CSS(".xq-form textarea"), "茶艺体验"), chromedp.Click(chromedp.CSS(".xq-form button"))); err != nil {
		t.Fatal(err)
	}
	wait("version 5, a place added", `[...document.querySelectorAll('.xq-plan')].some(n => n.textContent.includes('第5版') && n.textContent.includes('第3天：') && n.textContent.includes('茶艺体验'))`)

	// An agent sees which option the traveller chose, and what each version changed.
	if err := chromedp.Do(visitor, chromedp.SetValue(chromedp.CSS(".xq-form textarea"), "转人工"), chromedp.Click(chromedp.CSS(".xq-form button"))); err != nil {
		t.Fatal(err)
	}
	e.addUser("agent3", "correct horse battery", auth.RoleAgent)
	console := startBrowser(t, bin, 2*time.Minute)
	if err := chromedp.Do(console, chromedp.Navigate(e.ts.URL+"/console"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "agent3"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS("form.login button"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, console, "the conversation in the queue", `document.querySelectorAll('#queue .item').length === 1`)
	if err := chromedp.Do(console, chromedp.Click(chromedp.CSS("#queue .item"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, console, "the chosen option", `[...document.querySelectorAll('.chosen')].some(n => n.textContent.includes('经济适用游'))`)
	waitJS(t, console, "version 4's change", `[...document.querySelectorAll('.changes')].some(n => n.textContent.includes('→ 自由活动'))`)
}
