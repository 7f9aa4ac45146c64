package dialog

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Destinations. A place is kept as written; the geocoder decides whether it exists.

// zhPlaceStops end a Chinese place name: what follows "去福州" is a verb, a particle or
// the next slot, never more of the name.
var zhPlaceStops = []string{
	"旅游", "旅行", "游玩", "玩", "度假", "看看", "看", "逛", "吃", "住", "待", "呆", "过", "转转", "走走", "出差",
	"的", "了", "吗", "吧", "呢", "啊", "呀", "哦", "和", "跟", "与", "或", "及", "带", "预算", "每人", "人均", "一共",
	"总共", "一", "两", "几", "那", "这", "哪", "在", "是", "有", "想", "要", "去", "么", "还", "再", "并", "然后", "顺便",
	"附近", "周边", "之旅", "游", "我", "你", "他", "她", "们", "吧", "而", "改", "换", "不", "没", "也", "就",
	"走起", "走", "趟", "出发", "自由行", "跟团", "过年", "跨年", "人", "天", "日", "晚", "夜", "周", "好",
}

// notPlaces are what people "go to" that is not a destination.
var notPlaces = map[string]bool{}

func init() {
	for _, w := range strings.Split(`园林|古典园林|公园|景点|景区|古镇|古城|老街|夜市|海边|海滩|沙滩|山里|山上|乡下|国外|外地|外面|哪里|哪儿|那里|那儿|这里|这儿|远方|旅游|旅行|度假|某地|别的地方|其他地方|草原|雪山|沙漠|森林|博物馆|古镇|爬山|看海|公司|上班|学校|医院|机场|火车站|高铁站|酒店|民宿|景点|旅游景点|吃饭|睡觉|海岛|购物|随便|都行|不知道|没想好|还没想好|周边|附近|外国|南方|北方|大城市|小城|人工|客服|真人|出发|启程|动身|出行|回来|回程|返回|开始`, "|") {
		notPlaces[w] = true
	}
	for _, w := range strings.Fields(`the a an my our your his her their see some somewhere anywhere everywhere there here it this that
		go do be bed work school home sleep eat visit travel relax beach beaches mountains mountain museum museums sea
		i we you he she they hello hi hey thanks thank yes no ok okay please sure maybe around about each total budget
		need want love like actually change make not also and next last first from until till with without for
		january february march april may june july august september october november december monday tuesday
		wednesday thursday friday saturday sunday christmas weekend summer winter spring autumn fall today tomorrow
		somewhere someplace nowhere lunch dinner breakfast city countryside town abroad europe? asia? help human agent
		cancel stop back start feedback status weather english chinese language none nothing anything whatever
		dont don't know idea sure plan trip holiday vacation family kids children dog dogs hotel hotels airport
		hospital station seaside coast island islands lake lakes hiking food seafood flight room set update dates date
		pax ppl people persons adults guests wait`) {
		notPlaces[strings.TrimSuffix(w, "?")] = true
	}
	// Shops, chains and made-up or unreachable worlds: somewhere people go, never a trip's
	// destination.
	for _, w := range strings.Split(`starbucks|mcdonald's|mcdonalds|kfc|apple|walmart|ikea|costco|target|amazon|google|subway|burger king|`+
		`the mall|mall|gym|the gym|cinema|the cinema|the movies|supermarket|church|the office|office|pub|club|`+
		`hogwarts|narnia|mordor|atlantis|wakanda|neverland|middle earth|mars|the moon|moon|heaven|`+
		`星巴克|麦当劳|肯德基|宜家|沃尔玛|商场|超市|网吧|健身房|电影院|火星|月球|月亮|天堂|霍格沃茨`, "|") {
		notPlaces[w] = true
	}
}

// enConnectors may join the words of a place name: Rio de Janeiro, Stratford upon Avon.
var enConnectors = map[string]bool{"de": true, "da": true, "do": true, "del": true, "di": true, "la": true, "le": true,
	"los": true, "las": true, "of": true, "upon": true, "on": true, "am": true, "sur": true, "en": true, "van": true, "von": true}

// placeAfterZh returns the span of the Chinese (or embedded Latin) place name at i.
func placeAfterZh(s string, i int) (int, int) {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	start, j := i, i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		// "去Chiang Mai", "想去Hong Kong": a name in Latin letters keeps its spaces.
		if r == ' ' && j > start && j+1 < len(s) && isASCIILetter(s[j-1]) && isASCIILetter(s[j+1]) && !hasHan(s[start:j]) {
			j++
			continue
		}
		if !(isHan(r) || unicode.IsLetter(r) || r == '·') {
			break
		}
		if j > start && isHan(r) {
			stop := false
			for _, w := range zhPlaceStops {
				if strings.HasPrefix(s[j:], w) {
					stop = true
					break
				}
			}
			if stop {
				break
			}
		}
		if j == start && isHan(r) {
			for _, w := range zhPlaceStops {
				if strings.HasPrefix(s[j:], w) && w != "游" {
					return start, start
				}
			}
		}
		j += size
	}
	return start, j
}

// placeBeforeZh returns the span of the Chinese place name ending at j ("福州之旅").
func placeBeforeZh(s string, j int) (int, int) {
	i := j
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if !isHan(r) {
			break
		}
		i -= size
		if strings.ContainsRune("去到的想我要在", r) {
			i += size
			break
		}
	}
	return i, j
}

