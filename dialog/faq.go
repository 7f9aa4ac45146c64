package dialog

import (
	"regexp"
	"strings"
)

// The questions about the service that travellers ask mid-form, answered from seed
// 000's FAQ (updates, maintenance and downtime) and from how the bot handles data. An
// answer never changes the trip; the form resumes after it.

type faqEntry struct {
	topic string
	// any lists the words a question on the topic contains; all of one group must occur.
	any [][]string
}

var faqEntries = []faqEntry{
	{"faq_changelog", [][]string{{"更新日志"}, {"更新记录"}, {"changelog"}, {"change log"}, {"update log"}, {"release notes"}, {"what's new"}}},
	{"faq_data", [][]string{{"encrypt"}, {"加密"}, {"chat history"}, {"聊天记录"}, {"数据"}, {"隐私"}, {"个人信息"}, {"信息安全"}, {"泄露"}, {"安全吗"}, {"data"}, {"privacy"}, {"private"}, {"personal information"}, {"my information"}, {"my info"}, {"gdpr"}, {"delete my", "account"}, {"store", "messages"}, {"keep", "messages"}, {"safe", "info"}, {"sell", "info"}, {"我的信息"}, {"卖", "信息"}, {"卖", "数据"}}},
	{"faq_update_time", [][]string{{"更新", "多久"}, {"更新", "多长时间"}, {"维护", "多久"}, {"维护", "多长时间"}, {"停服", "多久"}, {"恢复", "多久"}, {"多久", "恢复"}, {"什么时候", "恢复"}, {"how long", "update"}, {"how long", "maintenance"}, {"how long", "downtime"}, {"how long", "down"}, {"when", "back up"}, {"when", "be back"}}},
	{"faq_use_during", [][]string{{"维护", "能用"}, {"维护", "可以用"}, {"维护", "使用"}, {"更新", "能用"}, {"更新", "使用"}, {"停服", "使用"}, {"停服", "能用"}, {"use", "during"}, {"work", "during"}, {"available", "during"}, {"down", "during"}}},
	{"faq_notices", [][]string{{"security update"}, {"update", "warn"}, {"提前说"}, {"提前告诉"}, {"提前讲"}, {"warn"}, {"tell", "outage"}, {"tell", "maintenance"}, {"tell", "downtime"}, {"更新", "提前"}, {"维护", "提前"}, {"通知"}, {"公告"}, {"提醒我"}, {"notif"}, {"notice"}, {"announcement"}, {"alert me"}, {"let me know", "maintenance"}, {"let me know", "update"}, {"subscribe"}}},
	{"faq_after_update", [][]string{{"更新后"}, {"更新以后"}, {"after", "update"}, {"lose", "update"}, {"lose", "maintenance"}, {"丢", "更新"}, {"丢", "维护"}}},
	{"faq_downtime", [][]string{{"维护"}, {"停服"}, {"宕机"}, {"挂了"}, {"故障"}, {"downtime"}, {"maintenance"}, {"outage"}, {"is the service down"}, {"down for"}, {"offline"}}},
	{"faq_booking", [][]string{{"订酒店"}, {"订机票"}, {"订票"}, {"订门票"}, {"订房"}, {"预订"}, {"帮我订"}, {"能订"}, {"可以订"}, {"订一下"}, {"book", "hotel"}, {"book", "flight"}, {"book", "ticket"}, {"book", "room"}, {"book it"}, {"book us"}, {"book me"}, {"book this"}, {"booking"}, {"reserve"}, {"reservation"}}},
	{"faq_visa", [][]string{{"签证"}, {"签注"}, {"visa"}, {"entry requirement"}, {"passport", "need"}}},
	{"faq_cost", [][]string{{"收费"}, {"要钱吗"}, {"免费"}, {"多少钱", "服务"}, {"free"}, {"charge"}, {"cost", "use"}, {"pay", "use"}, {"subscription fee"}, {"how much does this cost"}, {"how much does it cost"}, {"how much is this"}}},
	{"faq_what", [][]string{{"你能做什么"}, {"你会什么"}, {"怎么用"}, {"how does this work"}, {"what can you do"}, {"how do i use"}, {"what do you do"}}},
}

