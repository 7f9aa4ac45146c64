package dialog

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxTripDays is the longest trip the bot plans.
const MaxTripDays = 30

// Engine runs conversation turns. It is safe for concurrent use: all per-turn state lives
// in the Conversation passed in.
type Engine struct {
	Now        func() time.Time // nil: time.Now
	DefaultLoc *time.Location   // for travellers whose zone is unknown; nil: Asia/Shanghai
	// Notices returns the current and upcoming service notices in lang, from an in-memory
	// snapshot (a turn does no I/O). Nil means there are none.
	Notices func(lang string) []string
	// Changelog returns the latest completed updates in lang, newest first, from an
	// in-memory snapshot like Notices. Nil means there are none.
	Changelog func(lang string) []ChangeEntry
	// ChangelogURL is the changelog page, linked from /changelog; "": "/changelog".
	ChangelogURL string
	// Places resolves destinations; nil leaves them as written for the planner to place.
	Places Places
	// EmergencyHelp words the first answer to an emergency for the country the traveller
	// is in (see emergency.go); nil gives a general answer.
	EmergencyHelp EmergencyHelp
}

var (
	locMu    sync.Mutex
	locCache = map[string]*time.Location{}
)

func loadLoc(name string) *time.Location {
	locMu.Lock()
	defer locMu.Unlock()
	if l, ok := locCache[name]; ok {
		return l
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = nil
	}
	locCache[name] = l
	return l
}

func (e *Engine) loc(c *Conversation) *time.Location {
	if c.TimeZone != "" {
		if l := loadLoc(c.TimeZone); l != nil {
			return l
		}
	}
	if e.DefaultLoc != nil {
		return e.DefaultLoc
	}
	if l := loadLoc("Asia/Shanghai"); l != nil {
		return l
	}
	return time.UTC
}

// turn is the state of one Handle call.
type turn struct {
	e   *Engine
	c   *Conversation
	in  Inbound
	now time.Time
	loc *time.Location
	res Result
	// changedFields are the catalogue keys of the fields the message changed.
	changedFields []string
	// saidChanges: the changes were already told (a self-correction says which value won).
	saidChanges bool
}

// Handle applies one inbound message or event to c and returns what to say and do. It
// always answers a traveller's message with at least one reply, never fails, and leaves
// c in a known state; the caller persists c, the replies and the effects together.
func (e *Engine) Handle(c *Conversation, in Inbound) Result {
	now := time.Now()
	if e.Now != nil {
		now = e.Now()
	}
	if !knownState(c.State) {
		c.State = StateStart
	}
	if c.Status == "" {
		c.Status = StatusBot
	}
	t := &turn{e: e, c: c, in: in, loc: e.loc(c)}
	t.now = now.In(t.loc)
	t.pickLang()
	switch in.Event {
	case EventPlanReady:
		t.planReady()
		return t.res
	case EventEditFailed:
		t.editFailed()
		t.remember()
		return t.res
	case EventTakeover:
		c.Status = StatusHuman
		return t.res
	case EventCaseUpdate:
		t.caseUpdate()
		return t.res
	case EventHandback:
		t.handback()
	case EventLocation:
		t.location()
	case EventWeather:
		t.weatherReady()
		return t.res
	default:
		t.message()
	}
	if len(t.res.Replies) == 0 {
		t.reask()
	}
	t.remember()
	return t.res
}

// remember keeps the choices the turn ended on, so that typing one is pressing it, and
// says which question with choices is in flight.
func (t *turn) remember() {
	c := t.c
	c.Memo.Offered = nil
	for _, r := range t.res.Replies {
		if len(r.Choices) > 0 {
			c.Memo.Offered = append([]Choice{}, r.Choices...)
		}
	}
	if len(c.Memo.Offered) == 0 {
		c.Memo.Asking = ""
	}
	t.res.Asked = c.Memo.Asking
}

func (t *turn) say(key string, args ...any) *Reply {
	t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyText, Text: T(t.c.Lang, key, args...)})
	return &t.res.Replies[len(t.res.Replies)-1]
}

func (t *turn) choice(key, action string) Choice {
	return Choice{Label: T(t.c.Lang, key), Action: action}
}

func (t *turn) effect(e Effect) { t.res.Effects = append(t.res.Effects, e) }

// go moves the machine with event; a refused transition leaves the state as it was.
func (t *turn) fire(event string) bool {
	return fire(newMachine(t.c), event) == nil
}

func (t *turn) pickLang() {
	if t.c.Lang != "" {
		return
	}
	if t.in.Text != "" && clearLang(t.in.Text) != "" {
		t.c.Lang = clearLang(t.in.Text)
		return
	}
	switch {
	case detectLang(t.in.Text) != "":
		t.c.Lang = detectLang(t.in.Text)
	case t.in.ChannelLang != "":
		t.c.Lang = LangOfHint(t.in.ChannelLang)
	default:
		t.c.Lang = LangZH
	}
}

func isInterruption(s string) bool {
	return s == StateEmergency || s == StateFeedback || s == StateHuman
}

// interrupt enters an interruption, remembering where to come back to.
func (t *turn) interrupt(event string) {
	if !isInterruption(t.c.State) {
		t.c.Memo.ReturnTo = t.c.State
	}
	t.fire(event)
}

// resume leaves an interruption for where the traveller was.
func (t *turn) resume() {
	to := t.c.Memo.ReturnTo
	if to == "" || isInterruption(to) || !knownState(to) {
		to = StateStart
	}
	t.c.Memo.ReturnTo = ""
	if isInterruption(t.c.State) {
		t.fire(evResume + to)
	}
}

