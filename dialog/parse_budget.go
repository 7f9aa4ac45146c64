package dialog

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ParseBudget reads a budget. ok is false when there is none, or when the figure is not
// positive. Numbers that read as dates, durations or party sizes are not budgets.
func ParseBudget(text string) (Money, bool) {
	m := newMsg(text)
	parseDatesIn(m, ParseContext{})
	parsePartyIn(m)
	b, ok := parseBudgetIn(m, SlotNone)
	if !ok || b.High <= 0 {
		return Money{}, false
	}
	return *b, true
}

// An amount is [currency] number [multiplier] [currency]. The words are tried in order
// at each place, the first that fits wins, so a longer word comes before its prefix.
var (
	curPrefixes = []string{"us$", "hk$", "nt$", "nz$", "s$", "a$", "c$", "$", "aud", "cad", "chf", "dkk", "sgd", "twd", "krw", "thb", "inr", "nzd", "¥", "￥", "€", "£", "rmb", "cny", "usd", "eur", "gbp", "jpy", "hkd"}
	multWords   = []string{"k", "w", "千", "万", "thousand", "grand", "million"}
	curSuffixes = []string{"元人民币", "块钱", "块", "元", "人民币", "rmb", "cny", "yuan", "美元", "美金", "刀", "usd",
		"aussie dollars", "australian dollars", "canadian dollars", "singapore dollars", "hong kong dollars", "nz dollars", "new zealand dollars", "us dollars",
		"swiss francs", "francs", "danish kroner", "kroner", "krone", "rupees", "cad", "nzd", "dollars", "dollar", "bucks",
		"欧元", "欧", "韩元", "韩币", "won", "krw", "新币", "新加坡元", "sgd", "澳币", "澳元", "aud", "台币", "新台币", "twd", "日币", "quid", "chf", "瑞郎", "卢比", "inr", "dkk",
		"欧元", "euros", "euro", "eur", "英镑", "pounds", "pound", "gbp", "日元", "円", "yen", "jpy", "港币", "港元", "hkd", "泰铢", "baht", "thb",
		"€", "£", "$", "¥", "￥"} // "2000€", "1500 £": the sign after the figure, as much of Europe writes it
)

var (
	// reRangeSep joins two amounts into a range.
	reRangeSep = regexp.MustCompile(`^\s*(?:-|~|到|至|to|and|or)\s*$`)
	// reNotMoney follows numbers that count something other than money.
	reNotMoney = regexp.MustCompile(`^\s*(?:天|人|个|位|口|日|号|號|月|年|岁|夜|晚|点|次|楼|星|公里|米|km|kg|%|:|am\b|pm\b|h\b|hours?|min|people|persons|nights?|days?|weeks?|years?|st\b|nd\b|rd\b|th\b|of us|stars?|/\d)`)
	// reNumberLabel precedes numbers that name something: flights, rooms, phone numbers.
	reNumberLabel = regexp.MustCompile(`(?:\baged?|\bages|\bflight|\broom|\bno\.?|\bnumber|\bbus|\bline|\bgate|\bseat|\bterminal|\bplatform|\broute|\btrain|\bhouse|\bapt|\bfloor|\bpage|\bticket|\border|\bcode|\bpin|\bzip|#|航班|房间|房号|号码|电话|订单|车次|座位)\s*$`)
	moneyWords    = litsOf(`预算|budget|花费|花销|费用|开销|每人|人均|每个人|一共|总共|合计|总计|per person|per head|\beach\b|\bpp\b|in total|\btotal\b|左右|大概|大约|以内|以下|不超过|最多|\baround\b|\babout\b|\bup to\b|\bunder\b|\bmax\b|\bspend\b|\bcost\b|\bafford\b|\bapprox`)
	reNegBudget   = regexp.MustCompile(`(?:预算|budget)\s*(?:是|为|:|of|is)?\s*(?:-\d|0+(?:\.0+)?\b|0+(?:元|块))`)
	totalWords    = litsOf(`一共|总共|总预算|合计|总计|全家|in total|\btotal\b|altogether|all in\b|for all of us|for everyone|for the whole family|for the whole group|for the family|for the group|combined`)
	reTotalFor    = regexp.MustCompile(`for (?:the )?(?:both|two|three|four|five|\d+) of us`)
	perPerson     = litsOf(`每人|人均|每个人|每位|一人|/人|/ 人|元/人|per person|per head|a head|\beach\b|\bpp\b|p.p.|per pax|/person|a person|apiece|\bea\b`)
)

