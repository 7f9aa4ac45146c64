package dialog

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ActEdit is a change inside a plan the traveller already has: a day, a place, the dates
// as a whole, the pace or the price, or a step back through its versions.
const ActEdit Act = "edit"

// EditKind names what a plan edit does.
type EditKind string

// The edits a traveller can ask for in words or by a button.
const (
	EditShift   EditKind = "shift"   // every date moves by Days (negative: earlier)
	EditLonger  EditKind = "longer"  // Days more at the end
	EditShorter EditKind = "shorter" // Days fewer: the last ones, or Day (1 or -1)
	EditDrop    EditKind = "drop"    // Place leaves the plan
	EditAdd     EditKind = "add"     // With joins the plan, on Day if given
	EditReplace EditKind = "replace" // Day (or its Part) becomes With
	EditPace    EditKind = "pace"    // With is "relax" or "more"
	EditCheaper EditKind = "cheaper" // spend less
	EditBetter  EditKind = "better"  // better hotels and tables
	EditUndo    EditKind = "undo"    // back one version
	EditRedo    EditKind = "redo"    // forward again after an undo
	EditRestore EditKind = "restore" // Version again, as a new version
	EditSwap    EditKind = "swap"    // Day and Other trade what they hold
	// EditFree is a change to a day said in free words ("第二天想浪漫一点"): only a model
	// can make it; the offline planner cannot.
	EditFree EditKind = "free"
)

// PlanEdit is one change asked of a plan. Day counts from 1; -1 is the last day.
type PlanEdit struct {
	Kind    EditKind `json:"kind"`
	Days    int      `json:"days,omitempty"`
	Day     int      `json:"day,omitempty"`
	Other   int      `json:"other,omitempty"` // the day Day trades places with (swap)
	Part    string   `json:"part,omitempty"`  // morning, afternoon or evening
	Place   string   `json:"place,omitempty"`
	With    string   `json:"with,omitempty"`
	Version int      `json:"version,omitempty"`
	Text    string   `json:"text,omitempty"` // the traveller's words, for a model
}

// Versioning reports whether the edit moves between stored versions rather than
// changing a plan's content.
func (e PlanEdit) Versioning() bool {
	return e.Kind == EditUndo || e.Kind == EditRedo || e.Kind == EditRestore
}

// dayZH and dayEN name one day of a plan.
const (
	dayZH = `(第[一二两三四五六七八九十\d]+天|最后一天)`
	dayEN = `(day\s+\d{1,2}|(?:the\s+)?(?:first|second|third|fourth|fifth|last)\s+day)`
)

const numWord = `(\d{1,2}|[一二两三四五六七八九十]|a|an|one|two|three|four|five|six|seven|eight|nine|ten)`

