package dialog

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var pxShanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// The tests must not depend on the host's zone database.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// pxNow is a Tuesday, so that weekday arithmetic is visible in the expectations.
var pxNow = time.Date(2026, 12, 1, 10, 0, 0, 0, pxShanghai)

var pxYes, pxNo = ptr(true), ptr(false)

func pxDay(y, m, d int) *Date { return &Date{y, time.Month(m), d} }

type pxFlag int

const (
	pxTotal pxFlag = iota + 1
	pxPerPerson
	pxYen
)

func pxMoney(low, high float64, cur string, flags ...pxFlag) *Money {
	m := &Money{Low: low, High: high, Currency: cur}
	for _, f := range flags {
		switch f {
		case pxTotal:
			m.Total = true
		case pxPerPerson:
			m.PerPerson = true
		case pxYen:
			m.YenSign = true
		}
	}
	return m
}

// pxFormat prints only the fields that are set, so a failure shows what differs.
func pxFormat(e Extraction) string {
	var parts []string
	v := reflect.ValueOf(e)
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.IsZero() {
			continue
		}
		val := f.Interface()
		switch x := val.(type) {
		case *Date:
			val = x.String()
		case *Money:
			val = fmt.Sprintf("%+v", *x)
		case *bool:
			val = *x
		}
		parts = append(parts, fmt.Sprintf("%s:%v", v.Type().Field(i).Name, val))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// TestExtract lists real-looking messages and everything each must yield: the whole
// Extraction is compared, so a slot that should stay unset fails the test when set.
func TestExtract(t *testing.T) {
	tests := []struct {
		in   string
		exp  Slot
		now  time.Time
		want Extraction
	}{
		{in: "福州, 10月25日到11月4日, 每人2000, 带孩子", want: Extraction{Destination: "福州", Start: pxDay(2027, 10, 25), End: pxDay(2027, 11, 4), Budget: pxMoney(2000, 2000, "", pxPerPerson), KidFriendly: pxYes, Lang: "zh"}},
		{in: "Lisbon Dec 20-27, 2 of us, around €1500 each, we love seafood and museums", want: Extraction{Destination: "Lisbon", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 27), Budget: pxMoney(1500, 1500, "EUR", pxPerPerson), PartySize: 2, SocialLandscape: "museums", Cuisine: "seafood", Lang: "en"}},
		{in: "预算改成5000", want: Extraction{Budget: pxMoney(5000, 5000, ""), Correction: true, Lang: "zh"}},
		{in: "change the dates to Nov 1-5", want: Extraction{Start: pxDay(2027, 11, 1), End: pxDay(2027, 11, 5), Correction: true, Lang: "en"}},
		{in: "not Fuzhou, Xiamen", want: Extraction{Destination: "Xiamen", NotDestination: "Fuzhou", Exclude: []string{"Fuzhou"}, Correction: true, Lang: "en"}},
		{in: "actually from Nov 1", want: Extraction{Start: pxDay(2027, 11, 1), Correction: true, Lang: "en"}},
		{in: "不是福州，是厦门", want: Extraction{Destination: "厦门", NotDestination: "福州", Correction: true, Lang: "zh"}},
		{in: "asdfgh", want: Extraction{Lang: "en", Unparsed: true}},
		{in: "😀😀😀", want: Extraction{}},
		{in: "'; DROP TABLE users;--", want: Extraction{Lang: "en", Unparsed: true}},
		{in: "<script>alert(1)</script>", want: Extraction{Lang: "en", Unparsed: true}},
		{in: "我想去三亚玩五天", want: Extraction{Destination: "三亚", Days: 5, Lang: "zh"}},
		{in: "下周五去厦门", want: Extraction{Destination: "厦门", Start: pxDay(2026, 12, 11), Lang: "zh"}},
		{in: "三天两夜", want: Extraction{Days: 3, Lang: "zh"}},
		{in: "一万五", exp: SlotBudget, want: Extraction{Budget: pxMoney(15000, 15000, ""), Lang: "zh"}},
		{in: "3千5", exp: SlotBudget, want: Extraction{Budget: pxMoney(3500, 3500, ""), Lang: "zh"}},
		{in: "预算两千到三千", want: Extraction{Budget: pxMoney(2000, 3000, ""), Lang: "zh"}},
		{in: "between 500 and 800 dollars", want: Extraction{Budget: pxMoney(500, 800, "USD"), Lang: "en"}},
		{in: "2月30日", want: Extraction{Lang: "zh", DateProblem: "invalid"}},
		{in: "13/45", want: Extraction{DateProblem: "invalid"}},
		{in: "我们一家三口去成都，想吃火锅", want: Extraction{Destination: "成都", PartySize: 3, Cuisine: "火锅", Lang: "zh"}},
		{in: "I want to go to New York for a week with my dog", want: Extraction{Destination: "New York", Days: 7, PetFriendly: pxYes, Lang: "en"}},
		{in: "好的", want: Extraction{Yes: pxYes, Lang: "zh"}},
		{in: "no", want: Extraction{Yes: pxNo, Lang: "en"}},
		{in: "5000", exp: SlotBudget, want: Extraction{Budget: pxMoney(5000, 5000, "")}},
		{in: "Lisbon", exp: SlotDestination, want: Extraction{Destination: "Lisbon", Lang: "en"}},
		{in: "我想去杭州", exp: SlotDestination, want: Extraction{Destination: "杭州", Lang: "zh"}},
		{in: "没有", exp: SlotNeeds, want: Extraction{Accessibility: pxNo, KidFriendly: pxNo, PetFriendly: pxNo, Yes: pxNo, Lang: "zh"}},
		{in: "Dec 28 - Jan 3", want: Extraction{Start: pxDay(2026, 12, 28), End: pxDay(2027, 1, 3), Lang: "en"}},
		{in: "25-28 Oct", want: Extraction{Start: pxDay(2027, 10, 25), End: pxDay(2027, 10, 28), Lang: "en"}},
		{in: "Oct 25", want: Extraction{Start: pxDay(2027, 10, 25), Lang: "en"}},
		{in: "Oct 25", now: time.Date(2026, 10, 20, 10, 0, 0, 0, pxShanghai), want: Extraction{Start: pxDay(2026, 10, 25), Lang: "en"}},
		{in: "25/10", want: Extraction{Start: pxDay(2027, 10, 25)}},
		{in: "10/25", want: Extraction{Start: pxDay(2027, 10, 25)}},
		{in: "2024/10/25", want: Extraction{Start: pxDay(2024, 10, 25)}},
		{in: "2024-10-25", want: Extraction{Start: pxDay(2024, 10, 25)}},
		{in: "2024.10.25", want: Extraction{Start: pxDay(2024, 10, 25)}},
		{in: "2024年10月25日", want: Extraction{Start: pxDay(2024, 10, 25), Lang: "zh"}},
		{in: "10月25号", want: Extraction{Start: pxDay(2027, 10, 25), Lang: "zh"}},
		{in: "October 25th", want: Extraction{Start: pxDay(2027, 10, 25), Lang: "en"}},
		{in: "25 October 2024", want: Extraction{Start: pxDay(2024, 10, 25), Lang: "en"}},
		{in: "from Oct 25 to Nov 4", want: Extraction{Start: pxDay(2027, 10, 25), End: pxDay(2027, 11, 4), Lang: "en"}},
		{in: "between Oct 25 and Nov 4", want: Extraction{Start: pxDay(2027, 10, 25), End: pxDay(2027, 11, 4), Lang: "en"}},
		{in: "Nov 1-5", want: Extraction{Start: pxDay(2027, 11, 1), End: pxDay(2027, 11, 5), Lang: "en"}},
		// A figure after a date is a year only if it could be one of a trip's.
		{in: "barcelona dec 20-24, 1500 budget", want: Extraction{Destination: "barcelona", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 24), Budget: pxMoney(1500, 1500, ""), Lang: "en"}},
		{in: "Nov 1-5, 2027", want: Extraction{Start: pxDay(2027, 11, 1), End: pxDay(2027, 11, 5), Lang: "en"}},
		{in: "10月25-28日", want: Extraction{Start: pxDay(2027, 10, 25), End: pxDay(2027, 10, 28), Lang: "zh"}},
		{in: "10月25日到11月4日", want: Extraction{Start: pxDay(2027, 10, 25), End: pxDay(2027, 11, 4), Lang: "zh"}},
		{in: "12月28日到1月3日", want: Extraction{Start: pxDay(2026, 12, 28), End: pxDay(2027, 1, 3), Lang: "zh"}},
		{in: "今天出发", want: Extraction{Start: pxDay(2026, 12, 1), Lang: "zh"}},
		{in: "明天去北京", want: Extraction{Destination: "北京", Start: pxDay(2026, 12, 2), Lang: "zh"}},
		{in: "后天", want: Extraction{Start: pxDay(2026, 12, 3), Lang: "zh"}},
		{in: "大后天出发", want: Extraction{Start: pxDay(2026, 12, 4), Lang: "zh"}},
		{in: "这周六", want: Extraction{Start: pxDay(2026, 12, 5), Lang: "zh"}},
		{in: "周末去杭州", want: Extraction{Destination: "杭州", Start: pxDay(2026, 12, 5), End: pxDay(2026, 12, 6), Lang: "zh"}},
		// A weekend in a month named is two days in it, asked about, not the coming one.
		{in: "下个月找个周末去杭州", want: Extraction{Destination: "杭州", Days: 2, Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 1, 1}, To: Date{2027, 1, 31}, Said: "下个月", Weekend: true}}},
		{in: "weekend next month?", want: Extraction{Days: 2, Lang: "en", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 1, 1}, To: Date{2027, 1, 31}, Said: "next month", Weekend: true}}},
		{in: "下周末去苏州", want: Extraction{Destination: "苏州", Start: pxDay(2026, 12, 12), End: pxDay(2026, 12, 13), Lang: "zh"}},
		{in: "下个月去云南", want: Extraction{ProposedDestination: "云南", Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 1, 1}, To: Date{2027, 1, 31}, Said: "下个月"}}},
		{in: "国庆去黄山", want: Extraction{Destination: "黄山", Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 10, 1}, To: Date{2027, 10, 7}, Said: "国庆"}}},
		// A holiday said alone asks which days of its usual break.
		{in: "我们一家三口想五一去青岛", want: Extraction{Destination: "青岛", PartySize: 3, Lang: "zh", DateProblem: "ambiguous",
			Period: &Period{From: Date{2027, 5, 1}, To: Date{2027, 5, 5}, Said: "五一"}}},
		{in: "五一去青岛玩三天", want: Extraction{Destination: "青岛", Start: pxDay(2027, 5, 1), End: pxDay(2027, 5, 3), Days: 3, Lang: "zh"}},
		{in: "easter in rome", want: Extraction{Destination: "rome", Lang: "en", DateProblem: "ambiguous",
			Period: &Period{From: Date{2027, 3, 26}, To: Date{2027, 3, 29}, Said: "easter"}}},
		{in: "寒假去哈尔滨", want: Extraction{Destination: "哈尔滨", Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 1, 16}, To: Date{2027, 2, 20}, Said: "寒假"}}},
		{in: "today", want: Extraction{Start: pxDay(2026, 12, 1), Lang: "en"}},
		{in: "tomorrow", want: Extraction{Start: pxDay(2026, 12, 2), Lang: "en"}},
		{in: "next Friday", want: Extraction{Start: pxDay(2026, 12, 11), Lang: "en"}},
		{in: "this weekend", want: Extraction{Start: pxDay(2026, 12, 5), End: pxDay(2026, 12, 6), Lang: "en"}},
		{in: "next weekend", want: Extraction{Start: pxDay(2026, 12, 12), End: pxDay(2026, 12, 13), Lang: "en"}},
		{in: "in 2 weeks", want: Extraction{Start: pxDay(2026, 12, 15), Lang: "en"}},
		{in: "next month", want: Extraction{Lang: "en", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 1, 1}, To: Date{2027, 1, 31}, Said: "next month"}}},
		{in: "五天", want: Extraction{Days: 5, Lang: "zh"}},
		{in: "5天", want: Extraction{Days: 5, Lang: "zh"}},
		{in: "一周", want: Extraction{Days: 7, Lang: "zh"}},
		{in: "一个星期", want: Extraction{Days: 7, Lang: "zh"}},
		{in: "for 5 days", want: Extraction{Days: 5, Lang: "en"}},
		{in: "a week", want: Extraction{Days: 7, Lang: "en"}},
		{in: "3 nights", want: Extraction{Days: 4, Lang: "en"}},
		{in: "long weekend in Rome", want: Extraction{Destination: "Rome", Days: 3, Lang: "en"}},
		{in: "3 nights in Paris", want: Extraction{Destination: "Paris", Days: 4, Lang: "en"}},
		{in: "2000", want: Extraction{Budget: pxMoney(2000, 2000, "")}},
		{in: "2k", want: Extraction{Budget: pxMoney(2000, 2000, ""), Lang: "en"}},
		{in: "2K", want: Extraction{Budget: pxMoney(2000, 2000, ""), Lang: "en"}},
		{in: "¥2000", exp: SlotBudget, want: Extraction{Budget: pxMoney(2000, 2000, "CNY", pxYen)}},
		// "won" is no "w" (万) followed by "on".
		{in: "1,500,000 won", exp: SlotBudget, want: Extraction{Budget: pxMoney(1500000, 1500000, "KRW"), Lang: "en"}},
		{in: "800000 won each", want: Extraction{Budget: pxMoney(800000, 800000, "KRW", pxPerPerson), Lang: "en"}},
		{in: "2000元", want: Extraction{Budget: pxMoney(2000, 2000, "CNY"), Lang: "zh"}},
		{in: "2000块", want: Extraction{Budget: pxMoney(2000, 2000, "CNY"), Lang: "zh"}},
		{in: "两千", want: Extraction{Budget: pxMoney(2000, 2000, ""), Lang: "zh"}},
		{in: "3千五", exp: SlotBudget, want: Extraction{Budget: pxMoney(3500, 3500, ""), Lang: "zh"}},
		{in: "1.5万", want: Extraction{Budget: pxMoney(15000, 15000, ""), Lang: "zh"}},
		{in: "$500", want: Extraction{Budget: pxMoney(500, 500, "USD")}},
		{in: "500 USD", want: Extraction{Budget: pxMoney(500, 500, "USD"), Lang: "en"}},
		{in: "500 dollars", want: Extraction{Budget: pxMoney(500, 500, "USD"), Lang: "en"}},
		{in: "€800", want: Extraction{Budget: pxMoney(800, 800, "EUR")}},
		{in: "1,500", exp: SlotBudget, want: Extraction{Budget: pxMoney(1500, 1500, "")}},
		{in: "2000-3000", exp: SlotBudget, want: Extraction{Budget: pxMoney(2000, 3000, "")}},
		{in: "2000到3000", want: Extraction{Budget: pxMoney(2000, 3000, ""), Lang: "zh"}},
		{in: "3k-5k", want: Extraction{Budget: pxMoney(3000, 5000, ""), Lang: "en"}},
		{in: "预算5000", want: Extraction{Budget: pxMoney(5000, 5000, ""), Lang: "zh"}},
		{in: "预算-100", want: Extraction{Budget: pxMoney(0, 0, ""), Lang: "zh"}},
		{in: "budget: lots", want: Extraction{Lang: "en", Unparsed: true}},
		{in: "0", exp: SlotBudget, want: Extraction{Budget: pxMoney(0, 0, "")}},
		{in: "两个人", want: Extraction{PartySize: 2, Lang: "zh"}},
		{in: "3 of us", want: Extraction{PartySize: 3, Lang: "en"}},
		{in: "我们一家三口", want: Extraction{PartySize: 3, Lang: "zh"}},
		{in: "带孩子", want: Extraction{KidFriendly: pxYes, Lang: "zh"}},
		{in: "with kids", want: Extraction{KidFriendly: pxYes, Lang: "en"}},
		{in: "轮椅", want: Extraction{Accessibility: pxYes, Lang: "zh"}},
		{in: "wheelchair", want: Extraction{Accessibility: pxYes, Lang: "en"}},
		{in: "无障碍", want: Extraction{Accessibility: pxYes, Lang: "zh"}},
		{in: "带狗", want: Extraction{PetFriendly: pxYes, Lang: "zh"}},
		{in: "with my dog", want: Extraction{PetFriendly: pxYes, Lang: "en"}},
		{in: "不带孩子", want: Extraction{KidFriendly: pxNo, Lang: "zh"}},
		{in: "no kids", want: Extraction{KidFriendly: pxNo, Lang: "en"}},
		{in: "没有特殊需求", want: Extraction{Accessibility: pxNo, KidFriendly: pxNo, PetFriendly: pxNo, Lang: "zh"}},
		{in: "no special needs", want: Extraction{Accessibility: pxNo, KidFriendly: pxNo, PetFriendly: pxNo, Lang: "en"}},
		{in: "想去海边，喜欢海滩和雪山", want: Extraction{VaguePlace: "beach", NaturalLandscape: "海滩、雪山", Lang: "zh"}},
		{in: "我们喜欢博物馆和古镇", want: Extraction{SocialLandscape: "博物馆、古镇", Lang: "zh"}},
		{in: "想吃闽菜和小吃", want: Extraction{Cuisine: "闽菜、小吃", Lang: "zh"}},
		{in: "we love beaches and hiking", want: Extraction{NaturalLandscape: "beach, hiking", Lang: "en"}},
		{in: "预算1.5-2万去东京", want: Extraction{Destination: "东京", Budget: pxMoney(15000, 20000, ""), Lang: "zh"}},
		// "w/" is "with", not 万.
		{in: "barcelona dec 20-24 w/ my gf", want: Extraction{Destination: "barcelona", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 24), PartySize: 2, Lang: "en", Unparsed: true}},
		{in: "budget 2w", want: Extraction{Budget: pxMoney(20000, 20000, ""), Lang: "en"}},
		{in: "budget 20krmb", want: Extraction{Budget: pxMoney(20000, 20000, "CNY"), Lang: "en"}},
		{in: "100kyen each", want: Extraction{Budget: pxMoney(100000, 100000, "JPY", pxPerPerson), Lang: "en"}},
		{in: "tokyo for 4 to 5 nights", want: Extraction{Destination: "tokyo", Days: 6, Lang: "en"}},
		{in: "4 people: me and 3 friends, $800 each", want: Extraction{PartySize: 4, Budget: pxMoney(800, 800, "USD", pxPerPerson), Lang: "en"}},
		{in: "去青岛，12.20-24", want: Extraction{Destination: "青岛", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 24), Lang: "zh"}},
		// People counted by a number ("3 friends") are the party, never the budget.
		{in: "me and 3 friends, $800 each", want: Extraction{PartySize: 4, Budget: pxMoney(800, 800, "USD", pxPerPerson), Lang: "en"}},
		{in: "3 friends, 800 usd each", want: Extraction{PartySize: 4, Budget: pxMoney(800, 800, "USD", pxPerPerson), Lang: "en"}},
		{in: "我和两个同学 每人3000", want: Extraction{PartySize: 3, Budget: pxMoney(3000, 3000, "", pxPerPerson), Lang: "zh"}},
		{in: "tokyo for 2, $800 each", want: Extraction{Destination: "tokyo", PartySize: 2, Budget: pxMoney(800, 800, "USD", pxPerPerson), Lang: "en"}},
		{in: "couple trip to paris", want: Extraction{Destination: "paris", PartySize: 2, Lang: "en"}},
		{in: "a couple of days in rome", want: Extraction{Destination: "rome", Days: 2, Lang: "en"}},
		{in: "we want to see the cherry blossoms", want: Extraction{NaturalLandscape: "cherry blossoms", Lang: "en", Unparsed: true}},
		{in: "想去杭州看樱花", want: Extraction{Destination: "杭州", NaturalLandscape: "樱花", Lang: "zh"}},
		{in: "去札幌看极光", want: Extraction{Destination: "札幌", NaturalLandscape: "极光", Lang: "zh"}},
		{in: "northern lights and stargazing", want: Extraction{NaturalLandscape: "northern lights, stargazing", Lang: "en"}},
		{in: "museums, history and art", want: Extraction{SocialLandscape: "museums, history, art", Lang: "en"}},
		{in: "street food and seafood please", want: Extraction{Cuisine: "street food, seafood", Lang: "en"}},
		{in: "vegetarian food", want: Extraction{Cuisine: "vegetarian", Lang: "en"}},
		{in: "想住民宿", want: Extraction{OtherNeeds: "想住民宿", Lang: "zh"}},
		{in: "no early mornings please", want: Extraction{OtherNeeds: "no early mornings", Lang: "en"}},
		{in: "需要清真餐", want: Extraction{Cuisine: "清真", OtherNeeds: "需要清真餐", Lang: "zh"}},
		{in: "是", want: Extraction{Yes: pxYes, Lang: "zh"}},
		{in: "好", want: Extraction{Yes: pxYes, Lang: "zh"}},
		{in: "对", want: Extraction{Yes: pxYes, Lang: "zh"}},
		{in: "可以", want: Extraction{Yes: pxYes, Lang: "zh"}},
		{in: "行", want: Extraction{Yes: pxYes, Lang: "zh"}},
		{in: "嗯", want: Extraction{Yes: pxYes, Lang: "zh"}},
		{in: "没问题", want: Extraction{Yes: pxYes, Lang: "zh"}},
		{in: "yes", want: Extraction{Yes: pxYes, Lang: "en"}},
		{in: "yeah", want: Extraction{Yes: pxYes, Lang: "en"}},
		{in: "sure", want: Extraction{Yes: pxYes, Lang: "en"}},
		{in: "ok", want: Extraction{Yes: pxYes, Lang: "en"}},
		{in: "yep", want: Extraction{Yes: pxYes, Lang: "en"}},
		{in: "不", want: Extraction{Yes: pxNo, Lang: "zh"}},
		{in: "不是", want: Extraction{Yes: pxNo, Lang: "zh"}},
		{in: "否", want: Extraction{Yes: pxNo, Lang: "zh"}},
		{in: "不要", want: Extraction{Yes: pxNo, Lang: "zh"}},
		{in: "nope", want: Extraction{Yes: pxNo, Lang: "en"}},
		{in: "nah", want: Extraction{Yes: pxNo, Lang: "en"}},
		{in: "改为下周五", want: Extraction{Start: pxDay(2026, 12, 11), Correction: true, Lang: "zh"}},
		{in: "换成上海", want: Extraction{Destination: "上海", Correction: true, Lang: "zh"}},
		{in: "make it 3 people", want: Extraction{PartySize: 3, Correction: true, Lang: "en"}},
		{in: "instead of Paris, Rome", want: Extraction{Destination: "Rome", NotDestination: "Paris", Exclude: []string{"Paris"}, Correction: true, Lang: "en"}},
		{in: "Rome instead of Paris", want: Extraction{Destination: "Rome", NotDestination: "Paris", Exclude: []string{"Paris"}, Correction: true, Lang: "en"}},
		{in: "change destination to Tokyo", want: Extraction{Destination: "Tokyo", Correction: true, Lang: "en"}},
		{in: "预算改成每人3000", want: Extraction{Budget: pxMoney(3000, 3000, "", pxPerPerson), Correction: true, Lang: "zh"}},
		{in: "budget is 1000 per person", want: Extraction{Budget: pxMoney(1000, 1000, "", pxPerPerson), Lang: "en"}},
		{in: "一共一万", want: Extraction{Budget: pxMoney(10000, 10000, "", pxTotal), Lang: "zh"}},
		{in: "$3000 in total for all of us", want: Extraction{Budget: pxMoney(3000, 3000, "USD", pxTotal), Lang: "en"}},
		// The currency's sign after the figure, as much of Europe writes it.
		{in: "under 2000€", want: Extraction{Budget: pxMoney(2000, 2000, "EUR"), Lang: "en"}},
		{in: "1500 £ in total", want: Extraction{Budget: pxMoney(1500, 1500, "GBP", pxTotal), Lang: "en"}},
		{in: "pp 800 euros", want: Extraction{Budget: pxMoney(800, 800, "EUR", pxPerPerson), Lang: "en"}},
		{in: "人均2000元", want: Extraction{Budget: pxMoney(2000, 2000, "CNY", pxPerPerson), Lang: "zh"}},
		{in: "我想去上海", want: Extraction{Destination: "上海", Lang: "zh"}},
		{in: "去北京旅游", want: Extraction{Destination: "北京", Lang: "zh"}},
		{in: "到厦门玩", want: Extraction{Destination: "厦门", Lang: "zh"}},
		{in: "云南之旅", want: Extraction{ProposedDestination: "云南", Lang: "zh"}},
		{in: "trip to Tokyo", want: Extraction{Destination: "Tokyo", Lang: "en"}},
		{in: "visit Kyoto", want: Extraction{Destination: "Kyoto", Lang: "en"}},
		{in: "going to Barcelona next weekend", want: Extraction{Destination: "Barcelona", Start: pxDay(2026, 12, 12), End: pxDay(2026, 12, 13), Lang: "en"}},
		{in: "in Rome", want: Extraction{Destination: "Rome", Lang: "en"}},
		{in: "we'll be in Chicago for 3 days", want: Extraction{Destination: "Chicago", Days: 3, Lang: "en"}},
		{in: "hello", want: Extraction{Lang: "en"}},
		{in: "你好", want: Extraction{Lang: "zh"}},
		{in: "谢谢", want: Extraction{Lang: "zh"}},
		{in: "???", want: Extraction{}},
		{in: "I want to go somewhere warm", want: Extraction{VaguePlace: "warm", Lang: "en"}},
		{in: "我想去一个暖和的地方", want: Extraction{VaguePlace: "warm", Lang: "zh"}},
		{in: "十月一日到十月七日", want: Extraction{Start: pxDay(2027, 10, 1), End: pxDay(2027, 10, 7), Lang: "zh"}},
		{in: "三月十五号", want: Extraction{Start: pxDay(2027, 3, 15), Lang: "zh"}},
		{in: "二十号到二十五号", want: Extraction{Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 25), Lang: "zh"}},
		{in: "10月", want: Extraction{Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 10, 1}, To: Date{2027, 10, 31}, Said: "10月"}}},
		{in: "我们两个大人一个小孩", want: Extraction{PartySize: 3, KidFriendly: pxYes, Lang: "zh"}},
		{in: "2 adults and 1 child", want: Extraction{PartySize: 3, KidFriendly: pxYes, Lang: "en"}},
		{in: "我和老婆两个人去西安，预算每人3000，喜欢历史", want: Extraction{Destination: "西安", Budget: pxMoney(3000, 3000, "", pxPerPerson), PartySize: 2, SocialLandscape: "历史", Lang: "zh"}},
		{in: "my wife and I want to visit Paris in May", want: Extraction{Destination: "Paris", PartySize: 2, Lang: "en", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 5, 1}, To: Date{2027, 5, 31}, Said: "May"}}},
		{in: "just me, 5 days in Bangkok, budget $800", want: Extraction{Destination: "Bangkok", Days: 5, Budget: pxMoney(800, 800, "USD"), PartySize: 1, Lang: "en"}},
		{in: "Tokyo for a week, 4 people, ¥150000 total, love sushi and temples", want: Extraction{Destination: "Tokyo", Days: 7, Budget: pxMoney(150000, 150000, "CNY", pxTotal, pxYen), PartySize: 4, SocialLandscape: "temples", Cuisine: "sushi", Lang: "en"}},
		{in: "下周五到下周日去武汉，3个人，每人1500", want: Extraction{Destination: "武汉", Start: pxDay(2026, 12, 11), End: pxDay(2026, 12, 13), Budget: pxMoney(1500, 1500, "", pxPerPerson), PartySize: 3, Lang: "zh"}},
		{in: "海南三亚，国庆，两个人，预算一万五", want: Extraction{Destination: "海南三亚", Budget: pxMoney(15000, 15000, "", pxTotal), PartySize: 2, Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 10, 1}, To: Date{2027, 10, 7}, Said: "国庆"}}},
		{in: "去哈尔滨看雪，1月10日出发，五天四晚", want: Extraction{Destination: "哈尔滨", Start: pxDay(2027, 1, 10), End: pxDay(2027, 1, 14), Days: 5, NaturalLandscape: "看雪", Lang: "zh"}},
		{in: "带着爸妈去桂林，老人腿脚不便，需要无障碍", want: Extraction{Destination: "桂林", PartySize: 3, Accessibility: pxYes, OtherNeeds: "老人腿脚不便", Lang: "zh", Unparsed: true}},
		{in: "Kyoto, Apr 3-8, 2 people, wheelchair accessible please", want: Extraction{Destination: "Kyoto", Start: pxDay(2027, 4, 3), End: pxDay(2027, 4, 8), PartySize: 2, Accessibility: pxYes, Lang: "en"}},
		{in: "we're bringing our dog, no kids", want: Extraction{KidFriendly: pxNo, PetFriendly: pxYes, Lang: "en"}},
		{in: "青岛，7月1日-7月5日，带宠物，喜欢海鲜和啤酒", want: Extraction{Destination: "青岛", Start: pxDay(2027, 7, 1), End: pxDay(2027, 7, 5), PetFriendly: pxYes, Cuisine: "海鲜、啤酒", Lang: "zh"}},
		{in: "Xiamen, July, around 5000 yuan", want: Extraction{Destination: "Xiamen", Budget: pxMoney(5000, 5000, "CNY"), Lang: "en", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 7, 1}, To: Date{2027, 7, 31}, Said: "July"}}},
		{in: "随便", exp: SlotDestination, want: Extraction{Lang: "zh", Unparsed: true}},
		{in: "yes", exp: SlotDestination, want: Extraction{Yes: pxYes, Lang: "en"}},
		{in: "help", exp: SlotDestination, want: Extraction{Lang: "en", Unparsed: true}},
		{in: "new york", exp: SlotDestination, want: Extraction{Destination: "new york", Lang: "en"}},
		{in: "I'd like to go to Rio de Janeiro", exp: SlotDestination, want: Extraction{Destination: "Rio de Janeiro", Lang: "en"}},
		{in: "厦门吧", exp: SlotDestination, want: Extraction{Destination: "厦门", Lang: "zh"}},
		{in: "下周五", exp: SlotDates, want: Extraction{Start: pxDay(2026, 12, 11), Lang: "zh"}},
		{in: "Nov 3", exp: SlotDates, want: Extraction{Start: pxDay(2027, 11, 3), Lang: "en"}},
		{in: "no", exp: SlotNeeds, want: Extraction{Accessibility: pxNo, KidFriendly: pxNo, PetFriendly: pxNo, Yes: pxNo, Lang: "en"}},
		{in: "没有，谢谢", exp: SlotNeeds, want: Extraction{Accessibility: pxNo, KidFriendly: pxNo, PetFriendly: pxNo, Yes: pxNo, Lang: "zh"}},
		{in: "带孩子和狗", exp: SlotNeeds, want: Extraction{KidFriendly: pxYes, PetFriendly: pxYes, Lang: "zh"}},
		{in: "about 3000", exp: SlotBudget, want: Extraction{Budget: pxMoney(3000, 3000, ""), Lang: "en"}},
		{in: "大概5000左右", exp: SlotBudget, want: Extraction{Budget: pxMoney(5000, 5000, ""), Lang: "zh"}},
		{in: "5000人民币", exp: SlotBudget, want: Extraction{Budget: pxMoney(5000, 5000, "CNY"), Lang: "zh"}},
		{in: "3000 RMB", exp: SlotBudget, want: Extraction{Budget: pxMoney(3000, 3000, "CNY"), Lang: "en"}},
		{in: "100", exp: SlotBudget, want: Extraction{Budget: pxMoney(100, 100, "")}},
		{in: "-500", exp: SlotBudget, want: Extraction{Budget: pxMoney(0, 0, "")}},
		{in: "lots", exp: SlotBudget, want: Extraction{Lang: "en", Unparsed: true}},
		{in: "32号", exp: SlotDates, want: Extraction{Lang: "zh", DateProblem: "invalid"}},
		{in: "2/29", exp: SlotDates, want: Extraction{Start: pxDay(2028, 2, 29)}},
		{in: "2028年2月29日", want: Extraction{Start: pxDay(2028, 2, 29), Lang: "zh"}},
		{in: "2027年2月29日", want: Extraction{Lang: "zh", DateProblem: "invalid"}},
		{in: "Oct 25, Nov 1, Nov 5", want: Extraction{Lang: "en", DateProblem: "ambiguous"}},
		// "3/1" in English is March 1 or 3 January: both readings are offered.
		{in: "from 3/1 to 3/5", want: Extraction{Lang: "en", DateProblem: "ambiguous", DateReadings: [][2]*Date{{pxDay(2027, 3, 1), pxDay(2027, 3, 5)}, {pxDay(2027, 1, 3), pxDay(2027, 5, 3)}}}},
		{in: "March 3rd", want: Extraction{Start: pxDay(2027, 3, 3), Lang: "en"}},
		{in: "the 25th", want: Extraction{Start: pxDay(2026, 12, 25), Lang: "en"}},
		{in: "25号", want: Extraction{Start: pxDay(2026, 12, 25), Lang: "zh"}},
		{in: "25号到28号", want: Extraction{Start: pxDay(2026, 12, 25), End: pxDay(2026, 12, 28), Lang: "zh"}},
		{in: "下下周五", want: Extraction{Start: pxDay(2026, 12, 18), Lang: "zh"}},
		{in: "this Saturday", want: Extraction{Start: pxDay(2026, 12, 5), Lang: "en"}},
		{in: "on Sunday", want: Extraction{Start: pxDay(2026, 12, 6), Lang: "en"}},
		{in: "in 3 days", want: Extraction{Start: pxDay(2026, 12, 4), Lang: "en"}},
		{in: "3天后", want: Extraction{Start: pxDay(2026, 12, 4), Lang: "zh"}},
		{in: "2周后", want: Extraction{Start: pxDay(2026, 12, 15), Lang: "zh"}},
		{in: "5-day trip to Hanoi", want: Extraction{Destination: "Hanoi", Days: 5, Lang: "en"}},
		{in: "a 10 day trip to Peru", want: Extraction{Destination: "Peru", Days: 10, Lang: "en"}},
		{in: "two weeks in Portugal", want: Extraction{Destination: "Portugal", Days: 14, Lang: "en"}},
		{in: "Flight 2345", want: Extraction{Lang: "en", Unparsed: true}},
		{in: "我想去医院附近的酒店", want: Extraction{OtherNeeds: "我想去医院附近的酒店", Lang: "zh"}},
		{in: "把福州改成厦门", want: Extraction{Destination: "厦门", NotDestination: "福州", Correction: true, Lang: "zh"}},
		{in: "不去福州了，去厦门", want: Extraction{Destination: "厦门", Exclude: []string{"福州"}, Correction: true, Lang: "zh"}},
		// Dislikes are things to leave out; a plan said disliked is not one.
		{in: "we hate crowds", want: Extraction{Exclude: []string{"crowds"}, Lang: "en"}},
		{in: "i don't like spicy food", want: Extraction{Exclude: []string{"spicy food"}, Lang: "en"}},
		{in: "not a fan of museums", want: Extraction{Exclude: []string{"museums"}, Lang: "en"}},
		{in: "讨厌爬山", want: Extraction{Exclude: []string{"爬山"}, Lang: "zh"}},
		// The word that joins a wish to what came before is not part of it.
		{in: "我想去西藏 但是怕高反", want: Extraction{ProposedDestination: "西藏", OtherNeeds: "怕高反", Lang: "zh"}},
		{in: "i don't like the second plan", want: Extraction{Lang: "en"}},
		{in: "not to Paris but Rome", want: Extraction{Destination: "Rome", NotDestination: "Paris", Exclude: []string{"Paris"}, Correction: true, Lang: "en"}},
		{in: "I meant Berlin", want: Extraction{Destination: "Berlin", Correction: true, Lang: "en"}},
		{in: "Actually, Madrid", want: Extraction{Destination: "Madrid", Correction: true, Lang: "en"}},
		{in: "3 kids", want: Extraction{KidFriendly: pxYes, Lang: "en"}},
		{in: "5km walk", want: Extraction{Lang: "en", Unparsed: true}},
		{in: "room 305", want: Extraction{Lang: "en", Unparsed: true}},
		{in: "10点出发", want: Extraction{Lang: "zh"}},
		{in: "5星酒店", want: Extraction{OtherNeeds: "5星酒店", Lang: "zh"}},
		{in: "ＬＩＳＢＯＮ，１２月２０日－２７日", want: Extraction{Destination: "LISBON", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 27), Lang: "zh"}},
		{in: "预算：５０００元", want: Extraction{Budget: pxMoney(5000, 5000, "CNY"), Lang: "zh"}},
		{in: "FUZHOU", want: Extraction{Destination: "FUZHOU", Lang: "en"}},
		{in: "我们3个人，每人预算2千，想去成都吃火锅，看熊猫", want: Extraction{Destination: "成都", Budget: pxMoney(2000, 2000, "", pxPerPerson), PartySize: 3, Cuisine: "火锅", OtherNeeds: "熊猫", Lang: "zh", Unparsed: true}},
		{in: "Paris, 2 people, $2,000 each", want: Extraction{Destination: "Paris", Budget: pxMoney(2000, 2000, "USD", pxPerPerson), PartySize: 2, Lang: "en"}},
		{in: "十一月一号到五号去昆明", want: Extraction{Destination: "昆明", Start: pxDay(2027, 11, 1), End: pxDay(2027, 11, 5), Lang: "zh"}},
		{in: "下周三到周五去杭州", want: Extraction{Destination: "杭州", Start: pxDay(2026, 12, 9), End: pxDay(2026, 12, 11), Lang: "zh"}},
		{in: "2026/12/24-2026/12/26", want: Extraction{Start: pxDay(2026, 12, 24), End: pxDay(2026, 12, 26)}},
		{in: "Dec 24 2026 to Jan 2", want: Extraction{Start: pxDay(2026, 12, 24), End: pxDay(2027, 1, 2), Lang: "en"}},
		{in: "I'd love a beach holiday in Bali, 10 days, £2000", want: Extraction{Destination: "Bali", Days: 10, Budget: pxMoney(2000, 2000, "GBP"), NaturalLandscape: "beach", Lang: "en"}},
		{in: "两个人，人均五千，七天，去新疆看草原", want: Extraction{ProposedDestination: "新疆", Days: 7, Budget: pxMoney(5000, 5000, "", pxPerPerson), PartySize: 2, NaturalLandscape: "草原", Lang: "zh"}},
		// The traveller's zone decides what "tomorrow" is: 20:00 UTC is already the next day in Shanghai.
		{in: "tomorrow", now: time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), want: Extraction{Start: pxDay(2026, 12, 3), Lang: "en"}},
		{in: "明天", now: time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC), want: Extraction{Start: pxDay(2027, 1, 2), Lang: "zh"}},
		// A Sunday: "this weekend" is what is left of it, "next weekend" the following one.
		{in: "this weekend", now: time.Date(2026, 12, 6, 9, 0, 0, 0, pxShanghai), want: Extraction{Start: pxDay(2026, 12, 6), End: pxDay(2026, 12, 6), Lang: "en"}},
		{in: "下周末", now: time.Date(2026, 12, 6, 9, 0, 0, 0, pxShanghai), want: Extraction{Start: pxDay(2026, 12, 12), End: pxDay(2026, 12, 13), Lang: "zh"}},
		{in: "国庆", now: time.Date(2026, 9, 1, 9, 0, 0, 0, pxShanghai), want: Extraction{Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2026, 10, 1}, To: Date{2026, 10, 7}, Said: "国庆"}}},
		// During the break: the days left of it.
		{in: "国庆", now: time.Date(2026, 10, 3, 9, 0, 0, 0, pxShanghai), want: Extraction{Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2026, 10, 3}, To: Date{2026, 10, 7}, Said: "国庆"}}},
		{in: "Oct 25 - Nov 4", now: time.Date(2026, 10, 30, 9, 0, 0, 0, pxShanghai), want: Extraction{Start: pxDay(2027, 10, 25), End: pxDay(2027, 11, 4), Lang: "en"}},
		{in: "10月25日", now: time.Date(2026, 10, 25, 23, 0, 0, 0, pxShanghai), want: Extraction{Start: pxDay(2026, 10, 25), Lang: "zh"}},
		// Past dates are read as said, so that the engine can say they are past.
		{in: "昨天", want: Extraction{Start: pxDay(2026, 11, 30), Lang: "zh"}},
		{in: "前天", want: Extraction{Start: pxDay(2026, 11, 29), Lang: "zh"}},
		{in: "上周五", want: Extraction{Start: pxDay(2026, 11, 27), Lang: "zh"}},
		{in: "上周", want: Extraction{Start: pxDay(2026, 11, 23), Lang: "zh"}},
		{in: "yesterday", want: Extraction{Start: pxDay(2026, 11, 30), Lang: "en"}},
		{in: "the day before yesterday", want: Extraction{Start: pxDay(2026, 11, 29), Lang: "en"}},
		{in: "last Friday", want: Extraction{Start: pxDay(2026, 11, 27), Lang: "en"}},
		{in: "last week", want: Extraction{Start: pxDay(2026, 11, 23), Lang: "en"}},
		{in: "出发前天气怎么样", want: Extraction{Lang: "zh", Unparsed: true}},
		{in: "the last week of December", want: Extraction{Lang: "en", DateProblem: "ambiguous", Period: &Period{From: Date{2026, 12, 25}, To: Date{2026, 12, 31}, Said: "the last week of december"}}},
		// An end before its start stays in the same year unless its month is earlier.
		{in: "12月30日到12月25日", want: Extraction{Start: pxDay(2026, 12, 30), End: pxDay(2026, 12, 25), Lang: "zh"}},
		{in: "Dec 30 - Dec 25", want: Extraction{Start: pxDay(2026, 12, 30), End: pxDay(2026, 12, 25), Lang: "en"}},
		{in: "Dec 30-25", want: Extraction{Start: pxDay(2026, 12, 30), End: pxDay(2026, 12, 25), Lang: "en"}},
		{in: "Nov 10 - Oct 5", want: Extraction{Start: pxDay(2027, 11, 10), End: pxDay(2028, 10, 5), Lang: "en"}},
		{in: "Dec 30 - Jan 2", want: Extraction{Start: pxDay(2026, 12, 30), End: pxDay(2027, 1, 2), Lang: "en"}},
		// A month alone names no day.
		{in: "下个月", want: Extraction{Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 1, 1}, To: Date{2027, 1, 31}, Said: "下个月"}}},
		{in: "上个月", exp: SlotDestination, want: Extraction{Lang: "zh", DateProblem: "ambiguous"}},
		{in: "last month", exp: SlotDestination, want: Extraction{Lang: "en", DateProblem: "ambiguous"}},
		{in: "in May", want: Extraction{Lang: "en", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 5, 1}, To: Date{2027, 5, 31}, Said: "May"}}},
		{in: "7月", want: Extraction{Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 7, 1}, To: Date{2027, 7, 31}, Said: "7月"}}},
		{in: "7月份去厦门", want: Extraction{Destination: "厦门", Lang: "zh", DateProblem: "ambiguous", Period: &Period{From: Date{2027, 7, 1}, To: Date{2027, 7, 31}, Said: "7月份"}}},
		{in: "I may go to Rome", want: Extraction{Destination: "Rome", Lang: "en"}},
		{in: "3个月", want: Extraction{Days: 90, Lang: "zh"}},
		// A first message filling several slots at once.
		{in: "Tokyo Dec 20-23 $2000 none, food", exp: SlotDestination, want: Extraction{Destination: "Tokyo", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 23), Budget: pxMoney(2000, 2000, "USD"), Accessibility: pxNo, KidFriendly: pxNo, PetFriendly: pxNo, Cuisine: "food", Lang: "en"}},
		{in: "Tokyo Dec 20-23 $2000 none, food", want: Extraction{Destination: "Tokyo", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 23), Budget: pxMoney(2000, 2000, "USD"), Accessibility: pxNo, KidFriendly: pxNo, PetFriendly: pxNo, Cuisine: "food", Lang: "en"}},
		{in: "Lisbon, Dec 20-27", exp: SlotDestination, want: Extraction{Destination: "Lisbon", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 27), Lang: "en"}},
		{in: "lisbon dec 20-27", exp: SlotDestination, want: Extraction{Destination: "lisbon", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 27), Lang: "en"}},
		{in: "Lisbon Dec 20-27, 2 of us, around €1500 each, no special needs, we love seafood and museums", exp: SlotDestination, want: Extraction{Destination: "Lisbon", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 27), Budget: pxMoney(1500, 1500, "EUR", pxPerPerson), PartySize: 2, Accessibility: pxNo, KidFriendly: pxNo, PetFriendly: pxNo, SocialLandscape: "museums", Cuisine: "seafood", Lang: "en"}},
		// A figure after a date is a year only when no currency follows it.
		{in: "Dec 25-28, 2000 CNY", want: Extraction{Start: pxDay(2026, 12, 25), End: pxDay(2026, 12, 28), Budget: pxMoney(2000, 2000, "CNY"), Lang: "en"}},
		{in: "Dec 25 2000 USD", want: Extraction{Start: pxDay(2026, 12, 25), Budget: pxMoney(2000, 2000, "USD"), Lang: "en"}},
		{in: "Dec 25, 2027", want: Extraction{Start: pxDay(2027, 12, 25), Lang: "en"}},
		{in: "厦门，12月20日到23日，没有特殊需求", exp: SlotDestination, want: Extraction{Destination: "厦门", Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 23), Accessibility: pxNo, KidFriendly: pxNo, PetFriendly: pxNo, Lang: "zh"}},
		{in: "none of us has been to Rome", want: Extraction{Destination: "Rome", Lang: "en", Unparsed: true}},
		// Correction verbs and slot words are never a destination.
		{in: "change budget to $3000", exp: SlotDestination, want: Extraction{Budget: pxMoney(3000, 3000, "USD"), Correction: true, Lang: "en"}},
		{in: "change budget to $3000", want: Extraction{Budget: pxMoney(3000, 3000, "USD"), Correction: true, Lang: "en"}},
		{in: "make it $3000", exp: SlotDestination, want: Extraction{Budget: pxMoney(3000, 3000, "USD"), Correction: true, Lang: "en"}},
		{in: "set the budget to 3000", exp: SlotDestination, want: Extraction{Budget: pxMoney(3000, 3000, ""), Correction: true, Lang: "en"}},
		{in: "update dates to Dec 20-23", exp: SlotDestination, want: Extraction{Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 23), Correction: true, Lang: "en"}},
		{in: "预算改成3000", exp: SlotDestination, want: Extraction{Budget: pxMoney(3000, 3000, ""), Correction: true, Lang: "zh"}},
		{in: "日期换成12月20日到23日", exp: SlotDestination, want: Extraction{Start: pxDay(2026, 12, 20), End: pxDay(2026, 12, 23), Correction: true, Lang: "zh"}},
		{in: "改成3000", exp: SlotDestination, want: Extraction{Budget: pxMoney(3000, 3000, ""), Correction: true, Lang: "zh"}},
	}
	for _, tt := range tests {
		c := ParseContext{Now: pxNow, Loc: pxShanghai, Expecting: tt.exp, Places: fakePlaces{}}
		if !tt.now.IsZero() {
			c.Now = tt.now
		}
		got := Extract(tt.in, c)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Extract(%q, expecting %q)\n got  %s\n want %s", tt.in, tt.exp, pxFormat(got), pxFormat(tt.want))
		}
	}
}

