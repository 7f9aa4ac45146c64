package dialog

import "strings"

// Wishes and conditions that no slot holds go to otherNeeds as written: health
// (高反, pregnant, seasick), pace (别太赶, not too rushed), comfort and transport (海景房,
// a pool, 自驾, 高铁), animals to see (熊猫, whale watching), and what a traveller would rather not do (不想爬山, "don't want
// to climb mountains"). They are read first, so 怀孕五个月 is not a five-month trip and
// 不想爬山 is not a wish for mountains.

const animals = `熊猫|企鹅|海豚|考拉|袋鼠|鲸鱼|观鲸|看鲸|北极熊|长颈鹿|大象|动物园|海洋馆|水族馆|` +
	`\bpanda\b|\bpandas\b|\bpenguin\b|\bpenguins\b|\bdolphin\b|\bdolphins\b|\bkoala\b|\bkoalas\b|\bkangaroo\b|\bkangaroos\b|\bwhale watching\b|\bwhale\b|\bwhales\b|\bpolar bear\b|\bpolar bears\b|\bgiraffe\b|\bgiraffes\b|\belephant\b|\belephants\b|\bzoo\b|\baquarium\b|\bsafari\b`

var (
	wishWords = litsOf(`潜水|浮潜|冲浪|骑行|蹦极|高反|高原反应|怀孕|孕妇|晕车|晕船|晕机|过敏|哮喘|心脏不好|太赶|不要太累|别太累|慢节奏|慢慢玩|轻松点|自驾|租车|高铁|火车|红眼航班|直飞|海景房|民宿|青旅|五星级|四星级|` +
		`拍照|出片|网红打卡|打卡|泳池|健身房|早餐|不早起|睡懒觉|排队|无烟|素食餐|wifi|wi-fi|` +
		animals + `|` +
		`altitude|pregnant|seasick|car sick|carsick|motion sickness|allerg|asthma|rushed|relaxed pace|slow pace|sleep in|lie in|wifi|wi-fi|working remotely|` +
		`\bpool\b|\bgym\b|\bspa\b|sea view|ocean view|\bbus rides\b|long drives|red-eye|red eye|direct flights?|road trip|rent a car|car rental|by train|\bclimb|photograph|instagram|\bqueue|\bqueues|non-smoking|gluten|lactose|nut allergy|\bsurf|\bdiving\b|\bscuba|\bsnorkel|\bbungee|\bcycling\b`)
	// animalWords are animals to see (熊猫, whale watching): said beside food or children
	// in one breath ("喜欢美食和熊猫"), so only the animal's name is kept and used up.
	animalWords = litsOf(animals)
	reNotWish   = pat(`不想|别太|不要太|不能太|don't want to|dont want to|not too|no long|rather not|can't handle|cannot handle`, "不想", "别太", "不要太", "不能太", "want to", "not too", "no long", "rather not", "handle")
)

// parseWishesIn keeps, as written, each clause that states such a wish.
// wishClauses are the clauses of s, with a Chinese clause cut at its spaces too: "去长沙
// 12.25-12.27 3个人 想吃湘菜 不想排队" says one thing between each pair of spaces.
func wishClauses(s string) []span {
	var out []span
	for _, sp := range clauses(s) {
		clause := s[sp.i:sp.j]
		if !strings.Contains(strings.TrimSpace(clause), " ") || !hasHan(clause) {
			out = append(out, sp)
			continue
		}
		start := -1
		for i := sp.i; i <= sp.j; i++ {
			if i == sp.j || s[i] == ' ' {
				if start >= 0 {
					out = append(out, span{start, i})
					start = -1
				}
			} else if start < 0 {
				start = i
			}
		}
	}
	return out
}

func parseWishesIn(m *msg, e *Extraction) {
	s := m.text()
	if !wishWords.in(s) && !reNotWish.MatchString(s) {
		return
	}
	var out []string
	for _, sp := range wishClauses(s) {
		clause := s[sp.i:sp.j]
		if !wishWords.in(clause) && !reNotWish.MatchString(clause) {
			continue
		}
		// "不想去鼓山", "don't want to go to Venice": a place ruled out, read elsewhere.
		if has(clause, "去", "go to", "visit") && !wishWords.in(clause) {
			continue
		}
		// "喜欢美食和熊猫", "kids want to see koalas": only the animals, the rest is read
		// by the parsers after this one.
		if names, only := animalsIn(m, sp); only {
			if names != "" {
				out = append(out, names)
			}
			continue
		}
		// "去新疆自驾", "go to Bali to surf", "road trip through iceland": the place said
		// beside the activity is left for the destination.
		said, eaten := wishPart(s, sp)
		text := withoutConjunction(strings.TrimSpace(m.orig[said.i:said.j]))
		if text == "" {
			continue
		}
		out = append(out, text)
		m.consume(eaten.i, eaten.j)
	}
	if len(out) > 0 {
		sep := "; "
		if m.lang == LangZH {
			sep = "；"
		}
		e.OtherNeeds = strings.Join(out, sep)
		m.found++
	}
}

