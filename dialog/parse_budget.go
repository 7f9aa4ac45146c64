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

const (
	curPrefix = `(us\$|hk\$|s\$|a\$|c\$|\$|¥|￥|€|£|rmb|cny|usd|eur|gbp|jpy|hkd)`
	curSuffix = `(元人民币|块钱|块|元|人民币|rmb|cny|yuan|美元|美金|usd|dollars?|bucks|欧元|euros?|eur|英镑|pounds?|gbp|日元|円|yen|jpy|港币|港元|hkd|泰铢|baht|thb)`
	amount    = `(\d+(?:,\d{3})*(?:\.\d+)?)\s*(k|w|千|万|thousand|grand)?`
)

var (
	reAmount = regexp.MustCompile(`(?:` + curPrefix + `\s*)?` + amount + `(?:\s*` + curSuffix + `)?`)
	// reRangeSep joins two amounts into a range.
	reRangeSep = regexp.MustCompile(`^\s*(?:-|~|到|至|to|and|or)\s*$`)
	// reNotMoney follows numbers that count something other than money.
	reNotMoney = regexp.MustCompile(`^\s*(?:天|人|个|位|口|日|号|號|月|年|岁|夜|晚|点|次|楼|星|公里|米|km|kg|%|:|am\b|pm\b|h\b|hours?|min|people|persons|nights?|days?|weeks?|years?|st\b|nd\b|rd\b|th\b|of us|stars?|/\d)`)
	// reNumberLabel precedes numbers that name something: flights, rooms, phone numbers.
	reNumberLabel = regexp.MustCompile(`(?:\bflight|\broom|\bno\.?|\bnumber|\bbus|\bline|\bgate|\bseat|\bterminal|\bplatform|\broute|\btrain|\bhouse|\bapt|\bfloor|\bpage|\bticket|\border|\bcode|\bpin|\bzip|#|航班|房间|房号|号码|电话|订单|车次|座位)\s*$`)
	reMoneyWord   = regexp.MustCompile(`预算|budget|花费|花销|费用|开销|每人|人均|每个人|一共|总共|合计|总计|per person|per head|\beach\b|\bpp\b|in total|\btotal\b|左右|大概|大约|以内|以下|不超过|最多|\baround\b|\babout\b|\bup to\b|\bunder\b|\bmax\b|\bspend\b|\bcost\b|\bafford\b|\bapprox`)
	reNegBudget   = regexp.MustCompile(`(?:预算|budget)\s*(?:是|为|:|of|is)?\s*(?:-\s*\d|0+(?:\.0+)?\b|0+(?:元|块))`)
	reTotal       = regexp.MustCompile(`一共|总共|总预算|合计|总计|全家|in total|\btotal\b|altogether|all in\b|for all of us|for everyone|for the (?:whole )?(?:family|group)|for (?:the )?(?:both|two|three|four|five|\d+) of us|combined`)
	rePerPerson   = regexp.MustCompile(`每人|人均|每个人|每位|一人|/人|/ 人|元/人|per person|per head|a head|\beach\b|\bpp\b|p\.p\.|per pax|/person|a person|apiece`)
)

var currencies = map[string]string{
	"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "美元": "USD", "美金": "USD",
	"¥": "CNY", "￥": "CNY", "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "元": "CNY", "块": "CNY", "块钱": "CNY", "人民币": "CNY", "元人民币": "CNY",
	"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR",
	"£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "英镑": "GBP",
	"jpy": "JPY", "yen": "JPY", "円": "JPY", "日元": "JPY",
	"hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD",
	"s$": "SGD", "a$": "AUD", "c$": "CAD", "thb": "THB", "baht": "THB", "泰铢": "THB",
}

type amountHit struct {
	i, j     int
	value    float64
	currency string
	marked   bool // a currency or a multiplier says this is money
	hasMult  bool
	mult     float64
}

func multiplier(s string) float64 {
	switch s {
	case "k", "千", "thousand", "grand":
		return 1000
	case "w", "万":
		return 10000
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
	moneyTalk := reMoneyWord.MatchString(s)
	if has(s, "预算", "budget") && reNegBudget.MatchString(s) {
		return &Money{Currency: currencyIn(s)}, true
	}
	var hits []amountHit
	for _, loc := range reAmount.FindAllStringSubmatchIndex(s, -1) {
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
		}
		if loc[8] >= 0 {
			h.currency, h.marked = currencies[s[loc[8]:loc[9]]], true
		}
		if !h.marked && (reNotMoney.MatchString(s[j:]) || reNumberLabel.MatchString(s[max(0, i-12):i])) {
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
		if !marked && !moneyTalk && expecting != SlotBudget && high < 100 {
			continue
		}
		if high > 1e9 {
			continue
		}
		money := &Money{Low: low, High: high, Currency: cur}
		if high <= 0 {
			money = &Money{Currency: cur}
		}
		money.Total = reTotal.MatchString(s)
		money.PerPerson = rePerPerson.MatchString(s)
		m.consume(h.i, end)
		consumeMoneyWords(m)
		return money, true
	}
	return nil, false
}

var reMoneyFiller = regexp.MustCompile(`预算(?:是|为|大概|大约|在)?|budget(?:\s+(?:is|of))?|每人|人均|每个人|每位|一共|总共|合计|总计|左右|大概|大约|以内|以下|不超过|最多|/人|per person|per head|\beach\b|\bpp\b|in total|\btotal\b|\bspend\b|\bapprox(?:imately)?\b|改成|改为|\bup to\b|\bunder\b|\bmax\b`)

// consumeMoneyWords blanks the words around a budget so they do not count as unread.
func consumeMoneyWords(m *msg) {
	for _, loc := range reMoneyFiller.FindAllStringIndex(m.text(), -1) {
		m.consume(loc[0], loc[1])
	}
}

func currencyIn(s string) string {
	if loc := reAmount.FindStringSubmatchIndex(s); loc != nil {
		if loc[2] >= 0 {
			return currencies[s[loc[2]:loc[3]]]
		}
		if loc[8] >= 0 {
			return currencies[s[loc[8]:loc[9]]]
		}
	}
	return ""
}
