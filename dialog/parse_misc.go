package dialog

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseYesNo reads a yes or no answer, alone or leading the message ("好的，预算5000").
func ParseYesNo(text string) (yes bool, ok bool) {
	return yesNoIn(newMsg(text))
}

var yesWords, noWords = map[string]bool{}, map[string]bool{}

func init() {
	for _, w := range strings.Split("是|是的|对|对的|对啊|是啊|好|好的|好啊|好吧|好呀|好滴|可以|可以的|行|行啊|行的|嗯|嗯嗯|恩|没问题|确认|确定|要|需要|当然|当然可以|没错|同意|成|ok|okay|k|yes|y|yeah|yea|yep|yup|ya|sure|sure thing|of course|correct|right|that's right|sounds good|fine|alright|all right|absolutely|definitely|please do|certainly|indeed|i do|we do|👍|✅|👌", "|") {
		yesWords[w] = true
	}
	for _, w := range strings.Split("不|不是|否|不要|不用|不行|没有|没|不对|不需要|不了|不好|别|无|n|no|nope|nah|not really|no thanks|no thank you|negative|none|i don't|we don't|not at all|👎|❌", "|") {
		noWords[w] = true
	}
}

// yesNoIn checks the whole message, then its first clause, against the yes/no words.
func yesNoIn(m *msg) (bool, bool) {
	s := strings.TrimSpace(m.low)
	seg := s
	if k := strings.IndexAny(s, ",.!?;:"); k > 0 {
		seg = s[:k]
	}
	for idx, cand := range []string{s, seg} {
		c := trimYesNo(cand)
		if c == "" {
			continue
		}
		yes, no := yesWords[c], noWords[c]
		if yes || no {
			if idx == 1 || cand == s {
				if k := strings.Index(m.low, strings.TrimSpace(cand)); k >= 0 {
					m.consume(k, k+len(strings.TrimSpace(cand)))
				}
			}
			return yes, true
		}
	}
	return false, false
}

func trimYesNo(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "please"), "thanks"), "谢谢"))
		t = strings.TrimRight(t, " .,!?;:~-…\"'吧啊呀呢哦喔啦嘛")
		t = strings.TrimLeft(t, " .,!?;:~-…\"'")
		if t == s {
			return s
		}
		s = t
	}
}

// Party size.

