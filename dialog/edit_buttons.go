package dialog

import (
	"regexp"
	"strconv"
	"strings"
)

// Dropping and adding a place by buttons. Dropping shows a button for each place of a
// day, which only the stored plan knows: the turn asks with EffectPlacesToDrop and the
// caller puts the buttons under its last reply (DroppablePlaces). Adding asks what to
// add, offers a few ideas as buttons and takes the next message as the answer.

// EffectPlacesToDrop asks the caller for a button per place of day Day (0: every day)
// of version Version, on option Tier or on all options before one is chosen, under the
// turn's last reply; each button's action is "pe:drop:" and the place.
const EffectPlacesToDrop EffectKind = "places_to_drop"

// maxDropButtons bounds the buttons of a whole-plan drop question.
const maxDropButtons = 12

// askingAdd marks the question "what should I add to day N?" in Memo.Asking, askingDay
// the question "how should day N change?".
const (
	askingAdd = "add:"
	askingDay = "day:"
)

// DroppablePlaces lists the parts of day (1-based; 0: every day) of plan that name a
// place or activity, as the drop buttons offer them: on option tier, or on every option
// before one is chosen, each once, free time left out.
func DroppablePlaces(p Plan, tier Tier, day int, lang string) []string {
	free := map[string]bool{"": true, "自由活动": true, "Free time": true}
	seen := map[string]bool{}
	var out []string
	for _, i := range EditTargets(p, tier) {
		for j, d := range p.Options[i].Days {
			if day != 0 && j != day-1 {
				continue
			}
			for _, part := range []string{d.Morning, d.Afternoon, d.Evening} {
				part = strings.TrimSpace(part)
				if free[part] || seen[part] || len(out) == maxDropButtons {
					continue
				}
				seen[part] = true
				out = append(out, part)
			}
		}
	}
	return out
}

// addIdeas are the suggestions the "add" question offers as buttons.
var addIdeas = map[string][]string{
	LangZH: {"温泉", "博物馆", "美食街", "烹饪课"},
	LangEN: {"a hot spring", "a museum", "a food market", "a cooking class"},
}

// editButton handles the drop and add buttons ("pe:pickdrop:N", "pe:drop:<place>",
// "pe:askadd:N", "pe:add:N:<thing>"); false leaves the action to others.
func (t *turn) editButton(kind, rest string) bool {
	c := t.c
	if c.Memo.PlanVersion == 0 {
		return false
	}
	switch kind {
	case "pickdrop":
		d, err := strconv.Atoi(rest)
		if err != nil || d < 0 {
			return false
		}
		if d == 0 {
			t.say("edit_drop_ask_any")
		} else {
			t.say("edit_drop_ask", d)
		}
		t.effect(Effect{Kind: EffectPlacesToDrop, Day: d, Tier: c.Memo.Chosen, Version: c.Memo.PlanVersion, Lang: c.Lang})
		return true
	case "drop":
		if strings.TrimSpace(rest) == "" {
			return false
		}
		t.planEdit(PlanEdit{Kind: EditDrop, Place: strings.TrimSpace(rest)})
		return true
	case "askadd":
		d, err := strconv.Atoi(rest)
		if err != nil || d < 0 {
			return false
		}
		var r *Reply
		if d == 0 {
			r = t.say("edit_add_ask_any")
		} else {
			r = t.say("edit_add_ask", d)
		}
		for _, idea := range addIdeas[c.Lang] {
			r.Choices = append(r.Choices, Choice{Label: "➕ " + idea, Action: "pe:add:" + rest + ":" + idea})
		}
		c.Memo.Asking = askingAdd + rest
		return true
	case "add":
		ds, thing, ok := strings.Cut(rest, ":")
		d, err := strconv.Atoi(ds)
		if !ok || err != nil || d < 0 || strings.TrimSpace(thing) == "" {
			return false
		}
		t.planEdit(PlanEdit{Kind: EditAdd, Day: d, With: strings.TrimSpace(thing)})
		return true
	}
	return false
}