var (
	// reWishPlaceBefore ends the words that lead to a place before an activity: 去新疆自驾,
	// "go to Bali to surf".
	reWishPlaceBefore = pat(`去|到|飞|(?i)\b(?:go|going|head|heading|fly|flying|off|trip|travel\w*|visit\w*)\s+(?:to\s+)?`, "去", "到", "飞", "go", "head", "fly", "off", "trip", "travel", "visit")
	// reWishPlaceAfter starts the words that lead to a place after an activity: "road trip
	// through iceland", "road trip to Gordes".
	reWishPlaceAfter = pat(`(?i)^\s+(?:(?:road\s+)?trips?\s+)?(?:to|through|around|across|in)\s+\S`, "to", "through", "around", "across", "in")
)

// activityWords are the wishes that are things done at a place, which people say beside
// the place's name.
var activityWords = litsOf(`自驾|潜水|浮潜|冲浪|骑行|蹦极|拍照|出片|打卡|租车|road trip|rent a car|surf|diving|scuba|snorkel|bungee|cycling|photograph|instagram`)

// wishPart is the part of the clause s[sp.i:sp.j] that states a wish, without the words
// that say where to go: from the activity on when a place was named before it, up to it
// when a place follows it; the whole clause when no place is named beside it. eaten is
// what the wish uses up, which leaves "trip to" of "road trip to Gordes" to the place.
func wishPart(s string, sp span) (said, eaten span) {
	clause := s[sp.i:sp.j]
	words := wishWords.findAll(clause)
	if len(words) == 0 {
		return sp, sp
	}
	first, last := words[0], words[len(words)-1]
	// Only something done somewhere is said beside the place: "allergic to peanuts" is not
	// a wish before a place.
	if !activityWords.in(clause[first.i:first.j]) || !activityWords.in(clause[last.i:last.j]) {
		return sp, sp
	}
	// "\bsnorkel" ends where the word does: "snorkeling in Phuket".
	for last.j < len(clause) && isASCIILetter(clause[last.j]) {
		last.j++
	}
	// "去新疆自驾", "洱海骑行", "go to Bali to surf": what comes before the activity is
	// where, unless it says the traveller would rather not (不想骑行).
	if strings.TrimSpace(clause[:first.i]) != "" && !reNotWish.MatchString(clause[:first.i]) {
		if loc := reWishPlaceBefore.FindStringIndex(clause[:first.i]); loc == nil || strings.TrimSpace(clause[loc[1]:first.i]) != "" || hasHan(clause[:first.i]) {
			return span{sp.i + first.i, sp.j}, span{sp.i + first.i, sp.j}
		}
	}
	if reWishPlaceAfter.MatchString(clause[last.j:]) {
		said = span{sp.i, sp.i + last.j}
		eaten = said
		// "road trip to Gordes": "trip to" also leads to the place.
		if w := clause[last.i:last.j]; strings.HasSuffix(asciiLower(w), "trip") && strings.HasPrefix(strings.TrimLeft(clause[last.j:], " "), "to ") {
			eaten.j -= len("trip")
		}
		return said, eaten
	}
	return sp, sp
}

// animalsIn keeps and uses up the animals named in the clause s[sp.i:sp.j] when they are
// its only wishes (only) and the clause says they are wished for (想看熊猫, "food and
// pandas"), and returns them as written; a bare "purple elephant" is no wish.
func animalsIn(m *msg, sp span) (names string, only bool) {
	s := m.text()
	clause := s[sp.i:sp.j]
	words := wishWords.findAll(clause)
	if len(words) == 0 {
		return "", false
	}
	for _, w := range words {
		if !animalWords.in(clause[w.i:w.j]) {
			return "", false
		}
	}
	if !animalCues.in(clause) {
		return "", true
	}
	var said []string
	for _, w := range words {
		said = append(said, strings.TrimSpace(m.orig[sp.i+w.i:sp.i+w.j]))
		m.consume(sp.i+w.i, sp.i+w.j)
	}
	sep := ", "
	if m.lang == LangZH {
		sep = "、"
	}
	return strings.Join(said, sep), true
}

// animalCues say an animal is wished for rather than named in passing.
var animalCues = litsOf(`看|想|喜欢|爱|和|、|，|\bsee\b|\bwatch|\blove\b|\blike\b|\bwant|\band\b|,|\bvisit|\bspot`)

// conjunctions open a clause without being part of what it says.
var conjunctions = []string{"但是", "不过", "可是", "而且", "另外", "还有", "但", "and also ", "and ", "but ", "however, ", "however ", "also ", "plus "}

// withoutConjunction drops the word that joins a clause to the one before it: "但是怕高反"
// is kept as "怕高反".
func withoutConjunction(text string) string {
	low := asciiLower(text)
	for _, c := range conjunctions {
		if strings.HasPrefix(low, c) && len(text) > len(c) {
			return strings.TrimSpace(text[len(c):])
		}
	}
	return text
}
