package dialog

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Act is what a message is, decided before any slot is read: only trip details and
// changes fill slots. Later readings (plan edits, choosing an option) extend this list
// and the switch in Read rather than adding their own guesses elsewhere.
type Act string

// The acts a message can be.
const (
	ActTrip      Act = "trip"      // trip details
	ActChange    Act = "change"    // a change to a trip already complete, or to its plan
	ActChoose    Act = "choose"    // choosing one of the plan's options
	ActConfirm   Act = "confirm"   // yes, make the plan
	ActSkip      Act = "skip"      // no / nothing, to an optional question
	ActCancel    Act = "cancel"    // drop the whole trip
	ActEmergency Act = "emergency" // help needed now
	ActFAQ       Act = "faq"       // a question about the service
	ActFeedback  Act = "feedback"  // a complaint, praise or feedback
	ActHuman     Act = "human"     // asks for a person
	ActSmallTalk Act = "smalltalk" // greeting, thanks, chit-chat
	ActOther     Act = "other"     // anything else: never stored
)

// Reading is what a message says: its act, and for trip details and changes the slots.
type Reading struct {
	Act     Act
	Command Intent // a command or request reachable from any state, if the message is one
	Arg     string // the command's argument (the language of IntentLanguage)
	Topic   string // the FAQ entry a question asks about
	Tier    Tier   // the option chosen, with ActChoose
	// ChangeAsked: with ActChange, a change asked for without saying what ("改一下").
	ChangeAsked bool
	Option      int      // the option chosen by position (1-3), with ActChoose
	Edit        PlanEdit // with ActEdit
	Ex          Extraction
}

// Read decides what text is in state, then reads its slots when it is trip details.
func Read(text, state string, c ParseContext) Reading {
	if strings.Contains(text, "<") {
		// "<b>去成都</b>": text pasted with its formatting says what the text says; any
		// other markup is still read as an attempt to inject it.
		text = reFormatting.ReplaceAllString(text, " ")
	}
	r := Reading{}
	r.Command, r.Arg = DetectIntent(text)
	if r.Command != IntentEmergency && (r.Command == IntentNone || r.Command == IntentCancel) {
		// Trouble said in a sentence ("孩子走丢了", "someone is following me"), read
		// with the figures of speech and hypotheticals set aside.
		if _, ok := ReadEmergency(text); ok {
			r.Command = IntentEmergency
		}
	}
	low := strings.TrimSpace(asciiLower(normalizeText(text)))
	core := strings.Trim(low, " .,!?;:~-…\"'。！？")
	if r.Command == IntentWeather && complaint(low) {
		r.Command = IntentNone // "天气预报完全不准" is about the forecast given: feedback
	}
	if r.Command != IntentEmergency && r.Command != IntentHuman {
		if pr, ok := readPlanTalk(text, state); ok {
			return pr
		}
	}
	switch r.Command {
	case IntentEmergency:
		r.Act = ActEmergency
		return r
	case IntentHuman:
		r.Act = ActHuman
		return r
	case IntentFeedback:
		r.Act = ActFeedback
		return r
	case IntentHelp, IntentStatus, IntentChangelog, IntentSubscribe, IntentUnsubscribe, IntentWeather:
		r.Act = ActFAQ
		return r
	case IntentLanguage, IntentStart:
		r.Act = ActOther
		if r.Command == IntentStart {
			r.Act = ActSmallTalk
		}
		return r
	case IntentConfirm:
		r.Act = ActConfirm
		return r
	case IntentBack:
		r.Act = ActChange
		return r
	}
	if injection(low) {
		r.Act = ActOther
		return r
	}
	if whoWords.in(low) && state != StateStart {
		r.Act = ActSmallTalk // "are you a human?": answered, and the way to one given
		return r
	}
	if topic := faqTopic(low); topic != "" {
		r.Act, r.Topic = ActFAQ, topic
		return r
	}
	if (complaint(low) && !correctsWrong(low, c)) || starsGiven(low) > 0 {
		r.Act = ActFeedback
		return r
	}
	if cancelsTrip(core) && !dropsSight(core) || r.Command == IntentCancel && (state == StatePlanned || state == StateConfirm || state == StatePlanning || state == StateEditing) {
		r.Act, r.Command = ActCancel, IntentCancel
		return r
	}
	optional := state == StateNeeds || state == StatePreferences
	// "no special needs but my dad is diabetic", "my mum is 75 and walks slowly": at the
	// needs question, what is said about someone's health or age is a need, kept in the
	// traveller's words, whatever the parsers make of the rest.
	if state == StateNeeds {
		if said := personalNeed(text); said != "" {
			r.Ex = Extract(text, c)
			yes := func(b *bool) bool { return b != nil && *b }
			if r.Ex.OtherNeeds == "" && !yes(r.Ex.Accessibility) && !yes(r.Ex.KidFriendly) && !yes(r.Ex.PetFriendly) {
				r.Ex.OtherNeeds = said // a need no word list knows
			}
			r.Act = ActTrip
			return r
		}
	}
	if optional && skips(core, state) {
		r.Act, r.Command = ActSkip, IntentNone
		return r
	}
	if r.Command == IntentCancel {
		// "不用了", "never mind" to a question that is not optional: drop what is pending.
		r.Act = ActCancel
		return r
	}
	if r.Command == IntentNewTrip || r.Command == IntentStartOver {
		r.Act = ActTrip
		return r
	}
	if state == StatePlanned || state == StatePlanning || state == StateEditing {
		if tier, n := chosenOption(core); tier != "" || n > 0 {
			r.Act, r.Tier, r.Option = ActChoose, tier, n
			return r
		}
	}
	if (state == StateConfirm || state == StateEditing) && confirms(core) {
		r.Act = ActConfirm
		return r
	}
	if ex, ok := shiftedDates(text, state, c); ok {
		r.Ex = ex
	} else if ex, ok := budgetChanged(text, c); ok {
		r.Ex = ex
	} else {
		r.Ex = Extract(text, c)
		if r.Ex.Start == nil && r.Ex.End == nil && r.Ex.Budget == nil && r.Ex.PartySize == 0 {
			if s, e, ok := bareDayRange(low, c); ok {
				r.Ex.Start, r.Ex.End, r.Ex.Correction = &s, &e, true
			}
		}
	}
	// "idk, surprise me", "up to you" when the trip has its place and another question is
	// asked: no wish for somewhere else; an optional question is skipped below.
	if r.Ex.VaguePlace != "" && c.Filled && c.Expecting != SlotDestination && r.Ex.Destination == "" {
		r.Ex.VaguePlace = ""
		if optional && !r.Ex.fills() {
			r.Act, r.Command = ActSkip, IntentNone
			return r
		}
	}
	// Once a plan exists, a place named in passing (a question about it, where someone is
	// from, a trip for another time, a day trip the plan holds) is no new destination:
	// only one said as the trip's place is.
	if (state == StatePlanned || state == StatePlanning || state == StateEditing) && (r.Ex.Destination != "" || r.Ex.ProposedDestination != "") &&
		!saysDestination(low, r.Ex.Destination+r.Ex.ProposedDestination) {
		r.Ex.Destination, r.Ex.ProposedDestination, r.Ex.Misspelt, r.Ex.PlaceOptions = "", "", "", nil
	}
	// A question about the trip planned that says no change ("怎么从上海过去" is not a
	// preference for 怎么从上海, "酒店推荐哪家" not a need): answered. One that says a
	// change as well is the change.
	if state == StatePlanned || state == StatePlanning || state == StateEditing {
		if topic := tripQuestion(low); topic != "" && !r.Ex.fillsBeyondWords() {
			r.Act, r.Topic = ActFAQ, topic
			return r
		}
		// "is it kid friendly?", "will it snow?", "is it safe for a solo woman?", 可以带狗吗:
		// a yes-or-no question about the trip, which says no change of place, dates or
		// budget, is no change of its needs, likings or party either.
		if yesNoQuestion(low) && r.Ex.Destination == "" && r.Ex.Start == nil && r.Ex.End == nil && r.Ex.Days == 0 && r.Ex.Budget == nil && r.Ex.PartyJoins == 0 && !reChangeAsked.MatchString(low) {
			r.Act = ActOther
			return r
		}
	}
	if r.Ex.fills() {
		r.Act = ActTrip
		if state == StateConfirm || state == StatePlanned || state == StatePlanning || state == StateEditing {
			r.Act = ActChange
		}
		return r
	}
	if state == StateConfirm && r.Ex.Yes != nil && !*r.Ex.Yes {
		r.Act = ActOther // "no thanks" to the summary: what to change?
		return r
	}
	if smallTalk(core) || r.Ex.chat {
		r.Act = ActSmallTalk
		return r
	}
	if r.Ex.Yes != nil && *r.Ex.Yes && state == StateConfirm {
		r.Act = ActConfirm
		return r
	}
	if r.Ex.Yes != nil && !*r.Ex.Yes && optional {
		r.Act = ActSkip
		return r
	}
	if r.Ex.DateProblem != "" || r.Ex.VaguePlace != "" || len(r.Ex.PlaceOptions) > 0 || r.Ex.Budget != nil {
		r.Act = ActTrip
		if state == StateConfirm || state == StatePlanned || state == StateEditing {
			r.Act = ActChange
		}
		return r
	}
	if (state == StateConfirm || state == StatePlanned || state == StatePlanning || state == StateEditing) && (reChangeAsked.MatchString(low) || reDropItemRef.MatchString(low)) {
		// "改一下", "can I change the dates?": a change, what it is still to be asked.
		r.Act, r.ChangeAsked = ActChange, true
		return r
	}
	if state == StatePlanned || state == StatePlanning || state == StateEditing {
		if praise(low) {
			r.Act = ActFeedback // "the whole thing looks great": thanked, and a rating offered
			return r
		}
	}
	r.Act = ActOther
	return r
}

