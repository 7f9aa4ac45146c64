package dialog

import (
	"context"
	"encoding/json"
)

// Status says who is answering a conversation.
type Status string

// Statuses of a conversation.
const (
	StatusBot     Status = "bot"     // the engine answers
	StatusWaiting Status = "waiting" // a human was asked for; the engine still answers
	StatusHuman   Status = "human"   // an agent has taken over; the engine stays silent
)

// Conversation is one traveller's dialog: where it stands and what it has collected.
type Conversation struct {
	ID        int64
	State     string // a State* constant
	PrevState string
	Status    Status
	Priority  int // higher is served first by agents; emergencies are highest
	Lang      string
	TimeZone  string // IANA name; "" uses the engine's default
	Trip      TripRequest
	Memo      Memo
	// Channel and ExternalID are where the traveller is (their channel and their id
	// there), as read with the conversation, so that replies find their way without
	// asking; "" when not read.
	Channel, ExternalID string
}

// Memo is the engine's bookkeeping that is not a slot, stored with the conversation.
type Memo struct {
	ReturnTo     string       `json:"returnTo,omitempty"`     // state to resume after an interruption
	NeedsAsked   bool         `json:"needsAsked,omitempty"`   // asked once, not again
	PrefsAsked   bool         `json:"prefsAsked,omitempty"`   // asked once, not again
	Editing      bool         `json:"editing,omitempty"`      // answering a change picked from confirm or a plan
	PlanRequest  int          `json:"planRequest,omitempty"`  // the outstanding plan request; older results are stale
	PlanVersion  int          `json:"planVersion,omitempty"`  // the latest plan delivered
	PlannedTrip  *TripRequest `json:"plannedTrip,omitempty"`  // the trip of the latest plan, to say what changed
	Rating       int          `json:"rating,omitempty"`       // feedback being collected
	Weather      []string     `json:"weather,omitempty"`      // the latest plan's forecast, a day a line
	PlaceChoices []Place      `json:"placeChoices,omitempty"` // the places a "which one?" question offered
	PlacePending bool         `json:"placePending,omitempty"` // a place question awaits its answer
	// PendingDestination is a place the gazetteer does not know, proposed by the traveller
	// and not yet confirmed: it stays out of the trip until they say it is right.
	PendingDestination string `json:"pendingDestination,omitempty"`
	// BudgetTotal is a budget said for the whole party before its size was known: the
	// trip holds it as one person's until the size comes, then each one's share.
	BudgetTotal float64 `json:"budgetTotal,omitempty"`
	// Offered are the choices of the latest question, so that typing a label is the same
	// as pressing its button.
	Offered []Choice `json:"offered,omitempty"`
	// Asking names the question with choices in flight: "dates", "destination",
	// "confirmDestination", "cancel".
	Asking string `json:"asking,omitempty"`
	// LangPinned is set by /lang: replies stay in that language whatever is typed.
	LangPinned bool `json:"langPinned,omitempty"`
	// Period is the part of a month the traveller named instead of days ("下个月中旬"),
	// while the dates question about it is open.
	Period *Period `json:"period,omitempty"`
	// Chosen is the plan option the traveller picked, a tier.
	Chosen Tier `json:"chosen,omitempty"`
	// LastEdit is the latest plan edit asked for, for the retry button.
	LastEdit *PlanEdit `json:"lastEdit,omitempty"`
	// DraftNoted is set once the traveller was told the plan is an offline draft, so
	// that the edits of that plan do not say it again (draftNote).
	DraftNoted bool `json:"draftNoted,omitempty"`
	// RatingAskedOn is the day (ISO) the rating was last asked unprompted (promptRating).
	RatingAskedOn string `json:"ratingAskedOn,omitempty"`
	// Care during the trip: see emergency.go and case.go.
	Care *Care `json:"care,omitempty"`
	// Subscribed are the kinds of service notice the traveller chose (NoticeTypes), once
	// SubscriptionKnown; the toggles of /subscribe show them.
	Subscribed        []string `json:"subscribed,omitempty"`
	SubscriptionKnown bool     `json:"subscriptionKnown,omitempty"`
	// ProgressDone is the plan request up to which a channel has finished the progress
	// messages, the request no longer awaited: its turns need not look for them again.
	ProgressDone int `json:"progressDone,omitempty"`
}

// MarshalMemo and UnmarshalMemo let the store keep the memo as JSON.
func (m Memo) Marshal() ([]byte, error) { return json.Marshal(m) }

// UnmarshalMemo reads a memo written by Marshal; empty input is the zero Memo.
func UnmarshalMemo(b []byte) (Memo, error) {
	var m Memo
	if len(b) == 0 {
		return m, nil
	}
	err := json.Unmarshal(b, &m)
	return m, err
}

// EventKind names something other than a traveller's message that a turn reacts to.
type EventKind string

// Events from outside the conversation.
const (
	EventNone      EventKind = ""
	EventPlanReady EventKind = "plan_ready" // the planner finished a request
	EventHandback  EventKind = "handback"   // an agent handed the conversation back
	EventTakeover  EventKind = "takeover"   // an agent took the conversation over
	EventLocation  EventKind = "location"   // the traveller shared a resolved place
	EventWeather   EventKind = "weather"    // the planned trip's forecast was fetched again
)

