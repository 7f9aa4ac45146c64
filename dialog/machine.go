package dialog

import (
	"context"
	"errors"

	"github.com/looplab/fsm"
)

// States of a conversation (SPEC section 3).
const (
	StateStart       = "start"
	StateDestination = "destination"
	StateDates       = "dates"
	StateBudget      = "budget"
	StateNeeds       = "needs"
	StatePreferences = "preferences"
	StateConfirm     = "confirm"
	StatePlanning    = "planning"
	StatePlanned     = "planned"
	StateEditing     = "editing"
	StateEmergency   = "emergency"
	StateFeedback    = "feedback"
	StateHuman       = "human"
)

// States lists every state, for tests and validation of stored rows.
var States = []string{StateStart, StateDestination, StateDates, StateBudget, StateNeeds,
	StatePreferences, StateConfirm, StatePlanning, StatePlanned, StateEditing,
	StateEmergency, StateFeedback, StateHuman}

// collecting are the states that ask for a slot, in the order they are asked.
var collecting = []string{StateDestination, StateDates, StateBudget, StateNeeds, StatePreferences}

// interruptions are reachable from anywhere and return to where the traveller was.
var interruptions = []string{StateEmergency, StateFeedback, StateHuman}

// Events. Their names differ from every state's, since fsm keys callbacks by both.
const (
	evAsk      = "ask_"    // + slot state: ask for that slot
	evReview   = "review"  // -> confirm
	evPlan     = "plan"    // -> planning
	evDeliver  = "deliver" // -> planned
	evEdit     = "edit"    // -> editing
	evRestart  = "restart" // -> start
	evEmerg    = "sos"     // -> emergency
	evFeedback = "rate"    // -> feedback
	evHuman    = "call"    // -> human
	evResume   = "resume_" // + state: back from an interruption
)

// ErrIncomplete cancels planning while a required slot is missing.
var ErrIncomplete = errors.New("trip incomplete")

func without(all []string, drop ...string) []string {
	var out []string
outer:
	for _, s := range all {
		for _, d := range drop {
			if s == d {
				continue outer
			}
		}
		out = append(out, s)
	}
	return out
}

// machineEvents is the transition table. Everything not an interruption may move
// between the collecting states, so that one message filling several slots, or a
// correction at any point, is a single transition.
func machineEvents() fsm.Events {
	normal := without(States, interruptions...)
	ev := fsm.Events{
		{Name: evReview, Src: normal, Dst: StateConfirm},
		{Name: evPlan, Src: []string{StateConfirm, StatePlanned, StateEditing, StatePlanning}, Dst: StatePlanning},
		{Name: evDeliver, Src: []string{StatePlanning}, Dst: StatePlanned},
		{Name: evEdit, Src: []string{StatePlanned, StateConfirm, StatePlanning}, Dst: StateEditing},
		{Name: evRestart, Src: States, Dst: StateStart},
		{Name: evEmerg, Src: without(States, StateEmergency), Dst: StateEmergency},
		{Name: evFeedback, Src: without(States, StateFeedback, StateEmergency), Dst: StateFeedback},
		{Name: evHuman, Src: without(States, StateHuman), Dst: StateHuman},
	}
	for _, s := range collecting {
		ev = append(ev, fsm.EventDesc{Name: evAsk + s, Src: normal, Dst: s})
	}
	for _, s := range without(States, interruptions...) {
		ev = append(ev, fsm.EventDesc{Name: evResume + s, Src: interruptions, Dst: s})
	}
	// An interruption can lead to another (an emergency while waiting for a human);
	// resuming then goes to where the traveller was before the first.
	for _, s := range interruptions {
		ev = append(ev, fsm.EventDesc{Name: evResume + s, Src: without(interruptions, s), Dst: s})
	}
	return ev
}

var events = machineEvents()

// newMachine rebuilds the machine for one turn from the stored state. Its callbacks only
// touch the conversation in memory: no I/O happens inside a transition.
func newMachine(c *Conversation) *fsm.FSM {
	state := c.State
	if !knownState(state) {
		state = StateStart
	}
	return fsm.NewFSM(state, events, fsm.Callbacks{
		"before_" + evPlan: func(_ context.Context, e *fsm.Event) {
			if missingSlot(c) != "" {
				e.Cancel(ErrIncomplete)
			}
		},
		"enter_state": func(_ context.Context, e *fsm.Event) {
			c.PrevState = e.Src
			c.State = e.Dst
		},
	})
}

func knownState(s string) bool {
	for _, k := range States {
		if k == s {
			return true
		}
	}
	return false
}

// fire moves the machine; a transition to the state it is already in is no error.
func fire(m *fsm.FSM, event string) error {
	err := m.Event(context.Background(), event)
	var none fsm.NoTransitionError
	if errors.As(err, &none) {
		return nil
	}
	return err
}