// reFormatting are the tags of plain text formatting.
var reFormatting = regexp.MustCompile(`(?i)</?(?:b|i|u|s|em|strong|br|p|span|small|big|mark|font)\s*/?>`)

// reChangeAsked is a request to change the trip or plan that does not yet say to what.
var reChangeAsked = regexp.MustCompile(`改一下|改改|修改|更改|调整|换个|换一个|想改|要改|能改|\b(?:change|switch|modify|adjust|edit|update)\b|\bmake it (?:cheaper|shorter|longer)\b|便宜点|便宜一点`)

// reItemRef is a thing named by its place in a list or by pointing at it ("第一个地方",
// "那个", "the second one", "that place"): it means something only where a list was shown,
// so it is never itself a thing to leave out, and the trip it is in goes on.
var (
	reItemRef     = regexp.MustCompile(`(?i)^(?:第[一二三四五六七八九十两\d]*(?:个|站|处|天)?|这个|那个|哪个|这|那|这里|那里|这儿|那儿)(?:地方|景点|地儿|站|选项|方案)?$|^(?:first|second|third|fourth|fifth|last|next|that|this|other)(?:\s+(?:one|place|option|plan|itinerary|stop|sight|spot|day))?(?:\s+(?:on|of|in)\s+(?:day\s*\d+|the\s+\w+\s+day))?$`)
	reItemRefIn   = regexp.MustCompile(`第[一二三四五六七八九十两\d]+(?:个|站|处|天)|最后一天|这个地方|那个地方|那个景点|这个景点`)
	reDropItemRef = regexp.MustCompile(`(?i)(?:不要去|不想去|别去|不去|去掉|删掉)(?:第[一二三四五六七八九十两\d]+个?|这个|那个|那里|这里)|(?:skip|drop|remove|don't want to go to|do not want to go to)\s+(?:the\s+)?(?:first|second|third|fourth|fifth|last|that|this|other)\s+(?:one|place|option|stop|sight|spot)\b`)
)

// fills reports whether an extraction holds anything that goes into the trip.
func (e Extraction) fills() bool {
	return e.Destination != "" || e.ProposedDestination != "" || e.Start != nil || e.End != nil || e.Days > 0 || e.MoreDays != 0 ||
		e.Budget != nil || e.PartySize > 0 || e.Accessibility != nil || e.KidFriendly != nil || e.PetFriendly != nil ||
		e.NaturalLandscape != "" || e.SocialLandscape != "" || e.Cuisine != "" || e.OtherNeeds != "" ||
		len(e.Exclude) > 0 || e.NotDestination != "" || e.PartyJoins < 0
}

var (
	cancelWords = litsOf(`取消行程|取消旅行|旅行取消|取消这次|取消整个|行程取消|不去了|不想去了|不旅游了|全部取消|都取消|删掉行程|删除行程|行程都不要了|行程不要了|整个取消|取消取消|不规划了|不玩了|作废|` +
		`cancel the trip|cancel my trip|cancel this trip|cancel the whole|cancel everything|cancel it|\bcancel\b|trip's off|trip is off|` +
		`not going anymore|not going any more|scrap the whole|scrap the trip|scrap it all|drop this trip|drop the trip|call the whole trip off|call the trip off|call it off|` +
		`delete my trip|delete the trip|forget the whole trip|forget the trip|forget the whole thing|drop the whole thing|call the whole thing off|we changed our minds`)
	skipWords = map[string]bool{}
)

