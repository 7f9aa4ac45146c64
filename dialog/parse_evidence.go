package dialog

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Destinations come from evidence, never from what is left over: (a) a place the
// gazetteer knows, anywhere in the message, or a near spelling of a big town's name;
// (b) a phrase after an explicit marker (去 X, trip to X) that the gazetteer does not
// know, which is proposed and confirmed before it is used; (c) the answer to the
// destination question, judged the same way. Anything else is never a destination.

// judgement is what a candidate phrase is worth as a destination.
type judgement int

const (
	notAPlace judgement = iota
	knownPlace
	proposedPlace
)

// how a candidate was found: what it may become when the gazetteer does not know it.
type evidenceKind int

const (
	foundAnywhere   evidenceKind = iota // only a known name counts
	afterWeakMarker                     // "in X", "to X": a known name or a near spelling
	afterMarker                         // "去X", "trip to X": also an unknown name, proposed
	asAnswer                            // the answer to the destination question: as a marker
)

// judge decides what p is: a known place (name is what to store: p, or the name it
// misspells), an unknown one to propose, or nothing.
func judge(p string, kind evidenceKind, c ParseContext, lang string) (judgement, string) {
	p = strings.Trim(p, " ,.!?;:'\"-~")
	if p == "" || utf8.RuneCountInString(p) > 40 || notPlaces[asciiLower(p)] {
		return notAPlace, ""
	}
	// "一共", "总共", "一行": what counts people or money is never a place, however
	// close a town's name is (一共 ≈ 一宮).
	if countingWords(p) {
		return notAPlace, ""
	}
	// 西餐 is food, not a misspelt 西昌: what a trip has is never a place unless it is
	// written as a name or after a marker.
	if kind != afterMarker && capitalisedWords(p) == 0 && isPrefWord(p) {
		return notAPlace, ""
	}
	if c.Places == nil {
		// Without a gazetteer nothing can be checked: what a marker or the answer names is
		// kept as written for the planner to place.
		if kind >= afterMarker && looksLikePlace(p) && !zhNotPlaceChars(p) {
			return knownPlace, p
		}
		return notAPlace, ""
	}
	known, common := c.Places.Knows(p)
	if known && (!common || kind == afterMarker || capitalisedWords(p) >= 2 || kind == asAnswer && capitalisedWords(p) >= 1) {
		return knownPlace, p
	}
	if kind == foundAnywhere {
		return notAPlace, ""
	}
	// "the northern lights in tromso": after "in" or "to", the name of a small town
	// that is no ordinary word is that town.
	if known && kind == afterWeakMarker && !hasHan(p) && len(p) >= 5 && !strings.Contains(p, " ") && !c.Places.Word(p) {
		return knownPlace, p
	}
	if !known || common {
		if n, ok := c.Places.Near(p, lang); ok && looksLikeMisspelling(p, n) {
			return knownPlace, n
		}
	}
	// "trip to dubrovnick", "Reykavik" as the answer: the spelling index holds big towns
	// only; where a name is expected, one smaller town a typing mistake away is meant. An
	// answer in lower case is too often an ordinary word ("marmalade" is one letter from
	// Marmelade, Haiti) to be taken for a town it is not.
	if !known && (kind == afterMarker || kind == asAnswer && capitalisedWords(p) >= 1) {
		if n, ok := nearSmallTown(c, p, lang); ok {
			return knownPlace, n
		}
	}
	// An unknown answer is proposed only when it reads as a name in Latin letters: a
	// run of Chinese words ending in 山 is too easily something else without a marker.
	if kind >= afterMarker && plausibleName(p) && (kind == afterMarker || !hasHan(p)) {
		return proposedPlace, p
	}
	return notAPlace, ""
}

// nearSmallTown returns the one town that p, written in Latin letters where a place's
// name is expected, misspells: the gazetteer's suggestions for p (towns of any size whose
// names are close), when exactly one of them is closest and one typing mistake away (two
// in a name of eight letters or more). Short words are too close to too many towns.
func nearSmallTown(c ParseContext, p, lang string) (string, bool) {
	typed := []rune(asciiLower(strings.TrimSpace(p)))
	if len(typed) < 6 || hasHan(p) || fillerWords[string(typed)] {
		return "", false
	}
	m := c.Places.Lookup(p, lang)
	if m.Place != nil || m.Ambiguous || len(m.Candidates) == 0 {
		return "", false
	}
	// In lower case, after words as loose as "see" or "doing", a short ordinary word may be
	// one letter from a small town ("see butter", Butte): only longer names are corrected,
	// by one mistake.
	limit := 1
	if len(typed) >= 8 && capitalisedWords(p) > 0 {
		limit = 2
	}
	if capitalisedWords(p) == 0 && len(typed) < 8 {
		return "", false
	}
	best, bestD, ties := "", limit+1, 0
	for _, cand := range m.Candidates {
		name, _, _ := strings.Cut(cand.Name, ",")
		switch d := runeDistance(typed, []rune(asciiLower(foldAccents(name)))); {
		case d < bestD:
			best, bestD, ties = name, d, 1
		case d == bestD:
			ties++
		}
	}
	if best == "" || ties > 1 {
		return "", false
	}
	return best, true
}

