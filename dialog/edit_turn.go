package dialog

import (
	"regexp"
	"strconv"
	"strings"
)

// ActMyPlan asks to see the chosen plan again (/plan, 我的行程).
const ActMyPlan Act = "my_plan"

// Effects and events of plan edits.
const (
	// EffectEditPlan queues an edit of version Version of the plan (Edit, on Tier or on
	// all options when Tier is ""); its result comes back as EventPlanReady, or as
	// EventEditFailed with the plan left as it was.
	EffectEditPlan EffectKind = "edit_plan"
	// EffectShowPlan shows version Version of the plan, only option Tier when set.
	EffectShowPlan EffectKind = "show_plan"
	// EventEditFailed: an edit could not be made; Inbound.EditError says why.
	EventEditFailed EventKind = "edit_failed"
)

// Why an edit failed, as EventEditFailed carries it.
const (
	EditErrFailed    = "failed"      // every way of making it failed: E-808, retry offered
	EditErrNotInPlan = "not_in_plan" // the place to drop is not in the plan
	EditErrRange     = "range"       // a day the plan does not have, or a trip too short or long
	EditErrAlreadySo = "already_so"  // the plan already is as the edit asks
	EditErrNoUndo    = "no_undo"     // nothing to undo or redo
	EditErrNoVersion = "no_version"  // the version asked for does not exist
	// EditErrNeedsModel: only a model could make it (a day changed in free words) and
	// none answered: E-808, with the edits that need none.
	EditErrNeedsModel = "needs_model"
)

var reMyPlan = regexp.MustCompile(`^(?:/plan(?:@[a-z0-9_]+)?|我的行程|我的方案|我选的方案|我的计划|看看我的行程|查看行程|查看我的行程|显示行程|my plan|show (?:me )?my plan|show the plan|what'?s my plan|see my plan)$`)

// reAsksPlan asks what the plan holds: a day's contents, or whether something is in it.
var reAsksPlan = regexp.MustCompile(`^(?:what'?s|what is|what are we doing|what do we do|what'?s planned)\s+(?:on\s+)?(?:day\s+\d{1,2}|the\s+(?:first|second|third|fourth|fifth|last)\s+day)|^(?:is|are)\s+(?:the\s+)?.{2,40}\s+(?:included|in the plan|in (?:the|my|our) itinerary|on the list)$|^(?:does|do)\s+(?:the|my|our|this)\s+plan\s+(?:include|have|cover)\b|^第[一二两三四五六七八九十\d]+天(?:安排了?|有|去|干|做|玩)(?:什么|啥|哪|哪里|哪儿|嘛)|^(?:有没有|有没)(?:安排|包括|去)|^(?:行程里?|方案里?|计划里?)?(?:有没有|是否)?(?:包括|包含)(?:了)?.{1,12}吗$`)

// readPlanTalk reads, once a plan exists, a request to see it or to change it. It runs
// before the slot readings, which would take "全部往后推一天" for a place.
func readPlanTalk(text, state string) (Reading, bool) {
	low := strings.TrimSpace(asciiLower(normalizeText(text)))
	core := strings.Trim(low, " .,!?;:~…\"'。！？")
	// Asked for in any state: after "start over" the last plan is still the traveller's.
	if reMyPlan.MatchString(core) {
		return Reading{Act: ActMyPlan}, true
	}
	if state != StatePlanned && state != StateEditing || injection(low) {
		return Reading{}, false
	}
	// "what's on day 3?", 第三天安排了什么, "is the great wall included?", 有没有安排长城:
	// answered with the plan itself.
	if reAsksPlan.MatchString(core) {
		return Reading{Act: ActMyPlan}, true
	}
	if e, ok := readEdit(text); ok {
		return Reading{Act: ActEdit, Edit: e}, true
	}
	return Reading{}, false
}

// planEdit asks for an edit of the current plan version.
func (t *turn) planEdit(e PlanEdit) {
	c := t.c
	if c.Memo.PlanVersion == 0 {
		if e.Kind == EditUndo {
			t.back()
			return
		}
		t.reask()
		return
	}
	if c.State == StatePlanning {
		t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyWorking, Text: T(c.Lang, "still_planning")})
		return
	}
	if isInterruption(c.State) {
		t.resume()
	}
	if err := fire(newMachine(c), evPlan); err != nil {
		t.reask()
		return
	}
	c.Memo.Editing = false
	c.Memo.LastEdit = &e
	t.tripFollows(e)
	c.Memo.PlanRequest++
	// An edit is a change to the plan, as logs and the understanding corpus count it.
	t.res.Intent = string(ActChange)
	t.effect(Effect{Kind: EffectEditPlan, PlanRequest: c.Memo.PlanRequest, Edit: &e, Tier: c.Memo.Chosen,
		Version: c.Memo.PlanVersion, Lang: c.Lang})
	key := "editing_plan"
	if e.Versioning() {
		key = "restoring_plan"
	}
	t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyWorking, Text: T(c.Lang, key)})
}