func init() {
	for _, w := range strings.Split("skip|pass|none|nope|no|nah|no thanks|no thank you|not really|nothing|nothing special|nothing in particular|n/a|na|"+
		"none of those|none of them|nah we're good|we're good|all good|no needs|no special needs|no preference|no preferences|no preference really|"+
		"whatever|whatever works|anything|anything is fine|anything's fine|don't mind|i don't mind|we don't mind|doesn't matter|you choose|you decide|up to you|"+
		"no preferences really, anything is fine|"+
		"不用了|不用|没有|没|无|都不需要|不需要|没什么|没啥|没有特别的|没有特殊需求|没有特别需求|跳过|略过|随便|都行|都可以|无所谓|你定|你决定|你看着办|没有偏好|没什么偏好|没有要求|没什么要求|算了|不了|不必了|暂时没有|没有了", "|") {
		skipWords[w] = true
	}
}

// reNothingNeeded is "nothing special" said in the ways 没 and 无 combine: 没啥特殊的,
// 木有, 没什么要求, 没有没有.
var reNothingNeeded = regexp.MustCompile(`^(?:(?:算了|那个|嗯)\s*)?(?:(?:没啥|没什么|没有|木有|没|无|不用|不需要)(?:特殊|特别|其他|其它)?(?:的)?(?:要求|需求|需要|偏好|想法)?(?:的)?(?:了|啦|呢|哦|吧)?[\s,，~～!！]*)+$`)

// skips reports whether text declines an optional question.
func skips(core, state string) bool {
	c := trimPoliteTail(trimYesNo(core))
	if skipWords[c] || skipWords[core] || reNothingNeeded.MatchString(c) {
		return true
	}
	for _, w := range []string{"no preference", "nothing in particular", "anything is fine", "anything's fine", "都行", "随便", "无所谓", "没有特别", "没什么特别"} {
		if strings.Contains(core, w) && utf8.RuneCountInString(core) < 45 {
			return true
		}
	}
	return false
}

// dropsSight reports whether text drops one sight of the trip ("雷峰塔就不去了"): the
// trip goes on without it.
func dropsSight(core string) bool {
	_, _, _, thing := droppedSight(core)
	return thing != ""
}

// cancelsTrip reports whether text drops the whole trip in words that say so.
func cancelsTrip(core string) bool {
	if !cancelWords.in(core) {
		return false
	}
	// "孩子不去了", "狗不去了": someone stays home; the trip goes on.
	if has(core, "孩子", "娃", "宝宝", "小孩", "狗", "猫", "宠物", "老人", "爸", "妈", "奶奶", "爷爷", "外婆", "外公", "姥", "老公", "老婆", "朋友", "同事", "同学", "对象", "闺蜜", "有一个人", "一个人不", "其中一个", "kids", "dog", "cat", "grandma", "grandpa", "mum", "mom", "dad") &&
		!has(core, "行程", "旅行", "计划", "trip", "everything", "whole") {
		return false
	}
	// "第二个不想去了", "那个地方不去了": one item of a list, not the trip.
	if reItemRefIn.MatchString(core) && !has(core, "行程", "旅行", "计划", "trip", "everything", "whole") {
		return false
	}
	// "cancel" alone or with the trip; not "can't cancel my hotel" or "cancel the museum".
	if strings.Contains(core, "cancel") && !has(core, "trip", "everything", "cancel it", "all", "whole") &&
		strings.TrimSpace(strings.Trim(core, "/")) != "cancel" && !has(core, "not going", "off") {
		return false
	}
	return true
}

var confirmWords = map[string]bool{}

func init() {
	for _, w := range strings.Split("确认|确认，生成方案|确认,生成方案|确认生成方案|确认生成|确认无误|没问题|没问题，生成吧|没错|没错 生成吧|没错，生成吧|ok的|okk|冲|冲冲冲|走起|安排|安排吧|就这么定了|定了|👌|可以|可以了|可以的|好|好的|好的，生成吧|行|对|对的|是的|就这样|就这样吧|生成|生成吧|生成方案|开始吧|做吧|出方案吧|👍|👍👍|✅|ok|okay|yes|yep|yeah|sure|go|go ahead|looks good|looks good, go ahead|perfect|all good|that's right|correct|confirm|confirmed|do it|make it|make the plan|make my plan|plan it|sounds good|let's go|lgtm|looks great|looks right|looks fine|looks perfect|sounds right|sounds great|sounds perfect|go for it|all correct|all right|alright|that's correct|that works|spot on|make my plan|make the plan|yes please|great|good|right|fine", "|") {
		confirmWords[w] = true
	}
}

// confirms reports whether text says yes to the summary: the whole message, or every
// clause of it, is made of yeses ("yep looks good", "perfect, go ahead", "ok do it").
func confirms(core string) bool {
	c := strings.TrimSpace(trimPoliteTail(core))
	if confirmWords[c] || confirmWords[core] || allYes(strings.Fields(core)) {
		return true
	}
	if strings.Count(c, "👍") > 0 && strings.Trim(c, "👍 ") == "" {
		return true
	}
	clauses := strings.FieldsFunc(c, func(r rune) bool { return r == ',' || r == '，' || r == '!' || r == '.' || r == '！' || r == '。' })
	if len(clauses) == 0 {
		return false
	}
	for _, cl := range clauses {
		cl = strings.TrimSpace(cl)
		if confirmWords[cl] || yesWords[cl] {
			continue
		}
		if allYes(strings.Fields(cl)) {
			continue // "没问题 开始吧"
		}
		if !yesPhrases(strings.Fields(cl)) {
			return false
		}
	}
	return true
}

// allYes reports whether there are two or more words, each a yes on its own.
func allYes(words []string) bool {
	for _, w := range words {
		if !confirmWords[w] && !yesWords[w] {
			return false
		}
	}
	return len(words) >= 2
}

// yesPhrases reports whether words are a run of yes phrases, each the longest that fits.
func yesPhrases(words []string) bool {
	if len(words) < 2 {
		return false
	}
	for i := 0; i < len(words); {
		n := 0
		for j := len(words); j > i; j-- {
			p := strings.Join(words[i:j], " ")
			if confirmWords[p] || yesWords[p] {
				n = j - i
				break
			}
		}
		if n == 0 {
			return false
		}
		i += n
	}
	return true
}