// foldAccents replaces the accented Latin letters of town names with plain ones
// (Reykjavík, São Paulo), so that they are compared as typed.
func foldAccents(s string) string {
	return accentFolder.Replace(s)
}

var accentFolder = strings.NewReplacer("á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a", "å", "a", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i", "ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o", "ø", "o", "ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ñ", "n", "ç", "c", "ý", "y", "Á", "A", "É", "E", "Í", "I", "Ó", "O", "Ú", "U", "Ö", "O", "Ü", "U")

// countChars are what Chinese phrases that count people, days or money are made of.
const countChars = "一二两三四五六七八九十共总每人均位个行们俩仨口"

// countingWords reports a Chinese phrase made only of counting words (一共, 总共, 人均,
// 一行, 大人): a count, never a name.
func countingWords(p string) bool {
	if !hasHan(p) {
		return false
	}
	for _, r := range p {
		if !strings.ContainsRune(countChars, r) && r != ' ' {
			return false
		}
	}
	return true
}

// looksLikeMisspelling reports whether typed reads as a misspelling of the town name
// near: a near name reached through a town's name in another language (Monschau is one
// step from Moskau, Wengen from Wenen) is not what the traveller typed, so the name they
// wrote is proposed instead. Chinese names are compared by sound elsewhere.
func looksLikeMisspelling(typed, near string) bool {
	if hasHan(typed) || hasHan(near) {
		return true // compared by sound, or named in the reply's language (hangzou → 杭州)
	}
	name, _, _ := strings.Cut(near, ",")
	a, b := []rune(asciiLower(strings.TrimSpace(typed))), []rune(asciiLower(strings.TrimSpace(name)))
	return runeDistance(a, b) <= max(2, len(a)/4)
}

// runeDistance is the edit distance of a and b.
func runeDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// capitalisedWords counts the words of p written with a capital letter.
func capitalisedWords(p string) int {
	n := 0
	for _, w := range strings.Fields(p) {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
			n++
		}
	}
	return n
}

// zhPlaceSuffixes end the names of places the gazetteer does not list: islands,
// mountains, lakes, old towns, scenic areas.
var zhPlaceSuffixes = []string{"岛", "屿", "山", "湖", "镇", "村", "县", "市", "州", "寨", "湾",
	"草原", "古城", "古镇", "景区", "国家公园", "森林公园", "盐湖", "峡谷", "沟"}

// translit are characters common in Chinese spellings of foreign names (喀纳斯, 普吉).
const translit = "喀纳斯尔克拉巴亚尼特里蒂多伊奥乌阿布卡萨塔哈吉坦兰贝德维莫罗弗格瓦plate"

// zhRegions are provinces and regions people go to, which a list of towns lacks.
var zhRegions = strings.Fields("云南 新疆 西藏 海南 四川 贵州 广西 内蒙古 内蒙 青海 甘肃 宁夏 福建 浙江 江苏 安徽 江西 湖南 湖北 河南 河北 山东 山西 陕西 辽宁 吉林 黑龙江 广东 台湾 东北 江南 川西 北疆 南疆 西北 潮汕")

// plausibleName reports whether p, unknown to the gazetteer, reads as a place's name:
// capitalised words in Latin script, or in Chinese a name ending like a place's.
func plausibleName(p string) bool {
	if !looksLikePlace(p) {
		return false
	}
	if hasHan(p) {
		for _, r := range zhRegions {
			if p == r {
				return true
			}
		}
		if zhNotPlaceChars(strings.TrimRight(p, "岛山湖")) {
			return false
		}
		n := utf8.RuneCountInString(p)
		for _, s := range zhPlaceSuffixes {
			// 莫干山, 涠洲岛: a name of two characters or more before the ending.
			if strings.HasSuffix(p, s) && n >= utf8.RuneCountInString(s)+2 && n <= 8 {
				return true
			}
		}
		if n >= 3 && n <= 6 {
			for _, r := range p {
				if !strings.ContainsRune(translit, r) {
					return false
				}
			}
			return true
		}
		return false
	}
	for _, w := range strings.Fields(p) {
		if enConnectors[asciiLower(w)] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) || fillerWords[asciiLower(w)] || notPlaces[asciiLower(w)] {
			return false
		}
	}
	return true
}