var (
	// Shifting every date: "全部往后推一天", "move it all two days earlier".
	reShiftZH = regexp.MustCompile(`^(?:全部|整体|整个行程|行程整体|行程|所有(?:日期)?|日期|都|全都|整个)?\s*(?:都|全部|整体)?\s*(往后|向后|推迟|延后|延迟|后推|推后|往前|向前|提前|提早)(?:推|挪|移|顺延|延|推迟)?\s*` + numWord + `\s*(天|周|个星期|星期)(?:出发)?$`)
	// "make it a week later", "start 2 days earlier", 晚一周出发, 早两天走: the whole trip moves.
	reShiftEN2   = regexp.MustCompile(`^(?:make it|start|leave|go|set off|depart|begin|travel|do it)\s+` + numWord + `\s+(days?|weeks?)\s+(later|earlier|sooner)$`)
	reShiftZH2   = regexp.MustCompile(`^(?:我们|我)?(?:想|要)?(晚|早|推迟|提前)\s*` + numWord + `\s*(天|周|个星期|星期)(?:出发|走|去|动身)?(?:吧)?$`)
	reShiftEN    = regexp.MustCompile(`^(?:move|shift|push|postpone|delay|bring|put)\s+(?:(?:it|everything|the (?:whole )?trip|the (?:whole )?plan|all|the dates|it all|everything all)\s+)*(?:all\s+)?(?:back\s+|forward\s+)?(?:by\s+)?` + numWord + `\s+(days?|weeks?)\s*(later|earlier|forward|back|ahead)?$`)
	rePostponeEN = regexp.MustCompile(`^(?:postpone|delay)\s+(?:it\s+|everything\s+|the trip\s+)?by\s+` + numWord + `\s+days?$`)

	reLongerZH = regexp.MustCompile(`^(?:想|要|再)?(?:多加|多玩|多待|多留|多呆|再加|加|延长|增加|多住|再玩|再待|多)\s*` + numWord + `\s*天$`)
	reLongerEN = regexp.MustCompile(`^(?:add|stay|extend(?: it| the trip)?(?: by)?|make it|one more|an extra)\s*(?:` + numWord + `\s+)?(?:more\s+|extra\s+)?(?:days?)\s*(?:more|longer|extra|at the end)?$|^(?:stay )?(?:one|a) more day$|^stay an extra day$|^extend (?:it|the trip) by ` + numWord + ` days?$`)

	// One end of the trip moved: 晚一天回来, 早两天回去, 晚回来一天, "come back a day later",
	// "we need to leave a day early" (the trip ends sooner), "arriving a day late" (it
	// starts later).
	reEndMovedZH  = regexp.MustCompile(`^(?:我们|我)?(?:想|要|得|需要|打算)?(?:(晚|早|推迟|提前)\s*` + numWord + `\s*天(?:回来|回去|回家|返回|返程|走|离开|结束)|(晚|早)(?:回来|回去|回家|返回|返程|走)\s*` + numWord + `\s*天)(?:吧)?$`)
	reStartLateZH = regexp.MustCompile(`^(?:我们|我)?(?:会|要|得)?(?:晚|推迟)\s*` + numWord + `\s*天(?:到|抵达|过去)(?:吧)?$`)
	reEndMovedEN  = regexp.MustCompile(`^(?:(?:we|i)\s+)?(?:need to\s+|have to\s+|want to\s+|will\s+|must\s+|gotta\s+|should\s+|'ll\s+)?(?:leave|head home|fly home|fly back|come back|return|go home|get back|head back|go back)\s+` + numWord + `\s+days?\s+(early|earlier|sooner|late|later)$`)
	reStartLateEN = regexp.MustCompile(`^(?:(?:we|i)(?:'re|'m)?\s+)?(?:are\s+|am\s+|will be\s+|'ll be\s+)?(?:arriving|arrive|getting there|get there|landing|land)\s+` + numWord + `\s+days?\s+(?:late|later)$`)
	reShorterZH   = regexp.MustCompile(`^(?:少玩|减少|减|缩短|少待|少住|去掉|删掉|砍掉)\s*` + numWord + `\s*天$`)
	reDayGoneZH   = regexp.MustCompile(`^(?:去掉|删掉|砍掉|取消|不要)(最后一天|第一天|第[一二两三四五六七八九十\d]+天)$|^把?(最后一天|第[一二两三四五六七八九十\d]+天)(?:就)?(?:不要了|不去了|去掉|取消|删掉|删了|删除|砍掉)(?:吧)?$`)
	reDayGoneEN   = regexp.MustCompile(`^(?:cut|drop|remove|skip|lose|delete|scrap)\s+(day\s+\d{1,2}|the\s+(?:second|third|fourth|fifth)\s+day)$|^(?:i|we)\s+(?:don'?t|do not)\s+want\s+(day\s+\d{1,2}|the\s+(?:first|second|third|fourth|fifth|last)\s+day)$`)
	reShorterEN   = regexp.MustCompile(`^(?:cut|drop|remove|skip|lose)\s+the\s+(last|first|final)\s+day$|^(?:make it\s+)?` + numWord + `\s+days?\s+shorter$|^cut (?:it|the trip) by ` + numWord + ` days?$|^(?:shorten|reduce|trim)\s+(?:it|the trip|the plan|our trip|my trip)\s+by\s+` + numWord + `\s+days?$|^(?:make it )?shorter by ` + numWord + ` days?$|^(?:cut|drop|lose|take off)\s+` + numWord + `\s+days?$|^` + numWord + `\s+(?:fewer|less)\s+days?$`)
	reDropZH      = regexp.MustCompile(`^(?:我们|我)?(?:不要去|不想去|不去|别去|去掉|删掉|删除|取消|不要)\s*(.{1,20}?)(?:了|吧)?$|^(.{1,20}?)(?:不去了|不想去了|不要了|就不去了)$|^把(.{1,20}?)(?:去掉|删掉|删了|取消)(?:吧)?$`)
	reDropEN      = regexp.MustCompile(`^(?:skip|drop|remove|take out|leave out|cut|scrap|lose|cancel|ditch)\s+(?:the\s+)?(.{2,40})$|^no\s+(?:more\s+)?(?:the\s+)?(.{2,40}?)(?:\s+please)?$|^(?:we|i)\s+(?:don'?t|do not)\s+want\s+to\s+(?:go to|visit|see)\s+(?:the\s+)?(.{2,40})$`)
	reAddZH       = regexp.MustCompile(`^(?:想|再)?在?(第[一二两三四五六七八九十\d]+天|最后一天)?(?:的行程|的安排)?(?:里|上)?(?:再)?(?:加一个|加个|加上|加|增加一个|增加|添加|安排一个|安排个)\s*(.{1,20}?)(?:吧)?$`)
	reAddEN       = regexp.MustCompile(`^(?:add|include|fit in|throw in|put in)\s+(?:a\s+|an\s+|the\s+|some\s+)?(.{2,40}?)(?:\s+(?:on|for|to)\s+(day\s+\d{1,2}|(?:the\s+)?(?:first|last|final)\s+day))?$`)
	reReplaceZH   = regexp.MustCompile(`^把?(第[一二两三四五六七八九十\d]+天|最后一天)(上午|下午|晚上)?(?:的行程|的安排)?(?:换成|改成|改为|换为|安排|去)\s*(.{1,24}?)(?:吧)?$`)
	reReplaceEN   = regexp.MustCompile(`^(?:swap|replace|change)\s+(?:the\s+)?(day\s+\d{1,2}|(?:first|second|third|fourth|fifth|last)\s+day)(?:'s)?\s*(morning|afternoon|evening)?\s+(?:for|with|to|into)\s+(?:a\s+|an\s+|the\s+|some\s+)?(.{2,40})$`)
	reInsteadEN   = regexp.MustCompile(`^(day\s+\d{1,2}|(?:the\s+)?(?:first|second|third|fourth|fifth|last)\s+day)\s*(morning|afternoon|evening)?\s*[:,-]?\s*(?:a\s+|an\s+|some\s+)?(.{2,40}?)\s+instead$|^(?:make|let)\s+(?:the\s+)?(day\s+\d{1,2}|(?:first|second|third|fourth|fifth|last)\s+day)\s+(?:be\s+)?(?:a\s+|an\s+)?(.{2,40})$|^the\s+((?:first|second|third|fourth|fifth|last)\s+day|day\s+\d{1,2})\s+should\s+be\s+(?:a\s+|an\s+)?(.{2,40})$`)
	reFreeZH      = regexp.MustCompile(`^(?:把)?(第[一二两三四五六七八九十\d]+天|最后一天)(?:的行程|的安排)?(?:想|要|能不能|可以)?(?:再)?(?:更)?(.{1,6}(?:一点|一些|点|些))(?:吧)?$|^(第[一二两三四五六七八九十\d]+天|最后一天)(?:的行程|的安排)?(太无聊了|太累了|不太好|不喜欢|换一换|换个花样|重新安排一下|重新安排|调整一下)(?:吧)?$`)
	reFreeEN      = regexp.MustCompile(`^(?:make|can you make)\s+(?:the\s+)?(day\s+\d{1,2}|(?:first|second|third|fourth|fifth|last)\s+day)\s+(more|less)\s+([a-z ]{3,30})$|^(day\s+\d{1,2}|the\s+(?:first|second|third|fourth|fifth|last)\s+day)\s+(?:is|looks|feels|seems)\s+(?:too\s+|a bit\s+|kind of\s+)?(boring|dull|tiring|much|busy|plain)$|^(?:rework|redo|rethink|change up|mix up)\s+(day\s+\d{1,2}|the\s+(?:first|second|third|fourth|fifth|last)\s+day)$`)
	// Two days trading places: 第二天和第三天换一下, 把最后一天跟第一天对调, "swap day 2 and
	// day 3", "switch days 2 and 4", "swap the first day with the last day".
	reSwapZH    = regexp.MustCompile(`^(?:把|将)?` + dayZH + `(?:的行程|的安排)?(?:和|跟|与|同)` + dayZH + `(?:的)?(?:行程|安排|顺序)?(?:的顺序)?(?:换一下|换下|调换一下|调换|对调一下|对调|互换一下|互换|换过来|交换一下|交换|调一下|换个顺序|调个顺序|换一换|反过来|颠倒一下|换)(?:吧|一下吧)?$`)
	reSwapEN    = regexp.MustCompile(`^(?:swap|switch|flip|exchange|trade|reverse)\s+(?:the\s+order\s+of\s+|around\s+)?` + dayEN + `\s+(?:and|with|for|&)\s+(day\s+\d{1,2}|\d{1,2}|(?:the\s+)?(?:first|second|third|fourth|fifth|last)\s+day)(?:\s+around)?$|^(?:swap|switch|flip|exchange)\s+days\s+(\d{1,2})\s+(?:and|&)\s+(\d{1,2})$`)
	reRestoreZH = regexp.MustCompile(`^(?:还是|我想|我要|想|要)?(?:用|回到|恢复|还原到|恢复到|退回到|换回|改回)\s*第\s*([一二两三四五六七八九十\d]+)\s*版(?:本)?(?:吧)?$`)
	reRestoreEN = regexp.MustCompile(`^(?:go back to|use|restore|revert to|back to)\s+(?:the\s+)?version\s+(\d{1,3})$`)
	undoWords   = wordSet(`撤销|上一版|上个版本|回到上一个版本|回到上一版|改回去|还原|恢复上一版|退回上一版|undo|undo that|undo it|revert|revert it|go back to the previous version|previous version|the previous version|back to the last version|undo the last change|` +
		`撤回|撤销上一步|撤销刚才的修改|取消刚才的修改|撤销修改|恢复原来的|恢复原样|改回原来的|改回原来的吧|刚才那个改回去|还是原来的好|还是原来的吧|算了还是原来的好|算了 还是原来的好|还原回去|` +
		`undo the change|undo my last change|go back to how it was|put it back|change it back|change it back please|back to how it was`)
	redoWords    = wordSet(`重做|恢复刚才的修改|redo|redo that`)
	relaxWords   = wordSet(`more chill|chill|chiller|more chilled|less hectic|not so hectic|too hectic|calmer|more calm|something more chill|something calmer|轻松一点|轻松点|轻松一些|轻松些|松一点|少安排一点|少安排点|less busy|more chill|lighter|more laid back|more laid-back|节奏慢一点|慢一点|别太累|悠闲一点|悠闲点|不要太赶|别太赶|太赶了|宽松一点|休闲一点|more relaxed|slow it down|take it easy|a slower pace|slower pace|less packed|less rushed|too rushed|too busy|more relaxing`)
	moreWords    = wordSet(`紧凑一点|紧凑点|多安排点景点|多安排一些|多安排点|安排满一点|充实一点|多去几个地方|pack more in|fit more in|more packed|busier|see more|more sights|squeeze more in`)
	cheaperWords = wordSet(`太贵了|便宜一点|便宜点|省钱一点|省点钱|有没有便宜点的|再便宜点|预算低一点|花少一点|make it cheaper|too expensive|cheaper please|cheaper|save money|cut costs|less expensive|too pricey`)
	betterWords  = wordSet(`升级酒店|酒店好一点|住好一点|住得好一点|更好一点|豪华一点|upgrade the hotel|upgrade the hotels|upgrade|nicer hotel|nicer hotels|better hotel|better hotels|make it fancier|fancier|more luxurious`)
)