var tierWords = []struct {
	words []string
	tier  Tier
}{
	{[]string{"豪华尊享游", "豪华", "尊享", "最贵的", "最贵那", "贵的那个", "贵的那套", "luxury", "luxurious", "premium", "most expensive", "fanciest", "fancy", "priciest"}, TierLuxury},
	{[]string{"经济适用游", "经济适用", "经济", "适用", "中间那", "中间的那", "中间的方案", "中等的那", "economical", "economy", "mid-range", "midrange", "middle one", "middle option", "the middle", "moderate", "standard"}, TierEconomical},
	{[]string{"特种兵穷游", "特种兵", "穷游", "最便宜", "便宜的那", "便宜那", "最省钱", "省钱的那", "backpacker", "backpacking", "budget one", "budget option", "cheapest", "cheap one", "the cheap"}, TierBackpacker},
}

var optionOrdinals = []struct {
	words []string
	n     int
}{
	{[]string{"第一个", "第一套", "第一种", "第一", "方案一", "方案1", "1号", "选1", "first", "option 1", "option one", "#1", "number 1", "number one", "no. 1", "plan 1", "plan a"}, 1},
	{[]string{"第二个", "第二套", "第二种", "第二", "方案二", "方案2", "2号", "选2", "second", "option 2", "option two", "#2", "number 2", "number two", "no. 2", "plan 2", "plan b"}, 2},
	{[]string{"第三个", "第三套", "第三种", "第三", "方案三", "方案3", "3号", "选3", "third", "option 3", "option three", "#3", "number 3", "number three", "no. 3", "plan 3", "plan c", "last one"}, 3},
}

// reDayRef names a day of the trip: 第三天, "day 2", "the second day".
var reDayRef = regexp.MustCompile(`第[一二两三四五六七八九十\d]+天|最后一天|\bday\s*\d|\b(?:first|second|third|fourth|fifth|last)\s+day\b`)

// planAThing reports "plan a" (or b, c) followed by what is planned ("plan a day trip",
// "plan a trip to Seoul"), which asks for a plan rather than choosing plan A.
func planAThing(core, w string) bool {
	i := strings.Index(core, w)
	if i < 0 {
		return false
	}
	rest := strings.TrimSpace(core[i+len(w):])
	return rest != "" && rest[0] >= 'a' && rest[0] <= 'z' && !strings.HasPrefix(rest, "please") && !strings.HasPrefix(rest, "looks") &&
		!strings.HasPrefix(rest, "is ") && !strings.HasPrefix(rest, "it") && !strings.HasPrefix(rest, "then")
}

// chosenOption reads a choice among the plan's options, by name or by position.
func chosenOption(core string) (Tier, int) {
	if utf8.RuneCountInString(core) > 60 || has(core, "预算", "budget to", "change", "改") {
		return "", 0
	}
	// "第三天不要了", "第一天可以去哪个商场": a day, not an option; "第三个方案怎么样？",
	// "which one do you recommend?": a question about the options, not a choice.
	if reDayRef.MatchString(core) || has(core, "哪个", "哪一个", "哪套", "哪种", "什么区别", "区别", "怎么样", "如何", "which", "what about", "how about", "how is", "how's", "difference") {
		return "", 0
	}
	// "笑死 这方案穷游也太穷了吧", "lol the backpacker one is so basic": a joke or a remark
	// about an option, not a choice of it.
	if has(core, "笑死", "也太", "太穷", "哈哈", "吐槽", "lol", "lmao", "haha", "so basic", "too basic") {
		return "", 0
	}
	// A question about an option (豪华那个包括什么, 经济方案一共要多少钱？, "is the luxury one
	// worth it") or one turned down ("not the luxury one", 不要豪华的) is no choice of it.
	if asksAboutOption(core) {
		return "", 0
	}
	for _, t := range tierWords {
		for _, w := range t.words {
			if strings.Contains(core, w) {
				return t.tier, 0
			}
		}
	}
	for _, o := range optionOrdinals {
		for _, w := range o.words {
			if strings.HasPrefix(w, "plan ") && planAThing(core, w) {
				continue // "plan a day trip to Quanzhou": a request, not plan A
			}
			if strings.Contains(core, w) && (has(core, "选", "要", "定", "one", "option", "plan", "take", "go with", "choose", "pick", "方案", "个", "套", "种", "#") || core == w) {
				return "", o.n
			}
		}
	}
	return "", 0
}

var smallTalkWords = litsOf(`\b666\b|\b888\b|牛啊|牛哇|太牛|真牛|牛逼|🐂|谢啦|谢了|嘻嘻|吃了吗|吃饭了吗|早点休息|好的呢|\bsup\b|\bheyy\b|\bevening\b|\bmorning\b|thank u|\bthanx\b|what's your name|what is your name|see ya|\bcya\b|you're funny|you are funny|how's your day|how is your day|你好|您好|嗨|哈喽|hello|\bhi\b|\bhey\b|\bhiya\b|\byo\b|good morning|good evening|good afternoon|早上好|晚上好|下午好|` +
	`谢谢|多谢|感谢|\bthanks\b|thank you|\bthx\b|\bty\b|cheers|哈哈|呵呵|嘿嘿|\blol\b|\blmao\b|\bhaha|😂|🙏|😊|😄|❤|你是谁|你叫什么|who are you|are you a bot|are you human|` +
	`how are you|how's it going|what's up|在吗|在不在|有人吗|辛苦了|晚安|good night|bye|goodbye|再见|拜拜|see you|nice to meet|好的谢谢|ok thanks|cool|awesome|不错|厉害|棒|nice one|have a good one|have a nice day|have a good day`)

var (
	thanksWords  = litsOf(`谢谢|多谢|感谢|谢啦|谢了|辛苦了|\bthanks\b|thank you|thank u|\bthx\b|\bty\b|\bthanx\b|cheers|🙏`)
	goodbyeWords = litsOf(`晚安|再见|拜拜|good night|\bbye\b|goodbye|see you|see ya|\bcya\b|have a good one|have a nice day|have a good day`)
)

// smallTalkReply is the text that answers chit-chat: thanks are welcome, a goodbye is
// wished well, anything else is told the bot is here.
func smallTalkReply(text string) string {
	low := strings.TrimSpace(asciiLower(normalizeText(text)))
	switch {
	case whoWords.in(low):
		return "smalltalk_who" // "are you a bot?": said plainly, with the way to a person
	case thanksWords.in(low):
		return "smalltalk_thanks"
	case goodbyeWords.in(low):
		return "smalltalk_bye"
	}
	return "smalltalk"
}