func TestDetectIntent(t *testing.T) {
	tests := []struct {
		in       string
		want     Intent
		wantLang string
	}{
		{"/sos", IntentEmergency, ""},
		{"/human", IntentHuman, ""},
		{"/help", IntentHelp, ""},
		{"/new", IntentNewTrip, ""},
		{"/lang", IntentLanguage, ""},
		{"/lang zh", IntentLanguage, "zh"},
		{"/lang en", IntentLanguage, "en"},
		{"/subscribe", IntentSubscribe, ""},
		{"/unsubscribe", IntentUnsubscribe, ""},
		{"/status", IntentStatus, ""},
		{"/changelog", IntentChangelog, ""},
		{"/feedback", IntentFeedback, ""},
		{"/cancel", IntentCancel, ""},
		{"/start", IntentStart, ""},
		{"/help@xingqu_bot", IntentHelp, ""},
		{"/unknown", IntentNone, ""},
		{"SOS", IntentEmergency, ""},
		{"紧急情况！", IntentEmergency, ""},
		{"救命", IntentEmergency, ""},
		{"需要急救", IntentEmergency, ""},
		{"我要报警", IntentEmergency, ""},
		{"护照丢了", IntentEmergency, ""},
		{"我丢了护照怎么办", IntentEmergency, ""},
		{"I lost my passport", IntentEmergency, ""},
		{"my passport was stolen", IntentEmergency, ""},
		{"我朋友被送去医院了", IntentEmergency, ""},
		{"we need a hospital", IntentEmergency, ""},
		{"出车祸了", IntentEmergency, ""},
		{"there was an accident", IntentEmergency, ""},
		{"钱包被偷了", IntentEmergency, ""},
		{"I got robbed", IntentEmergency, ""},
		{"有人受伤了", IntentEmergency, ""},
		{"my son is injured", IntentEmergency, ""},
		{"emergency!", IntentEmergency, ""},
		{"help me urgently", IntentEmergency, ""},
		{"我想去医院附近的酒店", IntentNone, ""},
		{"a hotel near the hospital", IntentNone, ""},
		{"I broke it by accident", IntentNone, ""},
		{"help", IntentHelp, ""},
		{"帮助", IntentHelp, ""},
		{"help me", IntentHelp, ""},
		{"?", IntentHelp, ""},
		{"人工", IntentHuman, ""},
		{"转人工", IntentHuman, ""},
		{"我要找客服", IntentHuman, ""},
		{"真人", IntentHuman, ""},
		{"I want to talk to a human", IntentHuman, ""},
		{"can I speak to an agent", IntentHuman, ""},
		{"real person please", IntentHuman, ""},
		{"customer service", IntentHuman, ""},
		{"I'm a travel agent", IntentNone, ""},
		{"反馈", IntentFeedback, ""},
		{"我要投诉", IntentFeedback, ""},
		{"I want to leave feedback", IntentFeedback, ""},
		{"怎么用", IntentHelp, ""},
		{"what can you do", IntentHelp, ""},
		{"切换语言", IntentLanguage, ""},
		{"change language", IntentLanguage, ""},
		{"说中文", IntentLanguage, "zh"},
		{"switch to English", IntentLanguage, "en"},
		{"English please", IntentLanguage, "en"},
		{"用英文", IntentLanguage, "en"},
		{"中文", IntentLanguage, "zh"},
		{"新行程", IntentNewTrip, ""},
		{"new trip", IntentNewTrip, ""},
		{"plan another trip", IntentNewTrip, ""},
		{"订阅", IntentSubscribe, ""},
		{"subscribe", IntentSubscribe, ""},
		{"取消订阅", IntentUnsubscribe, ""},
		{"unsubscribe", IntentUnsubscribe, ""},
		{"状态", IntentStatus, ""},
		{"status", IntentStatus, ""},
		{"更新日志", IntentChangelog, ""},
		{"what's new", IntentChangelog, ""},
		{"changelog", IntentChangelog, ""},
		{"天气怎么样", IntentWeather, ""},
		{"what's the weather like in Lisbon", IntentWeather, ""},
		{"will it rain tomorrow", IntentWeather, ""},
		{"返回", IntentBack, ""},
		{"go back", IntentBack, ""},
		{"重新开始", IntentStartOver, ""},
		{"start over", IntentStartOver, ""},
		{"取消", IntentCancel, ""},
		{"cancel", IntentCancel, ""},
		{"算了", IntentCancel, ""},
		{"做计划", IntentConfirm, ""},
		{"make my plan", IntentConfirm, ""},
		{"生成", IntentConfirm, ""},
		{"go ahead", IntentConfirm, ""},
		{"福州, 10月25日到11月4日", IntentNone, ""},
		{"Lisbon Dec 20-27", IntentNone, ""},
		{"yes", IntentNone, ""},
		{"好的", IntentNone, ""},
		{"I want good weather", IntentNone, ""},
		{"help me plan a trip to Tokyo", IntentNone, ""},
		{"我们喜欢历史文化", IntentNone, ""},
		{"/lang@xingqu_bot en", IntentLanguage, "en"},
		{"/SOS", IntentEmergency, ""},
		{"/help 护照丢了", IntentEmergency, ""},
		{"", IntentNone, ""},
	}
	for _, tt := range tests {
		got, lang := DetectIntent(tt.in)
		if got != tt.want || lang != tt.wantLang {
			t.Errorf("DetectIntent(%q) = %q, %q; want %q, %q", tt.in, got, lang, tt.want, tt.wantLang)
		}
	}
}