var (
	rePartyZh = []struct {
		re  pattern
		fix int // a fixed size; 0 means read group 1
	}{
		{pat(`一家(\d{1,2})口`, "一家"), 0},
		{pat(`(\d{1,2})口之家`, "口之家"), 0},
		{pat(`我们(\d{1,2})个(?:人)?`, "我们"), 0},
		{pat(`(\d{1,2})\s*(?:个人|口人|位|人)`, "人", "位"), 0},
		{pat(`我们(?:闺蜜|宿舍|一行|一家|全家|同事|同学|公司)?\s*(\d{1,2})\s*(?:个|人|位)`, "我们"), 0},
		{pat(`(?:人数|人员|出行人数|同行人数|travellers|travelers|people|adults|party size|how many|who)\s*(?:改成|改为|换成|是|为|[:：=\-】])?\s*(\d{1,2})\b`, "人数", "人员", "travel", "people", "adults", "party size", "how many", "who"), 0},
		{pat(`我们仨|咱们仨|我们三|仨人`, "仨", "三"), 3},
		{pat(`我们俩|我俩|咱俩|俩人|两口子|夫妻俩|闺蜜俩|姐妹俩|兄弟俩|母女俩|父子俩|母子俩|父女俩|姐弟俩|兄妹俩|夫妻|情侣|我和(?:我)?(?:老婆|老公|女朋友|男朋友|女友|男友|对象|爱人|妻子|丈夫|朋友|妈妈|爸爸|闺蜜)`, "俩", "两口子", "夫妻", "情侣", "我和"), 2},
		{pat(`就我自己|我自己去|我自己一个|只有我自己|独自|一个人|自己一个|\bsolo\b`, "我自己", "独自", "一个人", "自己一个", "solo"), 1},
	}
	rePartyEn = []struct {
		re  pattern
		fix int
	}{
		{pat(`\b(?:the\s+)?`+enNum+`\s+of\s+us\b`, "of us"), 0},
		{pat(`\b(?:party|family|group)\s+of\s+`+enNum+`\b`, "party", "family", "group"), 0},
		{pat(`\bwe\s+are\s+`+enNum+`\b`, "we are"), 0},
		{pat(`\b(?:just|only)\s+`+enNum+`\s+(?:of us|people|now|left|going)\b`, "just", "only"), 0},
		{pat(`\b`+enNum+`\s*(?:people|persons|ppl|adults|travell?ers|pax|guests)\b`, "people", "persons", "ppl", "adults", "travel", "pax", "guests"), 0}, // "2pax" too
		{pat(`\bwe'?re\s+`+enNum+`\b`, "we"), 0},
		{pat(`\b(?:trip|holiday|vacation|getaway|honeymoon|break|escape|weekend|tickets?)\s+for\s+`+enNum+`\b`, "for"), 0},
		// "tokyo dec 20-24 for 2": a number after "for" that counts no days or money.
		{pat(`\bfor\s+`+enNum+`\s*(?:$|[,.;!?)]|\s+(?:in|on|from|at|with|please|pls|thanks)\b)`, "for"), 0},
		{pat(`\b(?:both of us|we(?:'re| are) both|we both|us two|my (?:wife|husband|partner|girlfriend|boyfriend|friend|mum|mom|dad) and i|me and my (?:wife|husband|partner|girlfriend|boyfriend|friend|mum|mom|dad)|(?:a|as a) couple|couples?(?:'s?)?\s+(?:trip|getaway|holiday|vacation|travel|retreat|break))\b`, "both", "us two", "my ", "couple"), 2},
		{pat(`\b(?:just me|by myself|on my own|travell?ing alone|alone)\b`, "just me", "myself", "my own", "alone"), 1},
	}
	reKidsCountZh = pat(`(\d{1,2})\s*个?(?:小孩|孩子|儿童|娃|宝宝)`, "小孩", "孩子", "儿童", "娃", "宝宝")
	reKidsCountEn = pat(`\b`+enNum+`\s+(?:kids?|children|child|babies|baby|toddlers?)\b`, "kid", "child", "bab", "toddler")
	reAdultsZh    = pat(`(\d{1,2})\s*个?(?:大人|成人)`, "大人", "成人")
	reAdultsEn    = pat(`\b`+enNum+`\s+(?:adults?|grown-?ups)\b`, "adult", "grown")
)