// reDayTripEN is a day trip asked for on a day: "add a day trip to suzhou on day 2".
var reDayTripEN = regexp.MustCompile(`^(?:add|do|fit in|include|plan|we want|i want|let'?s do)\s+(?:a\s+)?day[- ]trip\s+to\s+(.{2,30}?)\s+(?:on|for)\s+(day\s+\d{1,2}|the\s+(?:first|second|third|fourth|fifth|last)\s+day)$`)

// addCompound reports whether 加 before thing means something other than adding to
// the plan: a word of its own (加粗, 加油, 加班, 加急) or adding a contact (加个微信).
func addCompound(core, thing string) bool {
	if has(thing, "微信", "好友", "群", "联系方式", "qq") {
		return true // 加个微信: a contact, not an activity
	}
	i := strings.Index(core, thing)
	if i < len("加") || core[i-len("加"):i] != "加" || strings.HasSuffix(core[:i], "增加") || strings.HasSuffix(core[:i], "再加") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(thing)
	return strings.ContainsRune("粗油班急钱人热速快价倍强入减工湿密冰塞载微好", r)
}

// readEdit reads text as a plan edit. It is asked only once a plan exists, and prefers
// precision: a slot correction ("预算改成5000") or a choice is left to the other readings.
func readEdit(text string) (PlanEdit, bool) {
	low := strings.TrimSpace(asciiLower(normalizeText(text)))
	core := strings.Trim(low, " .,!?;:~…\"'。！？，")
	core = strings.Trim(rePolite.ReplaceAllString(core, ""), " ,，")
	for _, tail := range []string{" please", " pls", " plz", " thanks", " thx", " thank you"} {
		core = strings.TrimSuffix(core, tail)
	}
	core = strings.TrimPrefix(core, "please ")
	for _, lead := range []string{"actually, ", "actually ", "ok, ", "ok ", "okay, ", "okay ", "so ", "hmm ", "um ", "oh ", "also ", "and ", "but ", "sorry, ", "sorry ", "其实", "那就", "嗯"} {
		core = strings.TrimPrefix(core, lead)
	}
	core = strings.TrimPrefix(core, "can we ")
	core = strings.TrimPrefix(core, "can you ")
	core = strings.TrimPrefix(core, "could we ")
	core = strings.TrimPrefix(core, "could you ")
	if core == "" || utf8.RuneCountInString(core) > 60 {
		return PlanEdit{}, false
	}
	if e, ok := readEditCore(core); ok {
		if asksWhat(e) {
			return PlanEdit{}, false
		}
		e.Text = strings.TrimSpace(text)
		return e, true
	}
	// "多玩一天吧", "第二天换成博物馆呢": a polite word at the end says nothing more.
	if trimmed := strings.TrimSpace(trimPoliteTail(core)); trimmed != core && trimmed != "" {
		if e, ok := readEditCore(trimmed); ok && !asksWhat(e) {
			e.Text = strings.TrimSpace(text)
			return e, true
		}
	}
	return PlanEdit{}, false
}