func (t *turn) message() {
	text := strings.TrimSpace(t.in.Text)
	if t.in.Action != "" {
		t.action(t.in.Action)
		return
	}
	// Typing a button's label, or an example the question gave, is pressing it.
	a := t.typedChoice(text)
	if a != "" {
		t.res.Intent = string(actOfAction(a))
		t.action(a)
		return
	}
	t.followLang(text)
	if t.care(text) || t.addAnswer(text) || t.dayAnswer(text) || t.alertsCommand(text) {
		return
	}
	rd := Read(text, t.c.State, t.parseContext())
	t.res.Intent = string(rd.Act)
	intent, arg := rd.Command, rd.Arg
	if rd.Act == ActEmergency {
		t.emergency(text)
		return
	}
	switch t.c.State {
	case StateEmergency:
		if intent == IntentNone || intent == IntentHelp {
			t.emergencyNote(text)
			return
		}
	case StateFeedback:
		if intent == IntentNone && rd.Act == ActFAQ && rd.Topic != "" {
			// A question about the service is answered, not taken for the feedback.
			t.faq(rd.Topic)
			t.reask()
			return
		}
		if intent == IntentNone && t.c.Memo.Rating == 0 && readRating(text) == 0 {
			// "make day 3 more relaxed", "Dec 28 for 4 days" while stars are asked for:
			// the trip goes on, and the rating is left unasked.
			if back := Read(text, t.c.Memo.ReturnTo, t.parseContext()); carriesOnTrip(back) {
				t.resume()
				rd = back
				t.res.Intent = string(rd.Act)
				break
			}
		}
		if intent == IntentNone {
			t.feedbackText(text)
			return
		}
	case StateHuman:
		if intent == IntentNone {
			r := t.say("human_waiting")
			r.Choices = []Choice{t.choice("btn_back_bot", "resume")}
			return
		}
	}
	if intent == IntentCancel && isInterruption(t.c.State) {
		t.cancel()
		return
	}
	if intent != IntentNone && intent != IntentCancel && t.intent(intent, arg, text) {
		return
	}
	if isInterruption(t.c.State) {
		t.resume()
	}
	switch rd.Act {
	case ActFAQ:
		if rd.Topic != "" {
			t.faq(rd.Topic)
		} else {
			t.say("help")
		}
		t.reask()
	case ActFeedback:
		t.complaint(text)
	case ActSmallTalk:
		if t.c.State == StateStart {
			t.unread(text)
			return
		}
		t.say(smallTalkReply(text))
		t.reask()
	case ActChoose:
		t.choose(rd)
	case ActEdit:
		t.planEdit(rd.Edit)
	case ActMyPlan:
		t.myPlan()
	case ActSkip:
		t.skip()
	case ActCancel:
		t.askCancel()
	case ActConfirm:
		switch t.c.State {
		case StateConfirm, StateEditing, StatePlanned:
			t.startPlanning(nil)
		default:
			t.reask()
		}
	case ActOther:
		t.nothingRead(text, rd.Ex)
	case ActChange:
		if rd.ChangeAsked {
			t.nothingRead(text, rd.Ex) // asks what to change
			return
		}
		t.slots(text, rd.Ex)
	default:
		t.slots(text, rd.Ex)
	}
}

// actOfAction is what pressing a button amounts to.
func actOfAction(a string) Act {
	name, arg, _ := strings.Cut(a, ":")
	switch name {
	case "plan":
		return ActConfirm
	case "skip":
		return ActSkip
	case "need":
		if arg == "none" {
			return ActSkip
		}
	case "pref":
		if arg == "skip" {
			return ActSkip
		}
	case "human":
		return ActHuman
	case "feedback", "rate":
		return ActFeedback
	case "sos":
		return ActEmergency
	case "cancel":
		return ActCancel
	case "choose":
		return ActChoose
	case "edit":
		return ActChange
	}
	return ActTrip
}

// typedChoice returns the action of the offered choice, or of the state's usual
// button, whose label text is; a yes or no to the open cancel question; or the button of
// the item a wish to change names.
func (t *turn) typedChoice(text string) string {
	key := labelKey(text)
	if key == "" {
		return ""
	}
	offered := append([]Choice{}, t.c.Memo.Offered...)
	offered = append(offered, t.stateChoices(LangZH)...)
	offered = append(offered, t.stateChoices(LangEN)...)
	for _, ch := range offered {
		if labelKey(ch.Label) == key && ch.Action != "" {
			return ch.Action
		}
	}
	if t.c.Memo.Asking == "cancel" {
		// "Cancel this trip?" answered in words: "yes", "是的", "no", "不用了".
		if yes, ok := ParseYesNo(text); ok {
			if yes {
				return "cancel:yes"
			}
			return "cancel:no"
		}
	}
	// "改日期", "change the budget": the item to change named, with nothing to change it
	// to, is pressing its button.
	if m := reChangeSlot.FindStringSubmatch(asciiLower(normalizeText(text))); m != nil {
		return "edit:" + changeSlots[strings.TrimSpace(m[1]+m[2])]
	}
	return ""
}

