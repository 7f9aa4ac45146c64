package pipeline

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"xingqu/dialog"
	"xingqu/store"
)

// buttons returns the actions of a message's buttons.
func buttons(t *testing.T, m store.Message) []dialog.Choice {
	t.Helper()
	var body store.MessageBody
	if err := json.Unmarshal(m.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Choices
}

func hasAction(cs []dialog.Choice, action string) bool {
	for _, c := range cs {
		if c.Action == action {
			return true
		}
	}
	return false
}

// Dropping a place and adding one by the plan card's buttons, in Chinese and in
// English, on the chosen option: the day's button offers both; dropping shows a button
// for each place of that day, adding asks what and takes the answer typed; each makes
// the next version, says what changed, and leaves the other days and options alone.
func TestPlanDropAndAddByButtons(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t)
			s := newEditSession(t, p, "btn-"+lang, nil)
			zh := lang == "zh"
			pick := func(z, e string) string {
				if zh {
					return z
				}
				return e
			}
			if zh {
				s.say("福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边")
				s.say("好")
			} else {
				s.say("Lisbon, Dec 25-28, 2000 CNY each, with kids, we like beaches")
				s.say("yes")
			}
			v1 := s.version(1)
			s.press("choose:economical")
			if !hasAction(buttons(t, s.lastBot()), "day:2") {
				t.Fatalf("no day 2 button after choosing: %s", s.lastBot().Body)
			}

			// Day 2's button offers to drop a place and to add one.
			s.press("day:2")
			menu := buttons(t, s.lastBot())
			if !hasAction(menu, "pe:pickdrop:2") || !hasAction(menu, "pe:askadd:2") {
				t.Fatalf("day 2's menu: %+v", menu)
			}
			// Dropping: a button for each place of day 2 of the chosen option.
			s.press("pe:pickdrop:2")
			econ := optionOf(v1, dialog.TierEconomical)
			day2 := econ.Days[1]
			ask := s.lastBot()
			if !strings.Contains(ask.Text, pick("第2天去掉哪一个", "Which part of day 2 should go")) {
				t.Errorf("drop question: %q", ask.Text)
			}
			places := buttons(t, ask)
			if !hasAction(places, "pe:drop:"+day2.Morning) || !hasAction(places, "pe:drop:"+day2.Afternoon) {
				t.Fatalf("drop buttons %+v, want day 2's %q and %q", places, day2.Morning, day2.Afternoon)
			}
			s.press("pe:drop:" + day2.Morning)
			v2 := s.version(2)
			msg := s.lastPlanMessage()
			if !strings.Contains(msg, pick("第2版", "version 2")) || !strings.Contains(msg, pick("第2天：", "Day 2: ")) || !strings.Contains(msg, day2.Morning) {
				dumpTranscript(t, p.DB, s.convID)
				t.Errorf("after the drop: %q", msg)
			}
			after := optionOf(v2, dialog.TierEconomical)
			if d := differingDays(econ, after, 0, 2, 3); len(d) > 0 {
				t.Errorf("drop: days %v changed", d)
			}
			if strings.Contains(after.Days[1].Morning, day2.Morning) {
				t.Errorf("day 2 still has %q: %+v", day2.Morning, after.Days[1])
			}
			for _, tier := range []dialog.Tier{dialog.TierLuxury, dialog.TierBackpacker} {
				if fmt.Sprint(optionOf(v1, tier)) != fmt.Sprint(optionOf(v2, tier)) {
					t.Errorf("drop: option %s changed", tier)
				}
			}

			// Adding: day 3's button asks what, with ideas; the typed answer is added to day 3.
			s.press("day:3")
			s.press("pe:askadd:3")
			ask = s.lastBot()
			if !strings.Contains(ask.Text, pick("第3天想加什么", "What should I add to day 3")) || len(buttons(t, ask)) == 0 {
				t.Errorf("add question: %q %s", ask.Text, ask.Body)
			}
			thing := pick("茶艺体验", "fado show")
			s.say(thing)
			v3 := s.version(3)
			msg = s.lastPlanMessage()
			if !strings.Contains(msg, pick("第3版", "version 3")) || !strings.Contains(msg, pick("第3天：", "Day 3: ")) || !strings.Contains(msg, thing) {
				dumpTranscript(t, p.DB, s.convID)
				t.Errorf("after the add: %q", msg)
			}
			added := optionOf(v3, dialog.TierEconomical)
			if d := differingDays(after, added, 0, 1, 3); len(d) > 0 {
				t.Errorf("add: days %v changed", d)
			}
			if d := added.Days[2]; !strings.Contains(d.Morning+d.Afternoon+d.Evening, thing) {
				t.Errorf("day 3 lacks %q: %+v", thing, d)
			}

			// An idea's button adds it the same way, here to the whole plan's lightest day.
			s.press("pe:menu")
			if !hasAction(buttons(t, s.lastBot()), "pe:askadd:0") || !hasAction(buttons(t, s.lastBot()), "pe:pickdrop:0") {
				t.Errorf("the more-changes menu lacks drop and add: %s", s.lastBot().Body)
			}
			s.press("pe:askadd:0")
			idea := buttons(t, s.lastBot())[0]
			s.press(idea.Action)
			s.version(4)
			if msg := s.lastPlanMessage(); !strings.Contains(msg, pick("第4版", "version 4")) || !strings.Contains(msg, strings.TrimPrefix(idea.Label, "➕ ")) {
				t.Errorf("after the idea's button: %q", msg)
			}
		})
	}
}