// parsePartyIn returns the party size and whether children were counted in it.
func parsePartyIn(m *msg) (int, bool) {
	var s string
	// "we are 2 couples", 三对夫妻: two each, the speaker among them.
	if loc := reCouples.FindStringSubmatchIndex(m.low); loc != nil {
		w := ""
		for g := 2; g+1 < len(loc); g += 2 {
			if loc[g] >= 0 {
				w += m.low[loc[g]:loc[g+1]]
			}
		}
		if k := max(atoiWord(w), zhNum(w)); k > 0 && k < 20 {
			m.consume(loc[0], loc[1])
			return 2 * k, false
		}
	}
	adults, kids := 0, 0
	for _, re := range []pattern{reAdultsZh, reAdultsEn} {
		s = m.text()
		if loc := re.FindStringSubmatchIndex(s); loc != nil {
			adults = atoiWord(s[loc[2]:loc[3]])
			m.consume(loc[0], loc[1])
			break
		}
	}
	for _, re := range []pattern{reKidsCountZh, reKidsCountEn} {
		s = m.text()
		if loc := re.FindStringSubmatchIndex(s); loc != nil {
			kids = atoiWord(s[loc[2]:loc[3]])
			m.consume(loc[0], loc[1])
			break
		}
	}
	n := 0
	totalSaid := false
	for _, list := range [][]struct {
		re  pattern
		fix int
	}{rePartyZh, rePartyEn} {
		for _, p := range list {
			s = m.text()
			if !p.re.possible(s) {
				continue
			}
			// "两个人一人3000": the first match may be a price per head and the next the party.
			var loc []int
			v := 0
			for _, l := range p.re.re.FindAllStringSubmatchIndex(s, -1) {
				if v = partyCount(s, l, p.fix); v > 0 {
					loc = l
					break
				}
			}
			if loc == nil {
				continue
			}
			// The first size said wins; later ones ("我和老婆两个人") say the same again.
			if v > 0 && v < 100 {
				if n == 0 {
					n = v
					totalSaid = p.fix == 0
				}
				m.consume(loc[0], loc[1])
			}
		}
	}
	if adults > 0 {
		n = adults + kids
	}
	// "人数：2大1小": a label's count that is only the adults; "3人（2大1小）": children along.
	if a, k := bigSmall(m.low); a > 0 && k > 0 {
		if n == 0 || n == a {
			n = a + k
		}
		kids = max(kids, k)
	}
	// The people named: "my parents and I", "带上两个同学", "我和老婆，外婆外公也去".
	// A size said as a total ("4 people", "一家三口") stands; the people named count
	// when they say more.
	if people, kid := partyFromPeople(m.low); people > 0 && adults == 0 && (n == 0 || people > n && !totalSaid) {
		n = people
		if kid {
			kids = max(kids, 1)
		}
	}
	// "the two of us plus my parents", "我们俩加上我爸妈": the pair said, and the people
	// added to it.
	if loc := reUsTwoPlus.FindStringSubmatchIndex(m.low); loc != nil && n <= 3 {
		if more, _ := companionsIn("me and " + m.low[loc[2]:loc[3]]); more > 0 {
			n = max(n, 2+more)
		}
	}
	// "me and 3 friends, $800 each": people counted by a number are never money, whichever
	// count of the party won. Children are left for the needs ("带俩娃" is kid-friendly).
	if n > 0 {
		s = m.text()
		for _, re := range []pattern{reCountedPeopleZh, reCountedPeopleEn} {
			for _, loc := range when(true, re, asciiLower(s)) {
				m.consume(loc[0], loc[1])
			}
		}
	}
	return n, kids > 0
}

// reUsTwoPlus is a pair said of the speaker and people added to it ("us two plus
// grandma", "我们俩加上我爸妈"); group 1 is who is added.
var reUsTwoPlus = regexp.MustCompile(`(?:the\s+two\s+of\s+us|us\s+two|we\s+two|both\s+of\s+us|我们俩|我们两个|我们二人|我俩|咱俩|咱们俩)\s*(?:\+|plus|加上|加|还有|带上|带着)\s*(.+)`)

// The people counted by a number before them ("3 friends", "两个同学"), read by
// partyFromPeople.
var (
	reCountedPeopleZh = pat(`(?:\d{1,2}|[一两二俩三仨四五六七八九十])\s*[个位]?(?:闺蜜|朋友|同学|同事|室友|哥哥|姐姐|弟弟|妹妹|兄弟|姐妹)`)
	reCountedPeopleEn = pat(`\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:(?:of\s+)?(?:my|our)\s+)?(?:college\s+)?(?:friends?|colleagues?|coworkers|roommates|sisters?|brothers?|cousins?|mates?|buddies|buddy|pals)\b`)
)