// spot is a place name found in the message.
type spot struct {
	i, j int
	name string // what to store: the name as written, or the name it misspells
}

// zhLeftContext may come right before a place's name inside a run of Chinese.
const zhLeftContext = "去到在从飞往回游逛是和或者与跟及想要就住玩看选定游"

// spotPlaces finds the gazetteer's names anywhere in what is left of the message.
func spotPlaces(m *msg, c ParseContext) []spot {
	if c.Places == nil {
		return nil
	}
	wo := string(m.wo)
	var out []spot
	// Chinese: every stretch of a run that the gazetteer knows, at a word boundary.
	for _, run := range hanRuns(wo) {
		out = append(out, spotHan(wo, run.i, run.j, c)...)
	}
	// Latin: one to three words, the longest first.
	type word struct{ i, j int }
	var words []word
	for i := 0; i < len(wo); {
		r, size := utf8.DecodeRuneInString(wo[i:])
		if !(r < utf8.RuneSelf && isASCIILetter(byte(r)) || r >= 0xC0 && unicode.IsLetter(r) && !isHan(r)) {
			i += size
			continue
		}
		j := i
		for j < len(wo) {
			r2, s2 := utf8.DecodeRuneInString(wo[j:])
			if !(r2 < utf8.RuneSelf && (isASCIILetter(byte(r2)) || r2 == '\'' || r2 == '-') || r2 >= 0xC0 && unicode.IsLetter(r2) && !isHan(r2)) {
				break
			}
			j += s2
		}
		words = append(words, word{i, j})
		i = j
	}
	for k := 0; k < len(words); {
		found := false
		for n := min(3, len(words)-k); n >= 1; n-- {
			first, last := words[k], words[k+n-1]
			// Words of one name are separated by single spaces only.
			if n > 1 && strings.TrimSpace(wo[first.j:last.i]) != "" && !onlySpaces(wo[first.i:last.j]) {
				continue
			}
			p := wo[first.i:last.j]
			lw := asciiLower(p)
			if n == 1 && (len(p) < 3 || fillerWords[lw] || notPlaces[lw]) {
				continue
			}
			if n > 1 && (fillerWords[asciiLower(wo[first.i:first.j])] || fillerWords[asciiLower(wo[last.i:last.j])]) {
				continue
			}
			// "hot springs", "old town": what a trip has, unless written as a name.
			if isPrefWord(p) && capitalisedWords(p) == 0 {
				continue
			}
			// "Sichuan food", "Hunan cuisine": a place's name before a word for food is
			// the food's.
			if foodAfter(wo[last.j:]) {
				continue
			}
			// "phuket or krabi": a name offered beside another is said to be a place, as
			// after "in".
			kind := foundAnywhere
			if before, after := asciiLower(strings.TrimRight(wo[:first.i], " ")), asciiLower(wo[last.j:]); strings.HasSuffix(before, " or") || before == "or" || strings.HasPrefix(after, " or ") {
				kind = afterWeakMarker
			}
			if j, name := judge(p, kind, c, m.lang); j == knownPlace {
				out = append(out, spot{first.i, last.j, name})
				k += n
				found = true
				break
			}
		}
		if !found {
			k++
		}
	}
	return out
}

// hanRuns returns the spans of the runs of Chinese characters in s.
func hanRuns(s string) []span {
	var out []span
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isHan(r) {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r2, s2 := utf8.DecodeRuneInString(s[j:])
			if !isHan(r2) {
				break
			}
			j += s2
		}
		out = append(out, span{i, j})
		i = j
	}
	return out
}

// foodAfter reports whether rest starts with a word for a kind of food.
func foodAfter(rest string) bool {
	rest = strings.TrimLeft(rest, " ")
	for _, w := range []string{"food", "cuisine", "dishes", "dish", "cooking", "restaurant", "hotpot", "hot pot", "noodles", "style food"} {
		if len(rest) >= len(w) && strings.EqualFold(rest[:len(w)], w) && (len(rest) == len(w) || !isASCIILetter(rest[len(w)])) {
			return true
		}
	}
	return false
}

func onlySpaces(s string) bool {
	for _, r := range s {
		if !(r == ' ' || unicode.IsLetter(r) || r == '\'' || r == '-') {
			return false
		}
	}
	return true
}