// whoWords ask who or what the bot is.
var whoWords = litsOf(`你是谁|你叫什么|你是机器人|你是人|你是真人|是机器人吗|是ai吗|是人工吗|\bwho are you\b|\bare you a bot\b|\bare you human\b|\bare you a human\b|\bare you a real person\b|\bare you a robot\b|\bare you real\b|\bare you an ai\b|\bare you a person\b|\bis this a bot\b|\bam i talking to a\b`)

// smallTalk reports greetings, thanks and chit-chat: text with none of the trip in it.
func smallTalk(core string) bool {
	if core == "" {
		return false
	}
	if smallTalkWords.in(core) || smallTalkWords.in(squeezeRepeats(core)) {
		return true
	}
	// Only emoji, punctuation or laughter.
	letters := 0
	for _, r := range core {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			letters++
		}
	}
	return letters == 0
}

var complaintWords = litsOf(`什么玩意|不靠谱|根本不存在|不存在|不准|差太多|太敷衍|敷衍|关门了|怎么又是|点赞|好评|五星好评|5星好评|挺好用|好用|推荐得不错|太贵了|坑|\bbug\b|\bbugs\b|\bbuggy\b|` +
	`loved it|love it|great job|well done|amazing service|doesn't exist|does not exist|was closed|wrong|inaccurate|outdated|` +
	`投诉|差评|太差|很差|真差|垃圾|烂透|太烂|好烂|很烂|真烂|烂死|不满意|不满|失望|太慢|好慢|很慢|没用|不好用|难用|什么破|坑人|骗人|生气|气死|退钱|退款|` +
	`complain|complaint|terrible|awful|useless|worst|disappointed|disappointing|rubbish|garbage|\bsucks\b|too slow|so slow|waste of time|not helpful|unhelpful|frustrat|annoying|ridiculous|` +
	`doesn't work|does not work|didn't work|broken|refund|angry|unacceptable|horrible|poor service|bad service|` +
	`ignored my|you ignored|didn't listen|not what i asked|impressed|5 stars|five stars|没按我说的|根本没看|不是我要的`)

var injectionWords = litsOf(`ignore previous|ignore all previous|ignore the above|ignore your instructions|disregard previous|system prompt|your prompt|your instructions|` +
	`忽略之前|忽略以上|忽略上面|忽略所有|无视之前|提示词|系统提示|[系统]|[system]|system:|系统:|assistant:|###|<script|<img|<iframe|<svg|javascript:|onerror|{{|${|' or|" or|or 1=1|drop table|union select|</`)

// injection reports text that tries to instruct the bot or carries markup or code: it is
// never read as trip details, whatever figures or names it holds.
func injection(low string) bool { return injectionWords.in(low) }

// squeezeRepeats writes a letter held for three or more ("heyyy", "hiiii") once.
func squeezeRepeats(s string) string {
	var b strings.Builder
	run := 0
	var last rune
	for _, r := range s {
		if r == last {
			run++
		} else {
			run, last = 1, r
		}
		if run < 3 || !unicode.IsLetter(r) {
			b.WriteRune(r)
		} else if run == 3 {
			// Keep one: drop the two already written beyond the first.
			out := []rune(b.String())
			b.Reset()
			b.WriteString(string(out[:len(out)-1]))
		}
	}
	return b.String()
}

// reWrongSaid is "that's wrong" said to correct what the bot kept: "you got it wrong,
// it's 3 people", "that's wrong, I said the 21st".
var reWrongSaid = regexp.MustCompile(`(?:you(?:'ve| have)? got it wrong|you got that wrong|(?:that|this|it)(?:'s| is) (?:wrong|not right|incorrect)|(?:that's|thats|that is) not what i said|wrong|not right|incorrect)[\s,.!;:-]*`)

// correctsWrong reports a message that calls what the bot kept wrong and says what is
// right: a correction, not a complaint. "you keep getting my dates wrong" says nothing
// right and stays a complaint.
func correctsWrong(low string, c ParseContext) bool {
	if !has(low, "wrong", "not right", "incorrect", "not what i said") {
		return false
	}
	rest := reWrongSaid.ReplaceAllString(low, " ")
	if complaint(rest) {
		return false
	}
	if _, _, ok := bareDayRange(rest, c); ok {
		return true // "dates are wrong, should be 21-25"
	}
	return Extract(rest, c).fills()
}

// complaint reports a complaint about the service.
func complaint(low string) bool { return complaintWords.in(low) }

// praiseWords are feedback that is praise; praise reports feedback that is only praise.
var (
	praiseWords = litsOf(`loved it|love it|love this|great job|well done|amazing|awesome|perfect|looks great|brilliant|fantastic|excellent|` +
		`点赞|好评|五星好评|5星好评|挺好用|好用|推荐得不错|太棒|真棒|很棒|完美|爱了|厉害|赞`)
	blameWords = litsOf(`\bnot\b|n't|\bbut\b|\bno\b|wrong|bug|不好|不行|不对|没用|难用|但是|可是|差|烂|坑|投诉|慢`)
)

func praise(low string) bool { return praiseWords.in(low) && !blameWords.in(low) }

var reStarsGiven = pat(`(?:^|[^\d])([1-5])\s*(?:颗)?星|([一二两三四五])\s*(?:颗)?星|\b([1-5]|one|two|three|four|five)\s*(?:/\s*5\s*)?stars?\b`,
	"星", "star")

// starsGiven is a rating said in words ("5 stars", "五星好评", "给你打三星"), or 0. A
// five-star hotel is not one, nor "4/5" (a date).
func starsGiven(low string) int {
	if has(low, "星级", "酒店", "hotel", "resort", "-star", "star rating") {
		return 0
	}
	if n := scoreGiven(low); n > 0 {
		return n
	}
	m := reStarsGiven.FindStringSubmatch(low)
	if m == nil {
		return 0
	}
	for _, g := range m[1:] {
		switch g {
		case "":
			continue
		case "一", "one":
			return 1
		case "二", "两", "two":
			return 2
		case "三", "three":
			return 3
		case "四", "four":
			return 4
		case "五", "five":
			return 5
		default:
			return int(g[0] - '0')
		}
	}
	return 0
}

// reScoreGiven is a rating as a score: "10/10 would use again", "I give it a 9/10",
// "4 out of 5", 给你打3分, 打满分, "5分"; reScoreTalk the words that make "4/5" a score
// rather than a date.
var (
	reScoreGiven = regexp.MustCompile(`(?:^|[^\d/])(\d{1,2})\s*(?:/|out of)\s*(5|10)(?:$|[^\d/])|(?:打|给|评)(?:你|你们)?(?:个)?\s*(\d{1,2}|[一二两三四五六七八九十])\s*分(?:$|[^钟])|^(\d{1,2}|[一二两三四五])\s*分$|(满分|打满分|给满分)`)
	reScoreTalk  = regexp.MustCompile(`\b(?:give|gave|rate|rating|score|would use|would recommend|recommend|out of)\b|打分|评分|打个|给你打|给你们打|[0-9]\s*分`)
)

