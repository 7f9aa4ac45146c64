package dialog

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Slot names one thing the bot can ask for.
type Slot string

// The slots the engine asks for, one question at a time.
const (
	SlotDestination Slot = "destination"
	SlotDates       Slot = "dates"
	SlotBudget      Slot = "budget"
	SlotNeeds       Slot = "needs"
	SlotPreferences Slot = "preferences"
	SlotNone        Slot = ""
)

// ParseContext is what a parser needs besides the text.
type ParseContext struct {
	Now       time.Time      // injectable clock; dates are read in Loc
	Loc       *time.Location // traveller's zone (nil = UTC)
	Expecting Slot           // the question just asked, so a bare "5000" or "Lisbon" or "yes" can be read as its answer
	// Places is the gazetteer that tells a place's name from other words; nil keeps what a
	// marker or the answer names as written, and finds no place anywhere else.
	Places Places
	// Filled says the trip already has a destination: a name inside it is a sight.
	Filled bool
	// Period is the part of a month the traveller named before ("下个月中旬"): days of the
	// month said alone are read inside it.
	Period *Period
	// TripStart and TripEnd are the trip's dates so far: "make it a week later" moves them.
	TripStart, TripEnd *Date
	// TripBudget and TripCurrency are the budget so far: "预算再加1000" adds to it.
	TripBudget   *float64
	TripCurrency string
	// noSplit reads a message whole, for the parts of a self-correction.
	noSplit bool
}

// Money is a budget as stated.
type Money struct {
	Low, High float64 // equal for a single figure; a range keeps both
	Currency  string  // ISO 4217 if stated or implied by a symbol or word, "" if not stated
	Total     bool    // stated for the whole group
	PerPerson bool    // stated per person
	// YenSign: the currency was the sign ¥ alone, read as yuan (CNY) unless the trip is
	// to Japan, where it is yen.
	YenSign bool
}

// Extraction is everything one message says, for every slot (not only the one asked).
type Extraction struct {
	Destination string // a known place named (as written, or the name a typo meant); "" if none
	Misspelt    string // the typo Destination corrects, as written
	// ProposedDestination is an unknown name after a marker ("去鼓浪屿", "trip to
	// Hallstatt"): asked about, never stored until the traveller confirms it.
	ProposedDestination string
	PlaceOptions        []string // places named as alternatives ("Rome or Florence"): ask which
	VaguePlace          string   // a place described, not named ("somewhere with snow"): its theme
	NotDestination      string   // place explicitly rejected in a correction
	// Here is a known place the traveller says they are in or leave from ("我在东京，",
	// "from beijing"), which is not where the trip goes; an emergency's whereabouts.
	Here       string
	Exclude    []string // places and things the traveller does not want
	Start, End *Date    // End nil when only a start was said
	Days       int      // a duration as said; when Start and Days are both known, End is set too
	// MoreDays are days added to the trip as it is ("多加一天", "2 more days"); fewer when
	// negative ("少一天", "cut a day"). The start stays; the end moves.
	MoreDays int
	// Budget is nil when no budget was stated. An explicit zero or negative figure
	// ("预算0", "budget -100") is reported as a zero Money so that the engine can re-ask
	// with a specific message; a budget word with no figure ("budget: lots") leaves Budget
	// nil and sets Unparsed.
	Budget    *Money
	PartySize int
	// PartyJoins is how many people a message says join the party ("my sister is coming
	// too"): added to a known party size, which PartySize (counting the speaker) replaces
	// only when none is known.
	PartyJoins                              int
	Accessibility, KidFriendly, PetFriendly *bool
	NaturalLandscape, SocialLandscape       string // keywords joined with "、" (zh) or ", " (en)
	Cuisine                                 string
	OtherNeeds                              string // free text clearly stating another need
	Yes                                     *bool  // a yes/no answer
	Correction                              bool   // the text reads as a correction
	SelfCorrected                           bool   // the message corrected itself; the last value said won
	Lang                                    string // "zh", "en" or ""
	Unparsed                                bool   // content no parser could read, for an LLM extractor
	DateProblem                             string // "invalid" or "ambiguous"; the engine re-asks
	// chat is set when the only slot read was a day named in talk about the traveller's
	// day ("今天好累"): nothing is stored and the message is small talk.
	chat bool
	// DateReadings are the readings of dates written in an order that could be either
	// (3/4: March 4 or 3 April), for the engine to offer as choices.
	DateReadings [][2]*Date
	// Period is a part of a month said instead of days ("下个月中旬"): the engine asks
	// which days within it.
	Period *Period
}

