package dialog

import (
	"regexp"
	"strings"
)

// Intent is something a traveller may ask for from any state.
type Intent string

// The intents, reachable from any state. Emergency wins over everything else.
const (
	IntentNone        Intent = ""
	IntentEmergency   Intent = "emergency"
	IntentHuman       Intent = "human"
	IntentFeedback    Intent = "feedback"
	IntentHelp        Intent = "help"
	IntentLanguage    Intent = "language"
	IntentNewTrip     Intent = "new_trip"
	IntentSubscribe   Intent = "subscribe"
	IntentUnsubscribe Intent = "unsubscribe"
	IntentStatus      Intent = "status"
	IntentChangelog   Intent = "changelog"
	IntentWeather     Intent = "weather"
	IntentBack        Intent = "back"
	IntentStartOver   Intent = "start_over"
	IntentCancel      Intent = "cancel"
	IntentConfirm     Intent = "confirm" // "做计划", "make my plan", "生成", "go ahead"
	IntentStart       Intent = "start"   // Telegram's /start: greet, whatever the state
)

var commands = map[string]Intent{
	"sos": IntentEmergency, "emergency": IntentEmergency, "human": IntentHuman, "agent": IntentHuman,
	"help": IntentHelp, "new": IntentNewTrip, "newtrip": IntentNewTrip, "lang": IntentLanguage, "language": IntentLanguage,
	"subscribe": IntentSubscribe, "unsubscribe": IntentUnsubscribe, "status": IntentStatus,
	"changelog": IntentChangelog, "feedback": IntentFeedback, "cancel": IntentCancel, "start": IntentStart,
	"back": IntentBack, "weather": IntentWeather, "restart": IntentStartOver, "reset": IntentStartOver,
	"plan": IntentConfirm,
}

// serviceEvent is an urgent event of the service itself ("紧急停服", "emergency maintenance"):
// a traveller asking about one asks about the service, and is in no trouble.
const serviceEvent = `(?:紧急|临时)\s*(?:停服|停机|维护|更新|升级|修复|通知|公告|故障|下线)|\b(?:emergency|urgent|unplanned)\s+(?:maintenance|outages?|downtime|updates?|fix(?:es)?|patch(?:es)?|notices?|shutdowns?|releases?)\b`