// partyCount is the size a match of a party pattern says, or 0 when the match is not
// about who travels.
func partyCount(s string, loc []int, fix int) int {
	if loc[0] > 0 && isDigit(s[loc[0]-1]) {
		return 0
	}
	// "一人两千", "1500美金一个人": a price per head, not who travels.
	// "两个人一人3000" (2个人1人3000): what follows is the price per head, the party stands.
	// In English a figure after "2 ppl" is the budget ("2 ppl 3000rmb pp").
	if k := skipSpace(s, loc[1]); k < len(s) && isDigit(s[k]) && hasHan(s[loc[0]:loc[1]]) && !strings.HasSuffix(s[loc[0]:loc[1]], "们") && !perHeadAt(s[k:]) {
		return 0
	}
	v := fix
	if v == 0 {
		v = atoiWord(s[loc[2]:loc[3]])
	}
	if v == 1 && hasMoneyBefore(s[:loc[0]]) {
		return 0
	}
	// "Lisbon for a long weekend" with the weekend read: "for a" is no party of one.
	if fix == 0 && len(loc) >= 4 && strings.HasPrefix(s[loc[0]:loc[1]], "for") {
		if w := strings.TrimSpace(s[loc[2]:loc[3]]); w == "a" || w == "an" {
			return 0
		}
	}
	// "one of us is vegetarian", "我们其中一个人吃素": one of the party, not its size.
	if v == 1 && (strings.Contains(s[loc[0]:loc[1]], "of us") && !strings.Contains(s[loc[0]:loc[1]], "the ") ||
		hasSuffixAny(strings.TrimRight(s[:loc[0]], " "), "其中", "之中", "当中", "中有", "里有") ||
		strings.HasSuffix(strings.TrimRight(s[:loc[0]], " "), "有") && !hasSuffixAny(strings.TrimRight(s[:loc[0]], " "), "只有", "就有", "共有", "一共有", "总共有")) {
		return 0
	}
	if fix == 0 && loc[0] >= 3 && (strings.HasSuffix(s[:loc[0]], "每") || strings.HasSuffix(s[:loc[0]], "第")) {
		return 0
	}
	// "a trip for 5 days": a length, not a party.
	if reCountedUnit.MatchString(s[loc[1]:]) {
		return 0
	}
	return v
}

// perHeadAt reports whether s starts with 1人 or 1个人 before a figure.
func perHeadAt(s string) bool {
	for _, w := range []string{"1人", "1个人"} {
		if rest, ok := strings.CutPrefix(s, w); ok {
			k := skipSpace(rest, 0)
			return k < len(rest) && isDigit(rest[k])
		}
	}
	return false
}

// reCountedUnit follows a number that counts days, not people.
var reCountedUnit = pat(`^\s*(?:days?|nights?|weeks?|months?)\b`, "day", "night", "week", "month")

// hasMoneyBefore reports whether before ends with an amount ("1500美金", "$800 ").
func hasMoneyBefore(before string) bool {
	b := strings.TrimRight(before, " ")
	for _, c := range []string{"美金", "美元", "元", "块", "块钱", "刀", "欧元", "英镑", "日元", "usd", "dollars", "each"} {
		if strings.HasSuffix(b, c) {
			return true
		}
	}
	return len(b) > 0 && isDigit(b[len(b)-1])
}

// Needs: accessibility, children, pets.

type needWord struct {
	words lits
	set   func(e *Extraction, v bool)
}