// myPlan shows the chosen plan (or all three options before one is chosen).
func (t *turn) myPlan() {
	c := t.c
	if c.Memo.PlanVersion == 0 {
		t.say("my_plan_none")
		t.reask()
		return
	}
	title := T(c.Lang, "my_plan_all")
	if c.Memo.Chosen != "" {
		title = TierTitle(c.Lang, c.Memo.Chosen)
	}
	// The card is filled in by the caller, which has the stored versions (EffectShowPlan).
	current := c.State == StatePlanned || c.State == StateEditing || c.State == StatePlanning
	var choices []Choice
	if current {
		choices = t.planChoices()
	}
	t.res.Replies = append(t.res.Replies, Reply{Kind: ReplyPlan, Text: T(c.Lang, "my_plan", c.Memo.PlanVersion, title), Choices: choices})
	t.effect(Effect{Kind: EffectShowPlan, Tier: c.Memo.Chosen, Version: c.Memo.PlanVersion, Lang: c.Lang})
	if !current {
		t.reask() // a new trip under way: the last plan is shown as it was, then its question
	}
}

// editFailed answers an edit that could not be made: the plan stays as it was.
func (t *turn) editFailed() {
	c := t.c
	if !AwaitsPlan(c, t.in.PlanRequest) {
		return
	}
	// The trip goes back to the plan's, which did not change.
	if c.Memo.PlannedTrip != nil {
		c.Trip = *c.Memo.PlannedTrip
	}
	if c.State == StatePlanning {
		t.fire(evDeliver)
	} else if c.Memo.ReturnTo == StatePlanning {
		c.Memo.ReturnTo = StatePlanned
	}
	place := ""
	if c.Memo.LastEdit != nil {
		place = c.Memo.LastEdit.Place
	}
	var r *Reply
	switch t.in.EditError {
	case EditErrNotInPlan:
		r = t.say("edit_not_in_plan", place, c.Memo.PlanVersion)
	case EditErrRange:
		r = t.say("edit_range", c.Memo.PlanVersion)
	case EditErrAlreadySo:
		r = t.say("edit_already_so", c.Memo.PlanVersion)
	case EditErrNoUndo:
		r = t.say("edit_no_undo", c.Memo.PlanVersion)
	case EditErrNoVersion:
		v := 0
		if c.Memo.LastEdit != nil {
			v = c.Memo.LastEdit.Version
		}
		r = t.say("edit_no_version", v, c.Memo.PlanVersion)
	case EditErrNeedsModel:
		r = t.say("edit_needs_model", CodeEditFailed, c.Memo.PlanVersion)
		r.Choices = []Choice{t.choice("btn_retry", "pe:retry"), t.choice("btn_more_edits", "pe:menu"), t.choice("btn_human", "human")}
		return
	default:
		r = t.say("edit_failed", CodeEditFailed, c.Memo.PlanVersion)
		r.Choices = []Choice{t.choice("btn_retry", "pe:retry"), t.choice("btn_human", "human")}
		return
	}
	r.Choices = t.planChoices()
}

// planChoices are the buttons under a plan: choose one option until one is chosen, then
// change a day of it; undo once there is something to undo.
func (t *turn) planChoices() []Choice {
	c := t.c
	var out []Choice
	if c.Memo.Chosen == "" {
		for _, tier := range Tiers {
			out = append(out, Choice{Label: T(c.Lang, "btn_choose", TierTitle(c.Lang, tier)), Action: "choose:" + string(tier)})
		}
	} else {
		n := 0
		if c.Memo.PlannedTrip != nil {
			n = c.Memo.PlannedTrip.TripDays()
		}
		for d := 1; d <= n && d <= 5; d++ {
			out = append(out, Choice{Label: T(c.Lang, "btn_edit_day", d), Action: "day:" + strconv.Itoa(d)})
		}
	}
	if c.Memo.PlanVersion > 0 {
		out = append(out, t.choice("btn_more_edits", "pe:menu"))
	}
	if c.Memo.PlanVersion > 1 {
		out = append(out, t.choice("btn_undo", "pe:undo"))
	}
	return out
}