// labelKey folds a label or a message for comparison: case, spaces, punctuation and
// emoji do not matter.
func labelKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(normalizeText(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stateChoices are the buttons the current state shows, in lang.
func (t *turn) stateChoices(lang string) []Choice {
	ch := func(key, action string) Choice { return Choice{Label: T(lang, key), Action: action} }
	switch t.c.State {
	case StateNeeds:
		return []Choice{ch("btn_kids", "need:kids"), ch("btn_access", "need:access"), ch("btn_pets", "need:pets"),
			ch("btn_none", "need:none"), ch("btn_none_long", "need:none")}
	case StatePreferences:
		return []Choice{ch("btn_nature", "pref:nature"), ch("btn_culture", "pref:culture"), ch("btn_food", "pref:food"), ch("btn_skip", "pref:skip")}
	case StateConfirm:
		return []Choice{ch("btn_plan", "plan"), ch("btn_destination", "edit:destination"), ch("btn_dates", "edit:dates"),
			ch("btn_budget", "edit:budget"), ch("btn_needs", "edit:needs"), ch("btn_prefs", "edit:preferences")}
	case StatePlanned:
		return []Choice{ch("btn_change", "edit"), ch("btn_feedback", "feedback"), ch("btn_human", "human")}
	case StateEditing:
		return []Choice{ch("btn_destination", "edit:destination"), ch("btn_dates", "edit:dates"),
			ch("btn_budget", "edit:budget"), ch("btn_needs", "edit:needs"), ch("btn_prefs", "edit:preferences"), ch("btn_plan", "plan")}
	case StateEmergency:
		return []Choice{ch("btn_safe", "resume")}
	case StateHuman:
		return []Choice{ch("btn_back_bot", "resume")}
	case StateFeedback:
		return []Choice{ch("btn_skip", "skip")}
	}
	return nil
}

// planAgreed answers a plan agreed to, with its buttons.
func (t *turn) planAgreed() {
	r := t.say("plan_agreed")
	r.Choices = append(t.planChoices(), t.choice("btn_change", "edit"), t.choice("btn_human", "human"))
}

// reMakeAgain asks for a plan to be made (again), not just agreed to: 生成, 做计划,
// "make my plan", "generate", "plan it".
var reMakeAgain = regexp.MustCompile(`生成|做计划|做个计划|出方案|规划吧|\bmake (?:my|the|a) plan\b|\bgenerate\b|\bplan it\b|\bcreate\b`)

// followLang answers in the language of the traveller's latest message when that
// message is clearly in one language, unless /lang pinned one.
func (t *turn) followLang(text string) {
	// A command's words are the bot's keywords ("/subscribe maintenance downtime"), not
	// the language the traveller speaks.
	if t.c.Memo.LangPinned || strings.HasPrefix(text, "/") {
		return
	}
	if l := clearLang(text); l != "" && l != t.c.Lang && switchesLang(text, l) {
		t.c.Lang = l
		t.effect(Effect{Kind: EffectSetLanguage, Lang: l})
	}
}

// clearLang is "zh" for a message of Chinese words with no English ones, "en" for
// English words with no Chinese, and "" for anything mixed, short or wordless.
func clearLang(text string) string {
	han, latin := 0, 0
	for _, w := range strings.FieldsFunc(normalizeText(text), func(r rune) bool {
		return !(r < utf8.RuneSelf && isASCIILetter(byte(r)))
	}) {
		if len(w) >= 2 {
			latin++
		}
	}
	for _, r := range text {
		if isHan(r) {
			han++
		}
	}
	switch {
	case han >= 2 && latin == 0:
		return LangZH
	case latin >= 2 && han == 0:
		return LangEN
	case latin >= 4 && han <= 4 && 2*han <= latin:
		// "My husband and I are hoping to visit 西安 in January": English with a name
		// in Chinese characters.
		return LangEN
	}
	return ""
}

// switchesLang reports whether a message in l is enough to answer in l from now on: a
// conversation in Chinese is not turned English by a phrase ("actually 4 days", "ok
// thanks"), only by a sentence of at least three English words.
func switchesLang(text, l string) bool {
	if l != LangEN {
		return true
	}
	n := 0
	for _, w := range strings.FieldsFunc(normalizeText(text), func(r rune) bool {
		return !(r < utf8.RuneSelf && isASCIILetter(byte(r)))
	}) {
		if len(w) >= 2 {
			n++
		}
	}
	return n >= 3
}

// complaint opens feedback with the traveller's words kept. A rating said in words ("5
// stars", "给你打三星") is recorded with them at once.
func (t *turn) complaint(text string) {
	if n := starsGiven(asciiLower(text)); n > 0 {
		t.interrupt(evFeedback)
		t.c.Memo.Rating = n
		t.finishFeedback(text)
		return
	}
	t.effect(Effect{Kind: EffectFeedback, Opening: text})
	t.careMemo().Opening = text
	t.interrupt(evFeedback)
	t.c.Memo.Rating = 0
	key := "complaint_noted"
	if praise(asciiLower(normalizeText(text))) {
		key = "praise_noted" // "love it, thanks!": no apology
	}
	r := t.say(key)
	for i := 5; i >= 1; i-- {
		r.Choices = append(r.Choices, Choice{Label: strings.Repeat("⭐", i), Action: "rate:" + strconv.Itoa(i)})
	}
	r.Choices = append(r.Choices, t.choice("btn_skip", "skip"), t.choice("btn_human", "human"))
}

// choose notes the plan option the traveller picked.
func (t *turn) choose(rd Reading) {
	c := t.c
	tier := rd.Tier
	if tier == "" && rd.Option >= 1 && rd.Option <= len(Tiers) {
		tier = Tiers[rd.Option-1]
	}
	if tier == "" || c.Memo.PlanVersion == 0 {
		t.reask()
		return
	}
	c.Memo.Chosen = tier
	t.promptRating()
	r := t.say("chose_option", TierTitle(c.Lang, tier))
	r.Choices = append(t.planChoices(), t.choice("btn_change", "edit"), t.choice("btn_human", "human"))
}

// skip declines the optional question being asked.
func (t *turn) skip() {
	switch t.c.State {
	case StateNeeds:
		t.applyNeed("none")
		t.advance(nil)
	case StatePreferences:
		t.applyPref("skip")
		t.advance(nil)
	default:
		t.reask()
	}
}

// askCancel asks before dropping a trip: nothing is lost to a message misread.
func (t *turn) askCancel() {
	c := t.c
	if c.Trip == (TripRequest{}) && c.Memo.PlanVersion == 0 {
		t.reset()
		t.say("cancelled")
		return
	}
	c.Memo.Asking = "cancel"
	r := t.say("cancel_ask")
	r.Choices = []Choice{t.choice("btn_cancel_yes", "cancel:yes"), t.choice("btn_cancel_no", "cancel:no")}
}

// nothingRead answers a message that is none of the things a trip is made of.
func (t *turn) nothingRead(text string, ex Extraction) {
	c := t.c
	switch c.State {
	case StateConfirm:
		if ex.Yes != nil && !*ex.Yes {
			t.whatToChange()
			return
		}
	case StatePreferences:
		if ex.Yes != nil {
			// "Yes" to "what do you enjoy?" says nothing yet: ask again.
			t.reask()
			return
		}
	case StatePlanned, StateEditing:
		if ex.Yes != nil && *ex.Yes && c.State == StateEditing {
			t.startPlanning(nil)
			return
		}
		if ex.Yes != nil && *ex.Yes {
			t.planAgreed() // "ok", "好的", "let's go": the plan is agreed to
			return
		}
		t.nothingChanged()
		return
	case StatePlanning:
		t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyWorking, Text: T(c.Lang, "still_planning")})
		return
	}
	t.unread(text)
}

// intent handles what a traveller may ask for from any state; false means the text is
// better read as slots after all.
func (t *turn) intent(in Intent, arg, text string) bool {
	c := t.c
	switch in {
	case IntentHuman:
		t.callHuman()
	case IntentFeedback:
		t.startFeedback()
	case IntentHelp:
		t.say("help")
		t.reask()
	case IntentLanguage:
		if arg != LangZH && arg != LangEN {
			r := t.say("lang_ask")
			r.Choices = []Choice{{Label: "中文", Action: "lang:zh"}, {Label: "English", Action: "lang:en"}}
			return true
		}
		t.setLang(arg)
	case IntentNewTrip, IntentStartOver:
		t.reset()
		if in == IntentNewTrip {
			t.say("new_trip")
		} else {
			t.say("start_over")
		}
		// "new trip to Paris" carries its first slot along.
		ex := Extract(text, t.parseContext())
		if ex.Destination != "" || ex.ProposedDestination != "" || ex.Start != nil || ex.Budget != nil {
			t.slots(text, ex)
			return true
		}
		t.fire(evAsk + StateDestination)
		t.reask()
	case IntentSubscribe:
		t.subscribe(arg)
		t.reask()
	case IntentUnsubscribe:
		t.unsubscribe(arg)
		t.reask()
	case IntentStatus:
		t.status()
		t.reask()
	case IntentChangelog:
		t.changelog()
		t.reask()
	case IntentWeather:
		t.weather()
		t.reask()
	case IntentBack:
		t.back()
	case IntentCancel:
		t.cancel()
	case IntentConfirm:
		if c.State == StatePlanned && !reMakeAgain.MatchString(asciiLower(strings.TrimSpace(text))) {
			// "就这样吧", "let's go", "that's all" with the plan in hand: it is agreed to,
			// not asked for again.
			t.planAgreed()
			return true
		}
		if c.State == StateConfirm || c.State == StateEditing || c.State == StatePlanned {
			t.startPlanning(nil)
			return true
		}
		return false
	case IntentStart:
		if c.State == StateStart || (c.Trip == TripRequest{}) {
			t.say("greeting")
			t.fire(evAsk + StateDestination)
		}
		t.reask()
	default:
		return false
	}
	return true
}

func (t *turn) setLang(lang string) {
	t.c.Lang = lang
	t.c.Memo.LangPinned = true
	t.effect(Effect{Kind: EffectSetLanguage, Lang: lang})
	t.say("lang_switched")
	t.reask()
}

func (t *turn) reset() {
	lang, tz := t.c.Lang, t.c.TimeZone
	t.c.Trip = TripRequest{}
	m := t.c.Memo
	// A plan still being made for the old trip must not arrive in the new one; the
	// notices the traveller chose outlive the trip.
	t.c.Memo = Memo{PlanVersion: m.PlanVersion, PlanRequest: m.PlanRequest + 1, Subscribed: m.Subscribed, SubscriptionKnown: m.SubscriptionKnown}
	t.c.Lang, t.c.TimeZone = lang, tz
	t.fire(evRestart)
}