// spotHan finds known names in the Chinese run wo[i:j]: each must start the run or
// follow a word like 去 or 在, and end it or come before a word like 玩 or 旅游, so that
// 天津 is not read out of 明天津贴.
func spotHan(wo string, i, j int, c ParseContext) []spot {
	var out []spot
	afterName := false
	for a := i; a < j; {
		_, sa := utf8.DecodeRuneInString(wo[a:])
		// "成都重庆都想去": a name may follow another with nothing between.
		leftOK := a == i || afterName
		afterName = false
		if !leftOK {
			prev, _ := utf8.DecodeLastRuneInString(wo[:a])
			leftOK = strings.ContainsRune(zhLeftContext, prev)
		}
		matched := false
		if leftOK {
			// The longest name first: 哈尔滨 before 哈尔.
			ends := []int{}
			for b, n := a, 0; b < j && n < 8; n++ {
				_, sb := utf8.DecodeRuneInString(wo[b:])
				b += sb
				if n >= 1 {
					ends = append(ends, b)
				}
			}
			for k := len(ends) - 1; k >= 0; k-- {
				b := ends[k]
				ends := b == j || zhStopAt(wo, b) || strings.HasPrefix(wo[b:], "市")
				// "成都重庆": a name may also end where another starts; looked for only
				// once the name is known, the rare case.
				if !ends && j-b < 6 { // no room for another name of two characters
					continue
				}
				name := wo[a:b]
				if known, _ := c.Places.Knows(name); known && (ends || knownNameAt(wo[b:j], c)) {
					out = append(out, spot{a, b, name})
					a = b
					matched, afterName = true, true
					break
				}
			}
		}
		if !matched {
			a += sa
		}
	}
	return out
}

// knownNameAt reports whether s starts with a known place's name of two or three
// characters that ends s or is followed by a word that ends a name.
func knownNameAt(s string, c ParseContext) bool { return knownNamesAt(s, c, 3) }

// knownNameLen is the length in bytes of the longest Chinese name of a known place that s
// starts with (two to six characters) and that ends where the text or a word that ends
// names does, or 0. What a trip has (日出, 云海) is no such name.
func knownNameLen(s string, c ParseContext) int {
	if c.Places == nil {
		return 0
	}
	n, b, best := 0, 0, 0
	for k, r := range s {
		if n == 6 || !isHan(r) {
			break
		}
		n, b = n+1, k+utf8.RuneLen(r)
		if n >= 2 && (b == len(s) || zhStopAt(s, b) || !startsHan(s[b:])) && !wholePrefWord(s[:b]) {
			if known, _ := c.Places.Knows(s[:b]); known {
				best = b
			}
		}
	}
	return best
}

// startsHan reports whether s starts with a Chinese character.
func startsHan(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isHan(r)
}

// knownNamesAt is knownNameAt where the name may itself be followed by up to depth more
// names ("重庆重庆重庆").
func knownNamesAt(s string, c ParseContext, depth int) bool {
	n, b := 0, 0
	for k, r := range s {
		if n == 3 {
			break
		}
		n, b = n+1, k+utf8.RuneLen(r)
		if n >= 2 && (b == len(s) || zhStopAt(s, b) || depth > 1 && knownNamesAt(s[b:], c, depth-1)) {
			if known, _ := c.Places.Knows(s[:b]); known {
				return true
			}
		}
	}
	return false
}

// zhStopAt reports whether a word that ends a place's name starts at b.
func zhStopAt(s string, b int) bool {
	for _, w := range zhPlaceStops {
		if strings.HasPrefix(s[b:], w) {
			return true
		}
	}
	for _, w := range []string{"走起", "走", "趟", "出发", "自由行", "跟团", "站", "市", "机场", "周边", "附近", "选", "都", "哪", "三", "四", "五", "六", "七", "八", "九", "十"} {
		if strings.HasPrefix(s[b:], w) {
			return true
		}
	}
	for _, w := range zhActivities {
		if strings.HasPrefix(s[b:], w) {
			return true
		}
	}
	return false
}

// zhActivities are what people go somewhere to do; a known place's name may end before
// one (去北海道滑雪, 去新疆自驾, 去三亚度蜜月). They only end a name the gazetteer knows.
var zhActivities = []string{"滑雪", "自驾", "徒步", "潜水", "冲浪", "避暑", "避寒", "蜜月", "度蜜月", "赏花", "赏雪",
	"赏枫", "赏樱", "拍照", "泡温泉", "晒太阳", "骑行", "爬山", "登山", "追极光", "观光", "休假", "露营", "购物", "打卡",
	"散心", "出游", "团建", "探亲"}