// maxRunes bounds the work done on one message. Nobody describes a trip in more than a
// thousand characters, and the cap keeps every parser linear and fast on hostile input.
const maxRunes = 1000

// msg is one message prepared for the parsers. orig and low have the same byte offsets,
// so a span found in the lower-cased text can be cut from the original to keep a place
// name as the traveller wrote it. Parsers blank what they have read in w and wo, so a
// number read as a date cannot be read again as a budget.
type msg struct {
	orig string
	low  string
	w    []byte // low, with consumed spans blanked
	wo   []byte // orig, with consumed spans blanked
	lang string
	// found counts slots read so far; a bare place name is trusted only beside other
	// recognised pieces or as the answer to the destination question.
	found int
}

// reDaysNights is a length said as days and nights with 日 for 天: 三日两夜 is 三天两夜,
// not the third of a month.
var reDaysNights = regexp.MustCompile(`([一二两三四五六七八九十\d]+)日([一二两三四五六七八九十\d]+)(夜|晚)`)

// tensWritten writes 廿 and 卅 (twenty, thirty: 廿五号) as the numerals they stand for.
var tensWritten = strings.NewReplacer("廿", "二十", "卅", "三十")

func newMsg(text string) *msg {
	n := normalizeText(text)
	if strings.Contains(n, "日") && strings.ContainsAny(n, "夜晚") {
		// Not "5月1日3晚": a date followed by nights.
		n = reDaysNights.ReplaceAllStringFunc(n, func(w string) string {
			if i := strings.Index(n, w); i > 0 && strings.HasSuffix(strings.TrimRight(n[:i], " "), "月") {
				return w
			}
			return reDaysNights.ReplaceAllString(w, "${1}天${2}${3}")
		})
	}
	if strings.ContainsAny(n, "廿卅") {
		n = tensWritten.Replace(n)
	}
	s := convertChineseNumerals(spellAmounts(n))
	low := asciiLower(s)
	return &msg{orig: s, low: low, w: []byte(low), wo: []byte(s), lang: detectLang(n)}
}

func (m *msg) text() string { return string(m.w) }

// has reports whether s contains any of the needles. Patterns are tried only when a
// word they need is present: most messages hold few of them, and the check costs far
// less than running the pattern.
func has(s string, needles ...string) bool {
	for _, n := range needles {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

func hasDigits(s string) bool { return strings.ContainsAny(s, "0123456789") }

func hasLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if isASCIILetter(s[i]) {
			return true
		}
	}
	return false
}

// taken reports whether the byte at i was consumed after the text was last read.
func (m *msg) taken(i int) bool { return i < len(m.w) && m.w[i] == ' ' && m.low[i] != ' ' }

func (m *msg) consume(i, j int) {
	if i < 0 {
		i = 0
	}
	if j > len(m.w) {
		j = len(m.w)
	}
	for k := i; k < j; k++ {
		m.w[k] = ' '
		m.wo[k] = ' '
	}
}

// normalizeText caps the length, replaces invalid UTF-8 and control characters, folds
// full-width forms to ASCII and unifies dashes and quotes, so the patterns need only
// one spelling of each.
func normalizeText(text string) string {
	var b strings.Builder
	b.Grow(min(len(text), maxRunes*3))
	n := 0
	for i := 0; i < len(text) && n < maxRunes; {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		n++
		switch {
		case r == utf8.RuneError:
			r = ' '
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == '\u3000' || r == '\u00a0':
			r = ' '
		case r == '。' || r == '｡':
			r = '.'
		case r == '、' || r == '､':
			r = ','
		case r == '—' || r == '–' || r == '−' || r == '‐' || r == '‑' || r == '―':
			r = '-'
		case r == '〜' || r == '∼':
			r = '~'
		case r == '’' || r == '‘':
			r = '\''
		case r == '“' || r == '”':
			r = '"'
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff':
			continue
		case unicode.IsControl(r) || unicode.IsSpace(r):
			r = ' '
		case r >= 0x4E00:
			if v, ok := simplifiedOf[r]; ok {
				r = v // 兩千五 is 两千五
			}
		}
		b.WriteRune(r)
	}
	return chatSpelling(b.String())
}