func (t *turn) status() {
	var notes []string
	if t.e.Notices != nil {
		notes = t.e.Notices(t.c.Lang)
	}
	if len(notes) == 0 {
		t.say("status_ok")
		return
	}
	t.say("status_list", "• "+strings.Join(notes, "\n• "))
}

// forecastReach is how far ahead the weather services forecast (Open-Meteo: 16 days,
// today included).
const forecastReach = 15

// weather answers with the latest plan's forecast. When the plan came without one (E-303),
// the forecast is fetched again, unless the trip is still beyond any forecast's reach:
// asking again is what the traveller asked for, and it costs no one anything to say why
// it cannot help yet.
func (t *turn) weather() {
	c := t.c
	if p := t.latestPlanWeather(); p != "" {
		t.say("weather_plan", c.Trip.Destination, p)
		return
	}
	trip := c.Memo.PlannedTrip
	if c.Memo.PlanVersion == 0 || trip == nil {
		if c.Trip.Destination != "" && c.Trip.StartDate != nil {
			// Where and when are known: the plan will look it up.
			t.say("weather_later", t.placeIn(c.Lang))
			return
		}
		t.say("weather_need")
		return
	}
	today := DateOf(t.now)
	if trip.StartDate == nil || trip.EndDate == nil || trip.EndDate.Before(today) {
		t.say("weather_none")
		return
	}
	if today.DaysUntil(*trip.StartDate) > forecastReach {
		t.say("weather_far", today.DaysUntil(*trip.StartDate)-forecastReach)
		return
	}
	t.say("weather_checking")
	check := *trip
	t.effect(Effect{Kind: EffectCheckWeather, Trip: &check, Lang: c.Lang})
}

// weatherReady answers a forecast fetched again, and keeps it for the next question.
func (t *turn) weatherReady() {
	c := t.c
	var lines []string
	for _, d := range t.in.Forecast {
		lines = append(lines, weatherLine(c.Lang, d.Date, d.Weather))
	}
	if len(lines) == 0 {
		t.say("weather_none")
		return
	}
	c.Memo.Weather = lines
	t.say("weather_plan", c.Trip.Destination, strings.Join(lines, "\n"))
}

// latestPlanWeather is the forecast that came with the latest plan, kept in the memo
// because the plan itself is stored elsewhere.
func (t *turn) latestPlanWeather() string { return strings.Join(t.c.Memo.Weather, "\n") }

func (t *turn) back() {
	c := t.c
	idx := -1
	for i, s := range collecting {
		if s == c.State {
			idx = i
		}
	}
	switch {
	case c.State == StateConfirm:
		t.fire(evAsk + StatePreferences)
		c.Memo.PrefsAsked = false
	case idx > 0:
		prev := collecting[idx-1]
		t.fire(evAsk + prev)
		if prev == StateNeeds {
			c.Memo.NeedsAsked = false
		}
	case isInterruption(c.State):
		t.resume()
	default:
		t.say("back_nothing")
	}
	t.reask()
}

func (t *turn) cancel() {
	c := t.c
	switch c.State {
	case StateHuman:
		t.effect(Effect{Kind: EffectCancelHuman})
		c.Status, c.Priority = StatusBot, 0
		t.resume()
		t.say("human_cancelled")
		t.reask()
	case StateFeedback:
		t.resume()
		t.reask()
	case StateEmergency:
		t.safe("")
	default:
		t.reset()
		t.say("cancelled")
	}
}

func (t *turn) callHuman() {
	c := t.c
	if c.State == StateHuman {
		t.say("human_waiting")
		return
	}
	t.interrupt(evHuman)
	if c.Status != StatusHuman {
		c.Status = StatusWaiting
	}
	if c.Priority < 10 {
		c.Priority = 10
	}
	t.effect(Effect{Kind: EffectCallHuman})
	r := t.say("human_requested")
	r.Choices = []Choice{t.choice("btn_back_bot", "resume")}
}

func (t *turn) handback() {
	c := t.c
	emergency := c.State == StateEmergency || c.Priority >= EmergencyPriority
	c.Status, c.Priority = StatusBot, 0
	if isInterruption(c.State) {
		t.resume()
	}
	t.say("handback")
	if !emergency {
		t.promptRating()
	}
	t.reask()
}

func (t *turn) startFeedback() {
	t.interrupt(evFeedback)
	t.c.Memo.Rating = 0
	t.askRating()
}

func (t *turn) askRating() {
	r := t.say("feedback_ask")
	for i := 5; i >= 1; i-- {
		r.Choices = append(r.Choices, Choice{Label: strings.Repeat("⭐", i), Action: "rate:" + strconv.Itoa(i)})
	}
	r.Choices = append(r.Choices, t.choice("btn_skip", "skip"))
}

// carriesOnTrip reports a reading that goes on with the trip: a change, a choice, an
// edit, the plan asked for.
func carriesOnTrip(rd Reading) bool {
	switch rd.Act {
	case ActEdit, ActTrip, ActChange, ActChoose, ActMyPlan, ActConfirm:
		return true
	}
	return false
}

// readRating reads the answer to "rate the service": a rating said in words or as a
// score (starsGiven: 给你打3分, "4 out of 5", ⭐⭐⭐⭐), or a figure from 1 to 5 alone.
func readRating(text string) int {
	text = strings.TrimSpace(text)
	if n := starsGiven(asciiLower(normalizeText(text))); n > 0 {
		return n
	}
	for _, f := range []struct {
		word string
		n    int
	}{{"五星", 5}, {"四星", 4}, {"三星", 3}, {"两星", 2}, {"二星", 2}, {"一星", 1}, {"好评", 5}, {"差评", 1}} {
		if strings.Contains(text, f.word) {
			return f.n
		}
	}
	// A figure in a sentence ("make day 3 more relaxed") is no rating; one alone, with
	// stars or 分, is.
	rest := strings.TrimSpace(strings.ToLower(text))
	rest = strings.TrimSuffix(strings.TrimSuffix(rest, "stars"), "star")
	if rest = strings.Trim(rest, " !.。！星分颗"); strings.Trim(rest, "0123456789/ ") != "" {
		return 0
	}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r < '0' || r > '9' })
	if len(fields) == 1 {
		if n, err := strconv.Atoi(fields[0]); err == nil && n >= 1 && n <= 5 {
			return n
		}
	}
	return 0
}

func (t *turn) feedbackText(text string) {
	c := t.c
	if c.Memo.Rating == 0 {
		n := readRating(text)
		if n == 0 {
			t.say("feedback_unread")
			t.askRating()
			return
		}
		t.rate(n)
		return
	}
	t.finishFeedback(text)
}

func (t *turn) rate(n int) {
	t.c.Memo.Rating = n
	r := t.say("feedback_comment")
	r.Choices = []Choice{t.choice("btn_skip", "skip")}
}