func TestParseDates(t *testing.T) {
	c := ParseContext{Now: pxNow, Loc: pxShanghai}
	tests := []struct {
		in         string
		start, end *Date
		days       int
		ok         bool
	}{
		{"10月25日到11月4日", pxDay(2027, 10, 25), pxDay(2027, 11, 4), 0, true},
		{"Nov 1-5", pxDay(2027, 11, 1), pxDay(2027, 11, 5), 0, true},
		{"下周五，五天", pxDay(2026, 12, 11), pxDay(2026, 12, 15), 5, true},
		{"for 5 days", nil, nil, 5, true},
		{"2月30日", nil, nil, 0, false},
		{"13/45", nil, nil, 0, false},
		{"预算5000", nil, nil, 0, false},
		{"until Dec 20", nil, pxDay(2026, 12, 20), 0, true},
		{"回程12月20日", nil, pxDay(2026, 12, 20), 0, true},
		{"", nil, nil, 0, false},
	}
	for _, tt := range tests {
		start, end, days, ok := ParseDates(tt.in, c)
		if !reflect.DeepEqual(start, tt.start) || !reflect.DeepEqual(end, tt.end) || days != tt.days || ok != tt.ok {
			t.Errorf("ParseDates(%q) = %v, %v, %d, %v; want %v, %v, %d, %v", tt.in, start, end, days, ok, tt.start, tt.end, tt.days, tt.ok)
		}
	}
	// Without a zone, dates are read in UTC.
	if start, _, _, _ := ParseDates("today", ParseContext{Now: time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)}); start == nil || *start != *pxDay(2026, 12, 1) {
		t.Errorf("ParseDates(today) with nil Loc = %v, want 2026-12-01", start)
	}
}