// reChatSpelling finds the short and misspelt forms of words people type in chats: time
// words ("tmrw", "nxt wknd", "tommorow", "2nite") and the needs most often misspelt
// ("vegitarian", "wheelchiar"); chatWords has the word each stands for.
var (
	reChatSpelling = regexp.MustCompile(`(?i)\b(?:tmrw|tmrow|tmoro|tmr|2moro|2morrow|2mrw|tomorow|tommorow|tommorrow|tomorrrow|tomoro|nxt|wknd|wkend|2nite|tonite|vegitarian|vegeterian|vegetarain|vegatarian|wheelchiar|wheelchar|weelchair|wheel chair|accesible|accessable|alergic)\b`)
	chatWords      = map[string]string{"nxt": "next", "wknd": "weekend", "wkend": "weekend", "2nite": "tonight", "tonite": "tonight",
		"vegitarian": "vegetarian", "vegeterian": "vegetarian", "vegetarain": "vegetarian", "vegatarian": "vegetarian",
		"wheelchiar": "wheelchair", "wheelchar": "wheelchair", "weelchair": "wheelchair", "wheel chair": "wheelchair",
		"accesible": "accessible", "accessable": "accessible", "alergic": "allergic"}
)

// reChatYou is "u" and "ur" standing alone between spaces: "can u make it cheaper".
var reChatYou = regexp.MustCompile(`(?i)(^|\s)(u|ur)(\s|$)`)

// chatSpelling writes the chat forms of those words, and "u" for "you", out in full.
func chatSpelling(s string) string {
	if strings.ContainsAny(s, "uU") && reChatYou.MatchString(s) {
		s = reChatYou.ReplaceAllStringFunc(s, func(w string) string {
			m := reChatYou.FindStringSubmatch(w)
			full := "you"
			if strings.EqualFold(m[2], "ur") {
				full = "your"
			}
			return m[1] + full + m[3]
		})
	}
	if !strings.ContainsAny(s, "tTnNwWvVaA2") || !reChatSpelling.MatchString(s) {
		return s
	}
	return reChatSpelling.ReplaceAllStringFunc(s, func(w string) string {
		if full, ok := chatWords[asciiLower(w)]; ok {
			return full
		}
		return "tomorrow"
	})
}

// asciiLower lowers only ASCII letters so that byte offsets stay those of the input.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func detectLang(s string) string {
	latin := false
	for _, r := range s {
		if isHan(r) {
			return "zh"
		}
		if r < utf8.RuneSelf && isASCIILetter(byte(r)) {
			latin = true
		}
	}
	if latin {
		return "en"
	}
	return ""
}

// listSep joins keywords the way the message's language would.
func listSep(lang string) string {
	if lang == "zh" {
		return "、"
	}
	return ", "
}

func ptr[T any](v T) *T { return &v }

var commandRe = regexp.MustCompile(`^\s*/[a-z_]+(?:@[a-z0-9_]+)?`)

// reCountSaid is a party size said as a number ("so 3 ppl now", "3 of us", 一共四个人):
// people said to join it are in it already.
var reCountSaid = regexp.MustCompile(`\b\d{1,2}\s*(?:ppl|people|persons|of us|pax|adults)\b|\b(?:two|three|four|five|six|seven|eight) (?:of us|people|ppl)\b|[一二两三四五六七八九十\d]+个人|一共|总共`)

// reMoreJoin adds people to a known party: 多加一个人, 再带一个小朋友, 再加两个人.
var reMoreJoin = regexp.MustCompile(`^(?:我们)?(?:再|多|还要|还得|又|还有|加|带)(?:加|带|来|多)?(?:上|了)?\s*([一两二三四五六俩\d])\s*(?:个|位)?\s*(人|大人|小朋友|孩子|小孩|朋友|同事|同学)(?:要来|也来|也去|要去|一起去|加入)?(?:吧|哦|啊|了)?$|^人数(?:加|\+)\s*([一两二三\d])$`)

// reOneLess says one of the party no longer comes: 有一个人不去了, 人数减一, "one of us can't
// make it anymore".
var reOneLess = regexp.MustCompile(`^(?:我们)?(?:有|其中)?(?:一|1)个人(?:临时)?(?:不去了|去不了了|来不了了|不来了)|^人数(?:减|-)\s*(?:一|1)$|\bone of us (?:can'?t|cannot|won'?t) (?:come|make it|go)\b|\bone (?:person|of us) (?:dropped out|is out|pulled out)\b`)