// tripQuestions are questions about the trip planned that the bot cannot look up: asked
// once a plan exists, they are answered instead of read as changes ("怎么从上海过去" is
// not a preference for 怎么从上海).
var tripQuestions = []faqEntry{
	{"faq_getting_there", [][]string{{"怎么去"}, {"怎么过去"}, {"怎么到"}, {"怎么", "过去"}, {"怎么", "到"}, {"如何", "过去"}, {"如何去"}, {"如何到"}, {"怎么走"}, {"坐什么"}, {"高铁"}, {"火车"}, {"航班"}, {"机票"}, {"get there"}, {"getting there"}, {"get to"}, {"how to go"}, {"fly"}, {"flight"}, {"train"}}},
	{"faq_packing", [][]string{{"带什么"}, {"穿什么"}, {"准备什么"}, {"带哪些"}, {"what to pack"}, {"should i pack"}, {"should we pack"}, {"packing"}, {"pack for"}, {"what", "wear"}, {"what", "bring"}, {"clothes"}}},
	{"faq_hotel_pick", [][]string{{"酒店", "推荐"}, {"酒店", "哪"}, {"住哪"}, {"住在哪"}, {"which hotel"}, {"where", "stay"}, {"hotel", "recommend"}, {"hotel", "which"}, {"hotel", "where"}}},
	{"faq_prices", [][]string{{"门票"}, {"多少钱"}, {"价格"}, {"贵不贵"}, {"花多少"}, {"how much"}, {"price"}, {"ticket"}, {"entry fee"}, {"is it expensive"}}},
}

// asked reports a question or a request to the bot: "数据" in a trip description is
// neither, "帮我订酒店" and "book it" are.
func asked(low string) bool {
	return aNotA(low) || strings.ContainsAny(low, "?？") || has(low, "吗", "呢", "怎么", "如何", "多久", "多长", "多少", "什么", "是否", "能不能", "会不会", "可以", "哪",
		"帮我", "帮忙", "给我订", "替我", "请问", "book it", "book us", "book me", "book this") || reAskedEn.MatchString(low)
}

// reAskedEn is an English question without its mark: a question word anywhere, or an
// auxiliary opening the sentence ("is it cold there", not "this trip is for my wife").
var reAskedEn = regexp.MustCompile(`^(?:is|are|do|does|did|can|could|should|will|would|may|shall)\b|\b(?:how|what|when|where|which|why)\b`)

// tripQuestion returns the topic of a question about the trip planned (tripQuestions),
// or "".
func tripQuestion(low string) string {
	if !asked(low) {
		return ""
	}
	return matchTopic(tripQuestions, low)
}

// faqTopic returns the FAQ entry a question about the service asks about, or "". Only
// questions and requests count (asked).
func faqTopic(low string) string {
	if !asked(low) {
		return ""
	}
	return matchTopic(faqEntries, low)
}

// matchTopic is the first entry one of whose groups of words low has all of.
func matchTopic(entries []faqEntry, low string) string {
	for _, e := range entries {
		for _, group := range e.any {
			all := true
			for _, w := range group {
				if !strings.Contains(low, w) {
					all = false
					break
				}
			}
			if all {
				return e.topic
			}
		}
	}
	return ""
}

// aNotA reports a Chinese question asked by a word and its negation: 冷不冷, 贵不贵, 远不远.
func aNotA(s string) bool {
	rs := []rune(s)
	for i := 1; i+1 < len(rs); i++ {
		if rs[i] == '不' && rs[i-1] == rs[i+1] && rs[i-1] > 0x2e80 {
			return true
		}
	}
	return false
}