var currencies = map[string]string{
	"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "美元": "USD", "美金": "USD",
	"¥": "CNY", "￥": "CNY", "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "元": "CNY", "块": "CNY", "块钱": "CNY", "人民币": "CNY", "元人民币": "CNY",
	"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR",
	"£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "英镑": "GBP",
	"jpy": "JPY", "yen": "JPY", "円": "JPY", "日元": "JPY",
	"hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD",
	"s$": "SGD", "a$": "AUD", "c$": "CAD", "thb": "THB", "baht": "THB", "泰铢": "THB",
	"刀": "USD", "欧": "EUR", "韩元": "KRW", "韩币": "KRW", "won": "KRW", "krw": "KRW", "新币": "SGD", "新加坡元": "SGD", "sgd": "SGD",
	"澳币": "AUD", "澳元": "AUD", "aud": "AUD", "台币": "TWD", "新台币": "TWD", "twd": "TWD", "日币": "JPY", "quid": "GBP", "chf": "CHF", "瑞郎": "CHF",
	"卢比": "INR", "inr": "INR", "dkk": "DKK", "nt$": "TWD", "cad": "CAD",
	"aussie dollars": "AUD", "australian dollars": "AUD", "canadian dollars": "CAD", "singapore dollars": "SGD", "hong kong dollars": "HKD",
	"nz dollars": "NZD", "new zealand dollars": "NZD", "nz$": "NZD", "nzd": "NZD", "us dollars": "USD", "swiss francs": "CHF", "francs": "CHF",
	"danish kroner": "DKK", "kroner": "DKK", "krone": "DKK", "rupees": "INR",
}

type amountHit struct {
	i, j     int
	value    float64
	currency string
	marked   bool // a currency or a multiplier says this is money
	yen      bool // the currency is the sign ¥ alone
	hasMult  bool
	mult     float64
}

func multiplier(s string) float64 {
	switch s {
	case "k", "千", "thousand", "grand":
		return 1000
	case "w", "万":
		return 10000
	case "million":
		return 1000000
	}
	return 1
}

// parseBudgetIn reads the first figure that is money. A figure with a currency or a
// multiplier is money; a bare one is money when the message talks about money, when the
// budget question was just asked, or when it is at least 100 and nothing else read it.
func parseBudgetIn(m *msg, expecting Slot) (*Money, bool) {
	s := m.text()
	if !hasDigits(s) {
		return nil, false
	}
	moneyTalk := moneyWords.in(s)
	if has(s, "预算", "budget") && reNegBudget.MatchString(s) {
		return &Money{Currency: currencyIn(s)}, true
	}
	var hits []amountHit
	for _, loc := range amounts(s, -1) {
		i, j := loc[0], loc[1]
		if i > 0 && (isDigit(s[i-1]) || s[i-1] == '.' || s[i-1] == '/' || s[i-1] == '#') {
			continue
		}
		if i > 1 && s[i-1] == ':' && isDigit(s[i-2]) {
			continue // 10:30
		}
		if i > 0 && isASCIILetter(s[i-1]) && loc[2] < 0 {
			continue // "room101", "A380"
		}
		h := amountHit{i: i, j: j, mult: 1}
		num := strings.ReplaceAll(s[loc[4]:loc[5]], ",", "")
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			continue
		}
		if loc[6] >= 0 {
			suffix := s[loc[6]:loc[7]]
			// "5km", "2kg": a letter multiplier glued to more letters is a unit.
			if (suffix == "k" || suffix == "w") && loc[7] < len(s) && isASCIILetter(s[loc[7]]) && loc[8] < 0 {
				continue
			}
			h.mult, h.hasMult, h.marked = multiplier(suffix), true, true
		}
		if loc[2] >= 0 {
			h.currency, h.marked = currencies[s[loc[2]:loc[3]]], true
			h.yen = yenSign(s[loc[2]:loc[3]])
		}
		if loc[8] >= 0 {
			h.currency, h.marked = currencies[s[loc[8]:loc[9]]], true
			h.yen = yenSign(s[loc[8]:loc[9]])
		}
		if !h.marked && (reNotMoney.MatchString(s[j:]) || numberLabelled(s[max(0, i-12):i])) {
			continue
		}
		if !h.marked && i > 0 && s[i-1] == '-' && (i < 2 || !isDigit(s[i-2])) {
			// "-100": a negative figure is not a budget, but the engine must hear of it.
			if moneyTalk || expecting == SlotBudget {
				return &Money{}, true
			}
			continue
		}
		h.value = v
		hits = append(hits, h)
	}
	// The figure a currency, a multiplier or a budget word marks wins over a bare one
	// before it: "kids aged 5 and 8, budget 8000 yuan" has a budget of 8000.
	best := -1
	for k, h := range hits {
		if h.marked || budgetWordBefore(s[max(0, h.i-16):h.i]) {
			best = k
			break
		}
	}
	if best > 0 && reRangeSep.MatchString(s[hits[best-1].j:hits[best].i]) {
		best-- // "3-5k", "between 500 and 800 dollars": the range the mark ends
	}
	if best > 0 {
		hits = hits[best:]
	}
	for k := 0; k < len(hits); k++ {
		h := hits[k]
		low, high := h.value*h.mult, h.value*h.mult
		cur, marked, end := h.currency, h.marked, h.j
		if k+1 < len(hits) && reRangeSep.MatchString(s[h.j:hits[k+1].i]) {
			n := hits[k+1]
			if !strings.Contains(s[h.j:n.i], "and") || strings.Contains(s[max(0, h.i-9):h.i], "between") {
				mult := h.mult
				if !h.hasMult {
					mult = n.mult // "3-5k"
				}
				low, high = h.value*mult, n.value*n.mult
				if cur == "" {
					cur = n.currency
				}
				marked = marked || n.marked
				end = n.j
				k++
			}
		}
		if !marked && high < 10 && strings.TrimSpace(s) != s[h.i:end] {
			continue // "not 2, 3 ppl": a small bare figure among words is no budget
		}
		if !marked && !moneyTalk && expecting != SlotBudget && (high < 100 || sameDigits(s[h.i:h.j]) || runOfDigits(s[h.i:h.j])) {
			continue // "666", "888": praise and luck in figures, not a budget said unasked
		}
		if high > 1e9 {
			continue
		}
		if cur == "" {
			cur = currencyNamedApart(s) // "budget 1500, in euros"
		}
		money := &Money{Low: low, High: high, Currency: cur}
		if high <= 0 {
			money = &Money{Currency: cur}
		}
		money.YenSign = h.yen && cur == "CNY"
		money.Total = totalWords.in(s) || strings.Contains(s, " of us") && reTotalFor.MatchString(s)
		money.PerPerson = perPerson.in(s) || perHeadZh(m.low) || reGluedEach.MatchString(s)
		m.consume(h.i, end)
		consumeMoneyWords(m)
		return money, true
	}
	return nil, false
}