// reLeavesZh and reLeavesEn say someone of the party no longer comes.
var (
	reLeavesZh = regexp.MustCompile(`(?:老公|老婆|爸爸|妈妈|我爸|我妈|朋友|同事|同学|闺蜜|男朋友|女朋友|对象|爱人|哥哥|姐姐|弟弟|妹妹|奶奶|爷爷|外婆|外公)[^，。,.!?？！]{0,8}(?:不去了|去不了了|去不成了|不来了|来不了了|不能去了)`)
	reLeavesEn = regexp.MustCompile(`\b(?:my|our) (?:wife|husband|partner|friend|mate|sister|brother|mum|mom|dad|girlfriend|boyfriend|colleague)\b[^.,!?]{0,20}\b(?:can'?t come|cannot come|can'?t make it|isn'?t coming|is not coming|won'?t be coming|dropped out|pulled out)\b`)
)

// Extract reads everything a message says, for every slot. It never fails: what it
// cannot read is left unset and flagged with Unparsed or DateProblem.
func Extract(text string, c ParseContext) Extraction {
	if !c.noSplit {
		if ex, ok := extractCorrected(text, c); ok {
			return ex
		}
	}
	m := newMsg(text)
	e := Extraction{Lang: m.lang}
	if loc := commandRe.FindStringIndex(m.low); loc != nil {
		m.consume(loc[0], loc[1])
	}
	if strings.TrimSpace(m.text()) == "" {
		return e
	}
	e.Correction = correctionRe.MatchString(m.low)

	// Wishes and conditions first: 怀孕五个月 is not a trip of five months.
	parseNoFlyIn(m, &e)
	parseWishesIn(m, &e)
	// A child's age ("8个月大", "our 2 year old") is neither a length nor a date.
	childAge := false
	for _, loc := range reChildAge.FindAllStringIndex(m.text(), -1) {
		childAge = true
		m.consume(loc[0], loc[1])
	}
	// Order matters: dates and durations first, then party sizes, so that what is left
	// of the numbers can be weighed as money.
	dr := parseDatesIn(m, c)
	e.Start, e.End, e.Days, e.DateProblem = dr.start, dr.end, dr.days, dr.problem
	e.DateReadings = dr.readings
	e.Period = dr.period
	e.MoreDays = dr.more
	if dr.found {
		m.found++
	}
	party, kids := parsePartyIn(m)
	e.PartySize = party
	// "my sister and her husband are coming too": people joining a party already known
	// are added to it; the speaker is already counted there.
	if party > 1 && reJoining.MatchString(m.low) && !selfNamed(m.low) && !reCountSaid.MatchString(m.low) {
		e.PartyJoins = party - 1
	}
	// "多加一个人", "再带一个小朋友": so many more than the party known.
	if mj := reMoreJoin.FindStringSubmatch(m.low); mj != nil {
		if mj[1] == "" {
			mj[1] = mj[3]
		}
		if mj[1] == "俩" {
			mj[1] = "2"
		}
		if k := zhNum(mj[1]); k > 0 {
			party, e.PartySize, e.PartyJoins = k+1, k+1, k
			kids = kids || has(mj[2], "小朋友", "孩子", "小孩", "娃")
		}
	}
	// "老公临时有事不去了", "my sister can't come": one fewer.
	if party == 0 && (reLeavesZh.MatchString(m.low) || reLeavesEn.MatchString(m.low) || reOneLess.MatchString(m.low)) {
		e.PartyJoins = -1
	}
	if party > 0 {
		m.found++
	}
	if b, ok := parseBudgetIn(m, c.Expecting); ok {
		// "两个人预算4000", "$900 for the two of us": a figure said beside the group's size,
		// and not per person, is for the whole group.
		// A form's budget field ("【预算】5000", "budget: 3000") is per person unless it says total.
		if party > 1 && !b.PerPerson && !reBudgetLabel.MatchString(m.low) {
			b.Total = true
		}
		e.Budget = b
		m.found++
	}
	parseNeedsIn(m, &e, c.Expecting)
	if kids && e.KidFriendly == nil || childAge && e.KidFriendly == nil {
		e.KidFriendly = ptr(true)
	}
	if yes, ok := yesNoIn(m); ok {
		e.Yes = ptr(yes)
		m.found++
	}
	// Places before preferences, so 黄山 and 西湖-like names are read whole; what a
	// traveller rules out before either, so "不要去鼓山" is never a destination.
	parseExclusionsIn(m, &e, c)
	parseSightsIn(m, &e, c)
	parseDestinationIn(m, &e, c)
	parsePreferencesIn(m, &e)
	if e.NotDestination != "" {
		e.Correction = true
	}
	if more := otherNeedsIn(m); more != "" {
		if e.OtherNeeds != "" {
			e.OtherNeeds += "；"
		}
		e.OtherNeeds += more
	}
	e.Unparsed = leftover(m)
	// "今天好累", "ugh work tomorrow": a day named in talk about the traveller's day, not
	// the trip, sets no dates.
	if dr.found && aboutTheDay(m.low) {
		f := e
		f.Start, f.End, f.Days, f.Period, f.DateProblem, f.DateReadings = nil, nil, 0, nil, "", nil
		if !f.fills() {
			f.chat, f.Unparsed = true, false
			return f
		}
	}
	return e
}