// asksWhat reports an edit whose new thing is a question: "第三天晚上去哪吃？" or
// "第2天换成什么比较好？" ask what to do, and "哪吃" or "什么比较好" is no place to go.
func asksWhat(e PlanEdit) bool {
	w := e.With + " " + e.Place
	return has(w, "哪", "什么", "啥", "怎么", "吗", "几个", "多少", "?", "？") || reAsksWhatEn.MatchString(w)
}

var reAsksWhatEn = regexp.MustCompile(`\b(?:what|which|where|how|anything|something good)\b`)

// readEditCore reads a message folded to lower case with its polite openings removed.
func readEditCore(core string) (PlanEdit, bool) {
	var e PlanEdit
	// "this is too expensive", "这个方案太贵了": what a word set names, said of the plan.
	bare := core
	for _, lead := range []string{"get a ", "get ", "this plan is ", "the plan is ", "this is ", "that's ", "it's ", "it is ", "its ", "这个方案", "这个行程", "方案", "这个", "有点"} {
		bare = strings.TrimPrefix(bare, lead)
	}
	whole := func(set map[string]bool) bool {
		return set[core] || set[strings.TrimSpace(strings.TrimSuffix(core, "吧"))] || set[bare] || set[strings.TrimSpace(strings.TrimSuffix(bare, "吧"))]
	}
	switch {
	case whole(undoWords):
		e.Kind = EditUndo
		return e, true
	case whole(redoWords):
		e.Kind = EditRedo
		return e, true
	}
	if m := reRestoreZH.FindStringSubmatch(core); m != nil {
		e.Kind, e.Version = EditRestore, number(m[1])
		return e, e.Version > 0
	}
	if m := reRestoreEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Version = EditRestore, number(m[1])
		return e, e.Version > 0
	}
	if m := reSwapZH.FindStringSubmatch(core); m != nil {
		e.Kind, e.Day, e.Other = EditSwap, dayNumber(m[1]), dayNumber(m[2])
		return e, e.Day != 0 && e.Other != 0 && e.Day != e.Other
	}
	if m := reSwapEN.FindStringSubmatch(core); m != nil {
		a, b := m[1], m[2]
		if a == "" {
			a, b = "day "+m[3], m[4]
		}
		if number(b) > 0 {
			b = "day " + b
		}
		e.Kind, e.Day, e.Other = EditSwap, dayNumber(a), dayNumber(b)
		return e, e.Day != 0 && e.Other != 0 && e.Day != e.Other
	}
	if m := reShiftZH.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditShift, number(m[2])
		if m[3] != "天" {
			e.Days *= 7
		}
		if strings.Contains("往前向前提前提早", m[1]) {
			e.Days = -e.Days
		}
		return e, e.Days != 0
	}
	if m := reShiftEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditShift, number(m[1])
		if strings.HasPrefix(m[2], "week") {
			e.Days *= 7
		}
		earlier := m[3] == "earlier" || m[3] == "forward" || m[3] == "ahead" || strings.HasPrefix(core, "bring") || strings.Contains(core, " forward ")
		if m[3] == "" && !earlier && !strings.Contains(core, " back ") && !strings.HasPrefix(core, "postpone") && !strings.HasPrefix(core, "delay") {
			return PlanEdit{}, false
		}
		if earlier {
			e.Days = -e.Days
		}
		return e, e.Days != 0
	}
	if m := reShiftEN2.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditShift, number(m[1])
		if strings.HasPrefix(m[2], "week") {
			e.Days *= 7
		}
		if m[3] != "later" {
			e.Days = -e.Days
		}
		return e, e.Days != 0
	}
	if m := reShiftZH2.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditShift, number(m[2])
		if m[3] != "天" {
			e.Days *= 7
		}
		if m[1] == "早" || m[1] == "提前" {
			e.Days = -e.Days
		}
		return e, e.Days != 0
	}
	if m := rePostponeEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditShift, number(m[1])
		return e, e.Days != 0
	}
	if m := reEndMovedZH.FindStringSubmatch(core); m != nil {
		if m[1] != "" {
			e.Days = number(m[2])
		} else {
			e.Days = number(m[4])
		}
		e.Kind = EditLonger
		if m[1] == "早" || m[1] == "提前" || m[3] == "早" {
			e.Kind, e.Day = EditShorter, -1
		}
		return e, e.Days > 0
	}
	if m := reEndMovedEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditLonger, number(m[1])
		if m[2] == "early" || m[2] == "earlier" || m[2] == "sooner" {
			e.Kind, e.Day = EditShorter, -1
		}
		return e, e.Days > 0
	}
	if m := reStartLateZH.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days, e.Day = EditShorter, number(m[1]), 1
		return e, e.Days > 0
	}
	if m := reStartLateEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days, e.Day = EditShorter, number(m[1]), 1
		return e, e.Days > 0
	}
	if m := reLongerZH.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditLonger, number(m[1])
		return e, e.Days > 0
	}
	if m := reLongerEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditLonger, 1
		for _, g := range m[1:] {
			if g != "" {
				e.Days = number(g)
			}
		}
		if strings.HasPrefix(core, "make it") && !strings.HasSuffix(core, "longer") {
			return PlanEdit{}, false
		}
		return e, e.Days > 0
	}
	if m := reDayGoneZH.FindStringSubmatch(core); m != nil {
		which := m[1] + m[2]
		e.Kind, e.Days, e.Day = EditShorter, 1, dayNumber(which)
		return e, e.Day != 0
	}
	if m := reDayGoneEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days, e.Day = EditShorter, 1, dayNumber(m[1]+m[2])
		return e, e.Day != 0
	}
	if m := reShorterZH.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditShorter, number(m[1])
		return e, e.Days > 0
	}
	if m := reShorterEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Days = EditShorter, 1
		switch m[1] {
		case "last", "final":
			e.Day = -1
		case "first":
			e.Day = 1
		}
		for _, g := range m[2:] {
			if g != "" {
				e.Days = number(g)
			}
		}
		return e, e.Days > 0
	}
	if m := reFreeZH.FindStringSubmatch(core); m != nil && !has(core, "便宜", "贵", "预算") {
		e.Kind, e.Day = EditFree, dayNumber(m[1]+m[3])
		// "第二天轻松一点": one day's pace, which needs no model.
		e.With = dayPace(m[2] + m[4])
		if e.With != "" {
			e.Kind = EditPace
		}
		return e, e.Day != 0
	}
	if m := reFreeEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Day = EditFree, dayNumber(m[1]+m[4]+m[6])
		if m[2] != "" {
			e.With = dayPace(m[2] + " " + m[3])
		} else {
			e.With = dayPace(m[5])
		}
		if e.With != "" {
			e.Kind = EditPace
		}
		return e, e.Day != 0
	}
	if m := reReplaceZH.FindStringSubmatch(core); m != nil {
		e.Kind, e.Day, e.Part, e.With = EditReplace, dayNumber(m[1]), partName(m[2]), cleanThing(m[3])
		return e, e.Day != 0 && e.With != ""
	}
	if m := reReplaceEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Day, e.Part, e.With = EditReplace, dayNumber(m[1]), m[2], cleanThing(m[3])
		return e, e.Day != 0 && e.With != ""
	}
	if m := reInsteadEN.FindStringSubmatch(core); m != nil {
		e.Kind = EditReplace
		switch {
		case m[1] != "":
			e.Day, e.Part, e.With = dayNumber(m[1]), m[2], cleanThing(m[3])
		case m[4] != "":
			e.Day, e.With = dayNumber(m[4]), cleanThing(m[5])
		default:
			e.Day, e.With = dayNumber(m[6]), cleanThing(m[7])
		}
		return e, e.Day != 0 && e.With != ""
	}
	switch {
	case whole(relaxWords):
		e.Kind, e.With = EditPace, "relax"
		return e, true
	case whole(moreWords):
		e.Kind, e.With = EditPace, "more"
		return e, true
	case whole(cheaperWords):
		e.Kind = EditCheaper
		return e, true
	case whole(betterWords):
		e.Kind = EditBetter
		return e, true
	}
	// "add a day trip to suzhou on day 2": that day becomes the outing.
	if m := reDayTripEN.FindStringSubmatch(core); m != nil {
		e.Kind, e.Day, e.With = EditReplace, dayNumber(m[2]), "day trip to "+cleanThing(m[1])
		return e, e.Day != 0
	}
	if m := reAddZH.FindStringSubmatch(core); m != nil && !has(m[2], "预算", "钱", "元", "天", "人", "朋友", "同事", "同学", "孩子", "小孩", "小朋友", "奶奶", "爷爷", "外婆", "外公", "妈", "爸", "老婆", "老公", "需求") && !addCompound(core, m[2]) {
		e.Kind, e.With = EditAdd, cleanThing(m[2])
		if m[1] != "" {
			e.Day = dayNumber(m[1])
		}
		return e, e.With != ""
	}
	if m := reAddEN.FindStringSubmatch(core); m != nil && !has(m[1], "me ", "my ", "our ", "newsletter", "budget", "day", "person", "people", "kid", "child", "friend", "grandma", "grandpa", "mum", "mom", "dad", "wife", "husband", "partner", "sister", "brother", "son", "daughter") {
		e.Kind, e.With = EditAdd, cleanThing(m[1])
		if m[2] != "" {
			e.Day = dayNumber(m[2])
		}
		return e, e.With != ""
	}
	// "算了不去了": giving the trip up, not a place called 算.
	if m := reDropZH.FindStringSubmatch(core); m != nil && !strings.HasPrefix(core, "不去了") && !strings.Contains(core, "算了") {
		place := dayOfThing(cleanThing(m[1] + m[2] + m[3]))
		if place == "" || reLeavesZh.MatchString(core) || reOneLess.MatchString(core) || has(place, "预算", "天", "一个人", "行程", "旅行", "计划", "方案", "通知", "人工", "订阅", "孩子", "狗", "猫", "取消", "了") || notThing(place) {
			return PlanEdit{}, false
		}
		e.Kind, e.Place = EditDrop, place
		return e, true
	}
	if m := reDropEN.FindStringSubmatch(core); m != nil {
		place := dayOfThing(cleanThing(m[1] + m[2] + m[3]))
		if place == "" || has(place, "my ", "our ", "booking", "reservation", "ticket", "trip", "plan", "budget", "day", "notification", "thanks", "problem", "worries", "idea", "kids", "dog", "need", "access", "wheelchair", "longer", "anymore") || notThing(place) {
			return PlanEdit{}, false
		}
		e.Kind, e.Place = EditDrop, place
		return e, true
	}
	return PlanEdit{}, false
}