var (
	setAccess = func(e *Extraction, v bool) { e.Accessibility = ptr(v) }
	setKids   = func(e *Extraction, v bool) { e.KidFriendly = ptr(v) }
	setPets   = func(e *Extraction, v bool) { e.PetFriendly = ptr(v) }

	needWords = []needWord{
		{litsOf(`轮椅|无障碍|行动不便|腿脚不便|腿脚不好|残疾|残障|\bwheelchair\b|\bwheelchairs\b|\bwheel chair\b|\bwheel chairs\b|\baccessible\b|\baccessibility\b|\bstep-free\b|` +
			`\blimited mobility\b|\breduced mobility\b|\bmobility issue\b|\bmobility issues\b|\bmobility problem\b|\bmobility problems\b|\bmobility needs\b|` +
			`\bdisabled\b|\bdisability\b|\bcan't walk much\b|\bcant walk much\b|\bcan't walk far\b|\bcant walk far\b|` +
			`腿脚不方便|行动不方便|膝盖不好|膝盖不行|腿不好|腿不方便|腿脚不行|走不动太远的路|走不了太远的路|走不动|爬不动山|爬不了山|爬不动|走不了太多路|不能走太多路|\bbad knee\b|\bknee problems\b|\bbad hip\b|行动不便|腿脚不灵|拄拐|拐杖|视障|盲人|听障|坐轮椅|走不了远路|走不远|爬不了楼|\bstep free\b|\bstep-free access\b|\bbad knees\b|\bcan't do stairs\b|\bno stairs\b|\bcane\b|\bwalker\b|\bblind\b|\bdeaf\b|\bvisually impaired\b|\bwheelchair user\b|\bmobility scooter\b|\bmobility aid\b|\bcrutches\b|\bzimmer frame\b|\brollator\b`), setAccess},
		{litsOf(combos([]string{"带", "带着"}, []string{"狗", "猫", "宠物", "狗狗", "猫咪"}) + "|" +
			combos([]string{"和", "跟", "还有", "带", "带着"}, []string{"", "我的", "我们的", "家里的"}, []string{"狗", "猫"}) +
			`|宠物|狗狗|猫咪|毛孩子|喵星人|汪星人|狗子|柯基|泰迪|金毛|哈士奇|柴犬|比熊|布偶|英短|猫主子|🐶|🐱|🐕|🐈|狗不|猫不|狗也|猫也|狗要|猫要|狗一起|猫一起|` +
			`\bdog\b|\bdogs\b|\bcat\b|\bcats\b|\bpet\b|\bpets\b|\bpuppy\b|\bpup\b|\bpet-friendly\b|\bpet friendly\b|\bgolden retriever\b|\blabrador\b|\bcorgi\b|\bpoodle\b|\bkitten\b|\bdoggo\b|\bpooch\b|\bfurbaby\b|\bfur baby\b`), setPets},
		{litsOf(combos([]string{"带", "带着"}, []string{"孩子", "小孩", "娃", "宝宝", "儿童", "小朋友", "儿子", "女儿"}) +
			`|孩子|小孩|小朋友|儿童|宝宝|亲子|\bkid\b|\bkids\b|\bchild\b|\bchildren\b|\btoddler\b|\btoddlers\b|\bbaby\b|\bbabies\b|` +
			`\bmy son\b|\bmy daughter\b|\bfamily-friendly\b|\bfamily friendly\b|\bkid-friendly\b|\bkid friendly\b|` +
			`婴儿车|婴儿|推车|娃|闺女|儿子|女儿|\bstroller\b|\bpram\b|\bbuggy\b|\bpushchair\b|\binfant\b|\bson\b|\bdaughter\b|\bsons\b|\bdaughters\b`), setKids},
	}
	// reChildAge is a child told by age: "our 2 year old", "a 6-month-old", "5岁的女儿".
	reChildAge = pat(`\b(?:[1-9]|1[0-2])\s*-?\s*(?:year|yr)s?\s*-?\s*olds?\b|\b\d{1,2}\s*-?\s*months?\s*-?\s*olds?\b|(?:^|[^\d])(?:[1-9]|1[0-2])\s*岁(?:半)?的?(?:孩子|娃|宝宝|儿子|女儿|小孩)|\d{1,2}个月大`, "old", "岁", "个月大")
	reNegZh    = pat(`(?:不|没|没有|无|不用|不需要|不会|不带|别)\s*(?:带|需要|要|用|有|考虑)?\s*(?:着)?\s*$`, "不", "没", "无", "别")
	reNegEn    = pat(`\b(?:no|not|without|don'?t|doesn'?t|won'?t|aren'?t|isn'?t|never|nor|leaving|leave|forget|scratch|drop|skip|cancel)\b(?:\s+[a-z']+){0,3}\s*$`, "no", "without", "don", "doesn", "won", "aren", "isn", "never", "leav", "forget", "scratch", "drop", "skip", "cancel")
	reNegAfter = pat(`^\s*(?:们)?(?:就|还是|也|都)?\s*(?:不跟着去|不跟着|不跟|不去|不带|不用|不需要|不考虑|不要|留给|留在|放|寄养|在家|那个取消|取消|不来|去不了)|^\s*(?:'s|is|are|will be|'re)?\s*(?:staying|stays|aren't coming|are not coming|isn't coming|is not coming|not coming|won't be coming|won't come|can stay|will stay|dropped out|out)\b`, "不", "留", "放", "寄养", "在家", "取消", "stay", "coming", "come", "dropped", "out")
	reSitter   = pat(`(?:found|got|have|booked)\s+(?:a\s+)?(?:dog|pet|cat)[- ]?sitter|寄养`, "sitter", "寄养")
	reNoNeeds  = pat(`(?:没有|没|无|不需要|不用)(?:什么)?(?:特殊|特别|其他|其它)?(?:的)?(?:需求|要求|需要)|\bno (?:special |particular |other )?(?:needs|requirements|requests)\b|\bnothing special\b|\bnone\b`, "需求", "要求", "需要", "no ", "nothing special", "none")
)