// placeAfterEn returns the span of the English place name at i in the original-case text:
// capitalised words, or when lower is set, lower-case words up to the first common word.
func placeAfterEn(orig string, i int, lower bool) (int, int) {
	i = skipSpaces(orig, i)
	start, end, n := i, i, 0
	firstUpper := false
	for j := i; j < len(orig) && n < 4; {
		k := j
		for k < len(orig) {
			r, size := utf8.DecodeRuneInString(orig[k:])
			if !(unicode.IsLetter(r) && !isHan(r) || r == '\'' || r == '-' || r == '.') {
				break
			}
			k += size
		}
		if k == j {
			break
		}
		word := strings.TrimRight(orig[j:k], ".")
		lw := asciiLower(word)
		first, _ := utf8.DecodeRuneInString(word)
		upper := unicode.IsUpper(first)
		next := skipSpaces(orig, k)
		if n > 0 && !upper && enConnectors[lw] {
			// "Rostov on Don" joins; "Berlin on Dec 20", "Tokyo on New Year's Eve" do not.
			if r, _ := utf8.DecodeRuneInString(orig[min(next, len(orig)):]); next > k && unicode.IsUpper(r) && !dateWordAt(orig[next:]) {
				j = next
				continue
			}
			break
		}
		if word == "" || notPlaces[lw] || (!upper && (!lower || fillerWords[lw])) {
			break
		}
		// "Dest: Seoul\nWhen: 12/26": the next field's label ends the name.
		if n > 0 {
			if rest := orig[next:]; strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "：") || strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, "- ") && next > k {
				break
			}
		}
		// "New York", "new york": more words only in the case of the first.
		if n == 0 {
			firstUpper = upper
		} else if upper != firstUpper {
			break
		}
		end = j + len(word)
		n++
		if next == k || k > end {
			break // punctuation ends the name
		}
		j = next
	}
	return start, end
}

// dateWordAt reports whether s starts with a word of a date: a month, a weekday, a
// holiday ("Dec", "Friday", "New Year's", "Christmas").
func dateWordAt(s string) bool {
	w := asciiLower(s)
	if k := strings.IndexAny(w, " ,.;!?"); k >= 0 {
		w = w[:k]
	}
	return dateWordsEn[strings.TrimSuffix(w, "'s")]
}