// reDayOfThing is a day named by what it holds: "the beach day", "museum days",
// 西湖那天, 去海边的那一天.
var reDayOfThing = regexp.MustCompile(`^(?:去)?(.+?)(?:的)?(?:那一天|那天|那日)$|^(.+?)\s+(?:day\s+trips?|days?|trips?|excursions?)$`)

// dayOfThing is the thing of a day named by what it holds, or thing as it is.
func dayOfThing(thing string) string {
	if m := reDayOfThing.FindStringSubmatch(thing); m != nil {
		if t := cleanThing(m[1] + m[2]); t != "" && dayNumber(t) == 0 && !slices.ContainsFunc(strings.Fields(t), func(w string) bool {
			return slices.Contains([]string{"first", "last", "second", "third", "whole", "full", "half", "every", "one", "two", "some", "a"}, w)
		}) {
			return t
		}
	}
	return thing
}

// dayPace is the pace a day's free words ask for ("轻松一点", "more relaxed", "太累了"):
// "relax", "more", or "" for something else.
func dayPace(words string) string {
	words = strings.TrimSpace(words)
	switch {
	case relaxWords[words] || words == "太累了" || words == "tiring" || words == "busy" || words == "much":
		return "relax"
	case moreWords[words]:
		return "more"
	}
	return ""
}