func parseNeedsIn(m *msg, e *Extraction, expecting Slot) {
	s := m.text()
	// A bare "none" answers the needs question, or stands for it in a message that fills
	// other slots ("Tokyo Dec 20-23 $2000 none"); "none of us" is something else.
	if loc := reNoNeeds.FindStringIndex(s); loc != nil && (!strings.Contains(s[loc[0]:loc[1]], "none") || expecting == SlotNeeds ||
		m.found > 0 && !strings.HasPrefix(s[loc[1]:], " of")) {
		e.Accessibility, e.KidFriendly, e.PetFriendly = ptr(false), ptr(false), ptr(false)
		m.consume(loc[0], loc[1])
		m.found++
	} else if expecting == SlotNeeds {
		if c := trimYesNo(s); noWords[c] {
			e.Accessibility, e.KidFriendly, e.PetFriendly = ptr(false), ptr(false), ptr(false)
		}
	}
	for _, nw := range needWords {
		s = m.text()
		for _, sp := range nw.words.findAll(s) {
			loc := []int{sp.i, sp.j}
			before := s[max(0, loc[0]-24):loc[0]]
			// Within a clause only: "no pets, with kids" must not negate the kids.
			if k := strings.LastIndexAny(before, ",;.!?"); k >= 0 {
				before = before[k+1:]
			}
			after := s[loc[1]:min(len(s), loc[1]+40)]
			if k := strings.IndexAny(after, ",;.!?"); k >= 0 {
				after = after[:k]
			}
			// "娃不跟着去了", "the kids are staying with grandma": a retraction said after.
			neg := reNegZh.MatchString(before) || reNegEn.MatchString(before) || strings.HasPrefix(s[loc[0]:], "不带") ||
				reNegAfter.MatchString(after) || reSitter.MatchString(s) || strings.HasSuffix(s[loc[0]:loc[1]], "不")
			nw.set(e, !neg)
			m.found++
			lo := loc[0]
			if neg {
				lo = negStart(s, loc[0])
			}
			m.consume(lo, loc[1])
		}
	}
}

// negStart finds where the negation before a need word starts, so it is consumed too.
func negStart(s string, i int) int {
	before := s[max(0, i-24):i]
	base := i - len(before)
	if loc := reNegEn.FindStringIndex(before); loc != nil {
		return base + loc[0]
	}
	if loc := reNegZh.FindStringIndex(before); loc != nil {
		return base + loc[0]
	}
	return i
}

// Preferences.

// Single-character landscapes are names too often (上海, 黄山, 湖南) to be read
// anywhere; they count only between words like 看/爱/和.
var singleNature = []string{"山", "湖", "海"}

var enCanon = map[string]string{
	"beaches": "beach", "islands": "island", "mountain": "mountains", "hike": "hiking", "hikes": "hiking",
	"trek": "trekking", "lake": "lakes", "ski": "skiing", "deserts": "desert", "forests": "forest",
	"waterfall": "waterfalls", "national parks": "national park", "hot spring": "hot springs", "sunsets": "sunset",
	"grasslands": "grassland", "canyons": "canyon", "outdoor": "outdoors", "coastline": "coast",
	"museum": "museums", "historic": "history", "historical": "history", "gallery": "galleries", "cultural": "culture",
	"old towns": "old town", "temple": "temples", "church": "churches", "castle": "castles", "theatre": "theatre",
	"theater": "theatre", "concert": "concerts", "market": "markets", "festival": "festivals", "theme parks": "theme park",
	"desserts": "dessert", "pastry": "pastries", "foodie": "food", "izakayas": "izakaya", "dumpling": "dumplings", "taco": "tacos",
}