// Inbound is one thing that happened to a conversation: a message, a button pressed, or
// an event.
type Inbound struct {
	Text        string
	Action      string      // a button's action payload, exactly as sent
	Hint        *Extraction // an extractor's reading, for a text the parsers could not read
	Event       EventKind
	Plan        *Plan        // with EventPlanReady
	PlanRequest int          // with EventPlanReady: the request it answers
	Place       *Place       // with EventLocation
	Forecast    []DayWeather // with EventWeather: the dates forecast, none when still unavailable
	ChannelLang string       // the channel's language hint ("zh", "en", or a locale like "en-GB")
	Channel     string       // "telegram", "web" (ChannelWeb), …: what the channel can deliver later
	EditError   string       // with EventEditFailed: why (an EditErr* constant)
	// Case is the traveller's case, filled by the caller when ReadCaseQuery reads the
	// message as a question about it; nil when there is none.
	Case *CaseView
	// CaseEvent is what an agent changed, with EventCaseUpdate; Case is the case after the
	// change and Text the agent's note.
	CaseEvent CaseEvent
}

// ReplyKind says how a channel should show a reply.
type ReplyKind string

// Reply kinds.
const (
	ReplyText    ReplyKind = "text"
	ReplyPlan    ReplyKind = "plan"    // a plan card
	ReplyWorking ReplyKind = "working" // a "typing / planning…" notice
)

// Choice is a quick-reply button.
type Choice struct {
	Label  string `json:"label"`
	Action string `json:"action"`
}

// Reply is something the bot says, free of any channel's format.
type Reply struct {
	Kind    ReplyKind `json:"kind"`
	Text    string    `json:"text"`
	Choices []Choice  `json:"choices,omitempty"`
	Plan    *Plan     `json:"plan,omitempty"`
}

// EffectKind names work a turn asks the caller to do in the same transaction.
type EffectKind string

// Effects.
const (
	EffectRequestPlan  EffectKind = "request_plan"  // queue a planning job
	EffectCallHuman    EffectKind = "call_human"    // put the conversation in the agents' queue
	EffectCancelHuman  EffectKind = "cancel_human"  // take it out again
	EffectEmergency    EffectKind = "emergency"     // record an emergency and alert agents
	EffectFeedback     EffectKind = "feedback"      // record a rating and comment
	EffectSubscribe    EffectKind = "subscribe"     // subscribe to notices
	EffectUnsubscribe  EffectKind = "unsubscribe"   // unsubscribe
	EffectSetLanguage  EffectKind = "set_language"  // remember the traveller's language
	EffectCheckWeather EffectKind = "check_weather" // fetch the planned trip's forecast again
	EffectSafe         EffectKind = "safe"          // the traveller says they are safe: note it on the case
	EffectNearby       EffectKind = "nearby"        // look up hospitals or police near Place, for Category
)

// Effect is one piece of work a turn asks for.
type Effect struct {
	Kind        EffectKind   `json:"kind"`
	PlanRequest int          `json:"planRequest,omitempty"`
	Trip        *TripRequest `json:"trip,omitempty"`
	Text        string       `json:"text,omitempty"`
	Rating      int          `json:"rating,omitempty"`
	Lang        string       `json:"lang,omitempty"`
	Edit        *PlanEdit    `json:"edit,omitempty"`     // with EffectEditPlan
	Tier        Tier         `json:"tier,omitempty"`     // with EffectEditPlan, EffectShowPlan
	Version     int          `json:"version,omitempty"`  // with EffectEditPlan, EffectShowPlan
	Category    string       `json:"category,omitempty"` // EffectEmergency: the EmergencyCategory
	Country     string       `json:"country,omitempty"`  // EffectEmergency: where the traveller is, when known
	Opening     string       `json:"opening,omitempty"`  // EffectFeedback: the words that started it
	Place       *Place       `json:"place,omitempty"`    // EffectNearby: where the traveller is
	Day         int          `json:"day,omitempty"`      // EffectPlacesToDrop: the day, 0 for all
	// Types are the kinds of notice of EffectSubscribe, which replace those subscribed.
	Types []string `json:"types,omitempty"`
}

// Result is what a turn produced.
type Result struct {
	Replies []Reply
	Effects []Effect
	// Intent is what the traveller's message was read as (an Act), for logs and tests.
	Intent string
	// Asked names the question with choices the turn ended on, if any (see Memo.Asking).
	Asked string
}

// Extractor reads a message the parsers could not fully read, typically with a language
// model. It is called outside any transaction, before the turn; what it proposes is
// validated like parser output. The engine works fully without one.
type Extractor interface {
	Extract(ctx context.Context, text string, c ParseContext, lang string) (*Extraction, error)
}

// PlaceMatch is what an in-memory gazetteer knows of a name.
type PlaceMatch struct {
	Place      *Place  // the one place meant, when there is no doubt
	Candidates []Place // several places of that name, or close spellings when none matched
	Ambiguous  bool    // Candidates are places of that very name, not spelling suggestions
}

// Places looks destinations up in memory while a message is read. It must not do I/O:
// the turn holds the conversation's lock.
type Places interface {
	Lookup(name, lang string) PlaceMatch
	// Knows reports whether name, exactly as given, names a place, and whether that name
	// is also an ordinary word ("Nice", "Reading"), which is a place only where the
	// message says so. It is asked about the words of every message, so it must be cheap.
	Knows(name string) (known, common bool)
	// Near returns the name of the well-known place that name most likely misspells
	// (Barcelonna, 杭洲), or false.
	Near(name, lang string) (string, bool)
	// Word reports whether name is on the list of English words that are also place
	// names ("nice", "reading"), rather than only a small town's name ("tromso") that
	// Knows calls common too.
	Word(name string) bool
}