func (t *turn) finishFeedback(comment string) {
	opening := ""
	if care := t.c.Memo.Care; care != nil {
		opening, care.Opening = care.Opening, ""
	}
	if t.c.Memo.Rating > 0 || comment != "" {
		t.effect(Effect{Kind: EffectFeedback, Rating: t.c.Memo.Rating, Text: comment, Opening: opening})
	}
	t.c.Memo.Rating = 0
	t.say("feedback_thanks")
	t.resume()
	t.reask()
}

// action handles a pressed button. Buttons from an old message may arrive in any state:
// each does what its label said, or is answered as expired.
func (t *turn) action(a string) {
	c := t.c
	name, arg, _ := strings.Cut(a, ":")
	if t.planAction(name, arg) {
		return
	}
	switch name {
	case "plan":
		t.startPlanning(nil)
	case "edit":
		if arg == "" {
			t.whatToChange()
			return
		}
		state, ok := slotState(arg)
		if !ok {
			break
		}
		c.Memo.Editing = true
		if isInterruption(c.State) {
			t.resume()
		}
		t.fire(evAsk + state)
		t.reask()
	case "place":
		i, err := strconv.Atoi(arg)
		if err != nil || i < 0 || i >= len(c.Memo.PlaceChoices) {
			break
		}
		p := c.Memo.PlaceChoices[i]
		c.Memo.PlaceChoices, c.Memo.PlacePending, c.Memo.PendingDestination, c.Memo.Asking = nil, false, "", ""
		c.Trip.Destination, c.Trip.Place = p.Name, &p
		t.advance([]string{T(c.Lang, "f_destination") + ": " + p.Name})
	case "keep":
		// The traveller confirms a place the gazetteer does not know: only now is it the
		// destination.
		p := c.Memo.PendingDestination
		if p == "" {
			break
		}
		c.Memo.PlaceChoices, c.Memo.PlacePending, c.Memo.PendingDestination = nil, false, ""
		c.Trip.Destination, c.Trip.Place = p, nil
		t.advance([]string{T(c.Lang, "f_destination") + listSepField(c.Lang) + p})
	case "cancel":
		c.Memo.Asking = ""
		if arg == "yes" {
			t.reset()
			t.say("cancelled")
			return
		}
		t.say("cancel_kept")
		t.reask()
	case "dates":
		from, to, _ := strings.Cut(arg, "..")
		s, err := ParseISODate(from)
		if err != nil {
			break
		}
		ex := Extraction{Start: &s}
		if to != "" {
			e, err := ParseISODate(to)
			if err != nil {
				break
			}
			ex.End = &e
		}
		c.Memo.Asking = ""
		t.slots("", ex)
	case "budget":
		amount, cur, _ := strings.Cut(arg, ":")
		v, err := strconv.ParseFloat(amount, 64)
		if err != nil || v <= 0 {
			break
		}
		t.slots("", Extraction{Budget: &Money{Low: v, High: v, Currency: cur, PerPerson: true}})
	case "need":
		if !t.applyNeed(arg) {
			break
		}
		t.advance(nil)
	case "pref":
		if !t.applyPref(arg) {
			break
		}
		t.advance(nil)
	case "lang":
		if arg == LangZH || arg == LangEN {
			t.setLang(arg)
			return
		}
	case "rate":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > 5 {
			break
		}
		if c.State != StateFeedback {
			t.interrupt(evFeedback)
		}
		t.rate(n)
	case "skip":
		switch c.State {
		case StateFeedback:
			t.finishFeedback("")
		case StateNeeds:
			t.applyNeed("none")
			t.advance(nil)
		case StatePreferences:
			t.applyPref("skip")
			t.advance(nil)
		default:
			t.reask()
		}
	case "resume":
		switch c.State {
		case StateHuman:
			t.effect(Effect{Kind: EffectCancelHuman})
			c.Status, c.Priority = StatusBot, 0
			t.resume()
			t.say("human_cancelled")
		case StateEmergency:
			t.safe("")
			return
		}
		t.reask()
	case "human":
		t.callHuman()
	case "feedback":
		t.startFeedback()
	case "weather":
		t.weather()
		t.reask()
	case "sos":
		t.emergency("")
	case "location":
		t.askLocation(arg)
	case "notices":
		t.toggleNotice(arg)
		t.reask()
	case "restart":
		t.reset()
		t.say("start_over")
		t.fire(evAsk + StateDestination)
		t.reask()
	default:
		t.say("err_unknown_action")
		t.reask()
		return
	}
	if len(t.res.Replies) == 0 {
		t.say("err_unknown_action")
		t.reask()
	}
}

func listSepField(lang string) string {
	if lang == LangZH {
		return "："
	}
	return ": "
}

func slotState(name string) (string, bool) {
	switch name {
	case "destination", "dates", "budget", "needs":
		return name, true
	case "preferences", "prefs":
		return StatePreferences, true
	}
	return "", false
}

func (t *turn) applyNeed(arg string) bool {
	tr := &t.c.Trip
	yes, no := true, false
	switch arg {
	case "kids":
		tr.KidFriendly = &yes
	case "access":
		tr.Accessibility = &yes
	case "pets":
		tr.PetFriendly = &yes
	case "none":
		tr.KidFriendly, tr.Accessibility, tr.PetFriendly = &no, &no, &no
	default:
		return false
	}
	t.c.Memo.NeedsAsked = true
	return true
}

func (t *turn) applyPref(arg string) bool {
	tr := &t.c.Trip
	zh := t.c.Lang == LangZH
	pick := func(zhv, env string) string {
		if zh {
			return zhv
		}
		return env
	}
	switch arg {
	case "nature":
		tr.NaturalLandscape = pick("自然风光", "nature")
	case "culture":
		tr.SocialLandscape = pick("人文历史", "culture and history")
	case "food":
		tr.Cuisine = pick("当地美食", "local food")
	case "skip":
	default:
		return false
	}
	t.c.Memo.PrefsAsked = true
	return true
}

func (t *turn) whatToChange() {
	if t.c.Memo.PlanVersion > 0 && (t.c.State == StatePlanned || t.c.State == StatePlanning) {
		t.fire(evEdit)
	}
	r := t.say("what_to_change")
	r.Choices = t.fieldChoices()
}

func (t *turn) fieldChoices() []Choice {
	return []Choice{
		t.choice("btn_destination", "edit:destination"),
		t.choice("btn_dates", "edit:dates"),
		t.choice("btn_budget", "edit:budget"),
		t.choice("btn_needs", "edit:needs"),
		t.choice("btn_prefs", "edit:preferences"),
	}
}

func (t *turn) location() {
	p := t.in.Place
	if p == nil {
		t.say("err_dest_unread")
		return
	}
	if t.c.State == StateEmergency {
		t.emergencyAt(p, "")
		return
	}
	old := t.c.Trip.Destination
	t.c.Trip.Destination, t.c.Trip.Place = p.Name, p
	var changes []string
	if old != p.Name {
		changes = append(changes, T(t.c.Lang, "f_destination")+": "+p.Name)
	}
	t.advance(changes)
}