// Vague places and alternatives.
var (
	reVaguePlace = pat(`\b(?:somewhere|anywhere|someplace|some place)\b\s*(?:with|warm|hot|cold|sunny|snowy|quiet|cheap|near|by|on|in|that|where|nice|relaxing|tropical|exotic|beachy|close)|\bsurprise me\b|\bbeach somewhere\b|\bnot sure where\b|\bno idea where\b|随便哪|哪都行|哪儿都行|国内随便|国外吧|没想好去哪|不知道去哪|去南方|去北方|你推荐|推荐一下|帮我推荐|想看极光|能滑雪的地方|\byou (?:pick|choose|decide)\b|\bup to you\b|\b(?:recommend|suggest)\s+(?:me\s+|us\s+)?(?:somewhere|a place|a destination|a city|something|one|places|destinations)\b|\bany (?:ideas|suggestions|recommendations)\b|\bwhere should (?:i|we) go\b|\bwhere (?:can|could) (?:i|we) go\b|\bi (?:don'?t|do not) know where\b|想去海边|找个海边|找个.{0,12}(?:地方|城市|目的地)|有没有.{0,12}(?:地方|城市)|推荐.{0,10}(?:地方|目的地|城市)|去哪(?:里|儿)?(?:好|玩|比较好)|随便(?:找个|哪里|哪儿)|(?:暖和|温暖|下雪|有雪|看雪|海边|安静|便宜)的地方`,
		"somewhere", "anywhere", "someplace", "some place", "surprise", "not sure", "no idea", "you pick", "you choose", "you decide", "up to you", "recommend", "suggest", "any ideas", "any suggestions", "any recommendations", "where should", "where can", "where could", "know where", "地方", "城市", "目的地", "去哪", "随便", "哪都", "哪儿", "国外", "南方", "北方", "推荐", "极光", "海边")
	reAlternatives = pat(`\s+or\s+|还是|或者|或是|或`, " or ", "还是", "或")
)

// vagueTheme names what a vague request wants, to suggest places that have it.
func vagueTheme(s string) string {
	switch {
	case has(s, "snow", "雪", "ski", "滑雪", "cold", "冷"):
		return "snow"
	case has(s, "beach", "sea", "海", "island", "岛", "tropical"):
		return "beach"
	case has(s, "warm", "hot", "sunny", "暖", "热"):
		return "warm"
	}
	return "any"
}

// Exclusions: "不要去鼓山", "skip the great wall", "no museums".
var (
	reExcludeZh = pat(`(?:不要|别|不想|不用|不打算|不|不会)再?(?:带(?:我们|我)|让(?:我们|我))?去(?:了)?|不要|别安排|不想去|去掉|删掉|排除|避开|不考虑|讨厌|不喜欢|受不了|不(?:想|用|要)?(?:去)?(?:看|逛|爬|玩)(?:了)?`, "不", "别", "去掉", "删掉", "排除", "避开", "讨厌", "受不了")
	// reDroppedZh follows a sight the traveller no longer wants: "雷峰塔就不去了", "故宫不用去了".
	reDroppedZh = pat(`(?:就|也|还是|先)?(?:不(?:想|用|要|打算)?去了|不去|不要了|就算了|算了|不看了|不逛了|跳过|pass)`, "不", "算了", "跳过", "pass")
	reExcludeEn = pat(`(?i)\b(?:(?:do not|don't|dont|we don't|i don't)\s+want\s+to\s+(?:go\s+to|visit|see|do)|not\s+going\s+to|anywhere\s+but|anything\s+but|everything\s+but|except(?:\s+for)?|other\s+than|avoid|skip|no more|not interested in|take|remove|cut|leave out|drop|without|hate|can'?t stand|cannot stand|dislike|(?:don'?t|do not) (?:really )?like|not a fan of|not into)\s+`,
		"want", "not going", "anywhere but", "anything but", "everything but", "except", "other than", "avoid", "skip", "no more", "not interested", "take", "remove", "cut", "leave out", "drop", "without", "hate", "stand", "dislike", "like", "not a fan", "not into")
	reExcludeNo     = pat(`(?i)(?:^|[,;.!]\s*|\s)(?:no|not|nothing)\s+`, "no", "not", "nothing")
	reNoAfterEn     = regexp.MustCompile(`(?:^|[,;]\s*)([a-z][a-z ]{2,29}?)\s+no(?:\s+(?:thanks|thank you|way))?\s*(?:$|[,.;!])`)
	reNotLikingZh   = regexp.MustCompile(`(?:不太|不怎么|不是很|不大)?(?:喜欢|想)?不?(?:能|想|要|用|太想|喜欢|爱)?(?:去)?(?:逛|看|玩|去)?(爬山|徒步|登山|购物|逛街|潜水|滑雪|博物馆|美术馆|古镇|寺庙|夜市|海边|植物园|动物园|游乐园|主题公园)(?:了)?(?:没兴趣|没啥兴趣|不感兴趣|不感冒)|对([^，。,.!！？?\s]{2,8}?)(?:没兴趣|没啥兴趣|不感兴趣|不太感兴趣|不感冒)|(?:不太喜欢|不怎么喜欢|不是很喜欢|不喜欢|不能|不想|不要|不)(?:逛|看|玩|去|吃)?(爬山|徒步|登山|购物|逛街|潜水|滑雪|博物馆|美术馆|古镇|寺庙|夜市|海边|植物园|动物园|游乐园|主题公园|景点)`)
	reExcludeFoodZh = pat(`(?:不要|不想吃|不吃|不能吃|不太能吃|不敢吃|吃不了|别安排)\s*`, "不", "吃不了", "别安排")
	reNoEatEn       = pat(`(?i)\b(?:don'?t|do not|doesn'?t|does not|can'?t|cannot|never|won'?t)\s+eat\s+`, "eat")
	reExcludeOut    = pat(`(?i)\s+(?:out\s+of\s+(?:the\s+)?(?:plan|itinerary|trip)|out|off\s+the\s+(?:plan|list|itinerary))\b`, "out", "off")
)