var (
	reCommand   = regexp.MustCompile(`^/([a-z_]+)(?:@[a-z0-9_]+)?(?:\s+(.*))?$`)
	reEmergency = pat(selfHarm+`|\bsos\b|紧急|救命|急救|报警|救护车|护照(?:丢|被偷|被抢|不见|找不到)|(?:丢|丢失|弄丢|被偷|被抢)了?(?:我的|我们的)?护照|\blost (?:my |our |the )?passports?\b|\bpassports? (?:was |were |is |has been |got )?(?:lost|stolen|missing)\b|医院|\bhospital\b|事故|车祸|\baccidents?\b|被偷|被抢|被盗|\brobbed\b|\bstolen\b|\bmugged\b|受伤|\binjur(?:ed|y|ies)\b|\bhurt\b|\bemergency\b|\bambulance\b|\bpolice\b|警察|\burgent(?:ly)?\b|出事了|迷路了|\bi'?m lost\b|\bi am lost\b|\bwe'?re lost\b|生病了|病了|\bsick\b|\bdoctor\b|看医生|骨折|中毒|\bbleeding\b|流血|\bheart attack\b|心脏病|晕倒|\bfainted\b|地震|火灾|着火`, "想去死", "想死", "不想活", "活着没意思", "活不下去", "自杀", "轻生", "kill myself", "suicid", "want to die", "sos", "紧急", "救命", "急救", "报警", "救护车", "护照", "passport", "医院", "hospital", "事故", "车祸", "accident", "被偷", "被抢", "被盗", "robbed", "stolen", "mugged", "受伤", "injur", "hurt", "emergency", "ambulance", "police", "警察", "urgent", "出事了", "迷路了", "lost", "病了", "sick", "doctor", "看医生", "骨折", "中毒", "bleeding", "流血", "heart attack", "心脏病", "晕倒", "fainted", "地震", "火灾", "着火")
	// reNotEmergency marks the context in which an emergency word is only a landmark
	// ("我想去医院附近的酒店"), a figure of speech, or says how urgent a service event is
	// ("紧急停服会提前说吗", "emergency maintenance"): a question about the service.
	reNotEmergency = pat(serviceEvent+`|`+
		`(?:医院|hospital)\s*(?:附近|旁边|周边|对面)|(?:离|靠近|近)\s*医院|\b(?:near|close to|next to|by|opposite)\s+(?:a|the)?\s*hospitals?\b|\bby accident\b|\bnot urgent\b|不紧急|\bpolice museum\b|警察博物馆|警察故事|警察学院`, "医院", "hospital", "accident", "urgent", "紧急", "临时", "emergency", "unplanned", "police", "警察")
	reHuman       = pat(`人工|客服|真人|转人宫|转人公|活人|你们经理|找经理|叫经理|主管|负责人|找个人(?:$|聊|说|问|帮|来|吧|工)|跟人说话|和人说话|换个人来|工作人员|\bconnect me (?:to|with) (?:support|someone|somebody|a person|a human|an agent|staff)\b|\b(?:talk|speak) to (?:your|the) (?:manager|boss|supervisor)\b|\bagent\b|\bhuman\b|\breal person\b|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:someone|somebody|a person|a human|a real person|an agent|staff|support)\b|\bcustomer (?:service|support)\b|\boperator\b|\brepresentative\b|\blive support\b`, "人工", "客服", "真人", "人宫", "人公", "活人", "经理", "主管", "负责人", "找个人", "说话", "换个人", "工作人员", "connect me", "manager", "boss", "supervisor", "agent", "human", "real person", "talk", "speak", "chat", "customer", "operator", "representative", "live support")
	reTravelAgent = pat(`\btravel agents?\b|\bagent smith\b`, "travel agent", "agent smith")
	rePolite      = regexp.MustCompile(`^(?:please|pls|plz|can you|could you|can i|could i|can we|i want to|i'd like to|i would like to|i wanna|let me|let's|i need to|we want to|请|请你|我想|我要|帮我|麻烦|麻烦你|能不能|可以|你能)\s*`)
	reLangTo      = regexp.MustCompile(`^(?:(?:switch|change|set)(?: the)?(?: language)? to |speak |in |use |reply in |answer in |talk in |说|用|讲|切换(?:到|成|为)?|换成|改成|改用|换|语言(?:切换|改)?(?:到|成|为)?)?\s*(english|chinese|mandarin|中文|英文|英语|汉语|普通话)$`)
	reLangPlain   = regexp.MustCompile(`^(?:(?:change|switch|set)(?: the)? language|language|languages|切换语言|语言|换语言|更改语言|语言设置|change lang)$`)

	wholeIntents = []struct {
		intent Intent
		re     *regexp.Regexp
	}{
		{IntentUnsubscribe, regexp.MustCompile(`^(?:unsubscribe|取消订阅|退订|stop (?:notifications|notices|updates|announcements)|不要(?:再)?(?:发)?通知|关闭通知|turn off notifications)`)},
		{IntentSubscribe, regexp.MustCompile(`^(?:subscribe(?: to .*)?|订阅.*|notify me.*|turn on notifications|开启通知|接收通知)$`)},
		{IntentStartOver, regexp.MustCompile(`^(?:start over|restart|reset|start again|begin again|from scratch|start from scratch|重新开始|从头开始|重来|重置|重新来|全部重来)$`)},
		{IntentNewTrip, regexp.MustCompile(`^(?:new trip|(?:plan|start|make) (?:a )?(?:new|another) trip|another trip|new plan|新行程|新的行程|新旅行|新的旅行|(?:再)?(?:规划|计划)(?:一个)?新(?:的)?(?:行程|旅行)|另一个行程|再来一个行程)$`)},
		{IntentConfirm, regexp.MustCompile(`^(?:go|make (?:my|the|a) plan|generate(?: (?:it|the plan|my plan))?|go ahead|plan it|create (?:the |my )?plan|let'?s go|do it|that'?s all|做计划|生成|生成计划|生成方案|开始规划|出方案|确认生成|就这样|开始吧|做个计划|帮我做计划|规划吧|可以生成了)$`)},
		{IntentCancel, regexp.MustCompile(`^(?:cancel|stop|never ?mind|forget it|quit|exit|取消|算了|不要了|不想要了|停止|不用了|退出)$`)},
		{IntentBack, regexp.MustCompile(`^(?:back|go back|previous|undo|返回|上一步|回去|后退|返回上一步|撤销)$`)},
		{IntentHelp, regexp.MustCompile(`^(?:help|\?|帮助|怎么用|使用说明|说明|菜单|menu|what can you do|how does (?:this|it) work|how do i use (?:this|it|you)|你能做什么|你会什么|你可以做什么|有什么功能|功能|commands|help me|i need help|帮忙)$`)},
		{IntentStatus, regexp.MustCompile(`^(?:status|what'?s the status|where is my plan|where'?s my plan|is my plan ready|any news|状态|进度|我的计划呢|计划好了吗|方案呢|好了没|服务状态|system status)$`)},
		{IntentChangelog, regexp.MustCompile(`^(?:changelog|change log|what'?s new|release notes|updates|更新日志|更新了什么|有什么更新|新功能|有什么新功能|版本更新)$|\bchange ?log\b|更新日志`)},
	}
	reWeather  = pat(`天气(?:怎么样|如何|预报|呢|好吗|好不好|情况)|^天气$|会下雨吗|下雨吗|冷不冷|热不热|冷吗|热吗|会不会下雨|\b(?:is it|will it be|how) (?:cold|hot|warm|chilly) (?:there|in)\b|气温(?:多少|怎么样)|\bweather\s+(?:forecast|like|in|for|at|there|tomorrow|today|next)\b|\bweather\s*\?|^weather$|(?:what'?s|how'?s|how is|check) the weather|\bwill it (?:rain|snow)\b|\bforecast\b`, "天气", "下雨", "气温", "冷", "热", "weather", "rain", "forecast", "cold", "hot", "warm", "chilly")
	reFeedback = pat(`反馈|投诉|评价|打分|评分|吐槽|\bfeedback\b|\bcomplain(?:t|ts)?\b|\brate (?:you|the (?:bot|service|plan|app))\b|\bleave a (?:review|rating)\b|\bgive (?:a |you a )?rating\b`, "反馈", "投诉", "评价", "打分", "评分", "吐槽", "feedback", "complain", "rate ", "leave a", "rating")
)