// scoreGiven is a rating said as a score, in stars (1-5), or 0; a row of ⭐ counts.
func scoreGiven(low string) int {
	if t := strings.TrimSpace(low); t != "" && strings.Trim(t, "⭐🌟 ") == "" {
		return min(5, strings.Count(t, "⭐")+strings.Count(t, "🌟"))
	}
	m := reScoreGiven.FindStringSubmatch(low)
	if m == nil {
		return 0
	}
	if m[5] != "" {
		return 5
	}
	score, outOf := m[1], 5
	if score != "" {
		if m[2] == "10" {
			outOf = 10
		}
		if !reScoreTalk.MatchString(low) {
			return 0 // "4/5" alone is a date
		}
	} else {
		score = m[3] + m[4]
		outOf = 0 // a score in 分: out of 5 up to 5, else of 10
	}
	n := number(score)
	if n == 0 {
		if v, err := strconv.Atoi(score); err == nil {
			n = v
		} else if score == "十" {
			n = 10
		}
	}
	if outOf == 0 {
		outOf = 5
		if n > 5 {
			outOf = 10
		}
	}
	if n < 1 || n > outOf {
		return 0
	}
	if outOf == 10 {
		return max(1, (n+1)/2)
	}
	return n
}

// shiftedDates reads "make it a week later", 晚一周出发 while the trip is still being put
// together, its dates known: the dates moved, as the edit moves a plan's.
func shiftedDates(text, state string, c ParseContext) (Extraction, bool) {
	if c.TripStart == nil || c.TripEnd == nil || state == StatePlanned || state == StatePlanning || state == StateEditing {
		return Extraction{}, false
	}
	e, ok := readEdit(text)
	if !ok {
		return Extraction{}, false
	}
	start, end := *c.TripStart, *c.TripEnd
	switch {
	case e.Kind == EditShift:
		start, end = start.AddDays(e.Days), end.AddDays(e.Days)
	case e.Kind == EditLonger && e.Day == 0:
		end = end.AddDays(e.Days) // 晚一天回来, "stay two more days"
	case e.Kind == EditShorter && e.Day == -1:
		end = end.AddDays(-e.Days) // 早一天回来, "leave a day early"
	case e.Kind == EditShorter && e.Day == 1:
		start = start.AddDays(e.Days) // "arriving a day late"
	default:
		return Extraction{}, false
	}
	if end.Before(start) {
		return Extraction{}, false
	}
	loc := c.Loc
	if loc == nil {
		loc = time.UTC
	}
	if start.Before(DateOf(c.Now.In(loc))) {
		return Extraction{}, false
	}
	ex := Extraction{Lang: newMsg(text).lang, Start: &start, End: &end, Correction: true}
	return ex, true
}

// fillsBeyondWords reports whether e fills a slot other than the traveller's words kept
// for the planner (other needs, and the preference words a question's words can make).
func (e Extraction) fillsBeyondWords() bool {
	e.OtherNeeds, e.NaturalLandscape, e.SocialLandscape, e.Cuisine = "", "", "", ""
	return e.fills()
}

// reBudgetMore and reBudgetLess say a budget changed by an amount: "每人再加1000预算",
// "预算再加两千", "add $200 to the budget", "increase the budget by 500", "预算少1000".
var (
	reBudgetMore = regexp.MustCompile(`\bbump\s+(?:it|the budget|my budget|our budget)\s+up\s+by\s+[$€£¥]?\s*([0-9]+(?:\.[0-9]+)?)\s*(k)?|每人(?:再)?(?:加|多加|多给)\s*([0-9]+(?:\.[0-9]+)?)\s*(千|万)?|多给\s*([0-9]+(?:\.[0-9]+)?)\s*(千|万)?\s*(?:元|块)?\s*(?:的)?预算|(?:再|多)?(?:加|增加|提高|涨|多加)\s*([0-9]+(?:\.[0-9]+)?)\s*(k|千|万)?\s*(?:元|块|美元|刀)?\s*(?:的)?预算|预算(?:再|多)?(?:加|增加|提高|多加)\s*([0-9]+(?:\.[0-9]+)?)\s*(k|千|万)?|\b(?:add|another)\s+[$€£¥]?\s*([0-9]+(?:\.[0-9]+)?)\s*(k)?\s*(?:more\s+)?(?:to|on)\s+(?:the|my|our)\s+budget\b|\b(?:increase|raise|up)\s+(?:the|my|our)\s+budget\s+by\s+[$€£¥]?\s*([0-9]+(?:\.[0-9]+)?)\s*(k)?`)
	reBudgetLess = regexp.MustCompile(`\b(?:budget|spend)\s+[$€£¥]?\s*([0-9]+(?:\.[0-9]+)?)\s*(k)?\s+less\b|每人(?:再)?(?:减|少)\s*([0-9]+(?:\.[0-9]+)?)\s*(千|万)?|(?:减|减少|降低|少|砍)\s*([0-9]+(?:\.[0-9]+)?)\s*(k|千|万)?\s*(?:元|块)?\s*(?:的)?预算|预算(?:再)?(?:减|减少|降低|少|砍)\s*([0-9]+(?:\.[0-9]+)?)\s*(k|千|万)?|\b(?:cut|take|knock)\s+[$€£¥]?\s*([0-9]+(?:\.[0-9]+)?)\s*(k)?\s*off\s+(?:the|my|our)\s+budget\b|\b(?:reduce|lower|cut)\s+(?:the|my|our)\s+budget\s+by\s+[$€£¥]?\s*([0-9]+(?:\.[0-9]+)?)\s*(k)?`)
)