func (t *turn) parseContext() ParseContext {
	pc := ParseContext{Now: t.now, Loc: t.loc, Expecting: expecting(t.c.State), Places: t.e.Places,
		Filled: t.c.Trip.Destination != "" && t.c.State != StateDestination}
	if t.c.State == StateDates {
		pc.Period = t.c.Memo.Period
	}
	pc.TripStart, pc.TripEnd = t.c.Trip.StartDate, t.c.Trip.EndDate
	pc.TripBudget, pc.TripCurrency = t.c.Trip.Budget, t.c.Trip.Currency
	return pc
}

func expecting(state string) Slot {
	switch state {
	case StateDestination:
		return SlotDestination
	case StateDates:
		return SlotDates
	case StateBudget:
		return SlotBudget
	case StateNeeds:
		return SlotNeeds
	case StatePreferences:
		return SlotPreferences
	}
	return SlotNone
}

// slots applies what a message of trip details says, re-asks what is not valid, and
// moves on to what is still missing.
func (t *turn) slots(text string, ex Extraction) {
	c := t.c
	if h := t.in.Hint; h != nil {
		mergeHint(&ex, h)
	}
	changes, problems := t.apply(ex)
	if len(problems) > 0 {
		if len(changes) > 0 {
			t.say("saved_change", strings.Join(changes, t.listSep()))
		}
		t.res.Replies = append(t.res.Replies, problems...)
		// The form moves on to the slot the question is about, so that the answer is read
		// as one ("元旦去厦门" asks which days: the dates question is the one pending).
		if c.State == StateStart || c.State == StateDestination {
			if next := missingSlot(c); next != "" && next != StateDestination {
				t.fire(evAsk + next)
			}
		}
		return
	}
	if len(changes) == 0 {
		switch c.State {
		case StateNeeds:
			if ex.Yes != nil && !*ex.Yes {
				t.applyNeed("none")
				t.advance(nil)
				return
			}
		case StatePlanned, StateEditing:
			t.nothingChanged()
			return
		case StatePlanning:
			t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyWorking, Text: T(c.Lang, "still_planning")})
			return
		case StateConfirm:
			t.reask()
			return
		}
		if ex.fills() {
			// An earlier answer said again: nothing to change, on to what is missing.
			t.advance(nil)
			return
		}
		t.unread(text)
		return
	}
	if ex.SelfCorrected {
		t.say("saved_last", strings.Join(changes, t.listSep()))
		t.saidChanges = true
	}
	t.advance(changes)
}

// reChangeSlot is a wish to change one item of the trip that says nothing of what to:
// "改日期", "我想修改一下预算", "change the dates", "can we change the destination?".
var reChangeSlot = regexp.MustCompile(`^\s*(?:我想|我要|想|帮我|能不能|可以|麻烦)?\s*(?:改|修改|更改|换|调整|变更)(?:一下|下)?\s*(日期|时间|出发时间|预算|目的地)\s*(?:吧|呢|可以吗|行吗)?\s*[?？.。!！]*\s*$|^\s*(?:(?:can|could) (?:i|we|you) |i (?:want|need|would like|'d like) to |let'?s |please )?(?:change|edit|update|modify) (?:the |my |our )?(dates?|budget|destination)(?: please)?\s*[?.!]*\s*$`)

// changeSlots are the items reChangeSlot names, by the button each one presses.
var changeSlots = map[string]string{"日期": "dates", "时间": "dates", "出发时间": "dates", "预算": "budget", "目的地": "destination",
	"date": "dates", "dates": "dates", "budget": "budget", "destination": "destination"}

// reBudgetOpen is a budget question answered without a figure on purpose.
// reBudgetAsk is a traveller asking what to budget.
var reBudgetAsk = regexp.MustCompile(`how much (?:should|do|would|will) (?:i|we) (?:budget|need|spend|bring)|how much (?:money|cash)|what(?:'s| is| would be) (?:a )?(?:good|typical|normal|reasonable|usual) budget|typical budget|how much does (?:it|a trip) (?:usually )?cost|(?:一般|大概|大约|通常)(?:要|需要|得)?(?:花)?多少钱|要多少钱|多少钱(?:够|合适|比较好)|预算(?:多少|要多少)(?:合适|比较好|够)?|花多少钱`)

var reBudgetOpen = regexp.MustCompile(`不限|没有预算|没预算|无预算|不知道|不清楚|不确定|随便|都行|跳过|看情况|没想好|no limit|unlimited|no budget|don'?t know|dunno|\bidk\b|not sure|no idea|\bskip\b|whatever|flexible|doesn'?t matter|any budget`)

// reBudgetStyle answers the budget question with a way of spending, not a figure.
var reBudgetStyle = regexp.MustCompile(`cheap|on a budget|tight budget|low budget|money is no object|sky'?s the limit|luxur|splurge|穷游|省钱|便宜|不差钱|钱不是问题|越便宜越好|豪华|奢华`)