// DetectIntent returns the intent and, for IntentLanguage, the language asked for ("zh"
// or "en", "" when just "change language"). It prefers precision: a trip description
// that happens to mention a hospital or help is not an intent.
func DetectIntent(text string) (Intent, string) {
	s := strings.TrimSpace(asciiLower(normalizeText(text)))
	if s == "" {
		return IntentNone, ""
	}
	if emergencyIn(s) {
		return IntentEmergency, ""
	}
	if whoWords.in(s) && !has(s, "connect", "talk to", "speak to", "transfer", "转人工", "人工客服", "找人工") {
		return IntentNone, "" // "are you a human?", 你是真人吗: a question about the bot
	}
	if m := reCommand.FindStringSubmatch(s); m != nil {
		in, ok := commands[m[1]]
		if !ok {
			return IntentNone, ""
		}
		switch in {
		case IntentLanguage:
			return in, langCode(strings.TrimSpace(m[2]))
		case IntentSubscribe, IntentUnsubscribe:
			return in, noticeArg(m[2], true)
		}
		return in, ""
	}
	if reHuman.MatchString(reTravelAgent.ReplaceAllString(s, "")) {
		return IntentHuman, ""
	}
	const punct = " .,!?;:~-…\"'"
	// head keeps a trailing particle, which tells "算了" (drop it) from a bare "算".
	head := strings.Trim(rePolite.ReplaceAllString(strings.Trim(s, punct), ""), punct)
	core := head
	for i := 0; i < 3; i++ {
		core = strings.Trim(trimPoliteTail(rePolite.ReplaceAllString(core, "")), punct)
	}
	if m := reLangTo.FindStringSubmatch(core); m != nil {
		return IntentLanguage, langCode(m[1])
	}
	if reLangPlain.MatchString(core) {
		return IntentLanguage, ""
	}
	if core == "" && strings.ContainsAny(s, "?") {
		return IntentHelp, ""
	}
	for _, w := range wholeIntents {
		if w.re.MatchString(core) || w.re.MatchString(head) {
			if w.intent == IntentSubscribe || w.intent == IntentUnsubscribe {
				// "订阅维护和停服通知", "unsubscribe from maintenance"
				return w.intent, noticeArg(core, false)
			}
			return w.intent, ""
		}
	}
	if reWeather.MatchString(s) {
		return IntentWeather, ""
	}
	if reFeedback.MatchString(s) {
		return IntentFeedback, ""
	}
	return IntentNone, ""
}