var (
	// dayWords name a day or a week relative to today.
	dayWords = litsOf(`今天|明天|后天|昨天|前天|今晚|明晚|周末|下周|这周|本周|\btoday\b|\btomorrow\b|\btonight\b|\byesterday\b|\bweekend\b|\bnext week\b|\bthis week\b`)
	// dayTalk is how people talk about their day: tiredness, work, school, the weather, moods.
	dayTalk = litsOf(`累|困|烦|忙|上班|加班|下班|考试|天气|下雨|下雪|心情|开心|难过|愉快|快乐|紧张|无聊|作业|上学|上课|开会|睡|饿|明天见|周末见|下周见|` +
		`\btired|exhausted|\bwork\b|long day|weather|\bbusy\b|sleepy|nice weekend|good weekend|great weekend|lovely weekend|\bhappy\b|\bexam|\bschool\b|\bboring\b|\bbored\b|\bmeeting|\bugh\b|\bsick\b|\brain|see you|see ya`)
	// tripTalk says the days named are the trip's.
	tripTalk = litsOf(`出发|走|去|回|玩|飞|旅|行程|游|住|订|安排|` +
		`\btrip|\bleav|\bgo\b|\bgoing\b|\bfly|\bback\b|\breturn|\btravel|\bstart|\bfrom\b|\buntil\b|\barriv|\bdepart|\bvisit|\bstay|\bbook|\bplan|\bholiday|\bvacation|\bdays\b|\bnights\b`)
)

// aboutTheDay reports whether a message that names a day talks about the traveller's
// day ("今天好累", "tired today") rather than the trip.
func aboutTheDay(low string) bool {
	return dayWords.in(low) && dayTalk.in(low) && !tripTalk.in(low)
}

// fillerWords are what people wrap slot values in; they do not make a message unparsed.
var fillerWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or but so we i me us our my you your it its is are am be was
		were will would could can should do does did to in on at of for from with about around approx approximately
		roughly maybe probably please pls plz thanks thank thx hi hello hey want wanna like love would'd i'd i'm we're
		let's lets go going trip travel travelling traveling holiday vacation plan planning visit visiting also too
		and then just only really very some any there here that this these those be been have has had want to need
		budget dates date days day people person each per total all both family kids around about is it's ok okay well um hmm
		actually instead change make it from until till between max maximum up under below within less than more
		prefer enjoy into fan big looking forward interested we'll i'll we've i've be bring bringing taking take
		destination place food stuff things time meant mean may might set update`) {
		fillerWords[w] = true
	}
}

const fillerHan = "设施房间出发改为成换我们你他她它的了吗吧呢啊呀哦嗯哈和与跟及还有然后就也都请谢想要去在是个些这那一个好很非常特别比较喜欢爱玩旅游行计划打算准备希望可以能会吧啦呗嘛么大概左右差不多预算总共一共每人人均带"

// leftover reports whether content is left that no parser read: at least two letters of
// something other than filler.
func leftover(m *msg) bool {
	han := 0
	for _, r := range string(m.wo) {
		if isHan(r) && !strings.ContainsRune(fillerHan, r) {
			han++
		}
	}
	if han >= 2 {
		return true
	}
	for _, word := range strings.FieldsFunc(m.text(), func(r rune) bool {
		return !(r < utf8.RuneSelf && (isASCIILetter(byte(r)) || r == '\''))
	}) {
		word = strings.Trim(word, "'")
		if len(word) >= 2 && !fillerWords[word] {
			return true
		}
	}
	return false
}
