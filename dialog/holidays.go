package dialog

import (
	"strings"
	"time"
)

// Holidays in the traveller's calendar. Fixed days are read every year; the lunar and
// moving ones come from a table, which says the official day as far as it goes. A
// holiday that an official multi-day span would pin (春节, 国庆黄金周, spring break) is a
// question unless the message says which day to leave on.

type holiday struct {
	names    []string // lower case, longest spellings first within the list
	month    time.Month
	day      int
	table    map[int]Date // year -> the day, for holidays that move
	offset   int          // days after the table's day (初二 is 春节 + 1)
	spanOnly bool         // only an official span would say which days: ask
	isDay    bool         // the name says it is one day ("christmas day")
	// The days people mean by the holiday said alone, from before days before its day:
	// the window a question about which days offers stays in. Zero span: none.
	before, span int
}

var (
	springFestival = map[int]Date{2026: {2026, 2, 17}, 2027: {2027, 2, 6}, 2028: {2028, 1, 26}, 2029: {2029, 2, 13}}
	lunarEve       = map[int]Date{2026: {2026, 2, 16}, 2027: {2027, 2, 5}, 2028: {2028, 1, 25}, 2029: {2029, 2, 12}}
)

var holidays = []holiday{
	{names: []string{"大年三十", "年三十", "除夕夜", "除夕"}, table: lunarEve},
	{names: []string{"大年初一", "正月初一"}, table: springFestival},
	{names: []string{"初一"}, table: springFestival},
	{names: []string{"初二"}, table: springFestival, offset: 1},
	{names: []string{"初三"}, table: springFestival, offset: 2},
	{names: []string{"初四"}, table: springFestival, offset: 3},
	{names: []string{"初五"}, table: springFestival, offset: 4},
	{names: []string{"初六"}, table: springFestival, offset: 5},
	{names: []string{"初七"}, table: springFestival, offset: 6},
	{names: []string{"初八"}, table: springFestival, offset: 7},
	{names: []string{"春节假期", "春节", "过年", "chinese new year", "lunar new year", "spring festival"}, table: springFestival, spanOnly: true, before: 1, span: 8},
	{names: []string{"元宵节", "元宵"}, table: map[int]Date{2026: {2026, 3, 3}, 2027: {2027, 2, 20}, 2028: {2028, 2, 9}, 2029: {2029, 2, 27}}},
	{names: []string{"清明节", "清明"}, table: map[int]Date{2026: {2026, 4, 5}, 2027: {2027, 4, 5}, 2028: {2028, 4, 4}, 2029: {2029, 4, 4}}, spanOnly: true, before: 1, span: 3},
	{names: []string{"端午节", "端午"}, table: map[int]Date{2026: {2026, 6, 19}, 2027: {2027, 6, 9}, 2028: {2028, 5, 28}, 2029: {2029, 6, 16}}, spanOnly: true, span: 3},
	{names: []string{"中秋节", "中秋"}, table: map[int]Date{2026: {2026, 9, 25}, 2027: {2027, 9, 15}, 2028: {2028, 10, 3}, 2029: {2029, 9, 22}}, spanOnly: true, span: 3},
	{names: []string{"国庆黄金周", "十一黄金周", "黄金周"}, month: 10, day: 1, spanOnly: true, span: 7},
	{names: []string{"国庆节", "国庆假期", "国庆长假", "国庆", "十一假期", "十一长假", "十一小长假", "十一期间", "十一"}, month: 10, day: 1, span: 7},
	{names: []string{"元旦"}, month: 1, day: 1, span: 3},
	{names: []string{"五一劳动节", "五一假期", "劳动节", "五一", "5.1"}, month: 5, day: 1, span: 5},
	{names: []string{"情人节", "valentine's day", "valentines day", "valentine's", "valentines"}, month: 2, day: 14, isDay: true},
	{names: []string{"平安夜", "christmas eve", "xmas eve"}, month: 12, day: 24},
	{names: []string{"圣诞节", "圣诞", "christmas day", "xmas day"}, month: 12, day: 25, isDay: true},
	{names: []string{"christmas", "xmas"}, month: 12, day: 25, before: 1, span: 3},
	{names: []string{"boxing day"}, month: 12, day: 26, isDay: true},
	{names: []string{"new year's eve", "new years eve", "new year eve", "nye"}, month: 12, day: 31, span: 2},
	{names: []string{"new year's day", "new years day", "new year day"}, month: 1, day: 1, isDay: true},
	// "xmas to new year", "over the new year": New Year's Day, its break the 31st to the 2nd.
	{names: []string{"the new year", "new year's", "new years", "new year"}, month: 1, day: 1, before: 1, span: 3},
	{names: []string{"跨年"}, month: 12, day: 31, spanOnly: true, span: 2},
	{names: []string{"easter sunday", "easter"}, table: map[int]Date{2026: {2026, 4, 5}, 2027: {2027, 3, 28}, 2028: {2028, 4, 16}, 2029: {2029, 4, 1}}, before: 2, span: 4},
	{names: []string{"thanksgiving day", "thanksgiving"}, month: 11, day: -4, span: 4},
	// School breaks differ by place and year: the window a question offers days in is
	// the usual one (China's winter and summer breaks, America's spring break).
	{names: []string{"寒假"}, month: 1, day: 16, spanOnly: true, span: 36},
	{names: []string{"暑假", "summer holidays", "summer vacation", "summer break"}, month: 7, day: 1, spanOnly: true, span: 62},
	{names: []string{"spring break"}, month: 3, day: 7, spanOnly: true, span: 21},
	{names: []string{"winter break"}, month: 12, day: 19, spanOnly: true, span: 16},
	{names: []string{"half term", "half-term"}, spanOnly: true},
}