// parseExclusionsIn reads what the traveller does not want. It runs after the needs
// ("no pets" is a need) and before the preferences ("no museums" is not a wish for
// museums).
// reNoFly is a traveller ruling flying out.
var reNoFly = pat(`(?:不|别|不想|不要|不能|不愿意|不喜欢|不打算)(?:坐|乘|搭)(?:飞机|航班)|恐飞|怕坐飞机|\bno\s+(?:flying|flights|planes)\b|\b(?:don'?t|do not|can'?t|cannot|won'?t|will not|rather not)\s+(?:want\s+to\s+|like\s+to\s+)?(?:fly|take\s+(?:a\s+)?(?:plane|flight)s?)\b|\b(?:afraid of|fear of|hate|hates|not)\s+flying\b`, "飞", "fly", "flight", "plane")

// parseNoFlyIn reads flying ruled out ("不坐飞机", "we don't want to fly") before the
// wishes would keep it as words for the planner alone.
func parseNoFlyIn(m *msg, e *Extraction) {
	lwo := asciiLower(string(m.wo))
	for _, loc := range reNoFly.FindAllStringIndex(lwo, -1) {
		x := "飞机"
		if lwo[loc[0]] < 0x80 {
			x = "flying"
		}
		if !slices.Contains(e.Exclude, x) {
			e.Exclude = append(e.Exclude, x)
		}
		m.consume(loc[0], loc[1])
		m.found++
	}
}