var dateWordsEn = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
		august september october november december mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday
		friday saturday sunday new christmas xmas easter thanksgiving valentine valentines halloween boxing labor labour memorial`) {
		dateWordsEn[w] = true
	}
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// placeBeforeEn returns the span of the one to three words of a name that end at j
// ("Kyoto" in "Kyoto 4 days"): the message's first words, or those after punctuation.
func placeBeforeEn(orig string, j int) (int, int) {
	end := j
	for end > 0 && orig[end-1] == ' ' {
		end--
	}
	i, words := end, 0
	for i > 0 && words < 3 {
		k := i
		for k > 0 && orig[k-1] == ' ' {
			k--
		}
		w := k
		for w > 0 {
			r, size := utf8.DecodeLastRuneInString(orig[:w])
			if !(unicode.IsLetter(r) && !isHan(r) || r == '\'' || r == '-') {
				break
			}
			w -= size
		}
		if w == k {
			break
		}
		i, words = w, words+1
	}
	// The name must start the message or follow punctuation: "I have 4 days" names nothing.
	before := strings.TrimRight(orig[:i], " ")
	if i == end || before != "" && !strings.ContainsAny(before[len(before)-1:], ",.;:!?\n") {
		return j, j
	}
	return i, end
}

func looksLikePlace(p string) bool {
	p = strings.TrimSpace(p)
	n := utf8.RuneCountInString(p)
	if n < 2 || n > 40 || notPlaces[asciiLower(p)] {
		return false
	}
	letters := 0
	for _, r := range p {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '-' || r == '\'' || r == '.' || r == '·':
		default:
			return false
		}
	}
	return letters >= 2
}

var (
	reDestZh        = pat(`(?:想去|要去|打算去|准备去|计划去|飞往|前往|飞去|去|目的地\s*(?:是|为|[:=])?\s*|地点\s*[:=]\s*)`, "去", "飞往", "前往", "目的地", "地点")
	reDestZhTo      = pat(`到`, "到")
	reZhTripVerbs   = pat(`^\s*(?:去)?(?:玩|旅游|旅行|度假|看看|走走|转转|逛逛|游玩|耍)`)
	reDestZhTrip    = pat(`之旅|[0-9 ]*日?游|[0-9]+\s*天\s*[0-9]+\s*[晚夜]|自由行|跟团`, "之旅", "游", "晚", "夜", "自由行", "跟团")
	reDestZhNot     = pat(`不是|不去|把`, "不是", "不去", "把")
	reDestZhTo2     = pat(`^\s*[,]?\s*(?:而|改|换)?(?:是|去|成|为)\s*(?:去)?`)
	reDestZhChgBare = regexp.MustCompile(`(?:^|[，,。；;！!\s])(?:那就|那|就)?改\s*`)
	reDestZhChg     = pat(`(?:目的地|地点|地方)?\s*(?:改成|改为|换成|换到|改到|改去)\s*(?:去)?`, "改", "换")
	reDestEnStr     = pat(`(?i)\b(?:(?:trip|travel(?:l?ing)?|go(?:ing)?|head(?:ing)?|fly(?:ing)?|flights?|move|moving|journey|getaway|get away|holiday|vacation|come|coming|off)\s+to|visit(?:ing)?|explore|exploring|see(?:ing)?|(?:holiday|vacation|stay(?:ing)?|days|week|weekend|time)\s+in|destination(?:\s+is)?\s*[:=-]?|dest\s*[:=-]|where\s*[:=-]|city\s*[:=-]|thinking(?:\s+(?:of|about))?|how about|what about|looking at|doing|plan(?:ning)?(?:\s+me)?(?:\s+something\s+in)?)\s*`, " to ", "visit", "explor", "see", " in ", "destination", "dest", "where", "city", "thinking", "how about", "what about", "looking at", "doing", "plan")
	reLengthEn      = pat(`(?i)\s*,?\s*(?:for\s+)?(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a few)\s*-?\s*(?:days?|nights?|weeks?)\b`, "day", "night", "week")
	reDestEnWeak    = pat(`(?i)\b(?:to|in|at)\s+`, "to ", "in ", "at ")
	reDestEnNot     = pat(`(?i)\bnot\s+(?:to\s+)?`, "not")
	reDestEnNot2    = pat(`^\s*[,;-]?\s*(?:but\s+)?(?:rather\s+)?(?:to\s+)?`)
	reDestEnInst    = pat(`(?i)\binstead\s+of\s+`, "instead")
	reDestEnChg     = pat(`(?i)\bchange\s+(?:the\s+)?(?:destination|place|city)\s+(?:from\s+(.+?)\s+)?to\s+|\b(?:actually|make it|rather|i meant|i mean)\s*,?\s*(?:to\s+)?`, "change", "actually", "make it", "rather", "mean")
	reFillerHead    = pat(`(?i)^\s*(?:i\s+(?:want|would like|'d like|wanna|plan|am planning|am thinking|think|'m thinking)(?:\s+(?:to|of|about))?(?:\s+(?:go|going|travel|travelling|traveling|fly)(?:\s+to)?|\s+visit(?:ing)?|\s+see)?|we\s+(?:want|would like|'d like|wanna|plan)(?:\s+to)?(?:\s+(?:go|travel|fly)(?:\s+to)?|\s+visit)?|let'?s\s+go\s+to|how about\b|what about\b|maybe\b|probably\b|please\b|um+\b|hmm+\b|well\b|我们想去|我想去|我想|我要去|我要|想去|打算去|准备去|计划去|帮我规划一下|帮我规划|帮忙规划一下|帮我安排一下|帮我安排|规划一下|规划|安排一下|求|回老家|去趟老家|去趟|老家|去|那就|就|嗯|目的地是|目的地|我们去)\s*`)
)

// fillerTail ends an answer without being part of the place ("厦门吧", "Lisbon please").
var fillerTail = []string{"please", "thanks", "thank you", "maybe", "吧", "呀", "啊", "了", "哦", "谢谢", "玩", "旅游", "旅行", "玩玩",
	"攻略", "行程", "之旅", "怎么样", "耍几天", "玩几天", "耍", "几天", "?", "？"}

// parseDestinationIn reads where the traveller wants to go, from evidence only: the
// first of its steps that finds a place decides.
func parseDestinationIn(m *msg, e *Extraction, c ParseContext) {
	wo := string(m.wo)
	// The English patterns ignore case; running them over a lower-cased copy (same byte
	// offsets) lets their word checks be plain substring searches.
	d := &destScan{m: m, e: e, c: c, wo: wo, lwo: asciiLower(wo)}
	if d.origin() {
		d.wo = string(m.wo)
		d.lwo = asciiLower(d.wo)
	}
	d.ruledOutZh()
	// 日本大阪 is Osaka, not a choice between the two: read before the alternatives,
	// unless the message offers a choice or corrects itself (四川成都还是云南大理,
	// 日本大阪，不对，是韩国首尔).
	if !has(d.wo, "还是", "或者", "或", "不对", "不是", "改成") && !reAlternatives.MatchString(d.lwo) && d.placeInRegion() {
		return
	}
	if d.alternatives() || d.correctedZh() || d.correctedEn() || d.insteadOf() || d.changedTo() ||
		d.joined() || d.afterMarker() || d.spotted() || d.described() {
		return
	}
	d.answer()
}

// reOriginEn ends the text before a place the traveller leaves from or lives in.
var reOriginEn = regexp.MustCompile(`(?:^|[\s,.!;])(?:from|leaving|departing|flying out of|out of|live in|living in|based in|i'm based in|we're based in)$`)

// origin takes the places a trip leaves from out of the reading: "从上海出发，周末去哪玩",
// "from beijing, 3 days, somewhere with mountains", "i live in shanghai, where can i go":
// where the traveller starts is not where they go, and "从北京出发去西安" goes to 西安.
// It reports whether it took one.
func (d *destScan) origin() bool {
	took := false
	for _, sp := range spotPlaces(d.m, d.c) {
		before := strings.TrimRight(d.lwo[:sp.i], " ")
		// "上海出发" leaves from 上海; "深圳 下周五出发" goes to 深圳 and leaves on Friday.
		after := d.lwo[sp.j:]
		// Someone's name, or where someone else is: not the traveller's whereabouts.
		someone := reCompanionEn.MatchString(before) || someoneNamed(before, after)
		kin := hasSuffixAny(before, kinThere...) || reKinThereEn.MatchString(before)
		traveller := hasSuffixAny(before, "从", "住在", "家在", "人在") || reOriginEn.MatchString(before) ||
			strings.HasPrefix(after, "出发") || whereIAm(before, after)
		if traveller || someone || d.c.Filled && kin {
			if !someone && !kin {
				d.e.Here = sp.name
			}
			d.m.consume(sp.i, sp.j)
			took = true
		}
	}
	return took
}

// reHereEn ends the text before the place the traveller is in now: "i'm in shanghai,
// where should i go", "we're in tokyo right now".
var reHereEn = regexp.MustCompile(`(?:^|[\s,.!;])(?:i'm|i am|im|we're|we are|i'm currently|i am currently|we're currently|currently|i'm now|we're now)\s+in$`)

// reHereAfter starts what follows the place the traveller is in: a pause, "now",
// nearby; not "for 3 days" or 玩三天, which go there.
var reHereAfter = regexp.MustCompile(`^\s*(?:$|[,，.。!！;；?？~]|right now|now\b|at the moment|atm\b|现在|目前|附近|周边|这边|本地)`)

// whereIAm reports a place the traveller is in now, before the text after it:
// "我在深圳，周末想去周边玩玩", "我住北京，想带孩子出去玩", "i'm in shanghai, where should i go";
// "我在东京玩三天" and "I'm in Tokyo for 3 days" are where they go.
func whereIAm(before, after string) bool {
	if !hasSuffixAny(before, "我在", "我们在", "我现在在", "我目前在", "我住", "我们住", "现在在", "目前在") && !reHereEn.MatchString(before) {
		return false
	}
	return reHereAfter.MatchString(after)
}

// reCompanionEn ends the text before a name that is someone the traveller goes with:
// "going with Jordan", "with Georgia and Chad", "with my sister Paris".
var reCompanionEn = regexp.MustCompile(`(?:^|\s)with(?:\s+(?:my|our|his|her)\s+[a-z]+)?(?:\s+[a-z]+(?:\s*,|\s+and|\s*&))*$`)

// reNamedEn ends the text before a name that is a person's: "my name is Austin", "my
// friend Florence", "me and Victoria".
var reNamedEn = regexp.MustCompile(`(?:^|[\s,.!;])(?:my name is|my name's|i'm called|call me|i am|i'm|this is|(?:my|our)\s+(?:friend|best friend|sister|brother|wife|husband|partner|girlfriend|boyfriend|son|daughter|mum|mom|dad|cousin|colleague|boss|buddy|pal|kid|niece|nephew)|me and|me &)$`)

// reThingAfter starts what follows a place's name when the name is a thing's: "Peking
// duck", 北京烤鸭, "Jordan shoes", "Victoria and I".
var reThingAfter = regexp.MustCompile(`^\s*(?:duck|roast duck|fried rice|chicken rice|noodles|shoes|sneakers|sauce|style|烤鸭|炒饭|炸酱面|米粉|and i\b|and me\b|& i\b)`)

// someoneNamed reports a place's name used for a person or a thing, not a place.
func someoneNamed(before, after string) bool {
	if reThingAfter.MatchString(after) {
		return true
	}
	// "I'm in Paris" stays a place; "i'm Austin," or "i'm austin" at the end names someone.
	if m := reNamedEn.FindString(before); m != "" {
		if strings.HasSuffix(m, "i'm") || strings.HasSuffix(m, "i am") {
			return reHereAfter.MatchString(after) && !strings.HasPrefix(strings.TrimSpace(after), "now")
		}
		return true
	}
	return false
}

// kinThere and reKinThereEn end the text before where someone the traveller knows is:
// once the trip has a destination, "我姐姐在上海，顺便去看看她" does not move it there.
var (
	kinThere     = kinAt("姐姐|妹妹|哥哥|弟弟|朋友|爸妈|父母|爸爸|妈妈|女儿|儿子|亲戚|同学|老公|老婆|男朋友|女朋友|男友|女友|闺蜜|家人|表姐|表妹|表哥|表弟|爷爷|奶奶|外公|外婆|同事")
	reKinThereEn = regexp.MustCompile(`\b(?:my|our)\s+(?:sister|brother|friend|friends|parents|mom|mum|dad|son|daughter|cousin|aunt|uncle|family|grandma|grandpa|grandparents|colleague|boyfriend|girlfriend|wife|husband)s?\s+(?:is|are|lives?|stays?|works?|studies|study)\s+in$`)
)

// kinAt is each of the "|"-separated people followed by 在, 住在 and 也在.
func kinAt(people string) []string {
	var out []string
	for _, p := range strings.Split(people, "|") {
		out = append(out, p+"在", p+"住在", p+"也在")
	}
	return out
}

// destScan is one message read for its destination.
type destScan struct {
	m   *msg
	e   *Extraction
	c   ParseContext
	wo  string // the message as written, with what other parsers read blanked
	lwo string // wo with ASCII letters lowered
}

// set judges the phrase at wo[i:j] found by kind of evidence, and keeps it when it is a
// place: a known one as the destination, an unknown one after a marker as a proposal.
func (d *destScan) set(i, j int, kind evidenceKind) bool {
	p := strings.Trim(d.wo[i:j], " ,.!?;:'\"-")
	// "Berlin on Dec 20" with the date read: "on" joins no name to nothing.
	for _, w := range []string{" on", " in", " at", " to", " from", " for", " by", " of"} {
		if q, ok := strings.CutSuffix(asciiLower(p), w); ok {
			p = strings.TrimSpace(p[:len(q)])
		}
	}
	if !looksLikePlace(p) {
		return false
	}
	switch v, name := judge(p, kind, d.c, d.m.lang); v {
	case knownPlace:
		d.e.Destination = name
		if name != p && Simplified(name) != p {
			d.e.Misspelt = p // 花蓮 for 花莲 is the same name in traditional characters
		}
	case proposedPlace:
		d.e.ProposedDestination = p
	default:
		return false
	}
	d.m.consume(i, j)
	return true
}

// setNot keeps the place at wo[i:j] as one ruled out.
func (d *destScan) setNot(i, j int) bool {
	p := strings.Trim(d.wo[i:j], " ,.!?;:'\"-")
	if !looksLikePlace(p) {
		return false
	}
	d.e.NotDestination = p
	d.e.Exclude = append(d.e.Exclude, p)
	d.m.consume(i, j)
	return true
}

// alternatives reads two places offered as a choice: "Rome or Florence", 杭州或者苏州.
func (d *destScan) alternatives() bool {
	// Alternatives: "Rome or Florence", "杭州或者苏州", "成都重庆都想去", "青岛/大连".
	if reAlternatives.MatchString(d.lwo) || has(d.m.low, "都想去", "选一个", "选1个", "挑一个", "挑1个", "哪个", "哪一个", "哪1个", "/", "which") {
		if spots := spotPlaces(d.m, d.c); len(spots) > 1 {
			var names []string
			for _, sp := range spots {
				if !containsFold(names, sp.name) && !samePlaceName(d.c, names, sp.name) {
					names = append(names, sp.name)
				}
			}
			if len(names) > 1 {
				d.e.PlaceOptions = names
				for _, sp := range spots {
					d.m.consume(sp.i, sp.j)
				}
				d.m.found++
				return true
			}
		}
	}

	return false
}

// joined reads places joined by 和, "and" or a comma ("西安和洛阳", "rome and florence"):
// several places the planner would have to choose between, which is the traveller's
// choice to make, as with alternatives.
func (d *destScan) joined() bool {
	if !has(d.m.low, "和", "与", "跟", "及", "、", " and ", "&", "+", ",", "，") {
		return false
	}
	spots := spotPlaces(d.m, d.c)
	if len(spots) < 2 || !joinedSpots(d.wo, spots) {
		return false
	}
	var names []string
	for _, sp := range spots {
		if !containsFold(names, sp.name) && !samePlaceName(d.c, names, sp.name) {
			names = append(names, sp.name)
		}
	}
	if len(names) < 2 {
		return false
	}
	d.e.PlaceOptions = names
	for _, sp := range spots {
		d.m.consume(sp.i, sp.j)
	}
	d.m.found++
	return true
}

// placeInRegion reads a place said after the country or province it is in as the place:
// 我想去日本的大阪 goes to 大阪, not 日本, and 日本大阪 is no choice between the two.
func (d *destScan) placeInRegion() bool {
	if d.m.lang != LangZH || d.c.Places == nil {
		return false
	}
	for i := 0; i < len(d.wo); {
		r, size := utf8.DecodeRuneInString(d.wo[i:])
		if !isHan(r) {
			i += size
			continue
		}
		for _, region := range regions {
			if !strings.HasPrefix(d.wo[i:], region) {
				continue
			}
			ci := i + len(region)
			if strings.HasPrefix(d.wo[ci:], "的") {
				ci += len("的")
			}
			cj := ci + knownNameLen(d.wo[ci:], d.c)
			if whole, _ := placesKnow(d.c, d.wo[i:cj]); cj > ci && whole {
				return false // a name the gazetteer knows whole (海南三亚 in some lists)
			}
			if cj > ci && d.set(ci, cj, afterMarker) {
				d.m.consume(i, ci)
				return true
			}
		}
		i += size
	}
	return false
}

// regions are countries and provinces that a traveller names before the city in them.
var regions = strings.Fields(`日本 韩国 泰国 越南 法国 意大利 英国 美国 德国 西班牙 澳大利亚 新西兰 马来西亚 新加坡 印尼 印度尼西亚 中国
	四川 云南 贵州 广西 广东 福建 浙江 江苏 山东 河南 河北 湖南 湖北 江西 安徽 山西 陕西 甘肃 青海 新疆 西藏 内蒙古 黑龙江 吉林 辽宁 海南 宁夏 台湾`)

// reRuledOutZhBefore and reRuledOutZhAfter surround a place the traveller does not want:
// 想去海南，不要三亚; 福州吧，厦门去过了.
var (
	reRuledOutZhBefore = regexp.MustCompile(`(?:不要|不去|别去|不想去|不考虑|除了)\s*$`)
	reRuledOutZhAfter  = regexp.MustCompile(`^\s*(?:去过了|去过|已经去过|就不去了|不去了|不想去了|除外)`)
)

// ruledOutZh takes the known places said not to be wanted out of the reading, before the
// steps that look for the destination: 想去海南，不要三亚 goes to 海南. The message's
// corrections (不去福州了，去厦门) are read by correctedZh as before.
func (d *destScan) ruledOutZh() {
	if d.m.lang != LangZH || !has(d.wo, "不", "别", "过", "除") {
		return
	}
	for i := 0; i < len(d.wo); {
		r, size := utf8.DecodeRuneInString(d.wo[i:])
		if !isHan(r) {
			i += size
			continue
		}
		// The longest known place starting here.
		best := 0
		for j, n := i+size, 0; j <= len(d.wo) && n < 8; n++ {
			if known, _ := placesKnow(d.c, d.wo[i:j]); known {
				best = j
			}
			if j == len(d.wo) {
				break
			}
			_, sz := utf8.DecodeRuneInString(d.wo[j:])
			j += sz
		}
		if best == 0 {
			i += size
			continue
		}
		before, after := d.wo[:i], d.wo[best:]
		if reRuledOutZhBefore.MatchString(before) && !strings.Contains(after, "是") && !reDestZhTo2.MatchString(strings.TrimPrefix(after, "了")) {
			d.setNot(i, best) // 不要三亚: ruled out
		} else if reRuledOutZhAfter.MatchString(after) && !strings.HasPrefix(strings.TrimSpace(after), "不去了，") {
			d.m.consume(i, best) // 厦门去过了: not where they go
		}
		i = best
	}
	d.wo = string(d.m.wo)
	d.lwo = asciiLower(d.wo)
}

// correctedZh reads a place corrected in Chinese: "不是福州，是厦门", "不去福州了，去厦门".
func (d *destScan) correctedZh() bool {
	// Corrections: "不是福州，是厦门", "不去福州了，去厦门", "把福州改成厦门".
	for _, loc := range reDestZhNot.FindAllStringIndex(d.wo, -1) {
		xi, xj := placeAfterZh(d.wo, loc[1])
		if xj == xi {
			continue
		}
		rest := d.wo[xj:]
		rest = strings.TrimPrefix(strings.TrimLeft(rest, " "), "了")
		k := reDestZhTo2.FindStringIndex(rest)
		if k == nil {
			continue
		}
		yi, yj := placeAfterZh(d.wo, len(d.wo)-len(rest)+k[1])
		if yj > yi && looksLikePlace(d.wo[xi:xj]) && d.set(yi, yj, afterMarker) {
			d.setNot(xi, xj)
			if !strings.HasPrefix(d.wo[loc[0]:], "不去") {
				// "不是东京，是大阪" corrects what was said; only "不去" rules a place out.
				if d.e.Exclude = d.e.Exclude[:len(d.e.Exclude)-1]; len(d.e.Exclude) == 0 {
					d.e.Exclude = nil
				}
			}
			d.m.consume(loc[0], yj)
			return true
		}
	}
	return false
}

// correctedEn reads a place corrected in English: "not Fuzhou, Xiamen", "Venice not Florence".
func (d *destScan) correctedEn() bool {
	// "not Fuzhou, Xiamen", "not to Paris but Rome"
	for _, loc := range reDestEnNot.FindAllStringIndex(d.lwo, -1) {
		xi, xj := placeAfterEn(d.wo, loc[1], true)
		if xj == xi || !looksLikePlace(d.wo[xi:xj]) {
			continue
		}
		k := reDestEnNot2.FindStringIndex(d.wo[xj:])
		if k != nil && k[1] > 0 {
			if yi, yj := placeAfterEn(d.wo, xj+k[1], true); yj > yi && d.set(yi, yj, afterMarker) {
				d.setNot(xi, xj)
				d.m.consume(loc[0], loc[1])
				return true
			}
		}
		// "Venice not Florence": the place before "not" is the one meant.
		if yi, yj := placeBeforeEn(d.wo, loc[0]); yj > yi && d.set(yi, yj, afterMarker) {
			d.setNot(xi, xj)
			d.m.consume(loc[0], loc[1])
			return true
		}
		// "not Rome", said alone: a place ruled out, none chosen.
		if strings.TrimSpace(d.wo[:loc[0]]) == "" && strings.Trim(d.wo[xj:], " ,.!") == "" {
			if j, _ := judge(d.wo[xi:xj], afterMarker, d.c, d.m.lang); j == knownPlace {
				d.setNot(xi, xj)
				d.m.consume(loc[0], loc[1])
				d.m.found++
				return true
			}
		}
	}
	return false
}

// insteadOf reads "Xiamen instead of Fuzhou" and "instead of Fuzhou, Xiamen".
func (d *destScan) insteadOf() bool {
	// "Xiamen instead of Fuzhou", "instead of Fuzhou, Xiamen"
	for _, loc := range reDestEnInst.FindAllStringIndex(d.lwo, -1) {
		xi, xj := placeAfterEn(d.wo, loc[1], true)
		if xj == xi || !looksLikePlace(d.wo[xi:xj]) {
			continue
		}
		before := strings.TrimRight(d.wo[:loc[0]], " ,")
		k := strings.LastIndexAny(before, ",.;!?") + 1
		if yi, yj := placeAfterEn(d.wo, k, true); yj > yi && yj <= loc[0] && d.set(yi, yj, afterMarker) {
			d.setNot(xi, xj)
			d.m.consume(loc[0], loc[1])
			return true
		}
		if k := reDestEnNot2.FindStringIndex(d.wo[xj:]); k != nil {
			if yi, yj := placeAfterEn(d.wo, xj+k[1], true); yj > yi && d.set(yi, yj, afterMarker) {
				d.setNot(xi, xj)
				d.m.consume(loc[0], loc[1])
				return true
			}
		}
	}
	return false
}

// changedTo reads a change of place: 改成厦门, "change the destination to Rome".
func (d *destScan) changedTo() bool {
	for _, loc := range reDestZhChg.FindAllStringIndex(d.wo, -1) {
		if yi, yj := placeAfterZh(d.wo, loc[1]); yj > yi && d.set(yi, yj, afterMarker) {
			d.m.consume(loc[0], loc[1])
			return true
		}
	}
	// "不去成都了，改重庆": 改 alone before a place the gazetteer knows ("改日期" is no place).
	for _, loc := range reDestZhChgBare.FindAllStringIndex(d.wo, -1) {
		yi, yj := placeAfterZh(d.wo, loc[1])
		if yj <= yi {
			continue
		}
		if known, _ := placesKnow(d.c, d.wo[yi:yj]); known && d.set(yi, yj, afterMarker) {
			d.m.consume(loc[0], loc[1])
			return true
		}
	}
	for _, loc := range reDestEnChg.FindAllStringSubmatchIndex(d.lwo, -1) {
		if loc[2] >= 0 && looksLikePlace(d.wo[loc[2]:loc[3]]) {
			d.setNot(loc[2], loc[3])
		}
		if yi, yj := placeAfterEn(d.wo, loc[1], true); yj > yi && d.set(yi, yj, afterWeakMarker) {
			return true
		}
		d.e.NotDestination = ""
	}

	return false
}

// afterMarker reads a name after a word that leads to a place: 去福州, 到厦门玩, 福州之旅,
// "Kyoto 4 days", "trip to Lisbon", "in Lisbon".
func (d *destScan) afterMarker() bool {
	// "去福州", "想去厦门玩", "目的地：成都"
	for _, loc := range reDestZh.FindAllStringIndex(d.wo, -1) {
		if loc[0] > 0 {
			if prev, _ := utf8.DecodeLastRuneInString(d.wo[:loc[0]]); strings.ContainsRune("过回出上下进失死离除来不", prev) && d.wo[loc[0]:loc[1]] == "去" {
				continue
			}
		}
		if strings.HasPrefix(d.wo[loc[1]:], "年") {
			continue
		}
		at := loc[1]
		for _, w := range []string{"一趟", "趟", "一下", "看看"} {
			if strings.HasPrefix(d.wo[at:], w) {
				at += len(w)
			}
		}
		i, j := placeAfterZh(d.wo, at)
		if j == i {
			// "去日出町": a name that starts with a word that ends names (日, 出) is read
			// whole when the gazetteer knows it.
			i, j = at, at+knownNameLen(d.wo[at:], d.c)
		}
		if j > i && d.set(i, j, afterMarker) {
			d.m.consume(loc[0], loc[1])
			return true
		}
	}
	// "到厦门玩"
	for _, loc := range reDestZhTo.FindAllStringIndex(d.wo, -1) {
		i, j := placeAfterZh(d.wo, loc[1])
		if j > i && reZhTripVerbs.MatchString(d.wo[j:]) && d.set(i, j, afterMarker) {
			d.m.consume(loc[0], loc[1])
			return true
		}
	}
	// "福州之旅", "莫干山三日游", "长滩岛四天三晚": the length was read already, and still
	// marks the name before it, so it is looked for in the message as sent.
	for _, loc := range reDestZhTrip.FindAllStringIndex(d.m.low, -1) {
		// 游 ends a trip ("福州游"), not a word (游戏, 游泳, 游客).
		if strings.HasSuffix(d.m.low[loc[0]:loc[1]], "游") && loc[1] < len(d.m.low) {
			if r, _ := utf8.DecodeRuneInString(d.m.low[loc[1]:]); isHan(r) && !strings.ContainsRune("吧啊呀呢了的", r) {
				continue
			}
		}
		if i, j := placeBeforeZh(d.wo, loc[0]); j > i && d.set(i, j, afterMarker) {
			return true
		}
	}
	// "Kyoto 4 days", "Hallstatt, 3 nights": a name right before a length.
	for _, loc := range reLengthEn.FindAllStringIndex(d.m.low, -1) {
		if i, j := placeBeforeEn(d.wo, loc[0]); j > i && d.set(i, j, afterMarker) {
			return true
		}
	}
	for _, loc := range reDestEnStr.FindAllStringIndex(d.lwo, -1) {
		if i, j := placeAfterEn(d.wo, loc[1], true); j > i && d.set(i, j, afterMarker) {
			d.m.consume(loc[0], loc[1])
			return true
		}
	}
	for _, loc := range reDestEnWeak.FindAllStringIndex(d.lwo, -1) {
		if i, j := placeAfterEn(d.wo, loc[1], true); j > i && d.set(i, j, afterWeakMarker) {
			d.m.consume(loc[0], loc[1])
			return true
		}
	}

	return false
}

// spotted reads the known names found anywhere: "杭州，下周五出发", "大阪 at Easter".
func (d *destScan) spotted() bool {
	// A known name anywhere: "杭州，下周五出发", "大阪 at Easter", "rome rome rome".
	spots := spotPlaces(d.m, d.c)
	// "想看日出": what a trip has (日出, sunrise) is not the town of that name (日出町,
	// Japan) when no marker says it is a place.
	spots = slices.DeleteFunc(spots, func(sp spot) bool { return isPrefWord(sp.name) || notPlaces[asciiLower(sp.name)] })
	if len(spots) > 0 {
		names := []string{}
		for _, sp := range spots {
			if !containsFold(names, sp.name) && !samePlaceName(d.c, names, sp.name) {
				names = append(names, sp.name)
			}
		}
		// "Rome or Florence", "昆明大理": two places offered, or named side by side with
		// nothing between, are a choice to ask about.
		if len(names) > 1 && (reAlternatives.MatchString(d.lwo) || adjacentSpots(spots)) {
			d.e.PlaceOptions = names
		} else {
			d.e.Destination = names[len(names)-1]
			if len(names) > 1 {
				// "from Shanghai to Hangzhou": where the trip goes is said last.
				d.e.Destination = names[len(names)-1]
			}
		}
		for _, sp := range spots {
			d.m.consume(sp.i, sp.j)
		}
		d.m.found++
		return true
	}

	return false
}

// described reads a place described, not named: "somewhere with snow", 找个暖和的地方.
func (d *destScan) described() bool {
	if loc := reVaguePlace.FindStringIndex(d.lwo); loc != nil {
		// The place described is the request, not a preference: "somewhere with snow".
		end := phraseEnd(d.wo, loc[1])
		if d.e.VaguePlace = vagueTheme(d.lwo[loc[0]:end]); d.e.VaguePlace == "any" {
			d.e.VaguePlace = vagueTheme(d.lwo)
		}
		d.m.consume(loc[0], end)
		return true
	}
	// "I don't know", 不知道 to "Where would you like to go?": anywhere, so suggest some.
	if d.c.Expecting == SlotDestination && unsureWords[strings.Trim(d.lwo, " .,!?~…。！？")] {
		d.e.VaguePlace = "any"
		d.m.consume(0, len(d.wo))
		return true
	}
	return false
}

// unsureWords answer "where to?" with not knowing.
var unsureWords = wordSet(`i don't know|i dont know|idk|dunno|no idea|not sure|i'm not sure|im not sure|no clue|haven't decided|havent decided|undecided|不知道|没想好|还没想好|不确定|没主意|不清楚`)

// answer reads a short message of a name alone ("seoull", "Barcelona!"), asked or not.
func (d *destScan) answer() {
	// A short message of a name alone ("seoull", "Barcelona!") says where, asked or not.
	short := len(strings.Fields(d.wo)) <= 2
	if d.c.Expecting == SlotDestination || short {
		rest := strings.TrimSpace(d.wo)
		for range 3 { // "我想去" then "吧": a few layers; more would be quadratic on "去去去…"
			t := trimSuffixWord(reFillerHead.ReplaceAllString(rest, ""), fillerTail)
			t = strings.Trim(t, " ,.!?;:'\"-~")
			if t == rest {
				break
			}
			rest = t
		}
		rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(rest, "走起"), "吧"))
		// "phuket 🏝️🏝️": emoji and signs around a name are not part of it.
		rest = strings.TrimFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) })
		if rest != "" && !strings.ContainsAny(rest, "0123456789") && utf8.RuneCountInString(rest) <= 40 {
			_, yn := ParseYesNo(rest)
			kind := asAnswer
			if d.c.Expecting != SlotDestination {
				kind = afterWeakMarker
			}
			if in, _ := DetectIntent(rest); in == IntentNone && !yn && looksLikePlace(rest) && !hasCorrectionWord(rest) {
				if k := strings.Index(d.wo, rest); k >= 0 && d.set(k, k+len(rest), kind) {
					return
				}
			}
		}
	}
}