// wholePlanEdits are the edits of the whole plan a button offers, by action argument.
var wholePlanEdits = map[string]PlanEdit{
	"later":   {Kind: EditShift, Days: 1},
	"earlier": {Kind: EditShift, Days: -1},
	"longer":  {Kind: EditLonger, Days: 1},
	"shorter": {Kind: EditShorter, Days: 1, Day: -1},
	"relax":   {Kind: EditPace, With: "relax"},
	"more":    {Kind: EditPace, With: "more"},
	"cheaper": {Kind: EditCheaper},
	"better":  {Kind: EditBetter},
}

// planAction handles the buttons of plans and edits; false leaves the action to others.
func (t *turn) planAction(name, arg string) bool {
	c := t.c
	switch name {
	case "choose":
		for _, tier := range Tiers {
			if string(tier) == arg {
				t.choose(Reading{Act: ActChoose, Tier: tier})
				return true
			}
		}
		return false
	case "day":
		d, err := strconv.Atoi(arg)
		if err != nil || d < 1 || c.Memo.PlanVersion == 0 {
			return false
		}
		r := t.say("edit_day_ask", d)
		c.Memo.Asking = askingDay + arg
		r.Choices = []Choice{
			{Label: T(c.Lang, "btn_day_indoor"), Action: "pe:in:" + arg},
			{Label: T(c.Lang, "btn_day_outdoor"), Action: "pe:out:" + arg},
			{Label: T(c.Lang, "btn_day_relax"), Action: "pe:relax"},
			{Label: T(c.Lang, "btn_day_drop"), Action: "pe:pickdrop:" + arg},
			{Label: T(c.Lang, "btn_day_add"), Action: "pe:askadd:" + arg},
		}
		return true
	case "pe":
		kind, rest, _ := strings.Cut(arg, ":")
		var e PlanEdit
		switch kind {
		case "undo":
			e = PlanEdit{Kind: EditUndo}
		case "redo":
			e = PlanEdit{Kind: EditRedo}
		case "menu":
			if c.Memo.PlanVersion == 0 {
				return false
			}
			r := t.say("edit_menu")
			for _, a := range []string{"later", "earlier", "longer", "shorter", "relax", "more", "cheaper", "better"} {
				r.Choices = append(r.Choices, Choice{Label: T(c.Lang, "btn_pe_"+a), Action: "pe:" + a})
			}
			r.Choices = append(r.Choices, t.choice("btn_pe_drop", "pe:pickdrop:0"), t.choice("btn_pe_add", "pe:askadd:0"))
			return true
		case "later", "earlier", "longer", "shorter", "relax", "more", "cheaper", "better":
			e = wholePlanEdits[kind]
		case "in", "out":
			d, err := strconv.Atoi(rest)
			if err != nil || d < 1 {
				return false
			}
			with := map[string]string{"in": "indoors", "out": "outdoors"}[kind]
			e = PlanEdit{Kind: EditReplace, Day: d, With: with}
		case "retry":
			if c.Memo.LastEdit == nil {
				return false
			}
			e = *c.Memo.LastEdit
		default:
			return t.editButton(kind, rest)
		}
		t.planEdit(e)
		return true
	}
	return false
}

// tripFollows changes the trip's slots as the edit changes the plan, so that what the
// traveller said is kept in the trip whatever plan comes next: the dates moved, a place
// left out. A failed edit puts the planned trip back.
func (t *turn) tripFollows(e PlanEdit) {
	tr := &t.c.Trip
	move := func(d **Date, n int) {
		if *d != nil {
			v := (*d).AddDays(n)
			*d = &v
		}
	}
	switch e.Kind {
	case EditShift:
		move(&tr.StartDate, e.Days)
		move(&tr.EndDate, e.Days)
	case EditLonger:
		move(&tr.EndDate, e.Days)
	case EditShorter:
		if e.Day == 1 {
			move(&tr.StartDate, e.Days)
		} else {
			move(&tr.EndDate, -e.Days)
		}
	case EditDrop:
		tr.Exclude = joinList(tr.Exclude, e.Place, t.c.Lang)
	}
}

// editDelivered brings the conversation's trip in line with an edited plan: its dates
// moved with the plan.
func (t *turn) editDelivered(p *Plan) {
	if p.Edit == nil && p.Base == 0 {
		return
	}
	if p.Edit != nil && p.Edit.Versioning() {
		// Another version's plan comes with the trip it was made for.
		lang, tz := t.c.Lang, t.c.TimeZone
		t.c.Trip = p.Trip
		t.c.Lang, t.c.TimeZone = lang, tz
		planned := t.c.Trip
		t.c.Memo.PlannedTrip = &planned
		return
	}
	tr := p.Trip
	if tr.StartDate != nil && tr.EndDate != nil {
		s, e := *tr.StartDate, *tr.EndDate
		t.c.Trip.StartDate, t.c.Trip.EndDate = &s, &e
	}
	t.c.Trip.Exclude = tr.Exclude
	planned := t.c.Trip
	t.c.Memo.PlannedTrip = &planned
}

