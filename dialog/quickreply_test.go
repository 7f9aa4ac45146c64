package dialog_test

import (
	"reflect"
	"strings"
	"testing"

	"xingqu/dialog"
)

// Typing a quick reply's label is the same as pressing it, in every state and both
// languages: for each button the bot shows, the conversation after the typed label
// equals the conversation after the press.
func TestTypedLabelIsPressed(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	states := []string{dialog.StateDestination, dialog.StateDates, dialog.StateBudget, dialog.StateNeeds,
		dialog.StatePreferences, dialog.StateConfirm, dialog.StatePlanned, dialog.StateEditing}
	checked := 0
	for _, lang := range []string{"zh", "en"} {
		for _, state := range states {
			base := conversationAt(state, lang, "Asia/Shanghai", nil)
			if state == dialog.StateDestination {
				base.Trip = dialog.TripRequest{}
			}
			// What the bot shows in this state: the question asked again.
			shown := e.Handle(clone(base), dialog.Inbound{Action: "resume"})
			for _, r := range shown.Replies {
				for _, ch := range r.Choices {
					typed, pressed := clone(base), clone(base)
					typed.Memo.Offered, pressed.Memo.Offered = shown.Replies[len(shown.Replies)-1].Choices, shown.Replies[len(shown.Replies)-1].Choices
					rt := e.Handle(typed, dialog.Inbound{Text: ch.Label})
					rp := e.Handle(pressed, dialog.Inbound{Action: ch.Action})
					checked++
					if typed.State != pressed.State || !reflect.DeepEqual(typed.Trip, pressed.Trip) || replyTexts(rt) != replyTexts(rp) {
						t.Errorf("%s/%s: typing %q gave state %s, trip %+v, %q; pressing %s gave %s, %+v, %q", lang, state, ch.Label,
							typed.State, typed.Trip, replyTexts(rt), ch.Action, pressed.State, pressed.Trip, replyTexts(rp))
					}
				}
			}
		}
	}
	if checked < 30 {
		t.Fatalf("only %d buttons checked", checked)
	}
}

// The bot's own examples are understood: each one its questions give, typed as the
// answer to that question, fills the slot asked for.
func TestQuestionExamplesAreUnderstood(t *testing.T) {
	e := corpusEngine("Asia/Shanghai")
	for _, c := range []struct {
		state, lang, text string
		filled            func(dialog.TripRequest) bool
	}{
		{dialog.StateDestination, "zh", "福州", func(tr dialog.TripRequest) bool { return tr.Destination != "" }},
		{dialog.StateDestination, "en", "Lisbon", func(tr dialog.TripRequest) bool { return tr.Destination != "" }},
		{dialog.StateDates, "zh", "10月25日到28日", func(tr dialog.TripRequest) bool { return tr.StartDate != nil && tr.EndDate != nil }},
		{dialog.StateDates, "zh", "下周五出发，玩五天", func(tr dialog.TripRequest) bool { return tr.StartDate != nil && tr.EndDate != nil }},
		{dialog.StateDates, "en", "Oct 25-28", func(tr dialog.TripRequest) bool { return tr.StartDate != nil && tr.EndDate != nil }},
		{dialog.StateDates, "en", "next Friday for 5 days", func(tr dialog.TripRequest) bool { return tr.StartDate != nil && tr.EndDate != nil }},
		{dialog.StateBudget, "zh", "2000元", func(tr dialog.TripRequest) bool { return tr.Budget != nil && *tr.Budget == 2000 }},
		{dialog.StateBudget, "zh", "3千5", func(tr dialog.TripRequest) bool { return tr.Budget != nil && *tr.Budget == 3500 }},
		{dialog.StateBudget, "en", "$500", func(tr dialog.TripRequest) bool { return tr.Budget != nil && *tr.Budget == 500 }},
		{dialog.StateBudget, "en", "€800", func(tr dialog.TripRequest) bool { return tr.Budget != nil && *tr.Budget == 800 }},
		{dialog.StateNeeds, "zh", "带孩子", func(tr dialog.TripRequest) bool { return tr.KidFriendly != nil && *tr.KidFriendly }},
		{dialog.StateNeeds, "zh", "没有特殊需求", func(tr dialog.TripRequest) bool { return tr.KidFriendly != nil && !*tr.KidFriendly }},
		{dialog.StateNeeds, "en", "No special needs", func(tr dialog.TripRequest) bool { return tr.KidFriendly != nil && !*tr.KidFriendly }},
		{dialog.StateNeeds, "en", "wheelchair access", func(tr dialog.TripRequest) bool { return tr.Accessibility != nil && *tr.Accessibility }},
		{dialog.StatePreferences, "zh", "海边、博物馆、闽菜", func(tr dialog.TripRequest) bool {
			return tr.NaturalLandscape != "" && tr.SocialLandscape != "" && tr.Cuisine != ""
		}},
		{dialog.StatePreferences, "en", "beaches, museums, seafood", func(tr dialog.TripRequest) bool {
			return tr.NaturalLandscape != "" && tr.SocialLandscape != "" && tr.Cuisine != ""
		}},
	} {
		conv := conversationAt(c.state, c.lang, "Asia/Shanghai", nil)
		switch c.state {
		case dialog.StateDestination:
			conv.Trip = dialog.TripRequest{}
		case dialog.StateDates:
			conv.Trip.StartDate, conv.Trip.EndDate = nil, nil
		case dialog.StateBudget:
			conv.Trip.Budget = nil
		}
		e.Handle(conv, dialog.Inbound{Text: c.text})
		if !c.filled(conv.Trip) {
			t.Errorf("%s/%s: the example %q did not fill the slot: %+v", c.lang, c.state, c.text, conv.Trip)
		}
		// A message that repeats an earlier answer is understood too: it moves the form on.
		again := clone(conv)
		res := e.Handle(again, dialog.Inbound{Text: c.text})
		if strings.Contains(replyTexts(res), dialog.T(c.lang, "err_dest_unread")) || strings.Contains(replyTexts(res), dialog.T(c.lang, "err_needs_unread")) {
			t.Errorf("%s/%s: %q said again was not understood: %s", c.lang, c.state, c.text, replyTexts(res))
		}
	}
}

func clone(c *dialog.Conversation) *dialog.Conversation {
	cc := *c
	cc.Memo.Offered = append([]dialog.Choice{}, c.Memo.Offered...)
	return &cc
}

func replyTexts(r dialog.Result) string {
	var b strings.Builder
	for _, x := range r.Replies {
		b.WriteString(x.Text + "|")
	}
	return b.String()
}

// BenchmarkExtractGazetteer is BenchmarkExtract with the real gazetteer, as the engine
// runs it: every message is also read for the names of places.
func BenchmarkExtractGazetteer(b *testing.B) {
	c := corpusEngine("Asia/Shanghai").ParseContextFor(dialog.StateStart, "")
	msgs := []string{
		"福州, 10月25日到11月4日, 每人2000, 带孩子",
		"Lisbon Dec 20-27, 2 of us, around €1500 each, we love seafood and museums",
	}
	dialog.Extract(msgs[0], c) // the gazetteer loads once, on first use
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dialog.Extract(msgs[i%2], c)
	}
}