// joinedSpots reports whether two of the names found are joined by "和", "and" or a
// comma alone ("西安和洛阳", "rome and florence"): several places the planner would have
// to choose between, which is the traveller's choice to make.
func joinedSpots(wo string, spots []spot) bool {
	for k := 1; k < len(spots); k++ {
		if spots[k].i < spots[k-1].j {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(wo[spots[k-1].j:spots[k].i])) {
		case "和", "与", "跟", "及", "以及", "、", "and", "&", "+", ",", "，":
			return true
		}
	}
	return false
}

// adjacentSpots reports whether two of the names found touch, as in "昆明大理".
func adjacentSpots(spots []spot) bool {
	for k := 1; k < len(spots); k++ {
		if spots[k].i == spots[k-1].j {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// samePlaceName reports whether name is another name of a place already in names
// ("rome Rome", "Tokyo 东京").
func samePlaceName(c ParseContext, names []string, name string) bool {
	if c.Places == nil {
		return false
	}
	m := c.Places.Lookup(name, "")
	if m.Place == nil {
		return false
	}
	for _, n := range names {
		o := c.Places.Lookup(n, "")
		if o.Place != nil && o.Place.CountryCode == m.Place.CountryCode && abs(o.Place.Lat-m.Place.Lat) < 0.3 && abs(o.Place.Lon-m.Place.Lon) < 0.3 {
			return true
		}
	}
	return false
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func hasHan(s string) bool {
	for _, r := range s {
		if isHan(r) {
			return true
		}
	}
	return false
}

// zhNotPlaceChars reports words that do not occur in a bare place name.
func zhNotPlaceChars(s string) bool {
	return strings.ContainsAny(s, "我你他她们想要是的了吗吧呢啊呀玩有没不很喜欢爱和在把被给让还请谢好改换") || has(s, "什么", "预算", "日期")
}

// correctionWords ask to change a slot and name it ("change budget to", "make it"): what
// is left of such a message once the figure is read is never a place.
var correctionWords = map[string]bool{"change": true, "make": true, "set": true, "update": true, "budget": true,
	"dates": true, "date": true, "it": true, "to": true}

func hasCorrectionWord(s string) bool {
	for _, w := range strings.Fields(asciiLower(s)) {
		if correctionWords[w] {
			return true
		}
	}
	return false
}