func emergencyIn(s string) bool {
	if !reEmergency.MatchString(s) {
		return false
	}
	t := reNotEmergency.ReplaceAllString(s, " ")
	if !reEmergency.MatchString(t) || emergencyAsking.MatchString(t) {
		return false
	}
	// A trouble talked about without being had, in every clause that names one: 如果护照丢了
	// 怎么办, 上次去成都钱包被偷了, 会不会被偷, 有没有儿童医院, 太棒了 救命 爱了.
	t = emergencyIdioms.blank(t)
	for _, loc := range reEmergency.FindAllStringIndex(t, -1) {
		clause := emergencyClauseAt(t, loc[0], loc[1])
		if !emergencyVeto.MatchString(clause) && !reAsksAhead.MatchString(clause) && !saysFine(t, loc[0]) {
			return true
		}
	}
	return false
}

// reAllWell says the traveller is fine ("我没事", "we're ok, just asking"); reAsksAhead a
// clause that asks about a trouble rather than reports one.
var (
	reAllWell   = regexp.MustCompile(`(?:我|我们)没事(?:[，,。.!！\s]|$)|没出事|\b(?:i'?m|we'?re|i am|we are) (?:fine|ok|okay|safe|alright)\b`)
	reAsksAhead = regexp.MustCompile(`会不会|有没有(?:儿童)?(?:医院|诊所|药店|警察局|派出所)|治安|安全吗|要注意|注意什么|怎么预防|怎样预防|\bis it safe\b|\bhow safe\b|\b(?:will|could|might|would) (?:we|i|my|our|you) (?:get|be)\b|\bany (?:hospitals?|police)\b|\bis there an? (?:hospital|police)\b`)
)

func langCode(s string) string {
	switch s {
	case "zh", "cn", "zh-cn", "chinese", "mandarin", "中文", "汉语", "普通话", "简体中文":
		return "zh"
	case "en", "english", "英文", "英语":
		return "en"
	}
	return ""
}

// politeTail ends a request without changing it ("help please", "取消吧").
var politeTail = []string{"please", "pls", "thanks", "thank you", "now", "吧", "一下", "谢谢", "呢", "吗", "啊", "呀", "哦", "了"}

// trimPoliteTail removes one polite word at the end, as `\s*(?:please|…)$` would: the
// spaces after it stay, the ones before it go.
func trimPoliteTail(s string) string {
	best := -1
	for _, w := range politeTail {
		if len(w) > best && strings.HasSuffix(s, w) {
			best = len(w)
		}
	}
	if best < 0 {
		return s
	}
	return strings.TrimRight(s[:len(s)-best], " \t\n\f\r")
}
