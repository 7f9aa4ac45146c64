package dialog

import (
	"regexp"
	"strconv"
	"strings"
)

func cnDigit(r rune) (int, bool) {
	switch r {
	case '零', '〇':
		return 0, true
	case '一':
		return 1, true
	case '二', '两':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

func cnMult(r rune) (float64, bool) {
	switch r {
	case '十':
		return 10, true
	case '百':
		return 100, true
	case '千':
		return 1000, true
	case '万':
		return 10000, true
	}
	return 0, false
}

// cnCounters follow a number that counts something: days, dates, people, money.
const cnCounters = "天日号號月夜晚周星个位人口千百万元块岁年礼次刀折层"

// cnAfterAmount may follow an amount written without a counter ("三千五左右", "两千的预算").
const cnAfterAmount = "到至左右多以每人预的上下起美欧英日韩泰新澳台港刀块元镑卢吧呢啊哈呀之"

// convertChineseNumerals rewrites Chinese numerals that count something as ASCII digits,
// so that one set of patterns reads "五天" and "5天", "一万五" and "15000". Numerals that
// are part of a name are left alone: "三亚", "九寨沟", "千岛湖", "十三陵", and weekdays
// ("周五") stay as written.
func convertChineseNumerals(s string) string {
	if !strings.ContainsAny(s, "零〇一二两三四五六七八九十百千万") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); {
		j, hasCN := i, false
		for j < len(rs) {
			r := rs[j]
			if _, ok := cnDigit(r); ok {
				if j > i && isDigitRune(rs[j-1]) {
					break // "900两个人": a figure, then a count in words
				}
				hasCN = true
			} else if _, ok := cnMult(r); ok {
				hasCN = true
			} else if r >= '0' && r <= '9' {
			} else if r == '.' && j > i && isDigitRune(rs[j-1]) && j+1 < len(rs) && isDigitRune(rs[j+1]) {
			} else {
				break
			}
			j++
		}
		if j == i {
			b.WriteRune(rs[i])
			i++
			continue
		}
		if hasCN && j-i <= 12 && shouldConvert(rs, i, j) {
			if v, ok := cnValue(rs[i:j]); ok {
				// "$900两个人": the figures written for 两 must not run into the 900.
				if i > 0 && isDigitRune(rs[i-1]) {
					b.WriteByte(' ')
				}
				b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
				i = j
				continue
			}
		}
		b.WriteString(string(rs[i:j]))
		i = j
	}
	return b.String()
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

var (
	// "三四千" is a range, three to four thousand.
	reCNPair = regexp.MustCompile(`([一两二三四五六七八九])([一两二三四五六七八九])([百千万])`)
	// "two thousand", "a grand", "a couple of grand", "fifteen hundred", "half a grand",
	// "two or three grand": amounts in English words.
	reENAmount = regexp.MustCompile(`(?i)\b(a couple of|a couple|couple of|couple|half a|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty)(?:\s+(or|to)\s+(two|three|four|five|six|seven|eight|nine|ten))?\s+(hundred|thousand|grand)\b`)
)

// amountWords are the number words reENAmount reads before hundred, thousand or grand.
var amountWords = map[string]float64{"a couple of": 2, "a couple": 2, "couple of": 2, "couple": 2, "half a": 0.5,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "forty": 40, "fifty": 50}

func amountWord(w string) float64 {
	if v, ok := amountWords[w]; ok {
		return v
	}
	return float64(atoiWord(w))
}

// spellAmounts writes amounts said in words as figures, so one set of patterns reads them.
func spellAmounts(s string) string {
	if strings.ContainsAny(s, "百千万") {
		s = reCNPair.ReplaceAllString(s, "${1}${3}到${2}${3}")
	}
	if has(strings.ToLower(s), "hundred", "thousand", "grand") {
		s = reENAmount.ReplaceAllStringFunc(s, func(w string) string {
			g := reENAmount.FindStringSubmatch(strings.ToLower(w))
			unit := 1000.0
			if g[4] == "hundred" {
				unit = 100
			}
			figure := func(x string) string { return strconv.FormatFloat(amountWord(x)*unit, 'f', -1, 64) }
			if g[3] != "" {
				return figure(g[1]) + " to " + figure(g[3])
			}
			return figure(g[1])
		})
	}
	return s
}

func shouldConvert(rs []rune, i, j int) bool {
	if i > 0 && j-i == 1 && strings.ContainsRune("周期拜", rs[i-1]) {
		return false // a weekday: 周五, 星期三, 礼拜六
	}
	var next rune
	if j < len(rs) {
		next = rs[j]
	}
	if next != 0 && strings.ContainsRune(cnCounters, next) {
		return true
	}
	hasMult := false
	for _, r := range rs[i:j] {
		if _, ok := cnMult(r); ok {
			hasMult = true
		}
	}
	if !hasMult || j-i < 2 {
		return false
	}
	return next == 0 || !isHan(next) || strings.ContainsRune(cnAfterAmount, next)
}

// cnValue reads a numeral such as 三十一, 一万五 (15000), 3千5 (3500) or 1.5万.
func cnValue(run []rune) (float64, bool) {
	var total, section float64
	num := -1.0
	var lastMult float64
	zero, single := false, false
	for i := 0; i < len(run); {
		r := run[i]
		if isDigitRune(r) {
			if num >= 0 {
				return 0, false
			}
			k := i
			for k < len(run) && (isDigitRune(run[k]) || run[k] == '.') {
				k++
			}
			v, err := strconv.ParseFloat(string(run[i:k]), 64)
			if err != nil {
				return 0, false
			}
			num, single = v, k-i == 1
			i = k
			continue
		}
		if d, ok := cnDigit(r); ok {
			i++
			if d == 0 {
				zero = true
				continue
			}
			if num >= 0 {
				return 0, false
			}
			num, single = float64(d), true
			continue
		}
		mult, _ := cnMult(r)
		i++
		if mult == 10000 {
			v := section + max(num, 0)
			if v == 0 {
				v = 1
			}
			total += v * 10000
			section = 0
		} else {
			if num < 0 {
				num = 1
			}
			section += num * mult
		}
		num, lastMult, zero = -1, mult, false
	}
	if num >= 0 {
		// "三千五" is 3500 and "一万五" 15000: a lone digit after a unit counts the next unit down.
		if !zero && single && lastMult >= 100 {
			num *= lastMult / 10
		}
		section += num
	}
	return total + section, true
}