// cuisineOf reads a cuisine named after its country or region: 泰国菜, 新疆美食, "Sichuan
// food", "Thai cuisine". It looks only before the few words that end one, which is far
// cheaper than a pattern tried at every position.
var (
	cuisineOfZh = []string{"泰国", "韩国", "日本", "法国", "意大利", "西班牙", "墨西哥", "印度", "越南", "土耳其", "希腊", "新疆", "云南", "西北", "客家", "潮汕", "东南亚", "台湾", "新加坡", "马来西亚", "俄罗斯", "德国", "四川", "广东", "湖南"}
	cuisineOfEn = map[string]bool{"sichuan": true, "szechuan": true, "cantonese": true, "hunan": true, "yunnan": true, "thai": true, "japanese": true, "korean": true,
		"italian": true, "french": true, "spanish": true, "mexican": true, "indian": true, "vietnamese": true, "greek": true, "turkish": true, "lebanese": true,
		"moroccan": true, "peruvian": true, "chinese": true, "malaysian": true, "indonesian": true, "georgian": true, "portuguese": true, "german": true}
)

func cuisineOf(s string) [][2]int {
	var out [][2]int
	for _, end := range []string{"菜", "料理", "美食", "food", "cuisine", "dishes", "cooking"} {
		for off := 0; off < len(s); {
			k := strings.Index(s[off:], end)
			if k < 0 {
				break
			}
			k += off
			off = k + len(end)
			if end[0] < 0x80 {
				if off < len(s) && wordByte(s[off]) {
					continue
				}
				before := strings.TrimRight(s[:k], " ")
				if len(before) == len(s[:k]) {
					continue // "seafood"
				}
				i := strings.LastIndexByte(before, ' ') + 1
				if cuisineOfEn[before[i:]] {
					out = append(out, [2]int{i, off})
				}
				continue
			}
			for _, w := range cuisineOfZh {
				if strings.HasSuffix(s[:k], w) {
					out = append(out, [2]int{k - len(w), off})
					break
				}
			}
		}
	}
	return out
}

func parsePreferencesIn(m *msg, e *Extraction) {
	sep := listSep(m.lang)
	collect := func(k keywords) string {
		s := m.text()
		var out []string
		seen := map[string]bool{}
		for _, sp := range k.findAll(s) {
			loc := []int{sp.i, sp.j}
			w := s[loc[0]:loc[1]]
			if c, ok := enCanon[w]; ok {
				w = c
			}
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
			m.consume(loc[0], loc[1])
		}
		if len(out) > 0 {
			m.found++
		}
		return strings.Join(out, sep)
	}
	joinTo := func(dst *string, v string) {
		if v == "" {
			return
		}
		if *dst != "" {
			*dst += sep
		}
		*dst += v
	}
	var named []string
	s0 := m.text()
	for _, loc := range cuisineOf(s0) {
		named = append(named, s0[loc[0]:loc[1]])
		m.consume(loc[0], loc[1])
	}
	if len(named) > 0 {
		m.found++
		joinTo(&e.Cuisine, strings.Join(named, sep))
	}
	joinTo(&e.Cuisine, collect(cuisineWords))
	if e.Cuisine == "" {
		// "food" says what the traveller cares about only when nothing more precise was said.
		e.Cuisine = collect(genericFoodWords)
	}
	nat := collect(natureWords)
	s := m.text()
	var singles []string
	for _, loc := range findEach(s, singleNature) {
		prev, _ := utf8.DecodeLastRuneInString(s[:loc[0]])
		next, _ := utf8.DecodeRuneInString(s[loc[1]:])
		if standaloneNeighbour(prev, "看爬欢爱和与跟或及要有去") && standaloneNeighbour(next, "和与跟或及的吧啊呀水") {
			w := s[loc[0]:loc[1]]
			if !strings.Contains(nat, w) && !strings.Contains(strings.Join(singles, ""), w) {
				singles = append(singles, w)
			}
			m.consume(loc[0], loc[1])
		}
	}
	if len(singles) > 0 {
		m.found++
		if nat != "" {
			nat += sep
		}
		nat += strings.Join(singles, sep)
	}
	joinTo(&e.NaturalLandscape, nat)
	joinTo(&e.SocialLandscape, collect(socialWords))
}