func TestParseBudget(t *testing.T) {
	tests := []struct {
		in   string
		want Money
		ok   bool
	}{
		{"2000", Money{Low: 2000, High: 2000}, true},
		{"一万五", Money{Low: 15000, High: 15000}, true},
		{"3千5", Money{Low: 3500, High: 3500}, true},
		{"¥2000", Money{Low: 2000, High: 2000, Currency: "CNY", YenSign: true}, true},
		{"500円", Money{Low: 500, High: 500, Currency: "JPY"}, true},
		{"£1,200 per person", Money{Low: 1200, High: 1200, Currency: "GBP", PerPerson: true}, true},
		{"3-5k", Money{Low: 3000, High: 5000}, true},
		{"预算-100", Money{}, false},
		{"0", Money{}, false},
		{"budget: lots", Money{}, false},
		{"10月25日", Money{}, false},
		{"5天", Money{}, false},
		{"3个人", Money{}, false},
		{"50", Money{}, false},
		{"99999999999999999999999999", Money{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseBudget(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseBudget(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseYesNo(t *testing.T) {
	tests := []struct {
		in      string
		yes, ok bool
	}{
		{"是的", true, true}, {"好的！", true, true}, {"Yes please", true, true}, {"OK", true, true},
		{"没问题", true, true}, {"嗯嗯", true, true}, {"sure thing", true, true}, {"👍", true, true},
		{"不", false, true}, {"不要", false, true}, {"No thanks", false, true}, {"Nope.", false, true},
		{"好的，预算5000", true, true}, {"no, Xiamen", false, true},
		{"不是福州，是厦门", false, false}, {"no kids", false, false}, {"yesterday", false, false},
		{"", false, false}, {"Lisbon", false, false},
	}
	for _, tt := range tests {
		yes, ok := ParseYesNo(tt.in)
		if yes != tt.yes || ok != tt.ok {
			t.Errorf("ParseYesNo(%q) = %v, %v; want %v, %v", tt.in, yes, ok, tt.yes, tt.ok)
		}
	}
}

func TestChineseNumerals(t *testing.T) {
	tests := map[string]string{
		"一万五":   "15000",
		"三千五百元": "3500元",
		"两千":    "2000",
		"十五号":   "15号",
		"三十一日":  "31日",
		"一千零五":  "1005",
		"1.5万":  "15000",
		"去三亚":   "去三亚",
		"九寨沟":   "九寨沟",
		"千岛湖":   "千岛湖",
		"十三陵":   "十三陵",
		"周五":    "周五",
		"三天两夜":  "3天2夜",
		"一家三口":  "一家3口",
		"五六天":   "五六天",
	}
	for in, want := range tests {
		if got := convertChineseNumerals(in); got != want {
			t.Errorf("convertChineseNumerals(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExtractHostile checks that hostile input neither panics nor takes long. Wall time
// on a shared machine says little, so each input is timed against a typical message in
// the same run (fastest of several tries each): linear work on 4 KiB stays within a
// small multiple, while anything quadratic would be hundreds of times slower.
func TestExtractHostile(t *testing.T) {
	inputs := []string{
		strings.Repeat("😀", 1024),
		strings.Repeat("\xff\xfe", 2048),
		strings.Repeat("1", 4096),
		strings.Repeat("一万", 2048),
		strings.Repeat("Oct 25 - ", 455),
		strings.Repeat("去", 4096),
		strings.Repeat("not ", 1024),
		strings.Repeat("\x00\x01\x1b[31m", 512),
		"<img src=x onerror=alert(1)>" + strings.Repeat("a", 4000),
	}
	parseAll := func(in string) {
		Extract(in, ParseContext{Now: pxNow, Loc: pxShanghai, Expecting: SlotDestination})
		DetectIntent(in)
		ParseBudget(in)
		ParseDates(in, ParseContext{Now: pxNow})
		ParseYesNo(in)
	}
	fastest := func(in string, tries int) time.Duration {
		best := time.Duration(1<<63 - 1)
		for i := 0; i < tries; i++ {
			start := time.Now()
			parseAll(in)
			best = min(best, time.Since(start))
		}
		return best
	}
	typical := fastest("福州, 12月25日到12月30日, 每人2000, 带孩子, 喜欢海边和闽菜", 7)
	const maxRatio = 200
	for _, in := range inputs {
		d := fastest(in, 3)
		t.Logf("%d bytes %q: %v = %.0f× typical", len(in), in[:8], d, float64(d)/float64(typical))
		if d > maxRatio*typical && d > 50*time.Millisecond {
			t.Errorf("parsing %d bytes starting %q took %v, over %d× a typical message (%v)", len(in), in[:16], d, maxRatio, typical)
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	c := ParseContext{Now: pxNow, Loc: pxShanghai}
	msgs := []string{
		"福州, 10月25日到11月4日, 每人2000, 带孩子",
		"Lisbon Dec 20-27, 2 of us, around €1500 each, we love seafood and museums",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Extract(msgs[i%2], c)
	}
}

func BenchmarkExtract4KiB(b *testing.B) {
	c := ParseContext{Now: pxNow, Loc: pxShanghai}
	in := strings.Repeat("Lisbon Dec 20-27, 2 of us, €1500 each, 福州 10月25日 每人2000 ", 60)[:4096]
	b.ReportAllocs()
	for b.Loop() {
		Extract(in, c)
	}
}

func BenchmarkDetectIntent(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		DetectIntent([]string{"我想去医院附近的酒店", "change language", "Lisbon Dec 20-27"}[i%3])
	}
}

// The chat forms of time words are read as the words: "tmrw", "tommorow", "nxt wknd",
// "2nite"; a word that only contains one is left alone.
func TestChatSpellingsOfTimeWords(t *testing.T) {
	c := ParseContext{Now: pxNow, Loc: pxShanghai}
	for _, pair := range [][2]string{
		{"seoul tmrw for 3 days", "seoul tomorrow for 3 days"},
		{"Tommorow 4 nights", "tomorrow 4 nights"},
		{"london nxt wknd", "london next weekend"},
		{"2nite in Osaka", "tonight in Osaka"},
	} {
		got, _, _, _ := ParseDates(pair[0], c)
		want, _, _, _ := ParseDates(pair[1], c)
		if got == nil || want == nil || *got != *want {
			t.Errorf("%q starts %v, want %v as %q", pair[0], got, want, pair[1])
		}
	}
	for _, s := range []string{"atmrw", "nxtgen", "Tmrwland"} {
		if got := normalizeText(s); got != s {
			t.Errorf("%q normalized to %q", s, got)
		}
	}
}

// A figure marked as money (a currency, a multiplier, a budget word before it) is the
// budget, not a bare number before it: children's ages, a party corrected; "pp" and
// "ea" written onto the figure say per person.
func TestMarkedFigureIsTheBudget(t *testing.T) {
	for _, c := range []struct {
		text      string
		expect    Slot
		want      float64
		perPerson bool
	}{
		{"hangzhou dec 25-28, kids aged 5 and 8, budget 8000 yuan", "", 8000, false},
		{"shanghai dec 20-23, me + wife + 2 kids (3 and 6), 3000 rmb pp", "", 3000, true},
		{"shanghai 3 days from jan 3, 2 ppl, £800pp", "", 800, true},
		{"2 ppl, $800 ea", "", 800, true},
		{"孩子5岁和8岁，预算8000", "", 8000, false},
	} {
		ex := Extract(c.text, ParseContext{Now: pxNow, Loc: pxShanghai, Expecting: c.expect})
		if ex.Budget == nil || ex.Budget.High != c.want || ex.Budget.PerPerson != c.perPerson {
			t.Errorf("%q: budget %+v, want %v (per person %v)", c.text, ex.Budget, c.want, c.perPerson)
		}
	}
	for _, text := range []string{"not 2, 3 ppl", "oops 3 of us not 2", "2 or 3 ppl, not sure yet"} {
		if ex := Extract(text, ParseContext{Now: pxNow, Loc: pxShanghai, Expecting: SlotBudget}); ex.Budget != nil {
			t.Errorf("%q at the budget question: budget %+v", text, ex.Budget)
		}
	}
	for _, c := range []struct {
		text      string
		expect    Slot
		want      float64
		perPerson bool
	}{
		{"5000", SlotBudget, 5000, false},
	} {
		ex := Extract(c.text, ParseContext{Now: pxNow, Loc: pxShanghai, Expecting: c.expect})
		if ex.Budget == nil || ex.Budget.High != c.want || ex.Budget.PerPerson != c.perPerson {
			t.Errorf("%q: budget %+v, want %v (per person %v)", c.text, ex.Budget, c.want, c.perPerson)
		}
	}
}

// Dates as people write them: 三日两夜 is a length, 廿五号 the 25th, a figure after a range
// is no part of it ("12月20-22 两千", "dec 20-23 2 ppl 3000rmb pp"), 23号就回来 is the
// return, and a past day told about (我昨天看了个电影) is no date of the trip.
func TestDatesAsPeopleWriteThem(t *testing.T) {
	c := ParseContext{Now: pxNow, Loc: pxShanghai}
	day := func(m, d int) string { return pxDay(2026, m, d).String() }
	for _, tc := range []struct {
		text       string
		start, end string
		days       int
	}{
		{"去澳门 三日两夜", "", "", 3},
		{"廿五号到廿八号", day(12, 25), day(12, 28), 0},
		{"去苏州 12月20-22 两千", day(12, 20), day(12, 22), 0},
		{"12月20-24 3000", day(12, 20), day(12, 24), 0},
		{"beijing dec 20-23 2 ppl 3000rmb pp", day(12, 20), day(12, 23), 0},
	} {
		e := Extract(tc.text, c)
		got := startEnd(e)
		if got != [2]string{tc.start, tc.end} || tc.days > 0 && e.Days != tc.days {
			t.Errorf("%q: %v, %d days; want %s to %s, %d days", tc.text, got, e.Days, tc.start, tc.end, tc.days)
		}
	}
	if e := Extract("beijing dec 20-23 2 ppl 3000rmb pp", c); e.PartySize != 2 || e.Budget == nil || e.Budget.High != 3000 || !e.Budget.PerPerson {
		t.Errorf("beijing dec 20-23 2 ppl 3000rmb pp: party %d, budget %+v", e.PartySize, e.Budget)
	}
	if e := Extract("我昨天看了个电影", c); e.Start != nil || e.DateProblem != "" {
		t.Errorf("我昨天看了个电影: %+v", e)
	}
}

// A liking said with a negation, in either order, is ruled out and never a preference:
// 不爬山, 不能爬山, 对博物馆没兴趣, 不太喜欢逛博物馆, "no spicy pls" without a comma, "but
// nothing spicy", "museums no".
func TestLikingNegatedIsRuledOut(t *testing.T) {
	for text, want := range map[string]string{
		"去杭州 对博物馆没兴趣": "博物馆", "去杭州 不太喜欢逛博物馆": "博物馆", "去黄山 不能爬山": "爬山", "我们不爬山": "爬山", "对植物园没兴趣": "植物园",
		"we love street food no spicy pls": "spicy", "love tea and nature no shopping": "shopping", "hotpot but nothing spicy": "spicy", "food yes, museums no": "museums",
	} {
		e := Extract(text, ParseContext{Now: pxNow, Loc: pxShanghai})
		prefs := e.SocialLandscape + "|" + e.NaturalLandscape + "|" + e.Cuisine
		if !slices.Contains(e.Exclude, want) || strings.Contains(prefs, want) {
			t.Errorf("%q: exclude %q, preferences %q; want %q ruled out", text, e.Exclude, prefs, want)
		}
	}
}

// "22 dec 2 ppl": the day before the month, the people after it; "a day trip" is no
// length of the trip.
func TestDayMonthThenPeople(t *testing.T) {
	c := ParseContext{Now: pxNow, Loc: pxShanghai}
	for text, want := range map[string][2]int{
		"chengdu 4 days from 22 dec 2 ppl 4000 rmb each": {22, 2}, "suzhou 24 dec 3 ppl": {24, 3}, "suzhou on 5 jan 2 of us": {5, 2},
	} {
		e := Extract(text, c)
		if e.Start == nil || e.Start.Day != want[0] || e.PartySize != want[1] {
			t.Errorf("%q: start %v, party %d; want day %d, party %d", text, e.Start, e.PartySize, want[0], want[1])
		}
	}
	if e := Extract("add a day trip to suzhou on day 2", c); e.Days != 0 || e.Start != nil {
		t.Errorf("a day trip read as dates: %+v", e)
	}
}

// Figures written one after another without punctuation keep each its meaning: 3天2人,
// 24到28号2个人, 12月26 4天 3人, 玩5天两个人人均4000.
func TestFiguresRunTogether(t *testing.T) {
	c := ParseContext{Now: pxNow, Loc: pxShanghai}
	for _, tc := range []struct {
		text       string
		start, end string
		days       int
		party      int
	}{
		{"去厦门三天两个人", "", "", 3, 2},
		{"成都 3天2人", "", "", 3, 2},
		{"哈尔滨12月24到28号2个人每人4000", "2026-12-24", "2026-12-28", 0, 2},
		{"西双版纳 12月26 4天 3人", "2026-12-26", "2026-12-29", 4, 3},
		{"12月24号去哈尔滨玩5天两个人人均4000想看冰雕", "2026-12-24", "2026-12-28", 5, 2},
	} {
		e := Extract(tc.text, c)
		got := startEnd(e)
		if got != [2]string{tc.start, tc.end} || e.Days != tc.days || e.PartySize != tc.party {
			t.Errorf("%q: %v, %d days, party %d; want %s to %s, %d days, party %d", tc.text, got, e.Days, e.PartySize, tc.start, tc.end, tc.days, tc.party)
		}
	}
}

// A shift by days inside a longer message (预算改成4000，日期推迟一天) is no length of the trip.
func TestShiftIsNoLength(t *testing.T) {
	for _, text := range []string{"预算改成4000，日期推迟一天", "提前两天出发吧，人数改成3个", "budget 4000 and push it by a day"} {
		if e := Extract(text, ParseContext{Now: pxNow, Loc: pxShanghai}); e.Days != 0 {
			t.Errorf("%q: %d days", text, e.Days)
		}
	}
}

// startEnd is an extraction's dates as text, "" for one not read.
func startEnd(e Extraction) [2]string {
	var got [2]string
	if e.Start != nil {
		got[0] = e.Start.String()
	}
	if e.End != nil {
		got[1] = e.End.String()
	}
	return got
}