// reBudgetHalf, reBudgetDouble and reBudgetPercent say a budget scaled: "预算减半",
// "砍一半预算", "halve the budget", "cut the budget in half"; "预算翻倍", "double our
// budget"; "预算增加20%", "预算少10%", "increase the budget by 20%", "budget -15%".
var (
	reBudgetHalf    = regexp.MustCompile(`预算(?:再)?(?:减半|砍半|对半|打对折|(?:减|砍|少|降)(?:一|掉一)?半)|(?:减半|砍半|砍掉一半|减掉一半)的?预算|\bhalve\s+(?:the|my|our)\s+budget\b|\b(?:cut|reduce|slash)\s+(?:the|my|our)\s+budget\s+(?:in|by)\s+half\b|\bbudget\s+(?:cut\s+)?in\s+half\b`)
	reBudgetDouble  = regexp.MustCompile(`预算(?:再)?(?:翻倍|加倍|翻一番|翻一倍|多一倍)|\bdouble\s+(?:the|my|our)\s+budget\b|\bbudget\s+doubled\b`)
	reBudgetPercent = regexp.MustCompile(`\b(knock|take)\s+([0-9]+(?:\.[0-9]+)?)\s*%\s*off\b|\bmake it\s+([0-9]+(?:\.[0-9]+)?)\s*%\s*(cheaper|less|more)\b|\b([0-9]+(?:\.[0-9]+)?)\s*%\s*(more|less|bigger|smaller)\s+budget\b|\b(cut|reduce|lower|increase|raise)\s+(?:the\s+|my\s+|our\s+)?budget\s+(?:by\s+)?([0-9]+(?:\.[0-9]+)?)\s*%|预算(?:再)?(加|增加|提高|多|涨|减|减少|降低|少|砍)\s*([0-9]+(?:\.[0-9]+)?)\s*(?:%|％|个点)|预算\s*([+-])\s*([0-9]+(?:\.[0-9]+)?)\s*%|\b(increase|raise|up|reduce|lower|cut)\s+(?:the|my|our)\s+budget\s+by\s+([0-9]+(?:\.[0-9]+)?)\s*%|\bbudget\s*([+-])\s*([0-9]+(?:\.[0-9]+)?)\s*%`)
)

// reDestinationChange says the trip's place changes: 改去重庆, 换成重庆, 目的地改成…, 还是去…吧,
// "change the destination to", "go to … instead", "switch to", "let's do … instead".
var (
	reDestinationChange = regexp.MustCompile(`改去|改成|改为|换成|换到|换去|改到|还是去|目的地|不去.{1,12}了|不想去.{1,12}了|\binstead\b|\bdestination\b|\bswitch\s+to\b|\bchange\s+(?:it\s+)?to\b|\brather\s+go\b|\bmake\s+it\b|\bactually\b|\bnot\s+\S+,\s+(?:but\s+)?`)
	reDestinationBare   = regexp.MustCompile(`^(?:那|那就|就|我们|我)?(?:想|要)?(?:去|到|飞|to|go to|let'?s go to|let'?s do|how about|what about|(?:i|we)\s+(?:want|wanna|would like|'d like|'d rather|would rather)\s+(?:to\s+)?(?:go\s+to|visit|do)|(?:i|we)'?d\s+rather\s+(?:go\s+to|visit|do))?\s*(.{1,40}?)\s*(?:吧|呢|呀|啊|then|please)?$`)
	reAsksAbout         = regexp.MustCompile(`[?？]|吗|哪|什么|为什么|怎么|多远|好玩|值得|\b(?:what|where|why|how|which|is|are|worth|far)\b`)
)

// saysDestination reports whether low, said once a plan exists, gives place as the
// trip's place: the place alone ("重庆", "去重庆吧", "how about Osaka"), or with words
// that change it ("改去重庆", "Osaka instead"); a question about it, or the place
// someone is from, does not.
func saysDestination(low, place string) bool {
	// The change is said of the place: after the change word (改去重庆, "switch to
	// Osaka"), or before "instead" ("Osaka instead").
	p := strings.ToLower(place)
	for _, loc := range reDestinationChange.FindAllStringIndex(low, -1) {
		w := low[loc[0]:loc[1]]
		if strings.Contains(w, "instead") && strings.Contains(low[:loc[0]], p) || strings.Contains(low[loc[0]:], p) {
			return true
		}
	}
	core := strings.Trim(low, " .,!~…\"'。！，")
	if reAsksAbout.MatchString(core) && !strings.HasPrefix(core, "how about") && !strings.HasPrefix(core, "what about") {
		return false
	}
	m := reDestinationBare.FindStringSubmatch(core)
	if m == nil {
		return false
	}
	rest := strings.ToLower(strings.TrimSpace(m[1]))
	return rest == p || strings.TrimSuffix(strings.TrimSuffix(rest, "市"), "县") == p || strings.Contains(p, rest) && len(rest) >= 2
}

// reBareDayRange is two days of a month and nothing else to say what they are ("是21到23",
// "should be 21-25"), said once the trip has dates.
var reBareDayRange = regexp.MustCompile(`(?:^|[\s,，:：]|是|成|为|to|be)\s*(\d{1,2})\s*(?:到|至|-|~|to)\s*(\d{1,2})\s*(?:号|日|th)?\s*(?:吧|了)?$`)

