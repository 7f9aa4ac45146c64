package dialog

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ParseDates reads the dates and the duration of a trip. ok is false when nothing
// usable was found, including a date that cannot be a date (see Extraction.DateProblem).
func ParseDates(text string, c ParseContext) (start, end *Date, days int, ok bool) {
	r := parseDatesIn(newMsg(text), c)
	if r.problem != "" {
		return nil, nil, r.days, false
	}
	return r.start, r.end, r.days, r.start != nil || r.end != nil || r.days > 0
}

type dateResult struct {
	start, end *Date
	days       int
	problem    string
	found      bool
	readings   [][2]*Date // the two readings of numbers that could be month/day or day/month
	period     *Period    // a part of a month said instead of days
	more       int        // days added to the trip as it is ("多加一天"), fewer when negative
}

// dateHit is one date found in the text, not yet placed in a year.
type dateHit struct {
	pos    int
	y      int        // 0 when not said
	m      time.Month // 0 for a bare day of the month ("25号")
	d      int
	at     *Date         // already resolved (relative dates)
	tail   bool          // the second day of "Nov 1-5": shares the month of the hit before it
	untilQ bool          // preceded by "until"/"回程": an end date said alone
	wd     *time.Weekday // a bare weekday ("周五", "Friday"): the next one, after the start for an end
	both   bool          // numbers that could be read as month/day or day/month ("3/4")
}

const monthRe = `(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)`

var monthNames = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

func monthOf(s string) time.Month {
	if len(s) < 3 {
		return 0
	}
	return monthNames[s[:3]]
}

const enNum = `(\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty|a couple of|couple of|a few)`

var enNumbers = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"twenty": 20, "thirty": 30, "a couple of": 2, "couple of": 2, "a few": 3, "both": 2,
}