// wordSet is a set of whole messages, "|"-separated.
func wordSet(spec string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(spec, "|") {
		m[w] = true
	}
	return m
}

// notThing rejects words that cannot name a place or an activity.
func notThing(s string) bool {
	switch s {
	case "了", "吧", "啊", "这个", "那个", "it", "that", "this", "them", "all", "everything", "anything", "way", "thanks", "thank you", "wait", "worries", "problem", "idea":
		return true
	}
	return false
}

var reThingNoise = regexp.MustCompile(`^(?:一个|一下|个|去|a |an |the |some )+|(?:吧|了|呢|啊|please| then| instead)+$`)

// cleanThing trims the articles and particles around a place or activity.
func cleanThing(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < 3; i++ {
		s = strings.TrimSpace(reThingNoise.ReplaceAllString(s, ""))
	}
	return strings.Trim(s, " ,，。.!！")
}

// number reads a small count in digits, Chinese or English words; "a" is one.
func number(s string) int {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	switch s {
	case "a", "an", "one", "一":
		return 1
	case "two", "二", "两":
		return 2
	case "three", "三":
		return 3
	case "four", "四":
		return 4
	case "five", "五":
		return 5
	case "six", "六":
		return 6
	case "seven", "七":
		return 7
	case "eight", "八":
		return 8
	case "nine", "九":
		return 9
	case "ten", "十":
		return 10
	}
	if v, ok := cnValue([]rune(s)); ok {
		return int(v)
	}
	return 0
}

// dayNumber reads "第二天", "最后一天", "day 2", "the last day": 1-based, -1 the last.
func dayNumber(s string) int {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "the "))
	switch {
	case s == "最后一天" || strings.HasPrefix(s, "last") || strings.HasPrefix(s, "final"):
		return -1
	case strings.HasPrefix(s, "第") && strings.HasSuffix(s, "天"):
		return number(strings.TrimSuffix(strings.TrimPrefix(s, "第"), "天"))
	case strings.HasPrefix(s, "day "):
		return number(strings.TrimPrefix(s, "day "))
	}
	for i, w := range []string{"first", "second", "third", "fourth", "fifth"} {
		if strings.HasPrefix(s, w) {
			return i + 1
		}
	}
	return 0
}

func partName(zh string) string {
	switch zh {
	case "上午":
		return "morning"
	case "下午":
		return "afternoon"
	case "晚上":
		return "evening"
	}
	return ""
}

// ReadEdit reads text as a plan edit, for callers outside a conversation (the
// recommendations API); ok is false when the text is not one.
func ReadEdit(text string) (PlanEdit, bool) { return readEdit(text) }