// bareDayRange reads the days of a range said without a month, in the month of the
// trip's start (the next month when the first day has passed it): "是21到23" with the
// trip in December is 21 to 23 December.
func bareDayRange(low string, c ParseContext) (Date, Date, bool) {
	if c.TripStart == nil {
		return Date{}, Date{}, false
	}
	m := reBareDayRange.FindStringSubmatch(strings.TrimRight(low, " .。!！"))
	if m == nil {
		return Date{}, Date{}, false
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	if a < 1 || b > 31 || b < a || b-a > MaxTripDays {
		return Date{}, Date{}, false
	}
	y, mo := c.TripStart.Year, c.TripStart.Month
	if a < c.TripStart.Day-15 {
		if mo++; mo > 12 {
			mo, y = 1, y+1
		}
	}
	s, e := NewDate(y, time.Month(mo), a), NewDate(y, time.Month(mo), b)
	if s.Day != a || e.Day != b {
		return Date{}, Date{}, false // the 31st of a month of 30
	}
	return s, e, true
}

// reHealthSaid names someone's health, age or body: what a plan for them must mind.
var reHealthSaid = regexp.MustCompile(`(?i)\b(?:diabetic|diabetes|asthma|asthmatic|epilep|heart condition|pacemaker|pregnan|allerg|celiac|coeliac|gluten|lactose|dialysis|blind|deaf|dementia|autis|anxiety|bad knees?|bad back|bad hip|walks? slowly|can'?t walk far|uses? a (?:cane|walker|stick)|\d{2} years old|aged \d{2}|in (?:his|her|their) (?:70|80|90)s|elderly|frail)\b|糖尿病|哮喘|心脏病|高血压|怀孕|孕妇|过敏|乳糖不耐|癫痫|腿脚不好|腿不好|膝盖不好|腰不好|走不快|走不远|走路慢|拄拐|老年痴呆|岁了`)

// personalNeed is the part of text that tells of someone's health or age, or "": "no
// special needs but my dad is diabetic" gives "my dad is diabetic".
func personalNeed(text string) string {
	t := strings.TrimSpace(normalizeText(text))
	if !reHealthSaid.MatchString(t) {
		return ""
	}
	for _, sep := range []string{" but ", "不过", "但是", "只是", "就是"} {
		if i := strings.Index(asciiLower(t), sep); i >= 0 && reHealthSaid.MatchString(t[i+len(sep):]) {
			return strings.Trim(t[i+len(sep):], " ,，。.!！")
		}
	}
	return strings.Trim(t, " ,，。.!！")
}

// reYesNoQuestion is a yes-or-no question: one that opens with an auxiliary, or a
// Chinese one closed by 吗 or 么.
var reYesNoQuestion = regexp.MustCompile(`^(?:is|are|will|would|does|do|did|can i|can we bring|could i|should i|should we|is there|are there)\b.*[?？]$|[吗么][?？]?$`)

// yesNoQuestion reports a yes-or-no question that asks rather than requests ("can we add
// a day?" requests).
func yesNoQuestion(low string) bool {
	l := strings.TrimSpace(low)
	return reYesNoQuestion.MatchString(l) && !whoWords.in(l) && !has(l, "can we add", "can you", "could you", "is it ok to", "is it possible to", "would it be possible", "能不能", "能否", "帮我")
}

// asksAboutOption reports a clause naming an option that asks about it or turns it down
// ("豪华那个包括什么", "is the luxury one worth it", "not the luxury one"); in "plan B,
// what's next?" the question is another clause's.
func asksAboutOption(core string) bool {
	for _, cl := range strings.FieldsFunc(core, func(r rune) bool { return strings.ContainsRune(",，;；。!！", r) }) {
		named := false
		for _, t := range tierWords {
			for _, w := range t.words {
				named = named || strings.Contains(cl, w)
			}
		}
		if !named {
			continue
		}
		if has(cl, "?", "？", "吗", "什么", "多少", "哪", "差别", "差在", "worth", "include", "cost", "what", "how much", "does", "is the", "are the", "not the", "don't want the", "不要", "不选", "不想要") {
			return true
		}
	}
	return false
}

// Budget shares in other words: "20 percent", "20 per cent", 百分之二十, 打八折, 减两成,
// "reduce by a third", "up the budget by half".
var (
	rePercentWords = regexp.MustCompile(`\s*(?:per ?cent|percent|pct)\b`)
	reZhPercent    = regexp.MustCompile(`百分之\s*(\d{1,3})`)
	reZhDiscount   = regexp.MustCompile(`打\s*([1-9])\s*折|(?:减|降|少|砍)\s*([一两二三四五\d])\s*成`)
	reBudgetThird  = regexp.MustCompile(`\b(?:reduce|cut|lower|trim)\s+(?:it|the budget|my budget|our budget)?\s*by\s+a\s+third\b|预算(?:减|砍|少)(?:掉)?三分之一`)
	reBudgetUpHalf = regexp.MustCompile(`\b(?:up|increase|raise)\s+(?:it|the budget|my budget|our budget)\s+by\s+(?:half|50%)\b|预算(?:再)?(?:多|加|增加)(?:一半|50%)`)
)

// budgetScale is the factor a message scales the budget by, or 0.
func budgetScale(low string) float64 {
	low = rePercentWords.ReplaceAllString(low, "%")
	if m := reZhPercent.FindStringSubmatch(low); m != nil {
		// 百分之二十 (read as 百分之20): 20%.
		low = strings.Replace(low, m[0], m[1]+"%", 1)
	}
	if m := reZhDiscount.FindStringSubmatch(low); m != nil && has(low, "预算") {
		switch {
		case m[1] != "": // 打八折: 80%
			if v, err := strconv.Atoi(m[1]); err == nil && v > 0 && v < 10 {
				return float64(v) / 10
			}
		case m[2] != "": // 减两成: 80%
			if v := zhNum(m[2]); v > 0 && v < 10 {
				return 1 - float64(v)/10
			}
		}
	}
	if reBudgetThird.MatchString(low) {
		return 2.0 / 3
	}
	if reBudgetUpHalf.MatchString(low) {
		return 1.5
	}
	switch {
	case reBudgetHalf.MatchString(low):
		return 0.5
	case reBudgetDouble.MatchString(low):
		return 2
	}
	m := reBudgetPercent.FindStringSubmatch(low)
	if m == nil {
		return 0
	}
	for i := 1; i+1 < len(m); i += 2 {
		if m[i] == "" {
			continue
		}
		word, num := m[i], m[i+1]
		if _, err := strconv.ParseFloat(word, 64); err == nil {
			word, num = num, word // "make it 20% cheaper": the figure first
		}
		p, err := strconv.ParseFloat(num, 64)
		if err != nil || p <= 0 || p >= 1000 {
			return 0
		}
		switch word {
		case "减", "减少", "降低", "少", "砍", "-", "reduce", "lower", "cut", "knock", "take", "cheaper", "less", "smaller":
			p = -p
		}
		if 1+p/100 <= 0 {
			return 0
		}
		return 1 + p/100
	}
	return 0
}

// budgetChanged reads a budget raised or lowered by an amount or a share of it, the
// budget known: the new figure, per person as the budget is kept.
func budgetChanged(text string, c ParseContext) (Extraction, bool) {
	if c.TripBudget == nil {
		return Extraction{}, false
	}
	msg := newMsg(text)
	low := msg.text()
	if f := budgetScale(low); f > 0 {
		b := math.Round(*c.TripBudget * f)
		return Extraction{Lang: msg.lang, Budget: &Money{Low: b, High: b, Currency: c.TripCurrency, PerPerson: true}, Correction: true}, true
	}
	sign := 1.0
	m := reBudgetMore.FindStringSubmatch(low)
	if m == nil {
		sign, m = -1, reBudgetLess.FindStringSubmatch(low)
	}
	if m == nil {
		return Extraction{}, false
	}
	amount := 0.0
	for i := 1; i+1 < len(m); i += 2 {
		if m[i] == "" {
			continue
		}
		v, err := strconv.ParseFloat(m[i], 64)
		if err != nil {
			return Extraction{}, false
		}
		switch m[i+1] {
		case "k", "千":
			v *= 1000
		case "万":
			v *= 10000
		}
		amount = v
	}
	b := *c.TripBudget + sign*amount
	if amount <= 0 || b <= 0 {
		return Extraction{}, false
	}
	return Extraction{Lang: msg.lang, Budget: &Money{Low: b, High: b, Currency: c.TripCurrency, PerPerson: true}, Correction: true}, true
}