func atoiWord(s string) int {
	s = strings.TrimSpace(s)
	if n, ok := enNumbers[s]; ok {
		return n
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 100000 {
		return 0
	}
	return n
}

var (
	reLongWkd    = pat(`\blong\s+weekend\b|小长假`, "long", "小长假")
	reWeekendZh  = pat(`(上个?|下下|下个?|这个?|本)?(?:周末|礼拜末)`, "周末", "礼拜末")
	reAWeekend   = pat(`\b(?:a|one)\s+weekend\b(?:\s+(?:away|trip|break|getaway))?`, "weekend")
	reWeekendEn  = pat(`\b(?:(next|this|coming|the|last)\s+)?weekend\b(\s+after\s+next\b)?`, "weekend")
	reNthWeekend = pat(`\b(first|1st|last)\s+weekend\s+(?:of|in)\s+`+monthRe+`\b|(\d{1,2})\s*月(?:份)?(?:的)?(?:第\s*(1|一)\s*个|(最后)\s*(?:1|一)\s*个)\s*周末`, "weekend", "周末")
	reOneAfter   = pat(`^\s*(?:,|;)?\s*(?:(or|and)\s+)?(?:but\s+)?the\s+(?:one|weekend)\s+after\b`, "after")
	reInEn       = pat(`\bin\s+`+enNum+`\s+(days?|weeks?|months?)\b|\b`+enNum+`\s+(days?|weeks?|months?)\s+(?:from\s+(?:now|today)|later)\b`, "day", "week", "month")
	reInZh       = pat(`(\d{1,3})\s*(天|周|个?星期|个?礼拜|个月)\s*(?:以|之)?后`, "后")

	// Days added to or taken from the trip as it is: "多加一天", "延长两天", "add one more
	// day", "2 extra days"; "少一天", "cut a day", "one day less". Not "差不多三天" or
	// "最多三天" (about, at most), nor "延长到五天" (a new length, read as one).
	reMoreZh = pat(`(?:多加|再加|加上|加|延长|多玩|多待|多呆|多住|多留|再玩|再待|再呆|再住|多)\s*了?\s*(\d{1,2})\s*个?(?:天|晚|日)`, "天", "晚", "日")
	reLessZh = pat(`(?:减少|减掉|减|缩短|少玩|少待|少呆|少住|砍掉|去掉|删掉|少)\s*了?\s*(\d{1,2})\s*个?(?:天|晚|日)`, "天", "晚", "日")
	reMoreEn = pat(`\b(?:(?:add(?:\s+on)?|adding|extend(?:\s+it)?\s+by)\s+`+enNum+`\s+(?:more\s+|extra\s+)?days?|`+enNum+`\s+(?:more|extra|additional)\s+days?|(another)\s+day|(a)\s+day\s+longer)\b`, "day")
	reLessEn = pat(`\b(?:(?:cut|drop|remove|lose|shorten(?:\s+it)?\s+by|take\s+off)\s+`+enNum+`\s+days?|`+enNum+`\s+(?:fewer|less)\s+days?|(a|one)\s+day\s+(?:less|shorter))\b`, "day")

	reDurZhDN = pat(`(\d{1,3})\s*天\s*(\d{1,3})\s*[夜晚]`, "夜", "晚")
	reDurZhD  = pat(`(\d{1,3})\s*(?:天|日游|日行程)`, "天", "日游", "日行程")
	reDurZhN  = pat(`(\d{1,3})\s*个?(?:晚上|晚|夜)`, "晚", "夜")
	reDurZhW  = pat(`(\d{1,3})\s*个?(?:星期|礼拜|周)`, "星期", "礼拜", "周")
	reDurZhM  = pat(`(\d{1,2})\s*个月|半个月`, "个月")
	reDurEnDN = pat(`\b`+enNum+`\s*-?\s*days?\s*,?\s*(?:and\s+)?`+enNum+`\s*-?\s*nights?\b`, "night")
	reDurEnD  = pat(`\b`+enNum+`\s*-?\s*days?\b`, "day")
	// "4ish days": the days said. (A span, "3-4 days", asks: CONVENTIONS.md.)
	reDurEnIsh = pat(`\b`+enNum+`\s*-?\s*ish\s+days?\b`, "ish")
	reDurEnN   = pat(`\b`+enNum+`\s*-?\s*nights?\b`, "night")
	// Labelled lengths: "天数：4", "days: 5", "nights = 3".
	reDurLabelD = pat(`(?:行程天数|天数|\bdays|\bduration|\blength)\s*[:：=\-】]\s*(\d{1,3})\b`, "天数", "days", "duration", "length")
	reDurLabelN = pat(`(?:晚数|\bnights)\s*[:：=\-】]\s*(\d{1,3})\b`, "晚数", "nights")
	reDurEnW    = pat(`\b`+enNum+`\s*-?\s*weeks?\b|\bfortnight\b`, "week", "fortnight")

	reMonthNamed = pat(`(?i)\bnext month\b|下个?月|\d{1,2}\s*月|\b(?:january|february|march|april|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b`)
	reYMD        = pat(`(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*[日号號]?`)
	reEnRangeD   = pat(`\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|~|to|through|thru|till|until)\s*(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRe + `\b\.?(?:,?\s*(20\d\d)\b)?`)
	reEnRangeM   = pat(`\b` + monthRe + `\b\.?\s*(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|~|to|through|thru|till|until|and)\s*(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(20\d\d)\b)?`)
	reEnMD       = pat(`\b` + monthRe + `\b\.?\s*(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(20\d\d)\b)?`)
	reEnDM       = pat(`\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?` + monthRe + `\b\.?(?:,?\s*(20\d\d)\b)?`)
	reZhMD       = pat(`(\d{1,2})\s*月\s*(\d{1,2})(?:\s*[日号號])?`, "月")
	reVagueDate  = pat(`过几天|过段时间|过阵子|月底|月初|月中|春天|夏天|秋天|冬天|年后|年前|有空|最近|年底|年初|暑假|寒假|找几天|哪天都行|\bsometime\b|\bsome time\b|\bwhenever\b|\bearly next year\b|\blater this year\b|\bin a few (?:days|weeks|months)\b|\bin a couple of (?:weeks|months)\b|\bsoon\b|\bspring\b|\bsummer\b|\bautumn\b|\bfall\b|\bwinter\b|\ba few days in\b`,
		"过", "月", "天", "年", "有空", "最近", "找几天", "哪天", "some", "whenever", "early", "later", "a few", "couple", "soon", "spring", "summer", "autumn", "fall", "winter")
	reVagueSpan = pat(`[一两二三四五六七八九][一两二三四五六七八九]天|\b\d\s*(?:-|or|to)\s*\d\s+days\b|\b(?:two|three|four|five) or (?:three|four|five|six) days\b`, "天", "days")
	reDotRange  = pat(`\b(\d{1,2})\.(\d{1,2})\s*(?:-|~|到|至|to)\s*(\d{1,2})(?:\.(\d{1,2}))?\b`, ".")
	reSlash     = pat(`(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}|\d{2}))?`, "/")
	reTail      = pat(`^\s*(?:-|~|到|至|to|through|thru|till|until)\s*(\d{1,2})(?:st|nd|rd|th)?(?:\s*[日号號])?`)
	reYYMD      = pat(`(\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?`, "年")
	reTailMD    = pat(`^\s*(?:-|~|到|至|to|through|thru|till|until)\s*(\d{1,2})[.](\d{1,2})(?:[^\d./]|$)`)
	reTailNot   = pat(`^\d|^\s+\d{1,2}\s*(?:月|[日号號]|[-~到至])|^\s*(?:月|年|/\s*\d|(?:of\s+)?` + monthRe + `\b|个|人|天|日游|days?|nights?|people|of us|k\b|w(?:[^/\w]|$)|元|块|万|千|百)`)

	reRelDay    = pat(`大后天|后天|明天|明日|今天|今日|大前天|前天|昨天|昨日|\b(?:the\s+)?day\s+after\s+tomorrow\b|\b(?:the\s+)?day\s+before\s+yesterday\b|\btoday\b|\btomorrow\b|\btonight\b|\byesterday\b`, "天", "今日", "明日", "昨日", "today", "tomorrow", "tonight", "yesterday")
	reWeekdayZh = pat(`(上上个?|上个?|下下个?|下个?|这个?|本)?\s*(?:周|星期|礼拜)([一二三四五六日天1-7])`, "周", "星期", "礼拜")
	reWeekdayEn = pat(`\b(?:(next|this|coming|last)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(\s+after\s+next\b)?`, "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
	// Abbreviated weekdays are ordinary words too ("sun", "sat", "wed"): only a range of
	// two of them ("wed to sun", "sat-sat") is read as days.
	reWeekdayAbbr    = pat(`\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?\s*(?:-|~|to|till|until|through|thru)\s*(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b`, "mon", "tue", "wed", "thu", "fri", "sat", "sun")
	reDayOfMonth     = pat(`^\s*,?\s*(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\b|^\s*,?\s*` + monthRe + `\b`)
	reNextMonthRange = pat(`\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|to|through|thru|till|until)\s*(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(next|this)\s+month\b`, "month")
	reNextMonthDay   = pat(`\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+of\s+(next|this)\s+month\b`, "month")
	reMonthDay       = pat(`(下个?月|这个?月|本月)\s*(\d{1,2})\s*[日号號]`, "下月", "下个月", "这月", "这个月", "本月")
	reNextWeek       = pat(`(下下个?|下个?)(?:周|星期|礼拜)|\b(?:the\s+)?(week\s+after\s+next|next\s+week)\b`, "下周", "下星期", "下礼拜", "下个", "next")
	reLastWeek       = pat(`上个?(?:周|星期|礼拜)|\blast\s+week\b`, "上周", "上星期", "上礼拜", "上个", "last")
	reThisMonth      = pat(`(?:上个?|下个?|这个?|本)月|\b(?:next|this|last)\s+month\b`, "上月", "上个月", "下月", "下个月", "这月", "这个月", "本月", "month")
	reMonthZh        = pat(`(\d{1,2})\s*月份?`, "月")
	reMonthEn        = pat(`\b(?:(in|during|early|late|mid|end of|beginning of|until|till)\s+)?` + monthRe + `\b\.?`)
	reBareDayZh      = pat(`(\d{1,2})\s*[日号號]`, "日", "号", "號")
	reBareRangeZh    = pat(`(\d{1,2})\s*(?:-|~|到|至)\s*(\d{1,2})\s*[日号號]`, "日", "号", "號")
	reBareDayEn      = pat(`\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b`)
	// reUntil ends the words that make the one date after them an end: "until", "回程",
	// and a change of the return alone ("回程改成25号", "change the return to the 26th").
	reBackAfter = pat(`^(?:\d{1,2}\s*月\s*)?\d{1,2}\s*[号日號]?\s*(?:再|就|才)?(?:回来|回程|返回|返程|回家|结束)`, "回", "返", "结束")
	reUntil     = pat(`(?:\buntil|\btill|\bback\s+(?:on|by)|\breturn(?:ing)?(?:\s+(?:date|day|flight|trip))?(?:\s+(?:on|to|is|for))?(?:\s+the)?|回程|返程|返回|回来(?:那天|的日子|的时间)?|结束)\s*(?:日期|时间)?\s*(?:改成|改为|改到|换成|换到|定在|定为|是|在|[:=])?\s*$`, "until", "till", "back", "return", "回程", "返程", "返回", "回来", "结束")
)

var zhWeekdays = map[string]time.Weekday{
	"一": time.Monday, "二": time.Tuesday, "三": time.Wednesday, "四": time.Thursday, "五": time.Friday,
	"六": time.Saturday, "日": time.Sunday, "天": time.Sunday,
	"1": time.Monday, "2": time.Tuesday, "3": time.Wednesday, "4": time.Thursday, "5": time.Friday,
	"6": time.Saturday, "7": time.Sunday,
}

var enWeekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

// mondayOf returns the Monday of d's week; Chinese and most travellers count weeks from Monday.
func mondayOf(d Date) Date {
	wd := int(d.Weekday())
	if wd == 0 {
		wd = 7
	}
	return d.AddDays(1 - wd)
}

func weekdayIndex(w time.Weekday) int {
	if w == time.Sunday {
		return 6
	}
	return int(w) - 1
}

// nextWeekday is the first day on or after d that falls on w.
// abbrWeekday returns the full English name of an abbreviated weekday ("wed", "thurs").
func abbrWeekday(a string) string {
	for name := range enWeekdays {
		if strings.HasPrefix(name, a) {
			return name
		}
	}
	return ""
}

func nextWeekday(d Date, w time.Weekday) Date {
	return d.AddDays((int(w) - int(d.Weekday()) + 7) % 7)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func validDate(y int, m time.Month, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

// nextOccurrence is the first m/d on or after from; a leap day may be years away.
func nextOccurrence(m time.Month, d int, from Date) (Date, bool) {
	for y := from.Year; y <= from.Year+8; y++ {
		if validDate(y, m, d) {
			if dt := (Date{y, m, d}); !dt.Before(from) {
				return dt, true
			}
		}
	}
	return Date{}, false
}

// nextDayOfMonth is the first day numbered d on or after from.
func nextDayOfMonth(d int, from Date) (Date, bool) {
	y, m := from.Year, from.Month
	for i := 0; i < 13; i++ {
		if validDate(y, m, d) {
			if dt := (Date{y, m, d}); !dt.Before(from) {
				return dt, true
			}
		}
		m++
		if m > 12 {
			m, y = 1, y+1
		}
	}
	return Date{}, false
}

func fixYear(s string) int {
	y := atoiWord(s)
	if len(s) == 2 {
		y += 2000
	}
	return y
}

// parseDatesIn reads the dates and the length of a trip, step by step: each step blanks
// what it read, so that a later one does not read it again.
func parseDatesIn(m *msg, c ParseContext) dateResult {
	loc := c.Loc
	if loc == nil {
		loc = time.UTC
	}
	ds := &dateScan{m: m, c: c, today: DateOf(c.Now.In(loc))}
	ds.holidays()
	ds.weekends()
	ds.laterDays()
	ds.moreDays()
	ds.durations()
	ds.numericDates()
	ds.monthDayDates()
	ds.relativeDays()
	ds.weekdays()
	ds.daysOfRelativeMonths()
	ds.relativeWeeks()
	ds.monthsWithoutDays()
	ds.bareDays()
	ds.vagueness()
	return ds.resolve()
}

// dateScan is one message's dates as they are read: the days found so far and what was
// said only vaguely.
type dateScan struct {
	m            *msg
	c            ParseContext
	today        Date
	r            dateResult
	hits         []dateHit
	hols         []holidayHit
	explicitDay  bool    // the message says a holiday is the day to leave
	holidayVague bool    // a holiday or a weekend that names no days
	vagueWhen    bool    // "in a few weeks"
	monthOnly    bool    // a month or a part of one, without a day
	holWindow    *Period // the days a holiday said alone usually means (holiday.span)
	monthWin     *Period
	weekendIn    bool // a weekend said in a month named
}

func (ds *dateScan) at(pos int, d Date) { ds.hits = append(ds.hits, dateHit{pos: pos, at: ptr(d)}) }

func (ds *dateScan) setDays(n int) {
	if ds.r.days == 0 && n > 0 && n <= 3660 {
		ds.r.days = n
	}
}

// sub is the text of group g of a match, or "".
func sub(s string, loc []int, g int) string {
	if 2*g+1 >= len(loc) || loc[2*g] < 0 {
		return ""
	}
	return s[loc[2*g]:loc[2*g+1]]
}

// digitBound reports whether s[i:j] has no digit right before or after it.
func digitBound(s string, i, j int) bool {
	return (i == 0 || !isDigit(s[i-1])) && (j >= len(s) || !isDigit(s[j]))
}

// weekend notes the Saturday and Sunday of the weekend weeks after this one; this one,
// said on its Sunday, is what is left of it.
func (ds *dateScan) weekend(pos int, weeks int) {
	thisSat := nextWeekday(ds.today, time.Saturday)
	if ds.today.Weekday() == time.Sunday {
		thisSat = ds.today.AddDays(-1)
	}
	sat := thisSat.AddDays(7 * weeks)
	start := sat
	if weeks == 0 && start.Before(ds.today) {
		start = ds.today
	}
	ds.at(pos, start)
	ds.at(pos+1, sat.AddDays(1))
}

// tail reads the second day of "Nov 1-5" or "10月25-28日", which shares the month of the
// first.
func (ds *dateScan) tail(end int) {
	s := ds.m.text()
	if loc := reTailMD.FindStringSubmatchIndex(s[end:]); loc != nil {
		// "2027.3.1-3.5": the end gives its month too.
		ds.hits = append(ds.hits, dateHit{pos: end + loc[0], m: time.Month(atoiWord(sub(s[end:], loc, 1))), d: atoiWord(sub(s[end:], loc, 2))})
		ds.m.consume(end+loc[0], end+loc[1])
		return
	}
	loc := reTail.FindStringSubmatchIndex(s[end:])
	// "24到28号2个人": a tail closed by 号 or 日 is a day whatever follows it.
	if loc == nil || !strings.ContainsAny(s[end+loc[0]:end+loc[1]], "号日號") && reTailNot.MatchString(s[end+loc[1]:]) {
		return
	}
	ds.hits = append(ds.hits, dateHit{pos: end + loc[0], d: atoiWord(sub(s[end:], loc, 1)), tail: true})
	ds.m.consume(end+loc[0], end+loc[1])
}

// holidays reads the holidays named and "a long weekend".
func (ds *dateScan) holidays() {
	s := ds.m.text()
	// "happy new year", "merry christmas", "新年快乐": a greeting, not a date.
	ds.hols = slices.DeleteFunc(findHolidays(s), func(hh holidayHit) bool {
		before := strings.TrimRight(ds.m.low[:hh.i], " ")
		return strings.HasSuffix(before, "happy") || strings.HasSuffix(before, "merry") || strings.HasPrefix(ds.m.low[hh.j:], "快乐")
	})
	ds.explicitDay = has(s, leaveOnWords...)
	for _, hh := range ds.hols {
		d, ok := hh.h.on(ds.today)
		// "春节后", "after christmas", "过完年": the two weeks after the break, asked about
		// as a window; "春节前", "before christmas": the two weeks before it.
		// "圣诞节前后", "元旦左右", "around christmas": the days about it, asked about as a
		// window, not its day.
		if after := strings.TrimLeft(ds.m.low[hh.j:], " "); ok && ds.r.period == nil && ds.holWindow == nil && !reSaysLength.MatchString(ds.m.low) &&
			(hasPrefixAny(after, "前后", "左右") || hasSuffixAny(strings.TrimRight(ds.m.low[:hh.i], " "), "around")) {
			from, to := d.AddDays(-3), d.AddDays(3)
			if hh.h.span > 0 {
				from = d.AddDays(-hh.h.before - 2)
				to = d.AddDays(-hh.h.before + hh.h.span + 1)
			}
			if from.Before(ds.today) {
				from = ds.today
			}
			said := strings.TrimSpace(ds.m.orig[hh.i:hh.j])
			if ds.m.lang == LangZH {
				said += "前后"
			} else {
				said = "around " + said
			}
			ds.holWindow, ds.holidayVague = &Period{From: from, To: to, Said: said}, true
			end := hh.j
			for _, w := range []string{"前后", "左右"} {
				if strings.HasPrefix(ds.m.low[hh.j:], w) {
					end += len(w)
				}
			}
			ds.m.consume(hh.i, end)
			continue
		}
		if side := sideOfHoliday(ds.m.low, hh.i, hh.j); side != 0 && ok && ds.r.period == nil {
			if side > 0 {
				// "after new year" said on the 5th of January: this one's fortnight after.
				if p, pok := hh.h.on(ds.today.AddDays(-14 - hh.h.span)); pok {
					d = p
				}
			}
			from, to := d, d
			if hh.h.span > 0 {
				from = d.AddDays(-hh.h.before)
				to = from.AddDays(hh.h.span - 1)
			}
			w := &Period{From: to.AddDays(1), To: to.AddDays(14)}
			if side < 0 {
				w = &Period{From: from.AddDays(-14), To: from.AddDays(-1)}
			}
			if w.From.Before(ds.today) {
				w.From = ds.today
			}
			if !w.To.Before(w.From) {
				w.Said = strings.TrimSpace(ds.m.orig[hh.i:hh.j])
				switch {
				case ds.m.lang == LangZH && side > 0:
					w.Said += "后"
				case ds.m.lang == LangZH:
					w.Said += "前"
				case side > 0:
					w.Said = "after " + w.Said
				default:
					w.Said = "before " + w.Said
				}
				ds.holWindow, ds.holidayVague = w, true
				ds.m.consume(hh.i, hh.j)
				continue
			}
		}
		// The window is the first break not over yet: said during it, the days left of it.
		if w, wok := hh.h.on(ds.today.AddDays(hh.h.before - hh.h.span + 1)); wok && hh.h.span > 0 && ds.holWindow == nil {
			from := w.AddDays(-hh.h.before)
			ds.holWindow = &Period{From: from, To: from.AddDays(hh.h.span - 1), Said: strings.TrimSpace(ds.m.orig[hh.i:hh.j])}
		}
		if !ok || hh.h.spanOnly && !ds.explicitDay {
			ds.holidayVague = true
		} else {
			ds.at(hh.i, d)
		}
		ds.m.consume(hh.i, hh.j)
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "long", "小长假"), reLongWkd, s) {
		ds.setDays(3)
		ds.m.consume(loc[0], loc[1])
	}
}

// weekends reads weekends: 周末, 下周末, "next weekend", "first weekend of january".
func (ds *dateScan) weekends() {
	// "first weekend of january", "1月第一个周末": the Saturday and Sunday of a month's
	// first (or last) weekend.
	s := ds.m.text()
	for _, loc := range when(has(s, "weekend", "周末"), reNthWeekend, s) {
		nth, mo := sub(s, loc, 1), monthOf(sub(s, loc, 2))
		if nth == "" {
			nth, mo = "first", time.Month(atoiWord(sub(s, loc, 3)))
			if sub(s, loc, 5) != "" {
				nth = "last"
			}
		}
		if sat, ok := nthWeekend(nth, mo, ds.today); ok {
			ds.at(loc[0], sat)
			ds.at(loc[0]+1, sat.AddDays(1))
		}
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	// "a weekend next month", "下个月找个周末": a weekend in a month named is a stay of two
	// days in it, not the coming weekend.
	inMonth := has(s, "周末", "礼拜末", "weekend") && reMonthNamed.MatchString(s)
	for _, loc := range when(has(s, "周末", "礼拜末"), reWeekendZh, s) {
		if sub(s, loc, 1) == "" && inMonth {
			ds.setDays(2)
			ds.weekendIn = true
			ds.m.consume(loc[0], loc[1])
			continue
		}
		// 周末 said on a Sunday: this one is nearly over, the next not yet meant.
		if sub(s, loc, 1) == "" && ds.today.Weekday() == time.Sunday {
			ds.holidayVague = true
			ds.m.consume(loc[0], loc[1])
			continue
		}
		weeks := 0
		switch p := sub(s, loc, 1); {
		case strings.HasPrefix(p, "下下"):
			weeks = 2
		case strings.HasPrefix(p, "下"):
			weeks = 1
		case strings.HasPrefix(p, "上"):
			weeks = -1
		}
		ds.weekend(loc[0], weeks)
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	// "just a weekend": a length of two days, not a date.
	for _, loc := range when(has(s, "weekend"), reAWeekend, s) {
		ds.setDays(2)
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "weekend"), reWeekendEn, s) {
		if sub(s, loc, 1) == "" && sub(s, loc, 2) == "" && inMonth {
			ds.setDays(2)
			ds.weekendIn = true
			ds.m.consume(loc[0], loc[1])
			continue
		}
		weeks := 0
		switch sub(s, loc, 1) {
		case "next":
			weeks = 1
		case "last":
			weeks = -1
		case "coming":
			// "this coming weekend" said on a weekend is the next one.
			if wd := ds.today.Weekday(); wd == time.Saturday || wd == time.Sunday {
				weeks = 1
			}
		}
		if sub(s, loc, 2) != "" {
			weeks = 2 // "the weekend after next"
		}
		end := loc[1]
		// "not next weekend, the one after": the weekend after the one named;
		// "next weekend or the one after": either, which is asked.
		if after := reOneAfter.FindStringSubmatchIndex(s[loc[1]:]); after != nil {
			end = loc[1] + after[1]
			if after[2] >= 0 {
				ds.holidayVague = true
				ds.m.consume(loc[0], end)
				continue
			}
			weeks++
		}
		ds.weekend(loc[0], weeks)
		ds.m.consume(loc[0], end)
	}
}

// laterDays reads days counted from today: "in 3 days", "3天后".
func (ds *dateScan) laterDays() {
	s := ds.m.text()
	for _, loc := range when(has(s, "day", "week", "month"), reInEn, s) {
		if has(s[loc[0]:loc[1]], "a few", "couple") {
			// "in a few weeks" names no day, and is no length either: which days is asked.
			ds.vagueWhen = true
			ds.m.consume(loc[0], loc[1])
			continue
		}
		n, unit := atoiWord(sub(s, loc, 1)), sub(s, loc, 2)
		if n == 0 {
			n, unit = atoiWord(sub(s, loc, 3)), sub(s, loc, 4)
		}
		if d, ok := addUnits(ds.today, n, unit); ok {
			ds.at(loc[0], d)
		}
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "后"), reInZh, s) {
		unit := "days"
		switch u := sub(s, loc, 2); {
		case strings.Contains(u, "月"):
			unit = "months"
		case u != "天":
			unit = "weeks"
		}
		if d, ok := addUnits(ds.today, atoiWord(sub(s, loc, 1)), unit); ok {
			ds.at(loc[0], d)
		}
		ds.m.consume(loc[0], loc[1])
	}
}

// moreDays reads days added to or taken from the trip as it is ("多加一天", "cut a
// day"): not the trip's length, which durations would make of the "一天".
func (ds *dateScan) moreDays() {
	for _, p := range []struct {
		re   pattern
		sign int
	}{{reMoreZh, 1}, {reLessZh, -1}, {reMoreEn, 1}, {reLessEn, -1}} {
		s := ds.m.text()
		if !p.re.possible(s) {
			continue
		}
		for _, loc := range p.re.re.FindAllStringSubmatchIndex(s, -1) {
			if !digitBound(s, loc[0], loc[1]) || ds.m.taken(loc[0]) {
				continue
			}
			// 差不多, 最多, 至多, 顶多, 很多: "多" that is not "more"; 至少, 最少, 不少: "少"
			// that is not "fewer"; 参加: joining, not adding. "a day trip" is an outing.
			before, match, after := s[:loc[0]], s[loc[0]:loc[1]], strings.TrimLeft(s[loc[1]:], " -")
			if strings.HasPrefix(match, "多") && hasSuffixAny(before, "差不", "最", "至", "顶", "很", "好", "许", "大") ||
				strings.HasPrefix(match, "少") && hasSuffixAny(before, "至", "最", "不", "多", "减") ||
				strings.HasPrefix(match, "加") && hasSuffixAny(before, "参", "更", "增") ||
				strings.HasPrefix(after, "trip") || strings.HasPrefix(after, "tour") ||
				strings.HasSuffix(match, "another day") && hasSuffixAny(strings.TrimRight(before, " "), " to", " on", " for", "some", "to", "on") {
				continue
			}
			n := 0
			for g := 1; 2*g+1 < len(loc); g++ {
				if w := strings.ToLower(sub(s, loc, g)); w != "" {
					n = atoiWord(w)
					if w == "another" {
						n = 1
					}
					break
				}
			}
			if n <= 0 || n > MaxTripDays {
				continue
			}
			ds.r.more += p.sign * n
			ds.r.found = true
			ds.m.consume(loc[0], loc[1])
		}
	}
}

// durations reads how long the trip is: 5天, 三天两夜, "3 nights", "a week".
func (ds *dateScan) durations() {
	// "a day trip to Suzhou", "day trips", 一日游 to a town: an outing, not the trip's length.
	// ("a 10 day trip", "5-day trip" are lengths.)
	for _, loc := range reOuting.FindAllStringIndex(ds.m.text(), -1) {
		ds.m.consume(loc[0], loc[1])
	}
	s := ds.m.text()
	type durPat struct {
		re   pattern
		gate bool
		days func(s string, loc []int) int
	}
	zhDur := has(s, "天", "夜", "晚", "周", "星期", "礼拜", "月", "日游", "日行程")
	enDur := has(s, "day", "night", "week", "fortnight")
	for _, p := range []durPat{
		{reDurLabelD, zhDur || enDur, func(s string, loc []int) int { return atoiWord(sub(s, loc, 1)) }},
		{reDurLabelN, zhDur || enDur, func(s string, loc []int) int { return atoiWord(sub(s, loc, 1)) + 1 }},
		{reDurZhDN, zhDur, func(s string, loc []int) int { return atoiWord(sub(s, loc, 1)) }},
		{reDurEnIsh, enDur, func(s string, loc []int) int { return atoiWord(sub(s, loc, 1)) }},
		{reDurEnDN, enDur, func(s string, loc []int) int { return atoiWord(sub(s, loc, 1)) }},
		{reDurZhD, zhDur, func(s string, loc []int) int { return atoiWord(sub(s, loc, 1)) }},
		{reDurEnD, enDur, func(s string, loc []int) int { return atoiWord(sub(s, loc, 1)) }},
		{reDurZhN, zhDur, func(s string, loc []int) int { return atoiWord(sub(s, loc, 1)) + 1 }},
		{reDurEnN, enDur, func(s string, loc []int) int { return atoiWord(sub(s, loc, 1)) + 1 }},
		{reDurZhW, zhDur, func(s string, loc []int) int { return 7 * atoiWord(sub(s, loc, 1)) }},
		{reDurEnW, enDur, func(s string, loc []int) int {
			if strings.Contains(s[loc[0]:loc[1]], "fortnight") {
				return 14
			}
			return 7 * atoiWord(sub(s, loc, 1))
		}},
		{reDurZhM, zhDur, func(s string, loc []int) int {
			if strings.HasPrefix(s[loc[0]:loc[1]], "半") {
				return 15
			}
			return 30 * atoiWord(sub(s, loc, 1))
		}},
	} {
		if !p.gate || !p.re.possible(s) {
			continue
		}
		s = ds.m.text()
		for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
			// "3天2人": a length that ends in its unit may have a figure right after it.
			if !digitBound(s, loc[0], loc[1]) && (loc[0] > 0 && isDigit(s[loc[0]-1]) || isDigit(s[loc[1]-1])) || (loc[0] > 0 && s[loc[0]-1] == '-') {
				continue
			}
			if strings.HasPrefix(s[loc[0]:], "第") || (loc[0] >= 3 && s[loc[0]-3:loc[0]] == "第") {
				continue
			}
			// "日期推迟一天", "提前两天出发", "leave a day early": a shift, not the length.
			if hasSuffixAny(strings.TrimRight(s[:loc[0]], " "), "推迟", "延后", "推后", "延迟", "提前", "提早", "往后", "往前", "向后", "向前", "晚", "早", "by", "move it", "push it", "shift it") {
				continue
			}
			// "2月最后一周": a week of the month, read with the parts of a month.
			if strings.HasSuffix(strings.TrimRight(s[:loc[0]], " "), "最后") {
				continue
			}
			ds.setDays(p.days(s, loc))
			ds.m.consume(loc[0], loc[1])
		}
	}
}

// numericDates reads dates written in figures with a year or in compact forms.
func (ds *dateScan) numericDates() {
	s := ds.m.text()
	for _, loc := range when(hasYear(s), reYMD, s) {
		// "12/20/2026 - 12/27/2026": a year that ends one date does not start another.
		if !digitBound(s, loc[0], loc[1]) || ds.m.taken(loc[0]) || loc[0] > 0 && strings.IndexByte("/.", s[loc[0]-1]) >= 0 {
			continue
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], y: atoiWord(sub(s, loc, 1)), m: time.Month(atoiWord(sub(s, loc, 2))), d: atoiWord(sub(s, loc, 3))})
		ds.m.consume(loc[0], loc[1])
		ds.tail(loc[1])
	}
	// "26年12月28号": a year in two figures.
	s = ds.m.text()
	for _, loc := range when(has(s, "年"), reYYMD, s) {
		if !digitBound(s, loc[0], loc[1]) || ds.m.taken(loc[0]) {
			continue
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], y: 2000 + atoiWord(sub(s, loc, 1)), m: time.Month(atoiWord(sub(s, loc, 2))), d: atoiWord(sub(s, loc, 3))})
		ds.m.consume(loc[0], loc[1])
		ds.tail(loc[1])
	}
	// "20261220-20261223", "20270105-0109": dates written as eight digits.
	for _, h := range compactDates(ds.m.text()) {
		ds.hits = append(ds.hits, h.hit)
		ds.m.consume(h.i, h.j)
	}
	// "12-20出发", "12.25出发 12.28回", "12-26到12-30", "leaving 12-21, back 12-26".
	hs := numericMonthDays(ds.m.text(), ds.c.Expecting == SlotDates)
	for _, h := range hs {
		ds.hits = append(ds.hits, h.hit)
		ds.m.consume(h.i, h.j)
	}
	if len(hs) == 1 {
		ds.tail(hs[0].j) // "去青岛，12.20-24": the end's day alone
	}
}

// monthDayDates reads a month and a day: "Dec 20-24", 12月20日, 12.20-12.24, 12/20.
func (ds *dateScan) monthDayDates() {
	s := ds.m.text()
	enDates := hasLatin(s) && hasDigits(s) && monthWordIn(s)
	for _, loc := range monthClauses(enDates, reEnRangeD, s) {
		mo, y := monthOf(sub(s, loc, 3)), atoiWord(sub(s, loc, 4))
		end := loc[1]
		if yearIsMoney(s, loc, 4) {
			y, end = 0, loc[8]
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], y: y, m: mo, d: atoiWord(sub(s, loc, 1))},
			dateHit{pos: loc[0] + 1, y: y, m: mo, d: atoiWord(sub(s, loc, 2))})
		ds.m.consume(loc[0], end)
	}
	s = ds.m.text()
	for _, loc := range monthClauses(enDates, reEnRangeM, s) {
		if reTailNot.MatchString(s[loc[1]:]) {
			continue
		}
		mo, y := monthOf(sub(s, loc, 1)), atoiWord(sub(s, loc, 4))
		end := loc[1]
		if yearIsMoney(s, loc, 4) {
			y, end = 0, loc[8]
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], y: y, m: mo, d: atoiWord(sub(s, loc, 2))},
			dateHit{pos: loc[0] + 1, y: y, m: mo, d: atoiWord(sub(s, loc, 3))})
		ds.m.consume(loc[0], end)
	}
	for _, p := range []struct {
		re        pattern
		mg, dg, y int
	}{{reEnMD, 1, 2, 3}, {reEnDM, 2, 1, 3}} {
		s = ds.m.text()
		for _, loc := range monthClauses(enDates, p.re, s) {
			if !digitBound(s, loc[0], loc[1]) || ds.m.taken(loc[0]) {
				continue
			}
			// "22 dec 2 ppl": the figure after the month counts people, so the date is
			// the day before it (read by the day-month pattern).
			if p.mg == 1 && rePeopleAfter.MatchString(s[loc[2*p.dg+1]:]) {
				continue
			}
			y, end := atoiWord(sub(s, loc, p.y)), loc[1]
			if yearIsMoney(s, loc, p.y) {
				y, end = 0, loc[2*p.y]
			}
			ds.hits = append(ds.hits, dateHit{pos: loc[0], y: y, m: monthOf(sub(s, loc, p.mg)), d: atoiWord(sub(s, loc, p.dg))})
			ds.m.consume(loc[0], end)
			ds.tail(loc[1])
		}
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "月"), reZhMD, s) {
		if !digitBound(s, loc[0], loc[1]) || ds.m.taken(loc[0]) {
			continue
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], m: time.Month(atoiWord(sub(s, loc, 1))), d: atoiWord(sub(s, loc, 2))})
		ds.m.consume(loc[0], loc[1])
		ds.tail(loc[1])
	}
	s = ds.m.text()
	// "12.20-12.24", "20.12 - 27.12": a range of dotted days.
	for _, loc := range when(has(s, "."), reDotRange, s) {
		if moneyAround(s, loc[0], loc[1]) {
			continue
		}
		a, b := atoiWord(sub(s, loc, 1)), atoiWord(sub(s, loc, 2))
		c2, d2 := atoiWord(sub(s, loc, 3)), atoiWord(sub(s, loc, 4))
		if a > 12 || c2 > 12 && d2 != 0 {
			a, b = b, a
			c2, d2 = d2, c2
		}
		if a < 1 || a > 12 || b < 1 || b > 31 {
			continue
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], m: time.Month(a), d: b})
		if d2 == 0 {
			ds.hits = append(ds.hits, dateHit{pos: loc[0] + 1, d: c2, tail: true})
		} else {
			ds.hits = append(ds.hits, dateHit{pos: loc[0] + 1, m: time.Month(c2), d: d2})
		}
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "/"), reSlash, s) {
		if !digitBound(s, loc[0], loc[1]) || ds.m.taken(loc[0]) || (loc[0] > 0 && s[loc[0]-1] == '/') || (loc[1] < len(s) && s[loc[1]] == '/') {
			continue
		}
		a, b := atoiWord(sub(s, loc, 1)), atoiWord(sub(s, loc, 2))
		if a > 12 && b <= 12 {
			a, b = b, a // 25/10 can only be day/month
		}
		y := 0
		if ys := sub(s, loc, 3); ys != "" {
			y = fixYear(ys)
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], y: y, m: time.Month(a), d: b, both: a <= 12 && b <= 12 && a != b})
		ds.m.consume(loc[0], loc[1])
		ds.tail(loc[1]) // "12/26-30"
	}
}

// reOuting is a day trip named as an outing: "a day trip", "day trips", "the day trip".
var reOuting = regexp.MustCompile(`\b(?:a|the|some|any|our)\s+day[- ]trips?\b|(?:^|[^\w\s-]\s*|\b(?:no|with|and|plus|add|do)\s+)day[- ]trips\b`)

// reToldBeforePast precedes a past day in a sentence that tells what happened: "my phone
// died yesterday", "we booked the flights yesterday".
var reToldBeforePast = regexp.MustCompile(`\b(?:died|broke|booked|bought|got|arrived|landed|left|saw|went|was|were|had|did|said|told|asked|lost|forgot|missed)\s+(?:\w+\s+){0,3}$`)

// rePeopleAfter follows a figure that counts people: "2 ppl", "3 of us", "2pax".
var rePeopleAfter = regexp.MustCompile(`^\s*(?:ppl|people|persons|pax|adults|of us|travell?ers|guests|kids|children)\b`)

// reToldAboutPast follows a past day that tells what happened then: 我昨天看了个电影,
// 前天刚订了机票, "yesterday we booked".
var reToldAboutPast = regexp.MustCompile(`^\s*(?:晚上|下午|上午|刚|刚刚|已经|才)?\s*(?:看了|订了|买了|去了|吃了|到了|说了|问了|看到|刚订|刚买|我|我们|他|她|就)|^\s*,?\s*(?:i|we|my|our|he|she|they)\b`)

// relativeDays reads 今天, 明天, "tomorrow" and the days before and after.
func (ds *dateScan) relativeDays() {
	s := ds.m.text()
	for _, loc := range when(has(s, "天", "日", "today", "tomorrow", "tonight", "yesterday"), reRelDay, s) {
		n := 0
		switch w := s[loc[0]:loc[1]]; {
		case w == "大后天":
			n = 3
		case w == "后天" || strings.Contains(w, "after"):
			n = 2
		case w == "明天" || w == "明日" || w == "tomorrow":
			n = 1
		case w == "昨天" || w == "昨日" || w == "yesterday":
			n = -1
		case w == "前天" || strings.Contains(w, "before"):
			// "出发前天气" is 前 + 天气, not the day before yesterday.
			if w == "前天" && has(s[loc[1]:min(len(s), loc[1]+3)], "气", "数") {
				continue
			}
			n = -2
		case w == "大前天":
			n = -3
		}
		// "我昨天看了个电影", "yesterday we booked the flights": a day gone by, told about,
		// is no date of the trip; a past day said as one ("昨天", "from yesterday") still is,
		// so that it can be told it has passed.
		if n < 0 && (reToldAboutPast.MatchString(s[loc[1]:]) || reToldBeforePast.MatchString(s[:loc[0]])) {
			ds.m.consume(loc[0], loc[1])
			continue
		}
		ds.at(loc[0], ds.today.AddDays(n))
		ds.m.consume(loc[0], loc[1])
	}
}

// weekdays reads weekdays: 下周五, "next Friday", "wed to sun".
func (ds *dateScan) weekdays() {
	s := ds.m.text()
	for _, loc := range when(has(s, "周", "星期", "礼拜"), reWeekdayZh, s) {
		wd := zhWeekdays[sub(s, loc, 2)]
		var d Date
		switch p := sub(s, loc, 1); {
		case strings.HasPrefix(p, "上上"):
			d = mondayOf(ds.today).AddDays(-14 + weekdayIndex(wd))
		case strings.HasPrefix(p, "上"):
			d = mondayOf(ds.today).AddDays(-7 + weekdayIndex(wd))
		case strings.HasPrefix(p, "下下"):
			d = mondayOf(ds.today).AddDays(14 + weekdayIndex(wd))
		case strings.HasPrefix(p, "下"):
			d = mondayOf(ds.today).AddDays(7 + weekdayIndex(wd))
		case p != "":
			d = mondayOf(ds.today).AddDays(weekdayIndex(wd))
		default:
			ds.hits = append(ds.hits, dateHit{pos: loc[0], wd: ptr(wd)})
			ds.m.consume(loc[0], loc[1])
			continue
		}
		ds.at(loc[0], d)
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "day"), reWeekdayEn, s) {
		wd := enWeekdays[sub(s, loc, 2)]
		if sub(s, loc, 1) == "" && sub(s, loc, 3) == "" && reDayOfMonth.re.MatchString(s[loc[1]:]) {
			// "friday the 18th", "Sat 12 Dec": the day of the month names the date.
			ds.m.consume(loc[0], loc[1])
			continue
		}
		switch {
		case sub(s, loc, 3) != "":
			// "Tuesday after next": a week after next Tuesday.
			ds.at(loc[0], mondayOf(ds.today).AddDays(14+weekdayIndex(wd)))
			ds.m.consume(loc[0], loc[1])
			continue
		}
		switch sub(s, loc, 1) {
		case "next":
			// "next Friday" is read as Friday of next week, the same as 下周五.
			ds.at(loc[0], mondayOf(ds.today).AddDays(7+weekdayIndex(wd)))
		case "last":
			ds.at(loc[0], mondayOf(ds.today).AddDays(-7+weekdayIndex(wd)))
		default:
			ds.hits = append(ds.hits, dateHit{pos: loc[0], wd: ptr(wd)})
		}
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "fri", "sat", "sun", "mon", "tu", "wed", "thu"), reWeekdayAbbr, s) {
		for g := 1; g <= 2; g++ {
			wd := enWeekdays[abbrWeekday(sub(s, loc, g))]
			ds.hits = append(ds.hits, dateHit{pos: loc[0] + g - 1, wd: ptr(wd)})
		}
		ds.m.consume(loc[0], loc[1])
	}
}

// daysOfRelativeMonths reads days of this or next month: "10-14 next month", 下个月10号.
func (ds *dateScan) daysOfRelativeMonths() {
	s := ds.m.text()
	// "10-14 next month": a range of days in next month.
	for _, loc := range when(has(s, "month"), reNextMonthRange, s) {
		first := Date{ds.today.Year, ds.today.Month, 1}
		if sub(s, loc, 3) == "next" {
			first = NewDate(ds.today.Year, ds.today.Month+1, 1)
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], y: first.Year, m: first.Month, d: atoiWord(sub(s, loc, 1))},
			dateHit{pos: loc[0] + 1, y: first.Year, m: first.Month, d: atoiWord(sub(s, loc, 2))})
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "month"), reNextMonthDay, s) {
		first := Date{ds.today.Year, ds.today.Month, 1}
		if sub(s, loc, 2) == "next" {
			first = NewDate(ds.today.Year, ds.today.Month+1, 1)
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], y: first.Year, m: first.Month, d: atoiWord(sub(s, loc, 1))})
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "月"), reMonthDay, s) {
		first := Date{ds.today.Year, ds.today.Month, 1}
		if strings.HasPrefix(sub(s, loc, 1), "下") {
			first = NewDate(ds.today.Year, ds.today.Month+1, 1)
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], y: first.Year, m: first.Month, d: atoiWord(sub(s, loc, 2))})
		ds.m.consume(loc[0], loc[1])
	}
}

// relativeWeeks reads 下周 and 上周 said without a day.
func (ds *dateScan) relativeWeeks() {
	s := ds.m.text()
	// "下周", "next week" without a day: a week to choose days in, like a part of a month.
	for _, loc := range when(has(s, "下", "next week", "after next"), reNextWeek, s) {
		mon := mondayOf(ds.today).AddDays(7)
		// "下下周", "the week after next": the week after that.
		if strings.HasPrefix(sub(s, loc, 1), "下下") || strings.HasPrefix(sub(s, loc, 2), "week") {
			mon = mon.AddDays(7)
		}
		if ds.r.period == nil {
			ds.r.period = &Period{From: mon, To: mon.AddDays(6), Said: strings.TrimSpace(ds.m.orig[loc[0]:loc[1]])}
		}
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "上", "last week"), reLastWeek, s) {
		if strings.HasPrefix(s[loc[1]:], " of") {
			continue // "the last week of December" is a month, said vaguely
		}
		ds.at(loc[0], mondayOf(ds.today).AddDays(-7))
		ds.m.consume(loc[0], loc[1])
	}
}

// monthsWithoutDays reads parts of a month (下个月中旬) and months said without a day.
func (ds *dateScan) monthsWithoutDays() {
	// A part of a month ("下个月中旬", "mid january") names a window, not days.
	s := ds.m.text()
	if ds.r.period == nil && has(s, "旬", "初", "中", "底", "末", "early", "mid", "late", "end", "beginning", "start", "week", "周", "星期", "礼拜") {
		if p, i, j, ok := periodIn(s, ds.today); ok {
			ds.r.period = &p
			ds.m.consume(i, j)
		}
	}
	// A month without a day ("下个月", "in May", "7月") names no day to start on: it is
	// noted so that, if nothing more precise was said, the engine asks which days.
	ds.monthOnly = ds.r.period != nil
	s = ds.m.text()
	for _, loc := range when(has(s, "月", "month"), reThisMonth, s) {
		ds.monthOnly = true
		// "next month from the 10th to the 14th": the days said alone are in that month.
		switch w := s[loc[0]:loc[1]]; {
		case strings.HasPrefix(w, "下") || strings.HasPrefix(w, "next"):
			first := NewDate(ds.today.Year, ds.today.Month+1, 1)
			ds.addMonth(ds.wholeMonth(first.Year, first.Month, ds.m.orig[loc[0]:loc[1]]))
		case !strings.HasPrefix(w, "上") && !strings.HasPrefix(w, "last"):
			ds.addMonth(ds.wholeMonth(ds.today.Year, ds.today.Month, ds.m.orig[loc[0]:loc[1]]))
		}
		ds.m.consume(loc[0], loc[1])
	}
	s = ds.m.text()
	for _, loc := range when(has(s, "月"), reMonthZh, s) {
		if !digitBound(s, loc[0], loc[1]) || ds.m.taken(loc[0]) {
			continue
		}
		if mo := atoiWord(sub(s, loc, 1)); mo >= 1 && mo <= 12 {
			ds.monthOnly = true
			ds.addMonth(ds.namedMonth(time.Month(mo), ds.m.orig[loc[0]:loc[1]]))
			ds.m.consume(loc[0], loc[1])
		}
	}
	s = ds.m.text()
	for _, loc := range when(hasLatin(s) && monthWordIn(s), reMonthEn, s) {
		// "may", "march" and the abbreviations are ordinary words too often ("I may go",
		// "Jan and I") to be a month without a word such as "in" before them.
		w, before := sub(s, loc, 2), sub(s, loc, 1)
		if before == "" && (w == "may" || w == "march" || len(w) <= 4 && w != "june" && w != "july") {
			continue
		}
		ds.monthOnly = true
		if before == "" || before == "in" || before == "during" {
			ds.addMonth(ds.namedMonth(monthOf(w), strings.TrimSpace(ds.m.orig[loc[4]:loc[1]])))
		}
		ds.m.consume(loc[0], loc[1])
	}
	// A month said alone ("kyoto in april", "7月去三亚", "下个月去东京") is the window the
	// days are asked in, with stays in it to tap, as a part of a month is.
	if ds.r.period == nil && ds.monthWin != nil && ds.monthWin.Said != "" {
		ds.r.period = ds.monthWin
		// "a weekend" may have been read as a length of two days already.
		ds.r.period.Weekend = ds.weekendIn || ds.r.days == 2 && strings.Contains(ds.m.low, "weekend")
	}
}

// addMonth notes a month said alone: two months said ("june or july", 1月或者2月) are one
// window from the first to the last.
func (ds *dateScan) addMonth(w *Period) {
	switch {
	case w == nil:
	case ds.monthWin == nil || ds.monthWin.Said == "":
		ds.monthWin = w
	default:
		m := *ds.monthWin
		if w.From.Before(m.From) {
			m.From = w.From
		}
		if m.To.Before(w.To) {
			m.To = w.To
		}
		m.Said += "/" + w.Said
		ds.monthWin = &m
	}
}

// namedMonth is the window of a month named without a year: this year's, or next
// year's once this year's has passed.
func (ds *dateScan) namedMonth(m time.Month, said string) *Period {
	if m < 1 || m > 12 {
		return nil
	}
	y := ds.today.Year
	if m < ds.today.Month {
		y++
	}
	return ds.wholeMonth(y, m, said)
}

// wholeMonth is the days of a month from today on, as said.
func (ds *dateScan) wholeMonth(y int, m time.Month, said string) *Period {
	p := &Period{From: Date{y, m, 1}, To: Date{y, m, daysIn(y, m)}, Said: strings.TrimSpace(said)}
	if p.From.Before(ds.today) {
		p.From = ds.today
	}
	if p.To.Before(p.From) {
		return nil
	}
	return p
}

// bareDays reads days of the month said alone: 20号, 20-24号, "the 20th".
func (ds *dateScan) bareDays() {
	// "20-24号", "18到21号": a range of days of the month, the marker said once at the end.
	s := ds.m.text()
	for _, loc := range when(hasDigits(s), reBareRangeZh, s) {
		if !digitBound(s, loc[0], loc[1]) || ds.m.taken(loc[0]) {
			continue
		}
		ds.hits = append(ds.hits, dateHit{pos: loc[0], d: atoiWord(sub(s, loc, 1))}, dateHit{pos: loc[0] + 1, d: atoiWord(sub(s, loc, 2)), tail: true})
		ds.m.consume(loc[0], loc[1])
	}
	for k, re := range []pattern{reBareDayZh, reBareDayEn} {
		s = ds.m.text()
		gate := hasDigits(s)
		if k == 1 {
			gate = hasOrdinal(s)
		}
		for _, loc := range when(gate, re, s) {
			if !digitBound(s, loc[0], loc[1]) || ds.m.taken(loc[0]) {
				continue
			}
			ds.hits = append(ds.hits, dateHit{pos: loc[0], d: atoiWord(sub(s, loc, 1))})
			ds.m.consume(loc[0], loc[1])
			ds.tail(loc[1])
		}
	}
}

// vagueness decides whether what was said names days or only asks which days.
func (ds *dateScan) vagueness() {
	// A holiday said alone names no day to leave on unless it is one day by name, or the
	// message gives a length or an end.
	if len(ds.hols) > 0 && !ds.holidayVague && len(ds.hits) == 1 && ds.hits[0].at != nil && ds.r.days == 0 && !ds.explicitDay {
		isDay := false
		for _, hh := range ds.hols {
			isDay = isDay || hh.h.isDay
		}
		if !isDay {
			ds.holidayVague = true
			ds.hits = ds.hits[:0]
		}
	}
	if ds.holidayVague {
		ds.monthOnly = true
		// "五一去青岛": which days of the May Day break? The question offers stays in it.
		if w := ds.holWindow; ds.r.period == nil && w != nil && !w.To.Before(ds.today.AddDays(1)) {
			if w.From.Before(ds.today) {
				w.From = ds.today
			}
			ds.r.period = w
		}
		if len(ds.hits) == 1 && ds.hits[0].at != nil && len(ds.hols) > 0 {
			ds.hits = ds.hits[:0]
		}
	}
	// Times said vaguely ("sometime in spring", "年后", "过几天", "两三天") ask which days.
	if ds.vagueWhen && len(ds.hits) == 0 {
		ds.monthOnly = true
	}
	if vt := reVagueDate.FindStringIndex(ds.m.text()); vt != nil && len(ds.hits) == 0 {
		ds.monthOnly = true
		ds.m.consume(vt[0], vt[1])
	}
	if loc := reVagueSpan.FindStringIndex(ds.m.low); loc != nil && len(ds.hits) == 0 {
		ds.monthOnly = true
		ds.r.days = 0
		ds.m.consume(loc[0], loc[1])
	}
	ds.r.found = len(ds.hits) > 0 || ds.r.days > 0 || ds.monthOnly
	if ds.r.found {
		// "日期改成…": the slot's name is not unread content.
		for _, w := range []string{"日期", "时间"} {
			for k := strings.Index(ds.m.text(), w); k >= 0; k = strings.Index(ds.m.text(), w) {
				ds.m.consume(k, k+len(w))
			}
		}
	}
}

// resolve places the days found in the calendar.
func (ds *dateScan) resolve() dateResult {
	if len(ds.hits) == 0 {
		if ds.monthOnly {
			ds.r.problem = "ambiguous"
		}
		return ds.r
	}
	sort.SliceStable(ds.hits, func(i, j int) bool { return ds.hits[i].pos < ds.hits[j].pos })
	if len(ds.hits) > 2 {
		ds.r.problem = "ambiguous"
		return ds.r
	}
	// "12/20 or 12/27", "下周或者下下周": two dates offered as a choice.
	if len(ds.hits) == 2 && reAlternatives.MatchString(ds.m.low[ds.hits[0].pos:min(len(ds.m.low), ds.hits[1].pos+1)]) {
		ds.r.problem = "ambiguous"
		return ds.r
	}
	// "3/4" in English: March 4 or 3 April, unless another date in the message says
	// which order it is written in.
	if ds.m.lang != LangZH {
		both, slashes := true, 0
		for _, h := range ds.hits {
			if h.m != 0 && h.d != 0 && h.at == nil && !h.tail {
				slashes++
				both = both && h.both
			}
		}
		if slashes > 0 && both {
			swapped := append([]dateHit{}, ds.hits...)
			for i := range swapped {
				if swapped[i].both {
					swapped[i].m, swapped[i].d = time.Month(swapped[i].d), int(swapped[i].m)
				}
			}
			one, ok1 := resolveHits(ds.hits, ds.today, ds.r.days)
			two, ok2 := resolveHits(swapped, ds.today, ds.r.days)
			if ok1 && ok2 {
				ds.r.problem = "ambiguous"
				ds.r.readings = [][2]*Date{one, two}
				return ds.r
			}
		}
	}
	if len(ds.hits) == 1 && ds.hits[0].pos > 0 {
		ds.hits[0].untilQ = reUntil.MatchString(ds.m.low[max(0, ds.hits[0].pos-24):ds.hits[0].pos])
	}
	// "改成25号回来", "12月28日返程": a day with coming back after it is the end.
	if len(ds.hits) == 1 && ds.hits[0].pos < len(ds.m.low) && reBackAfter.MatchString(ds.m.low[ds.hits[0].pos:]) {
		ds.hits[0].untilQ = true
	}
	// Days of the month said alone ("15号到18号") after a period was named are read in it.
	if win := cmpOr(cmpOr(ds.r.period, ds.monthWin), ds.c.Period); win != nil && bareDays(ds.hits) {
		ds.today = win.From.AddDays(-1)
	}
	start, ok := resolveFirst(ds.hits, ds.today)
	if !ok {
		ds.r.problem = "invalid"
		return ds.r
	}
	if len(ds.hits) == 1 && ds.hits[0].untilQ {
		ds.r.end = &start
		return ds.r
	}
	ds.r.start = &start
	if len(ds.hits) == 2 {
		end, ok := resolveSecond(ds.hits[1], start)
		if !ok {
			ds.r.problem = "invalid"
			ds.r.start = nil
			return ds.r
		}
		ds.r.end = &end
	}
	if ds.r.end == nil && ds.r.days > 0 {
		ds.r.end = ptr(start.AddDays(ds.r.days - 1))
	}
	return ds.r
}

// nthWeekend is the Saturday of the first or last weekend of month mo, in its next
// occurrence from today.
func nthWeekend(nth string, mo time.Month, today Date) (Date, bool) {
	if mo < 1 || mo > 12 {
		return Date{}, false
	}
	y := today.Year
	if mo < today.Month {
		y++
	}
	first := nextWeekday(Date{y, mo, 1}, time.Saturday)
	if nth == "last" {
		last := Date{y, mo, daysIn(y, mo)}
		return last.AddDays(-((int(last.Weekday()) - int(time.Saturday) + 7) % 7)), true
	}
	return first, true
}

func cmpOr(a, b *Period) *Period {
	if a != nil {
		return a
	}
	return b
}

// bareDays reports whether every hit is a day of the month with no month, year or weekday.
func bareDays(hits []dateHit) bool {
	for _, h := range hits {
		if h.m != 0 && !h.tail || h.y != 0 || h.at != nil || h.wd != nil {
			return false
		}
	}
	return len(hits) > 0
}

// resolveHits places one or two hits in the calendar: a start and, when said, an end.
func resolveHits(hits []dateHit, today Date, days int) ([2]*Date, bool) {
	var out [2]*Date
	start, ok := resolveFirst(hits, today)
	if !ok {
		return out, false
	}
	out[0] = &start
	if len(hits) == 2 {
		end, ok := resolveSecond(hits[1], start)
		if !ok {
			return out, false
		}
		out[1] = &end
	} else if days > 0 {
		out[1] = ptr(start.AddDays(days - 1))
	}
	return out, true
}

// when runs p over s only if the gate says it may match.
func when(gate bool, p pattern, s string) [][]int {
	if !gate {
		return nil
	}
	return p.FindAllStringSubmatchIndex(s, -1)
}

// hasYear reports whether s holds four digits followed by a date separator, which every
// reYMD match needs ("2000" alone is a budget, not a year).
func hasYear(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
			continue
		}
		if n >= 4 {
			if k := skipSpace(s, i); k < len(s) && (strings.IndexByte("-/.", s[k]) >= 0 || strings.HasPrefix(s[k:], "年")) {
				return true
			}
		}
		n = 0
	}
	return false
}

// hasOrdinal reports whether a digit is followed by st, nd, rd or th ("25th").
func hasOrdinal(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if isDigit(s[i]) && has(s[i+1:i+3], "st", "nd", "rd", "th") {
			return true
		}
	}
	return false
}

// monthClauses runs an English date pattern only over the clauses that name a month.
// The patterns are the costliest of all, and a message is mostly other clauses. No
// match crosses ";", "!", "?" or a comma not followed by a figure (", 2027" may end
// a date), and cutting there keeps the word boundaries the patterns see.
func monthClauses(gate bool, p pattern, s string) [][]int {
	if !gate {
		return nil
	}
	var out [][]int
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			c := s[i]
			if c != ';' && c != '!' && c != '?' && c != ',' {
				continue
			}
			if k := skipSpace(s, i+1); c == ',' && k < len(s) && isDigit(s[k]) {
				continue
			}
		}
		if clause := s[start:i]; monthWordIn(clause) {
			for _, loc := range p.re.FindAllStringSubmatchIndex(clause, -1) {
				for k := range loc {
					if loc[k] >= 0 {
						loc[k] += start
					}
				}
				out = append(out, loc)
			}
		}
		start = i + 1
	}
	return out
}

func addUnits(d Date, n int, unit string) (Date, bool) {
	if n <= 0 || n > 1000 {
		return Date{}, false
	}
	switch unit[0] {
	case 'w':
		return d.AddDays(7 * n), true
	case 'm':
		return DateOf(d.In(time.UTC).AddDate(0, n, 0)), true
	}
	return d.AddDays(n), true
}

func resolveFirst(hits []dateHit, today Date) (Date, bool) {
	h := hits[0]
	switch {
	case h.at != nil:
		return *h.at, true
	case h.wd != nil:
		return nextWeekday(today, *h.wd), true
	case h.m == 0:
		return nextDayOfMonth(h.d, today)
	case h.y != 0:
		return Date{h.y, h.m, h.d}, validDate(h.y, h.m, h.d)
	}
	if len(hits) == 2 && hits[1].y != 0 && hits[1].m != 0 {
		// "Dec 28 - Jan 3 2027": the year said for the end places the start.
		y := hits[1].y
		if h.m > hits[1].m || h.m == hits[1].m && h.d > hits[1].d {
			y--
		}
		return Date{y, h.m, h.d}, validDate(y, h.m, h.d)
	}
	return nextOccurrence(h.m, h.d, today)
}

func resolveSecond(h dateHit, start Date) (Date, bool) {
	switch {
	case h.at != nil:
		return *h.at, true
	case h.wd != nil:
		// "sat to sat": an end on the start's weekday is a week later.
		return nextWeekday(start.AddDays(1), *h.wd), true
	case h.tail:
		if !validDate(start.Year, start.Month, h.d) {
			return Date{}, false
		}
		return Date{start.Year, start.Month, h.d}, true
	case h.m == 0:
		return nextDayOfMonth(h.d, start)
	case h.y != 0:
		return Date{h.y, h.m, h.d}, validDate(h.y, h.m, h.d)
	}
	// A range whose end month comes before its start month (Dec 28 - Jan 3) ends in the
	// next year. Any other end before the start ("12月30日到12月25日") is kept in the
	// start's year, so that the engine can say that the end is before the start instead
	// of planning a trip of most of a year.
	y := start.Year
	if h.m < start.Month {
		y++
	}
	return Date{y, h.m, h.d}, validDate(y, h.m, h.d)
}

// monthWordIn reports whether s may hold an English month name.
func monthWordIn(s string) bool {
	return has(s, "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}

// yearIsMoney reports whether the figure read as a date's year (group g of loc) is
// followed by a currency: "Dec 25, 2000 CNY" is a date and a budget, not the year 2000.
func yearIsMoney(s string, loc []int, g int) bool {
	if 2*g+1 >= len(loc) || loc[2*g] < 0 {
		return false
	}
	rest := strings.TrimLeft(s[loc[2*g+1]:], " ")
	for _, c := range []string{"cny", "rmb", "usd", "eur", "gbp", "jpy", "hkd", "元", "块", "yuan", "dollar", "euro", "pound", "bucks", "美元", "欧元", "人民币", "per person", "each", "pp"} {
		if strings.HasPrefix(rest, c) {
			return true
		}
	}
	return false
}

// numHit is a date read from figures alone, with the span it was read from.
type numHit struct {
	i, j int
	hit  dateHit
}

// compactDates reads dates written as eight digits (20261220), and the end of a range
// after one in eight or four digits ("20261220-20261223", "20270105-0109").
func compactDates(s string) []numHit {
	var out []numHit
	run := func(i int) int {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		return j
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || i > 0 && isDigit(s[i-1]) {
			continue
		}
		j := run(i)
		if j-i != 8 || !strings.HasPrefix(s[i:], "20") {
			continue
		}
		y, mo, d := atoiWord(s[i:i+4]), atoiWord(s[i+4:i+6]), atoiWord(s[i+6:j])
		if mo < 1 || mo > 12 || d < 1 || d > 31 {
			continue
		}
		out = append(out, numHit{i, j, dateHit{pos: i, y: y, m: time.Month(mo), d: d}})
		k := skipSpace(s, j)
		if e := wordAt(s, k, []string{"-", "~", "到", "至", "to"}); e >= 0 {
			k = skipSpace(s, e)
			if l := run(k); l-k == 4 || l-k == 8 && strings.HasPrefix(s[k:], "20") {
				ey := y
				if l-k == 8 {
					ey, k = atoiWord(s[k:k+4]), k+4
				}
				em, ed := atoiWord(s[k:k+2]), atoiWord(s[k+2:l])
				if em >= 1 && em <= 12 && ed >= 1 && ed <= 31 {
					out = append(out, numHit{j, l, dateHit{pos: j, y: ey, m: time.Month(em), d: ed}})
					j = l
				}
			}
		}
		i = j
	}
	return out
}

var (
	// reNumMD is a month and a day joined by a dash or a dot: 12-20, 12.25.
	reNumMD = pat(`(\d{1,2})[-.](\d{1,2})`, "-", ".")
	// reNumMDUnit follows figures that count something else: "3-5天", "2-3 people".
	reNumMDUnit = pat(`^\s*(?:[日号號天个人位晚夜周月年元块%:]|k\b|w(?:[^/\w]|$)|days?\b|nights?\b|weeks?\b|people\b|persons?\b|stars?\b|hours?\b|pm\b|am\b|next\b|this\b|of\b)`)
	// reLeaveBack are the words of leaving and coming back that make "12-20" a date.
	reLeaveBack  = pat(`出发|走|回|返|去|飞|到|离开|启程|\bleav|\bdepart|\bback\b|\breturn|\bfly|\bflying|\bout\b|\bfrom\b|\bstart`, "出发", "走", "回", "返", "去", "飞", "到", "离开", "启程", "leav", "depart", "back", "return", "fly", "out", "from", "start")
	reMoneyAfter = pat(`^\s*(?:-\s*\d+(?:\.\d+)?)?\s*(?:万|千|百|元|块|k\b|w(?:[^/\w]|$)|rmb|usd|eur)`)
	reNumMDSep   = pat(`^\s*(?:-|~|到|至|to|until|till|through|thru)\s*$`)
)

// numericMonthDays reads month-day dates written with a dash or a dot ("12-20出发",
// "12.25出发 12.28回", "12-26到12-30"). Such figures are as often a count or an amount,
// so they are dates only in a range of two, beside a word of leaving or coming back,
// or as the whole answer to the dates question.
func numericMonthDays(s string, answer bool) []numHit {
	var cands []numHit
	for _, loc := range reNumMD.FindAllStringSubmatchIndex(s, -1) {
		i, j := loc[0], loc[1]
		if i > 0 && (isDigit(s[i-1]) || strings.IndexByte("./$¥€£", s[i-1]) >= 0) || j < len(s) && (isDigit(s[j]) || s[j] == '.' && j+1 < len(s) && isDigit(s[j+1])) {
			continue
		}
		mo, d := atoiWord(s[loc[2]:loc[3]]), atoiWord(s[loc[4]:loc[5]])
		if mo < 1 || mo > 12 || d < 1 || d > 31 || reNumMDUnit.MatchString(s[j:]) {
			continue
		}
		if moneyAround(s, i, j) {
			continue
		}
		cands = append(cands, numHit{i, j, dateHit{pos: i, m: time.Month(mo), d: d}})
	}
	if len(cands) == 0 || len(cands) > 2 {
		return nil
	}
	if len(cands) == 2 && reNumMDSep.MatchString(s[cands[0].j:cands[1].i]) {
		return cands
	}
	var out []numHit
	for _, h := range cands {
		near := s[max(0, h.i-12):min(len(s), h.j+12)]
		if reLeaveBack.MatchString(near) {
			out = append(out, h)
		}
	}
	if len(out) == len(cands) {
		return out
	}
	if answer && strings.TrimSpace(strings.Trim(s[:cands[0].i]+s[cands[len(cands)-1].j:], " ,.!?~")) == "" && len(cands) == 1 {
		return cands
	}
	return nil
}

// reSaysLength finds a trip's length said in a message: 玩4天, 三天, "for a week".
var reSaysLength = pat(`[0-9一二两三四五六七八九十]+\s*(?:天|晚|夜|周|个星期)|\b(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:days?|nights?|weeks?)\b|\bfor a (?:week|fortnight)\b`, "天", "晚", "夜", "周", "星期", "day", "night", "week", "fortnight")

// sideOfHoliday says whether the holiday named at s[i:j] is said as a time after which
// (1: "春节后", "after christmas", "过完年") or before which (-1: "春节前", "before
// christmas") the trip is, or neither (0).
func sideOfHoliday(s string, i, j int) int {
	before, after := strings.TrimRight(s[:i], " "), strings.TrimLeft(s[j:], " ")
	// "春节前后", "圣诞左右": around it; "the day after christmas", "the weekend before
	// christmas": a day or a weekend, read by the other readers.
	if strings.HasPrefix(after, "前后") || strings.HasPrefix(after, "左右") {
		return 0
	}
	for _, w := range []string{"day after", "day before", "weekend after", "weekend before", "week after", "week before", "night before", "night after"} {
		if strings.HasSuffix(before, w) {
			return 0
		}
	}
	switch {
	case strings.HasPrefix(after, "后") || strings.HasPrefix(after, "之后") || strings.HasPrefix(after, "以后") || strings.HasPrefix(after, "过后") ||
		strings.HasSuffix(before, "after") || strings.HasSuffix(before, "过完") || strings.HasSuffix(before, "过了"):
		return 1
	case strings.HasPrefix(after, "前") || strings.HasPrefix(after, "之前") || strings.HasPrefix(after, "以前") || strings.HasSuffix(before, "before"):
		return -1
	}
	return 0
}

// moneyAround reports whether the figures at s[i:j] are money, not a month and a day:
// "预算1.5-2万", "budget 1.5k".
func moneyAround(s string, i, j int) bool {
	before := strings.TrimRight(asciiLower(s[:i]), " :：")
	return reMoneyAfter.MatchString(s[j:]) || strings.HasSuffix(before, "预算") || strings.HasSuffix(before, "budget")
}