func init() {
	for k, v := range map[string][2]string{
		"editing_plan":     {"好的，正在修改行程…", "On it — changing your plan…"},
		"restoring_plan":   {"好的，正在切换行程版本…", "On it — switching plan versions…"},
		"my_plan":          {"你的行程（第%d版，%s）：", "Your plan (version %d, %s):"},
		"my_plan_all":      {"三套方案", "all three options"},
		"my_plan_none":     {"你还没有行程，先告诉我目的地、日期和预算吧。", "You don't have a plan yet — tell me where, when and your budget."},
		"edit_failed":      {"行程更新失败（%s），请重试或检查您的网络连接。当前行程仍是第%d版，没有改动。可以点「重试」，换个说法（比如「第2天换成博物馆」），或转人工。", "The itinerary update failed (%s) — please retry or check your connection. Your plan is still version %d, unchanged. Tap Retry, say it another way (e.g. \"swap day 2 for a museum\"), or talk to a person."},
		"edit_not_in_plan": {"行程里没有「%s」，所以没有改动（仍是第%d版）。可以说「第2天换成博物馆」这样的修改。", "Your plan doesn't include \"%s\", so nothing changed (still version %d). You could say e.g. \"swap day 2 for a museum\"."},
		"edit_needs_model": {"这个修改要由AI规划服务来写，现在没有连上（%s）。当前行程仍是第%d版，没有改动。可以稍后点「重试」，或说得具体些，比如「第2天换成博物馆」「第2天轻松一点」「去掉海边」「加一天」，或转人工。", "That change needs the AI planning service, which isn't reachable right now (%s). Your plan is still version %d, unchanged. Tap Retry later, or say it more concretely — e.g. \"swap day 2 for a museum\", \"make day 2 more relaxed\", \"drop the beach\", \"add a day\" — or talk to a person."},
		"edit_range":       {"这个修改超出了行程的天数范围（1到30天），行程没有改动（仍是第%d版）。", "That change goes outside the trip (1 to 30 days), so nothing changed (still version %d)."},
		"edit_already_so":  {"行程已经是这样了，没有改动（仍是第%d版）。想换个改法可以直接说，比如「第2天换成博物馆」。", "Your plan is already like that, so nothing changed (still version %d). Say another change if you like, e.g. \"swap day 2 for a museum\"."},
		"edit_no_undo":     {"没有可以撤销或重做的修改，行程仍是第%d版。", "There's no change to undo or redo — your plan is still version %d."},
		"edit_no_version":  {"没有第%d版，行程仍是第%d版。", "There is no version %d — your plan is still version %d."},
		"edit_day_ask":     {"第%d天想怎么改？也可以直接说，比如「换成博物馆」。", "How should day %d change? You can also just say it, e.g. \"a museum instead\"."},
		"btn_choose":       {"✅ 选%s", "✅ Choose %s"},
		"btn_edit_day":     {"✏️ 第%d天", "✏️ Day %d"},
		"btn_undo":         {"↩️ 撤销", "↩️ Undo"},
		"btn_retry":        {"🔄 重试", "🔄 Retry"},
		"btn_day_indoor":   {"换成室内活动", "Something indoors"},
		"btn_day_outdoor":  {"换成户外活动", "Something outdoors"},
		"btn_day_relax":    {"整体轻松一点", "A gentler pace"},
		"btn_more_edits":   {"🛠 更多修改", "🛠 More changes"},
		"edit_menu":        {"想怎么改整个行程？也可以直接说，比如「全部往后推一天」「第二天换成博物馆」「不要去鼓山」。", "How should the whole plan change? You can also just say it, e.g. \"move it all a day later\", \"swap day 2 for a museum\", \"skip the castle\"."},
		"btn_pe_later":     {"全部往后推一天", "All one day later"},
		"btn_pe_earlier":   {"全部提前一天", "All one day earlier"},
		"btn_pe_longer":    {"多玩一天", "One more day"},
		"btn_pe_shorter":   {"少玩一天", "One day fewer"},
		"btn_pe_relax":     {"轻松一点", "More relaxed"},
		"btn_pe_more":      {"紧凑一点", "Pack more in"},
		"btn_pe_cheaper":   {"便宜一点", "Cheaper"},
		"btn_pe_better":    {"升级酒店", "Better hotels"},
	} {
		catalogue[k] = v
	}
}