// askedDay is the day of the question about the plan marked by prefix in Memo.Asking
// (0: no day), while the plan is shown; ok is false when that question is not in flight.
func (t *turn) askedDay(prefix string) (day int, ok bool) {
	ds, ok := strings.CutPrefix(t.c.Memo.Asking, prefix)
	if !ok || t.c.State != StatePlanned {
		return 0, false
	}
	d, err := strconv.Atoi(ds)
	return d, err == nil
}

// saysOtherwise reports whether text, sent while a question about the plan is in flight,
// is no answer to it: a command or an emergency.
func saysOtherwise(text string) bool {
	if cmd, _ := DetectIntent(text); cmd != IntentNone {
		return true
	}
	_, ok := ReadEmergency(text)
	return ok
}

// answerEdit makes e, the answer to the question about the plan in flight.
func (t *turn) answerEdit(e PlanEdit) {
	t.c.Memo.Asking = ""
	t.res.Intent = string(ActEdit)
	t.planEdit(e)
}

// addAnswer takes a message answering "what should I add?" as the thing to add, unless
// it says something else: a command, or an edit of its own.
func (t *turn) addAnswer(text string) bool {
	d, ok := t.askedDay(askingAdd)
	thing := cleanThing(text)
	if !ok || thing == "" || injection(asciiLower(thing)) || saysOtherwise(text) {
		return false
	}
	if _, ok := readEdit(text); ok {
		return false
	}
	t.answerEdit(PlanEdit{Kind: EditAdd, Day: d, With: thing, Text: text})
	return true
}

var reDayBecomes = regexp.MustCompile(`^(?:改成|换成|改为|换为|改去|换去|就去)\s*(?:去)?(.{1,24}?)(?:吧|呗)?$|^(?:(?:a|an|some|the)\s+)?(.{2,40}?)\s+instead$`)

// dayAnswer takes a message answering "how should day N change?" as a change to that
// day: an edit that names no day of its own is made to it ("a museum instead", "more
// relaxed"), and words no edit reads are a change in free words for a model to make
// ("make it a beach day"). A command, an emergency, small talk, feedback, a question
// about the service or an edit of the whole plan are left to be read as they are.
func (t *turn) dayAnswer(text string) bool {
	d, ok := t.askedDay(askingDay)
	low := asciiLower(strings.TrimSpace(text))
	if !ok || d < 1 || low == "" || injection(low) || smallTalk(low) || complaint(low) || starsGiven(low) > 0 || faqTopic(low) != "" || saysOtherwise(text) {
		return false
	}
	e, ok := readEdit(text)
	switch {
	case ok && e.Day == 0 && (e.Kind == EditReplace || e.Kind == EditAdd || e.Kind == EditFree):
		e.Day = d
	case ok:
		return false // its own day, or the whole plan
	default:
		e = PlanEdit{Kind: EditFree, Day: d}
		// "改成去海边", "a museum instead": what the day becomes.
		if m := reDayBecomes.FindStringSubmatch(low); m != nil {
			if with := cleanThing(m[1] + m[2]); with != "" {
				e = PlanEdit{Kind: EditReplace, Day: d, With: with}
			}
		}
	}
	e.Text = text
	t.answerEdit(e)
	return true
}

func init() {
	for k, v := range map[string][2]string{
		"btn_day_drop":      {"➖ 去掉一个地方", "➖ Drop a place"},
		"btn_day_add":       {"➕ 加一个地方或活动", "➕ Add a place or activity"},
		"btn_pe_drop":       {"➖ 去掉一个地方", "➖ Drop a place"},
		"btn_pe_add":        {"➕ 加一个地方或活动", "➕ Add a place or activity"},
		"edit_drop_ask":     {"第%d天去掉哪一个？点一下，或直接说「不要去……」。", "Which part of day %d should go? Tap it, or say \"skip …\"."},
		"edit_drop_ask_any": {"去掉哪一个？点一下，或直接说「不要去……」。", "Which should go? Tap it, or say \"skip …\"."},
		"edit_add_ask":      {"第%d天想加什么地方或活动？直接告诉我，或点一个建议。", "What should I add to day %d? Just tell me, or tap an idea."},
		"edit_add_ask_any":  {"想加什么地方或活动？直接告诉我，或点一个建议。", "What place or activity should I add? Just tell me, or tap an idea."},
	} {
		catalogue[k] = v
	}
}