// unread answers a message that filled nothing with the specific re-ask of the state.
func (t *turn) unread(text string) {
	if t.c.State == StateStart {
		t.say("greeting")
		t.fire(evAsk + StateDestination)
		t.reask()
		return
	}
	low := strings.TrimSpace(asciiLower(normalizeText(text)))
	if reBudgetAsk.MatchString(low) {
		// "how much should I budget?", "一般要多少钱": what a figure is for, and some to tap.
		r := t.say("budget_question")
		r.Choices = t.budgetChoices()
		if t.c.State != StateBudget {
			t.reask()
		}
		return
	}
	if asked(low) && (t.c.State == StateDates || t.c.State == StateBudget || t.c.State == StateNeeds) {
		// "is it safe?", "when is the best time to go?": not answerable here; say so,
		// then the question that is waiting.
		t.say("form_question")
		t.reask()
		return
	}
	switch t.c.State {
	case StateDestination:
		t.say("err_dest_unread")
	case StateDates:
		t.say("err_date_unread")
	case StateBudget:
		// "不限", "no idea", "skip": there is no figure to read, so say what one is for
		// and offer some to tap, rather than ask again for a number.
		key := "err_budget_unread"
		switch {
		case reBudgetStyle.MatchString(low):
			key = "err_budget_style"
		case reBudgetOpen.MatchString(low):
			key = "err_budget_open"
		}
		r := t.say(key)
		r.Choices = t.budgetChoices()
		return
	case StateNeeds:
		r := t.say("err_needs_unread")
		r.Choices = t.needChoices()
		return
	default:
		t.reask()
		return
	}
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// mergeHint fills what the parsers left empty with an extractor's reading.
func mergeHint(ex *Extraction, h *Extraction) {
	if ex.Destination == "" {
		ex.Destination = h.Destination
	}
	if ex.Start == nil && h.Start != nil {
		ex.Start, ex.End = h.Start, h.End
	}
	if ex.Days == 0 {
		ex.Days = h.Days
	}
	if ex.Budget == nil {
		ex.Budget = h.Budget
	}
	if ex.PartySize == 0 {
		ex.PartySize = h.PartySize
	}
	if ex.Accessibility == nil {
		ex.Accessibility = h.Accessibility
	}
	if ex.KidFriendly == nil {
		ex.KidFriendly = h.KidFriendly
	}
	if ex.PetFriendly == nil {
		ex.PetFriendly = h.PetFriendly
	}
	if ex.NaturalLandscape == "" {
		ex.NaturalLandscape = h.NaturalLandscape
	}
	if ex.SocialLandscape == "" {
		ex.SocialLandscape = h.SocialLandscape
	}
	if ex.Cuisine == "" {
		ex.Cuisine = h.Cuisine
	}
	if ex.OtherNeeds == "" {
		ex.OtherNeeds = h.OtherNeeds
	}
}

// advance goes to what comes next once slots changed: the next question, the summary,
// or a new plan.
func (t *turn) advance(changes []string) {
	c := t.c
	next := missingSlot(c)
	hasPlan := c.State == StatePlanning || c.Memo.PlanVersion > 0 && (c.State == StatePlanned || c.State == StateEditing || c.State == StatePlanning || c.Memo.Editing && c.Memo.PlannedTrip != nil)
	if next == "" && hasPlan {
		c.Memo.Editing = false
		if len(changes) == 0 && c.Memo.PlannedTrip != nil && *c.Memo.PlannedTrip == c.Trip {
			t.nothingChanged()
			return
		}
		t.startPlanning(changes)
		return
	}
	// Say what was understood when it was more than the one answer asked for, or when
	// it corrected a summary the traveller had already seen.
	// The summary that follows when nothing is missing shows every change: one message.
	// Dates and budgets are said back even as the answer asked for: "the 10th to the
	// 14th", a button or "下周五" is read into days, and "800" or "五千两个人" into a
	// currency and an amount per person, that the traveller should see.
	if next != "" && !t.saidChanges && (len(changes) > 1 || (len(changes) > 0 && (c.State == StateConfirm || c.State == StateStart || !t.answeredAsked() ||
		slices.Contains(t.changedFields, "f_dates") || slices.Contains(t.changedFields, "f_budget")))) {
		t.say("saved_change", strings.Join(changes, t.listSep()))
	}
	if next == "" {
		c.Memo.Editing = false
		t.fire(evReview)
		// A self-correction's note leads the confirmation rather than coming before it.
		lead := ""
		if n := len(t.res.Replies); t.saidChanges && n > 0 && t.res.Replies[n-1].Kind == ReplyText && len(t.res.Replies[n-1].Choices) == 0 {
			lead = t.res.Replies[n-1].Text
			t.res.Replies = t.res.Replies[:n-1]
		}
		t.reask()
		if n := len(t.res.Replies); lead != "" && n > 0 {
			t.res.Replies[n-1].Text = lead + "\n" + t.res.Replies[n-1].Text
		}
		return
	}
	t.fire(evAsk + next)
	t.reask()
}

// answeredAsked reports whether the only field changed is the one the state asked for.
func (t *turn) answeredAsked() bool {
	if len(t.changedFields) != 1 {
		return false
	}
	want := map[string]string{StateDestination: "f_destination", StateDates: "f_dates", StateBudget: "f_budget",
		StateNeeds: "f_needs", StatePreferences: "f_prefs"}[t.c.State]
	return t.changedFields[0] == want
}

func (t *turn) listSep() string {
	if t.c.Lang == LangZH {
		return "；"
	}
	return "; "
}

// missingSlot returns the state that asks for the first slot still missing, or "".
func missingSlot(c *Conversation) string {
	tr := c.Trip
	switch {
	case strings.TrimSpace(tr.Destination) == "":
		return StateDestination
	case tr.StartDate == nil || tr.EndDate == nil:
		return StateDates
	case tr.Budget == nil:
		return StateBudget
	case !c.Memo.NeedsAsked && tr.Accessibility == nil && tr.KidFriendly == nil && tr.PetFriendly == nil:
		return StateNeeds
	case !c.Memo.PrefsAsked && tr.NaturalLandscape == "" && tr.SocialLandscape == "" && tr.Cuisine == "" && (tr.OtherNeeds == "" || c.Memo.NeedsAsked && c.State == StateNeeds):
		return StatePreferences
	}
	return ""
}

func (t *turn) startPlanning(changes []string) {
	c := t.c
	if missingSlot(c) != "" {
		t.advance(nil)
		return
	}
	if c.State == StateEditing || c.State == StatePlanned || c.State == StateConfirm || c.State == StatePlanning {
		if err := fire(newMachine(c), evPlan); err != nil {
			t.advance(nil)
			return
		}
	} else {
		// From a collecting state (an edit answered): through the summary to planning.
		t.fire(evReview)
		t.fire(evPlan)
	}
	c.Memo.Editing = false
	c.Memo.PlanRequest++
	trip := c.Trip
	t.effect(Effect{Kind: EffectRequestPlan, PlanRequest: c.Memo.PlanRequest, Trip: &trip, Lang: c.Lang})
	text := T(c.Lang, "planning")
	if len(changes) > 0 {
		text = T(c.Lang, "replanning", strings.Join(changes, t.listSep()))
	}
	t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyWorking, Text: text})
}

func (t *turn) planReady() {
	c := t.c
	p := t.in.Plan
	if p == nil || !AwaitsPlan(c, t.in.PlanRequest) {
		return // a result superseded by a later request
	}
	waiting := c.State == StatePlanning
	if waiting {
		t.fire(evDeliver)
	} else if c.Memo.ReturnTo == StatePlanning {
		c.Memo.ReturnTo = StatePlanned
	} else {
		return
	}
	c.Memo.PlanVersion = p.Version
	c.Memo.Weather = weatherLines(c.Lang, p)
	planned := p.Trip
	c.Memo.PlannedTrip = &planned
	t.editDelivered(p)
	text := T(c.Lang, "plan_ready", p.Version)
	if p.Changes != "" {
		text += "\n" + p.Changes
	}
	t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyPlan, Text: text, Plan: p, Choices: t.planChoices()})
	t.draftNote(p)
	if p.Edit == nil && p.Base == 0 {
		// A plan made afresh, not an edit of one: a moment to ask how it went.
		t.promptRating()
	}
	r := t.say("after_plan")
	r.Choices = []Choice{t.choice("btn_change", "edit"), t.choice("btn_feedback", "feedback"), t.choice("btn_human", "human")}
}

func (t *turn) needChoices() []Choice {
	return []Choice{t.choice("btn_kids", "need:kids"), t.choice("btn_access", "need:access"),
		t.choice("btn_pets", "need:pets"), t.choice("btn_none", "need:none")}
}