func standaloneNeighbour(r rune, ok string) bool {
	return r == utf8.RuneError || !isHan(r) || strings.ContainsRune(ok, r)
}

// Other needs.

var (
	otherGeneric = fields("需要|要求|希望|we need|i need|must have|please make sure")
	otherNeeds   = fields("民宿|青旅|五星|5星|酒店|过敏|孕妇|老人|晕车|接送|无烟|翻译|不想早起|不早起|别太早|慢节奏|不要太累|不想太累|不要太赶|轻松一点|" +
		"gluten-free|gluten free|allergy|allergies|allergic|pregnant|elderly|early morning|early mornings|slow pace|relaxed|no rush|" +
		"airport transfer|airport pickup|non-smoking|nonsmoking|quiet|hostel|hostels|airbnb|guesthouse|guesthouses|b&b")
)

// otherNeedsIn keeps, as written, each clause that states a need no other slot holds.
func otherNeedsIn(m *msg) string {
	s := m.text()
	var out []string
	for _, sp := range clauses(s) {
		loc := []int{sp.i, sp.j}
		clause := s[loc[0]:loc[1]]
		if otherNeeds.findAll(clause) == nil {
			// "需要清真餐" is a need; "需要无障碍" was a need already read.
			g := otherGeneric.findAll(clause)
			if g == nil || onlyFiller(string(m.wo[loc[0]+g[0].j:loc[1]])) {
				continue
			}
		}
		text := strings.TrimSpace(m.orig[loc[0]:loc[1]])
		text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(text, "please"), "谢谢"))
		text = trimAside(text)
		if utf8.RuneCountInString(text) < 2 || onlyFiller(text) {
			continue
		}
		out = append(out, text)
		m.consume(loc[0], loc[1])
	}
	if m.lang == "zh" {
		return strings.Join(out, "；")
	}
	return strings.Join(out, "; ")
}

// asides open a remark made in passing ("对了，我们想住民宿", "oh and we want a b&b"):
// the need is what follows.
var asides = []string{"对了", "还有", "另外", "哦对", "噢对", "顺便说一下", "顺便说下", "顺便", "oh and ", "also ", "and ", "oh ", "btw ", "by the way "}

func trimAside(s string) string {
	for again := true; again; {
		again = false
		for _, w := range asides {
			if len(s) > len(w) && strings.EqualFold(s[:len(w)], w) {
				s, again = strings.TrimLeft(s[len(w):], " ,，"), true
			}
		}
	}
	return s
}

func onlyFiller(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !(isHan(r) && strings.ContainsRune(fillerHan, r)) && !(r < utf8.RuneSelf) {
			return false
		}
	}
	for _, w := range strings.Fields(asciiLower(s)) {
		if !fillerWords[strings.Trim(w, "'")] && w != "need" {
			if strings.IndexFunc(w, func(r rune) bool { return r < utf8.RuneSelf && isASCIILetter(byte(r)) }) >= 0 {
				return false
			}
		}
	}
	return true
}

// Corrections.

var correctionRe = pat(`改成|改为|换成|换到|改到|改去|更改|修改|改一下|不是.{1,30}是|不去.{1,30}去|其实|\bactually\b|\b(?:change|update|move|switch|push|shift|set)\b.{0,40}\bto\b|\binstead\b|\bmake it\b|\bi meant\b|\bcorrection\b|\brather than\b`, "改", "换", "不是", "不去", "其实", "actually", "change", "update", "move", "switch", "push", "shift", "set", "instead", "make it", "meant", "correction", "rather than")

// combos spells out, as an alternation, every word made of one choice from each list
// in turn; "" in a list makes that part optional.
func combos(parts ...[]string) string {
	words := []string{""}
	for _, p := range parts {
		var next []string
		for _, w := range words {
			for _, x := range p {
				next = append(next, w+x)
			}
		}
		words = next
	}
	return strings.Join(words, "|")
}