// on is the holiday's next day on or after from, or false when the table does not go
// that far or the holiday names no day.
func (h holiday) on(from Date) (Date, bool) {
	for y := from.Year; y <= from.Year+2; y++ {
		var d Date
		switch {
		case h.table != nil:
			t, ok := h.table[y]
			if !ok {
				continue
			}
			d = t.AddDays(h.offset)
		case h.month == 11 && h.day == -4:
			// The fourth Thursday of November.
			d = nextWeekday(Date{y, 11, 1}, time.Thursday).AddDays(21)
		case h.month != 0:
			d = Date{y, h.month, h.day}
		default:
			return Date{}, false
		}
		if !d.Before(from) {
			return d, true
		}
	}
	return Date{}, false
}

// holidayHit is a holiday found in the text.
type holidayHit struct {
	i, j int
	h    holiday
}

// findHolidays returns the holidays named in s, in order, longest names first.
func findHolidays(s string) []holidayHit {
	if !has(s, "节", "年", "初", "除夕", "元宵", "清明", "端午", "中秋", "国庆", "黄金周", "元旦", "五一", "5.1", "平安夜", "圣诞", "跨年", "假", "十一",
		"christmas", "xmas", "spring festival", "lunar", "valentine", "boxing", "new year", "nye", "easter", "thanksgiving", "spring break", "summer", "winter break", "half") {
		return nil
	}
	var out []holidayHit
	for i := 0; i < len(s); {
		best := -1
		var bh holiday
		for _, h := range holidays {
			for _, n := range h.names {
				if len(n) > best && strings.HasPrefix(s[i:], n) {
					// Latin names stand as words.
					if isASCIILetter(n[0]) && (i > 0 && wordByte(s[i-1]) || i+len(n) < len(s) && wordByte(s[i+len(n)])) {
						continue
					}
					if n == "5.1" && (i > 0 && isDigit(s[i-1]) || i+3 < len(s) && isDigit(s[i+3])) {
						continue
					}
					// 十一 alone is the National Day break only as a time to go ("十一去桂林",
					// "十一前后"): not "十一号", "十一月", "二十一", "十一个人".
					if n == "十一" && !elevenIsNationalDay(s, i) {
						continue
					}
					best, bh = len(n), h
				}
			}
		}
		if best > 0 {
			out = append(out, holidayHit{i, i + best, bh})
			i += best
			continue
		}
		i++
	}
	return out
}

// elevenIsNationalDay reports whether the 十一 at s[i:] names the October holiday: a
// time to travel, not a number.
func elevenIsNationalDay(s string, i int) bool {
	before, after := s[:i], s[i+len("十一"):]
	if hasSuffixAny(before, "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "第", "百") || i > 0 && isDigit(s[i-1]) {
		return false
	}
	return after == "" || hasPrefixAny(after, "去", "出去", "出游", "出发", "玩", "旅游", "回", "期间", "前后", "前", "后", "的时候", "假", "长假", "带", "想", "打算", "准备", "，", ",", "。", " ", "吧")
}

// reLeaveOn says the day a holiday falls on is the day to leave or come back.
var leaveOnWords = []string{"当天", "那天", "那日", "出发", "走", "回来", "回程", "返回", "leaving", "leave", "starting", "start", "depart", "fly out", "flying out", "back", "from", "until", "till", "to ", " on "}
