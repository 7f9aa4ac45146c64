package dialog

import (
	"strings"
	"time"
)

// Periods: a part of a month said instead of days ("下个月中旬", "1月初", "mid january",
// "late feb"). It names a window of about ten days, not the days of the trip, so the
// engine asks which days within it and keeps the window, so that the answer "15号到18号"
// is read inside it.

// Period is the window of days a vague period names, with the words that named it.
type Period struct {
	From, To Date
	Said     string `json:",omitempty"`
	// Weekend: a weekend in the window was asked for ("a weekend next month"), and its
	// weekends are offered.
	Weekend bool `json:",omitempty"`
}

var (
	rePeriodZh = pat(`(下个?月|这个?月|本月|(\d{1,2})\s*月份?)\s*的?\s*(上旬|中旬|下旬|初|中|底|末|月初|月中|月底|第[1234一二三四]个?(?:周|星期|礼拜)|最后一(?:个)?(?:周|星期|礼拜))|(月初|月中|月底)`, "旬", "初", "中", "底", "末", "周", "星期", "礼拜")
	rePeriodEn = pat(`\b(early|mid|late|end of|beginning of|start of|middle of|the middle of|the end of|the beginning of|the start of|(?:the\s+)?(?:first|second|third|fourth|last|1st|2nd|3rd|4th)\s+week\s+(?:of|in))[\s-]*(?:(?:(next|this|the)\s+)?month\b|`+monthRe+`\b\.?)|\b`+monthRe+`\b\.?\s*[-,]?\s*(early|mid|end)\b`,
		"early", "mid", "late", "end", "beginning", "start", "middle", "week")
)

// partOfMonth is the days of a month a word for its part names.
func partOfMonth(w string, y int, m time.Month) (int, int) {
	last := daysIn(y, m)
	// A week of the month: the first is days 1-7, the last the month's last seven days.
	if strings.Contains(w, "week") || strings.Contains(w, "周") || strings.Contains(w, "星期") || strings.Contains(w, "礼拜") {
		for n, words := range [][]string{{"first", "1st", "一", "1"}, {"second", "2nd", "二", "2"}, {"third", "3rd", "三", "3"}, {"fourth", "4th", "四", "4"}} {
			for _, x := range words {
				if strings.Contains(w, x) {
					return 7*n + 1, 7*n + 7
				}
			}
		}
		return last - 6, last
	}
	switch w {
	case "上旬", "初", "月初", "early", "beginning of", "start of", "the beginning of", "the start of":
		return 1, 10
	case "中旬", "中", "月中", "mid", "middle of", "the middle of":
		return 11, 20
	}
	return 21, last
}

// periodIn finds a vague period in s and the window it names, the first day not before
// today; ok is false when there is none.
func periodIn(s string, today Date) (p Period, i, j int, ok bool) {
	month := func(w string, mo time.Month) (int, time.Month) {
		y, m := today.Year, today.Month
		switch {
		case strings.HasPrefix(w, "下") || w == "next":
			m++
		case mo != 0:
			m = mo
			if m < today.Month {
				y++
			}
		}
		if m > 12 {
			y, m = y+1, m-12
		}
		return y, m
	}
	window := func(part string, y int, m time.Month) Period {
		a, b := partOfMonth(part, y, m)
		from, to := Date{y, m, a}, Date{y, m, b}
		if to.Before(today) {
			// "月底" said after the end of this month's part: next month's.
			if m++; m > 12 {
				y, m = y+1, 1
			}
			a, b = partOfMonth(part, y, m)
			from, to = Date{y, m, a}, Date{y, m, b}
		}
		if from.Before(today) {
			from = today
		}
		return Period{From: from, To: to}
	}
	if loc := rePeriodZh.FindStringSubmatchIndex(s); loc != nil {
		g := func(n int) string {
			if loc[2*n] < 0 {
				return ""
			}
			return s[loc[2*n]:loc[2*n+1]]
		}
		var y int
		var m time.Month
		part := g(3)
		if part == "" {
			part = g(4)
			y, m = today.Year, today.Month
		} else {
			mo := time.Month(atoiWord(g(2)))
			if g(2) != "" && (mo < 1 || mo > 12) {
				return p, 0, 0, false
			}
			y, m = month(g(1), mo)
		}
		p = window(part, y, m)
		p.Said = strings.TrimSpace(s[loc[0]:loc[1]])
		return p, loc[0], loc[1], true
	}
	if loc := rePeriodEn.FindStringSubmatchIndex(s); loc != nil {
		g := func(n int) string {
			if loc[2*n] < 0 {
				return ""
			}
			return s[loc[2*n]:loc[2*n+1]]
		}
		part, rel, mo := g(1), g(2), monthOf(g(3))
		if part == "" {
			part, mo = g(5), monthOf(g(4))
		}
		part = strings.TrimPrefix(part, "the ")
		if part == "late" || part == "end" {
			part = "end of"
		}
		y, m := month(rel, mo)
		p = window(part, y, m)
		p.Said = strings.TrimSpace(s[loc[0]:loc[1]])
		return p, loc[0], loc[1], true
	}
	return p, 0, 0, false
}