// reGluedEach is "per person" written onto the figure: "£800pp", "3000pp".
var reGluedEach = regexp.MustCompile(`\d\s*(?:pp|ea|pppd)\b`)

// reBudgetWordBefore is a budget word just before a figure: "budget 8000", "预算8000".
var reBudgetWordBefore = regexp.MustCompile(`(?:预算|budget|spend|花)\s*(?:is|of|about|around|roughly|是|为|大概|大约|:)?\s*$`)

// budgetWordBefore reports whether before ends with a budget word.
func budgetWordBefore(before string) bool {
	return has(before, "预算", "budget", "spend", "花") && reBudgetWordBefore.MatchString(before)
}

// perHeadZh reports a figure said per head in Chinese where the numerals became digits:
// 一人三千 (1人3000), 1500美金一个人, 两人各出三千.
func perHeadZh(low string) bool {
	if has(low, "各出", "各自", "各付", "各花", "每人各") {
		return true
	}
	if !has(low, "1人", "1个人") {
		return false
	}
	for off := 0; off < len(low); {
		k := strings.Index(low[off:], "1")
		if k < 0 {
			return false
		}
		i := off + k
		off = i + 1
		if i > 0 && isDigit(low[i-1]) {
			continue
		}
		j := i + 1
		j = skipSpace(low, j)
		j += len("个") * b2i(strings.HasPrefix(low[j:], "个"))
		if !strings.HasPrefix(low[j:], "人") {
			continue
		}
		after := skipSpace(low, j+len("人"))
		after += len("预算") * b2i(strings.HasPrefix(low[after:], "预算"))
		if after < len(low) && isDigit(low[after]) || hasMoneyBefore(low[:i]) {
			return true
		}
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sameDigits reports a figure of one digit written three or more times (666, 8888).
// runOfDigits reports digits counted up or down ("12345", "9876"): keys pressed in a row,
// not a sum of money said unasked.
func runOfDigits(s string) bool {
	if len(s) < 4 {
		return false
	}
	up, down := true, true
	for i := 1; i < len(s); i++ {
		up = up && s[i] == s[i-1]+1
		down = down && s[i] == s[i-1]-1
	}
	return up || down
}

func sameDigits(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != s[0] || !isDigit(s[i]) {
			return false
		}
	}
	return true
}

var reBudgetLabel = regexp.MustCompile(`(?:预算|\bbudget)\s*[:：=】\-]`)

var moneyFiller = litsOf(`预算是|预算为|预算大概|预算大约|预算在|预算|budget is|budget of|budget|每人|人均|每个人|每位|一共|总共|合计|总计|左右|大概|大约|以内|以下|不超过|最多|/人|per person|per head|\beach\b|\bpp\b|in total|\btotal\b|\bspend\b|\bapprox\b|\bapproximately\b|改成|改为|\bup to\b|\bunder\b|\bmax\b`)

// consumeMoneyWords blanks the words around a budget so they do not count as unread.
func consumeMoneyWords(m *msg) {
	for _, sp := range moneyFiller.findAll(m.text()) {
		m.consume(sp.i, sp.j)
	}
}

// reCurrencyApart is a currency named away from the figure: "1500, in euros".
var reCurrencyApart = regexp.MustCompile(`\bin\s+(euros|pounds|dollars|us dollars|yen|yuan|rmb|baht|won|usd|eur|gbp|jpy|cny|aud|cad|sgd|hkd|chf)\b`)

func currencyNamedApart(s string) string {
	if !strings.Contains(s, "in ") {
		return ""
	}
	if m := reCurrencyApart.FindStringSubmatch(s); m != nil {
		return currencies[m[1]]
	}
	return ""
}

func currencyIn(s string) string {
	if all := amounts(s, 1); all != nil {
		loc := all[0]
		if loc[2] >= 0 {
			return currencies[s[loc[2]:loc[3]]]
		}
		if loc[8] >= 0 {
			return currencies[s[loc[8]:loc[9]]]
		}
	}
	return ""
}

// curFirst holds the first bytes of curPrefixes, so most bytes are passed over at once.
var curFirst = func() (t [256]bool) {
	for _, p := range curPrefixes {
		t[p[0]] = true
	}
	return t
}()

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// wordAt returns the end of the first of words that starts s at i, or -1.
func wordAt(s string, i int, words []string) int {
	for _, w := range words {
		// A word in Latin letters ends where the word written does: "won" is no "w"
		// (万) followed by "on", "kids" no "k".
		if strings.HasPrefix(s[i:], w) && !(isASCIILetter(w[len(w)-1]) && i+len(w) < len(s) && isASCIILetter(s[i+len(w)])) {
			return i + len(w)
		}
	}
	return -1
}

// amounts finds up to n amounts (all when n < 0), each as the submatch indexes of
// `(curPrefix\s*)?(\d+(?:,\d{3})*(?:\.\d+)?)\s*(mult)?(?:\s*(curSuffix))?` would give them:
// [start end prefix prefix number number mult mult suffix suffix], -1 for what is absent.
// It reads every message that has digits, and a scan costs a fraction of the regexp.
func amounts(s string, n int) [][]int {
	var out [][]int
	for i := 0; i < len(s) && n != 0; {
		k, pre := i, -1
		if !isDigit(s[i]) {
			if !curFirst[s[i]] {
				i++
				continue
			}
			k = -1
			for _, p := range curPrefixes {
				if strings.HasPrefix(s[i:], p) {
					if d := skipSpace(s, i+len(p)); d < len(s) && isDigit(s[d]) {
						k, pre = d, i+len(p)
						break
					}
				}
			}
			if k < 0 {
				i++
				continue
			}
		}
		loc := []int{i, -1, -1, -1, -1, -1, -1, -1, -1, -1}
		if pre >= 0 {
			loc[2], loc[3] = i, pre
		}
		j := k
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		for j+3 < len(s) && s[j] == ',' && isDigit(s[j+1]) && isDigit(s[j+2]) && isDigit(s[j+3]) {
			j += 4
		}
		if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
			j++
			for j < len(s) && isDigit(s[j]) {
				j++
			}
		}
		loc[4], loc[5] = k, j
		end := skipSpace(s, j)
		if e := multAt(s, end); e >= 0 {
			loc[6], loc[7], end = end, e, e
		}
		if d := skipSpace(s, end); d < len(s) {
			if e := wordAt(s, d, curSuffixes); e >= 0 {
				loc[8], loc[9], end = d, e, e
			}
		}
		loc[1] = end
		out = append(out, loc)
		n--
		i = end
	}
	return out
}

// numberLabelled reports whether before ends in a word that makes the next number a
// label (flight, room, #): the cheap checks skip the pattern for most figures.
func numberLabelled(before string) bool {
	if !hasLatin(before) && !has(before, "#", "航班", "房", "号码", "电话", "订单", "车次", "座位") {
		return false
	}
	return reNumberLabel.MatchString(before)
}

// multAt returns where a multiplier at s[i:] ends, or -1: a word of its own ("2k",
// "3 thousand") or one glued to a currency word ("20krmb", "100kyen").
func multAt(s string, i int) int {
	if strings.HasPrefix(s[i:], "w/") {
		return -1 // "w/ my gf": with
	}
	if e := wordAt(s, i, multWords); e >= 0 {
		return e
	}
	for _, w := range multWords {
		if strings.HasPrefix(s[i:], w) && wordAt(s, i+len(w), curSuffixes) >= 0 {
			return i + len(w)
		}
	}
	return -1
}

// yenSign reports whether a currency was written as ¥ alone: yuan in China, yen in Japan.
func yenSign(w string) bool { return w == "¥" || w == "￥" }