func parseExclusionsIn(m *msg, e *Extraction, c ParseContext) {
	wo := string(m.wo)
	lwo := asciiLower(wo)
	add := func(p string) {
		p = strings.Trim(p, " ,.!?;:'\"-~")
		for _, a := range []string{"the ", "a ", "any ", "all "} {
			p = strings.TrimPrefix(p, a)
			p = strings.TrimPrefix(p, strings.ToUpper(a[:1])+a[1:])
		}
		if p == "" || fillerWords[asciiLower(p)] || yesWords[asciiLower(p)] || noWords[asciiLower(p)] || reItemRef.MatchString(p) {
			return
		}
		for _, x := range e.Exclude {
			if x == p {
				return
			}
		}
		e.Exclude = append(e.Exclude, p)
	}
	// "不吃辣", "他们不能吃辣", "不要日料": a food ruled out, not a wish for it.
	for _, loc := range reExcludeFoodZh.FindAllStringIndex(wo, -1) {
		rest := wo[loc[1]:]
		food := ""
		if strings.HasPrefix(rest, "辣") {
			food = "辣"
		}
		for _, w := range cuisineWords {
			if strings.HasPrefix(rest, w) && len(w) > len(food) && w[0] >= 0x80 {
				food = w
			}
		}
		if food == "" && strings.Contains(wo[loc[0]:loc[1]], "吃") {
			// "我们不吃香菜", "不吃牛肉哈": whatever food is named after the verb.
			food = foodAfterZh(rest)
		}
		if food == "" {
			continue
		}
		add(food)
		m.consume(loc[0], loc[1]+len(food))
	}
	wo = string(m.wo)
	// "不爬山", "不能爬山", "对博物馆没兴趣", "不太喜欢逛博物馆": a liking named after a negation,
	// or before a lack of interest, is ruled out.
	for _, loc := range reNotLikingZh.FindAllStringSubmatchIndex(wo, -1) {
		// 要不要去博物馆, 去不去海边: a question, not a refusal.
		if strings.HasPrefix(wo[loc[0]:], "不") && (strings.HasSuffix(wo[:loc[0]], "要") || strings.HasSuffix(wo[:loc[0]], "去")) {
			continue
		}
		thing, said := "", loc[4] >= 0 // 对…没兴趣 says what it is about
		for g := 2; g+1 < len(loc); g += 2 {
			if loc[g] >= 0 {
				thing = wo[loc[g]:loc[g+1]]
			}
		}
		if thing == "" || !said && !isPrefWord(thing) && !knownSight(thing) {
			continue
		}
		add(thing)
		m.consume(loc[0], loc[1])
	}
	wo = string(m.wo)
	if i, j, k, thing := droppedSight(wo); thing != "" {
		add(thing)
		m.consume(i, k)
		_ = j
		wo = string(m.wo)
	}
	for _, loc := range reExcludeZh.FindAllStringIndex(wo, -1) {
		i, j := placeAfterZh(wo, loc[1])
		if j <= i {
			continue
		}
		p := wo[i:j]
		goes := strings.Contains(wo[loc[0]:loc[1]], "去")
		// "不去了": 了 is no place; "不去博物馆": a kind of sight is ruled out, not a place.
		if goes && notPlaces[p] && !isPrefWord(p) || has(p, "需要", "特殊", "考虑") {
			continue
		}
		// "要不要…" asks; a bare 不要 rules out a thing a trip has, not any words.
		if loc[0] >= 3 && strings.HasSuffix(wo[:loc[0]], "要") {
			continue
		}
		if !goes && !isPrefWord(p) && !zhSightLike(p) && !knownSight(p) {
			if known, _ := placesKnow(c, p); !known {
				continue
			}
		}
		add(p)
		m.consume(loc[0], j)
	}
	for _, loc := range reExcludeEn.FindAllStringIndex(lwo, -1) {
		head := strings.TrimSpace(lwo[loc[0]:loc[1]])
		end := phraseEnd(wo, loc[1])
		p := wo[loc[1]:end]
		if strings.HasPrefix(head, "take") || strings.HasPrefix(head, "remove") || strings.HasPrefix(head, "cut") || strings.HasPrefix(head, "drop") || strings.HasPrefix(head, "leave") {
			// "take West Lake out of the plan"
			k := reExcludeOut.FindStringIndex(asciiLower(p))
			if k == nil {
				if !strings.HasPrefix(head, "remove") && !strings.HasPrefix(head, "leave out") {
					continue
				}
			} else {
				p = p[:k[0]]
				end = loc[1] + k[1]
			}
		}
		if (strings.HasPrefix(head, "without") || strings.HasPrefix(head, "except") || strings.HasPrefix(head, "other") || strings.HasPrefix(head, "everything")) && !isPrefWord(p) {
			continue
		}
		for _, part := range splitList(p) {
			add(part)
		}
		if strings.HasPrefix(head, "anywhere") && e.VaguePlace == "" {
			// "anywhere but Paris": Paris is ruled out and where to go is still open.
			e.VaguePlace = "any"
		}
		m.consume(loc[0], end)
	}
	// "we don't eat pork", "she can't eat shellfish": a food ruled out.
	for _, loc := range reNoEatEn.FindAllStringIndex(lwo, -1) {
		end := phraseEnd(wo, loc[1])
		p := strings.TrimSpace(wo[loc[1]:end])
		for _, w := range []string{" btw", " by the way", " please", " either", " at all", " anymore"} {
			p = strings.TrimSuffix(strings.TrimSpace(p), w)
		}
		if p == "" || len(strings.Fields(p)) > 3 {
			continue
		}
		for _, part := range splitList(p) {
			add(part)
		}
		m.consume(loc[0], end)
	}
	lwo = asciiLower(string(m.wo))
	// "food yes, museums no": a liking answered no.
	for _, loc := range reNoAfterEn.FindAllStringSubmatchIndex(lwo, -1) {
		if p := wo[loc[2]:loc[3]]; isPrefWord(p) {
			add(p)
			m.consume(loc[2], loc[1])
		}
	}
	lwo = asciiLower(string(m.wo))
	for _, loc := range reExcludeNo.FindAllStringIndex(lwo, -1) {
		end := phraseEnd(wo, loc[1])
		p := wo[loc[1]:end]
		parts := splitList(p)
		// "no museums", "no zoos or aquariums": only things a trip has; "no thanks" is not one.
		ok := len(parts) > 0
		for _, part := range parts {
			if !isPrefWord(part) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		for _, part := range parts {
			add(part)
		}
		m.consume(loc[0], end)
	}
	if len(e.Exclude) > 0 {
		m.found++
	}
}

// droppedSight finds a sight named before the words that drop it ("雷峰塔就不去了",
// "西湖那边就不去了吧"): the sight spans s[i:j], the words end at k. Only what a trip
// visits counts; "孩子不去了" leaves someone at home, "不去了" drops the trip.
func droppedSight(s string) (i, j, k int, thing string) {
	for _, loc := range reDroppedZh.FindAllStringIndex(s, -1) {
		a, b := placeBeforeZh(s, loc[0])
		p := s[a:b]
		for _, w := range []string{"那边", "那里", "这边", "这个", "那个", "的话", "我们", "咱们", "就", "也", "还是"} {
			if q := strings.TrimSuffix(p, w); q != p {
				p, b = q, b-len(w)
			}
		}
		for _, w := range []string{"那", "这", "还是"} {
			if q := strings.TrimPrefix(p, w); q != p {
				p, a = q, a+len(w)
			}
		}
		if utf8.RuneCountInString(p) < 2 || !(isPrefWord(p) || zhSightLike(p) || knownSight(p)) {
			continue
		}
		return a, b, loc[1], p
	}
	return 0, 0, 0, ""
}

// knownSight reports a sight known by name (长城, 兵马俑, West Lake).
func knownSight(p string) bool {
	lp := asciiLower(p)
	for _, list := range []keywords{knownNatureSights, knownSocialSights} {
		for _, w := range list {
			if w == lp {
				return true
			}
		}
	}
	return false
}

// foodAfterZh is the food named at the start of s, after 不吃: one to four characters up
// to a particle or punctuation ("香菜", "牛肉" in "牛肉哈").
func foodAfterZh(s string) string {
	const particles = "的了吧哈啊呀呢哦和跟也都就还或及等"
	n, end := 0, 0
	for k, r := range s {
		if !isHan(r) || strings.ContainsRune(particles, r) {
			break
		}
		n, end = n+1, k+utf8.RuneLen(r)
	}
	if n < 1 || n > 4 {
		return "" // a longer run is a sentence, not a food
	}
	return s[:end]
}

func placesKnow(c ParseContext, p string) (bool, bool) {
	if c.Places == nil {
		return false, false
	}
	return c.Places.Knows(p)
}

// zhSightLike reports a Chinese name that ends like a sight or a place (鼓山, 灵隐寺).
func zhSightLike(p string) bool {
	if name, _ := sightIn(p); name != "" {
		return true
	}
	return plausibleName(p)
}

// phraseEnd is where the phrase starting at i ends: punctuation, or a word that starts
// the next thing said.
func phraseEnd(s string, i int) int {
	j := i
	for j < len(s) {
		if strings.IndexByte(",;.!?()", s[j]) >= 0 {
			break
		}
		rest := asciiLower(s[j:])
		if j > i && s[j-1] == ' ' && (strings.HasPrefix(rest, "please") || strings.HasPrefix(rest, "pls") || strings.HasPrefix(rest, "been ") ||
			strings.HasPrefix(rest, "on the ") || strings.HasPrefix(rest, "this time") || strings.HasPrefix(rest, "instead") || strings.HasPrefix(rest, "because")) {
			break
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if isHan(r) {
			break
		}
		j += size
	}
	return j
}

// splitList splits "zoos or aquariums", "museums and temples" into their items.
func splitList(p string) []string {
	p = strings.TrimSpace(p)
	for _, sep := range []string{" or ", " and ", " nor ", "/", "、", "和"} {
		p = strings.ReplaceAll(p, sep, "|")
	}
	var out []string
	for _, part := range strings.Split(p, "|") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// isPrefWord reports whether p names something a trip may include: a sight, an
// activity, a kind of food or place.
// wholePrefWord reports whether p is, whole, a word for what a trip has (日出, but not
// 日出町).
func wholePrefWord(p string) bool {
	lp := asciiLower(strings.TrimSpace(p))
	for _, k := range []keywords{natureWords, socialWords, cuisineWords, extraThings} {
		for _, sp := range k.findAll(lp) {
			if sp.i == 0 && sp.j == len(lp) {
				return true
			}
		}
	}
	return false
}

func isPrefWord(p string) bool {
	lp := asciiLower(strings.TrimSpace(p))
	if lp == "" {
		return false
	}
	for _, k := range []keywords{natureWords, socialWords, cuisineWords, extraThings} {
		if sp := k.findAll(lp); len(sp) > 0 {
			return true
		}
	}
	return false
}

// extraThings are what a trip has that no preference slot holds, but a traveller can
// still ask to leave out.
var extraThings = fields("nightclub|nightclubs|clubs|clubbing|tourist traps|crowds|crowded places|zoos|aquariums|theme parks|hiking|long walks|red-eye|red eye|flights|tours|tour groups|stairs|hills|boats|cruises|spicy|spicy food|seafood|meat|pork|alcohol|shopping|temples|museums|churches|galleries|markets|bars|beaches|disneyland|great wall|west lake|louvre")
