package llm

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"xingqu/dialog"
)

// PlaceNames gives the names a place is known by (in Chinese and in English, say), so
// that "Fuzhou" is grounded in a message that says 福州. Nil knows only the name itself.
type PlaceNames func(name string) []string

// Fields the grounding check can drop, as counted in the ungrounded metric.
const (
	fieldDestination = "destination"
	fieldStartDate   = "startDate"
	fieldEndDate     = "endDate"
	fieldBudget      = "budget"
	fieldPartySize   = "partySize"
)

// ground drops what a model read into a message that the message does not say: a
// destination not written in it (under any of its names), dates no word of it leads to,
// numbers that do not appear in it. It returns the fields it dropped.
func ground(f *Fields, text string, names PlaceNames) []string {
	msg := foldText(text)
	var dropped []string
	drop := func(field string) { dropped = append(dropped, field) }
	if f.Destination != nil && !placeWritten(*f.Destination, msg, names) {
		f.Destination = nil
		drop(fieldDestination)
	}
	if f.StartDate != nil && !startSaid(*f.StartDate, msg) {
		f.StartDate = nil
		drop(fieldStartDate)
	}
	if f.EndDate != nil && (f.StartDate == nil || !endSaid(*f.StartDate, *f.EndDate, msg)) {
		f.EndDate = nil
		drop(fieldEndDate)
	}
	nums := numbersIn(msg)
	if f.Budget != nil && !budgetSaid(*f.Budget, nums) {
		f.Budget, f.Currency = nil, nil
		drop(fieldBudget)
	}
	if f.PartySize != nil && !slicesContain(nums, float64(*f.PartySize)) && !partyWord(*f.PartySize, msg) {
		f.PartySize = nil
		drop(fieldPartySize)
	}
	return dropped
}

// foldText lower-cases and turns full-width forms into ASCII, so "ＫＹＯＴＯ" says kyoto.
func foldText(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		return unicode.ToLower(r)
	}, s)
}

func placeWritten(dest, msg string, names PlaceNames) bool {
	d := strings.TrimSpace(foldText(dest))
	if d != "" && strings.Contains(msg, d) {
		return true
	}
	if names == nil {
		return false
	}
	for _, n := range names(dest) {
		if n = strings.TrimSpace(foldText(n)); n != "" && strings.Contains(msg, n) {
			return true
		}
	}
	return false
}

var (
	// relativeDate: words that lead to a date without naming its day.
	relativeDate = regexp.MustCompile(`\b(today|tonight|tomorrow|next|this|coming|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|week|month|in \d+ days)\b|今天|今晚|明天|后天|大后天|下周|下个?星期|下个?礼拜|下个?月|本周|这周|这个?星期|周末|星期|礼拜|周[一二三四五六日天]|国庆|春节|元旦|五一|中秋|端午`)
	// duration: a length of stay, from which an end date follows.
	duration   = regexp.MustCompile(`\b\d+\s*(days?|nights?|weeks?)\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|a)\s+(days?|nights?|weeks?)\b|[\d一二两三四五六七八九十]+\s*(天|日|晚|夜|周|个?星期)|weekend|周末`)
	monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
)

// daySaid reports whether the message names the date's day of the month, with its month
// or in a date the parsers would read.
func daySaid(d dialog.Date, msg string) bool {
	day, month := d.Day, int(d.Month)
	for _, n := range numbersIn(msg) {
		if n == float64(day) {
			return true
		}
	}
	if strings.Contains(msg, monthNames[month-1]) && strings.Contains(msg, strconv.Itoa(day)) {
		return true
	}
	return false
}

func startSaid(d dialog.Date, msg string) bool {
	return daySaid(d, msg) || relativeDate.MatchString(msg)
}

func endSaid(start, end dialog.Date, msg string) bool {
	return end == start || daySaid(end, msg) || duration.MatchString(msg)
}

var (
	arabic  = regexp.MustCompile(`(\d+(?:[.,]\d+)*)\s*(k|w|千|万)?(\d)?`)
	chinese = regexp.MustCompile(`[零一二两三四五六七八九十百千万]+`)
)

// numbersIn returns every number the message writes, in figures ("2000", "2k", "3.5万")
// or in Chinese numerals ("两千", "三千五").
func numbersIn(msg string) []float64 {
	var out []float64
	for _, m := range arabic.FindAllStringSubmatch(msg, -1) {
		s := m[1]
		if !strings.Contains(s, ".") {
			s = strings.ReplaceAll(s, ",", "")
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			continue
		}
		unit := 1.0
		switch m[2] {
		case "k", "千":
			unit = 1000
		case "w", "万":
			unit = 10000
		}
		v *= unit
		if m[3] != "" {
			d, _ := strconv.ParseFloat(m[3], 64)
			if unit > 1 {
				v += d * unit / 10 // 3千5, 2k5
			} else {
				out = append(out, d)
			}
		}
		out = append(out, v)
	}
	for _, m := range chinese.FindAllString(msg, -1) {
		if v, ok := chineseNumber(m); ok {
			out = append(out, v)
		}
	}
	return out
}

var digitsZh = map[rune]float64{'零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// chineseNumber reads a Chinese numeral up to the ten thousands, including the colloquial
// "三千五" (3500) and "两万" (20000).
func chineseNumber(s string) (float64, bool) {
	total, section, digit := 0.0, 0.0, -1.0
	lastUnit := 0.0
	for _, r := range s {
		if r == '零' {
			digit, lastUnit = -1, 1 // 一千零五: what follows counts in units
			continue
		}
		if d, ok := digitsZh[r]; ok {
			digit = d
			continue
		}
		var unit float64
		switch r {
		case '十':
			unit = 10
		case '百':
			unit = 100
		case '千':
			unit = 1000
		case '万':
			unit = 10000
		default:
			return 0, false
		}
		if digit < 0 {
			digit = 1
		}
		if unit == 10000 {
			total += (section + digit) * unit
			section, digit, lastUnit = 0, -1, unit
			continue
		}
		section += digit * unit
		digit, lastUnit = -1, unit
	}
	if digit >= 0 {
		if lastUnit >= 10 && len([]rune(s)) > 1 {
			// 三千五: the trailing digit counts in the next unit down.
			section += digit * lastUnit / 10
		} else {
			section += digit
		}
	}
	v := total + section
	return v, v > 0
}

// budgetSaid: the figure is written, or is a written total divided by a written number
// of people.
func budgetSaid(v float64, nums []float64) bool {
	for _, n := range nums {
		if near(n, v) {
			return true
		}
	}
	for _, total := range nums {
		for _, people := range nums {
			if people >= 2 && people <= 50 && near(total/people, v) {
				return true
			}
		}
	}
	return false
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.5 }

func slicesContain(nums []float64, v float64) bool {
	for _, n := range nums {
		if near(n, v) {
			return true
		}
	}
	return false
}

var partyWords = map[int][]string{
	1: {"alone", "solo", "myself", "一个人", "独自"},
	2: {"two", "couple", "both of us", "we two", "俩", "两个人", "夫妻", "情侣"},
	3: {"three"}, 4: {"four"}, 5: {"five"}, 6: {"six"}, 7: {"seven"}, 8: {"eight"}, 9: {"nine"}, 10: {"ten"},
}

func partyWord(n int, msg string) bool {
	for _, w := range partyWords[n] {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}