// reask repeats the question of the current state.
func (t *turn) reask() {
	c := t.c
	switch c.State {
	case StateStart:
		if c.Trip == (TripRequest{}) {
			t.say("greeting")
			t.fire(evAsk + StateDestination)
			return
		}
		t.advance(nil)
	case StateDestination:
		t.say("ask_destination")
	case StateDates:
		switch {
		case c.Trip.StartDate != nil && c.Trip.EndDate == nil:
			t.say("ask_end", t.formatDate(*c.Trip.StartDate))
		case c.Memo.Period != nil && !c.Memo.Period.To.Before(DateOf(t.now)):
			// "下个月去东京", then "5天": stays of five days in that month; "lisbon or porto
			// in may", then "lisbon": the days of May.
			t.res.Replies = append(t.res.Replies, t.periodDays(*c.Memo.Period, c.Trip.Days))
		case c.Trip.Days > 0:
			t.say("ask_start", c.Trip.Days)
		default:
			t.say("ask_dates")
		}
	case StateBudget:
		t.say("ask_budget")
	case StateNeeds:
		r := t.say("ask_needs")
		r.Choices = t.needChoices()
	case StatePreferences:
		r := t.say("ask_prefs")
		r.Choices = []Choice{t.choice("btn_nature", "pref:nature"), t.choice("btn_culture", "pref:culture"),
			t.choice("btn_food", "pref:food"), t.choice("btn_skip", "pref:skip")}
	case StateConfirm:
		r := t.say("confirm_intro")
		r.Text += "\n" + t.summary() + "\n" + T(c.Lang, "confirm_ask")
		r.Choices = append([]Choice{t.choice("btn_plan", "plan")}, t.fieldChoices()...)
	case StatePlanning:
		t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyWorking, Text: T(c.Lang, "still_planning")})
	case StatePlanned:
		r := t.say("after_plan")
		r.Choices = []Choice{t.choice("btn_change", "edit"), t.choice("btn_feedback", "feedback"), t.choice("btn_human", "human")}
	case StateEditing:
		r := t.say("what_to_change")
		r.Choices = append(t.fieldChoices(), t.choice("btn_plan", "plan"))
	case StateEmergency:
		t.emergencyMore()
	case StateFeedback:
		if c.Memo.Rating == 0 {
			t.askRating()
		} else {
			r := t.say("feedback_comment")
			r.Choices = []Choice{t.choice("btn_skip", "skip")}
		}
	case StateHuman:
		r := t.say("human_waiting")
		r.Choices = []Choice{t.choice("btn_back_bot", "resume")}
	}
}

func (t *turn) formatDate(d Date) string {
	if t.c.Lang == LangZH {
		return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
	}
	return d.In(time.UTC).Format("Mon 2 Jan 2006")
}

// FormatMoney writes an amount with its currency, e.g. "2000元", "$500", "€1,500".
func FormatMoney(lang string, amount float64, currency string) string {
	n := strconv.FormatFloat(amount, 'f', -1, 64)
	if amount >= 100 {
		n = strconv.FormatFloat(float64(int64(amount+0.5)), 'f', 0, 64)
	}
	switch currency {
	case "CNY", "":
		if lang == LangZH {
			return n + "元"
		}
		return "¥" + n
	case "USD":
		return "$" + n
	case "EUR":
		return "€" + n
	case "GBP":
		return "£" + n
	case "JPY":
		if lang == LangZH {
			return n + "日元"
		}
		return "¥" + n + " JPY"
	}
	return n + " " + currency
}

// summary lists the collected trip, one field a line.
func (t *turn) summary() string {
	c := t.c
	tr := c.Trip
	l := c.Lang
	var b strings.Builder
	line := func(field, value string) {
		fmt.Fprintf(&b, "• %s：%s\n", T(l, field), value)
	}
	if l != LangZH {
		line = func(field, value string) { fmt.Fprintf(&b, "• %s: %s\n", T(l, field), value) }
	}
	line("f_destination", t.placeIn(l))
	if tr.StartDate != nil && tr.EndDate != nil {
		line("f_dates", T(l, "v_days", t.formatDate(*tr.StartDate), t.formatDate(*tr.EndDate), tr.TripDays()))
	}
	switch {
	case tr.Budget != nil && c.Memo.BudgetTotal > 0 && tr.PartySize == nil:
		line("f_budget", T(l, "v_total", FormatMoney(l, *tr.Budget, tr.Currency)))
	case tr.Budget != nil:
		line("f_budget", T(l, "v_per_person", FormatMoney(l, *tr.Budget, tr.Currency)))
	}
	if tr.PartySize != nil {
		line("f_party", strconv.Itoa(*tr.PartySize))
	}
	var needs []string
	if tr.KidFriendly != nil && *tr.KidFriendly {
		needs = append(needs, T(l, "v_kids"))
	}
	if tr.Accessibility != nil && *tr.Accessibility {
		needs = append(needs, T(l, "v_access"))
	}
	if tr.PetFriendly != nil && *tr.PetFriendly {
		needs = append(needs, T(l, "v_pets"))
	}
	if len(needs) == 0 {
		needs = []string{T(l, "v_none")}
	}
	line("f_needs", strings.Join(needs, listSep(l)))
	var prefs []string
	for _, p := range []string{tr.NaturalLandscape, tr.SocialLandscape, tr.Cuisine} {
		if p != "" {
			prefs = append(prefs, wordsIn(p, l))
		}
	}
	if len(prefs) == 0 {
		prefs = []string{T(l, "v_none")}
	}
	line("f_prefs", strings.Join(prefs, listSep(l)))
	if tr.Exclude != "" {
		// What is ruled out is shown, so that a misreading of it can be seen and put right.
		line("f_exclude", wordsIn(tr.Exclude, l))
	}
	if tr.OtherNeeds != "" {
		line("f_other", tr.OtherNeeds)
	}
	return strings.TrimRight(b.String(), "\n")
}

// weatherLines summarises a plan's forecast, a day a line.
func weatherLines(lang string, p *Plan) []string {
	if len(p.Options) == 0 {
		return nil
	}
	var out []string
	for _, d := range p.Options[0].Days {
		if d.Weather == nil {
			continue
		}
		out = append(out, weatherLine(lang, d.Date, *d.Weather))
	}
	return out
}

func weatherLine(lang string, d Date, w Weather) string {
	return fmt.Sprintf("%s %s %.0f–%.0f°C", t0(lang, d), w.Summary, w.TempMinC, w.TempMaxC)
}

func t0(lang string, d Date) string {
	if lang == LangZH {
		return fmt.Sprintf("%d月%d日", int(d.Month), d.Day)
	}
	return d.In(time.UTC).Format("Jan 2")
}

// AwaitsPlan reports whether c is waiting for the plan of request: a result for any other
// request is stale.
func AwaitsPlan(c *Conversation, request int) bool {
	return c.Memo.PlanRequest == request && (c.State == StatePlanning || c.Memo.ReturnTo == StatePlanning)
}

// ParseContextFor is the parse context a message gets in state, for a traveller in zone tz.
func (e *Engine) ParseContextFor(state, tz string) ParseContext {
	c := &Conversation{State: state, TimeZone: tz}
	now := time.Now()
	if e.Now != nil {
		now = e.Now()
	}
	loc := e.loc(c)
	return ParseContext{Now: now.In(loc), Loc: loc, Expecting: expecting(state), Places: e.Places}
}

// nothingChanged answers a message after a plan that changes nothing in it: a question
// the bot cannot answer is told so and offered a person; anything else is asked what to
// change.
func (t *turn) nothingChanged() {
	if asked(strings.TrimSpace(asciiLower(normalizeText(t.in.Text)))) {
		r := t.say("trip_question")
		r.Choices = []Choice{t.choice("btn_human", "human"), t.choice("btn_more_edits", "pe:menu")}
		return
	}
	r := t.say("changed_none")
	r.Choices = t.fieldChoices()
}
