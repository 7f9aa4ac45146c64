package dialog

import "fmt"

// careTexts are the catalogue's entries for cases: what a traveller is told about their
// emergency or request for a human, and when it changes. They join the catalogue at
// start-up, so T reads them like any other.
var careTexts = map[string][2]string{ // [zh, en]
	"case_none":            {"你目前没有求助记录。需要帮助可以发送 /sos（紧急）或 /human（人工客服）。", "You have no open request. Send /sos in an emergency or /human to reach a person."},
	"case_kind_emergency":  {"紧急求助", "emergency"},
	"case_kind_human":      {"人工客服请求", "request for a person"},
	"case_status_line":     {"你的%s（编号 #%d）：%s。", "Your %s (case #%d): %s."},
	"case_open":            {"已通知客服，正在等待接手", "agents have been alerted and someone will pick it up shortly"},
	"case_acknowledged":    {"客服 %s 已收到", "%s has seen it"},
	"case_acknowledged_nn": {"客服已收到", "an agent has seen it"},
	"case_in_progress":     {"客服 %s 正在处理", "%s is working on it"},
	"case_resolved":        {"已解决", "resolved"},
	"case_last_note":       {"最新进展：%s", "Latest: %s"},
	"case_safe_noted":      {"你已告诉我们你现在安全，客服确认后会结案。", "You told us you are safe; the agent will close the case once they have checked."},
	// The case events take the agent's name, then the case number, then the note.
	"case_ev_acknowledged": {"客服 %[1]s 已经接手你的求助（#%[2]d），会尽快联系你。", "%[1]s has picked up your case (#%[2]d) and will be in touch shortly."},
	"case_ev_assigned":     {"你的求助（#%[2]d）现在由客服 %[1]s 处理。", "Your case (#%[2]d) is now with %[1]s."},
	"case_ev_note":         {"客服 %[1]s 更新了你的求助（#%[2]d）：%[3]s", "Update on your case (#%[2]d) from %[1]s: %[3]s"},
	"case_ev_resolved":     {"你的求助（#%[2]d）已由客服 %[1]s 结案。如有新的情况，随时发送 /sos 或 /human。", "%[1]s has closed your case (#%[2]d). If anything else comes up, send /sos or /human at any time."},
	"case_ev_safe":         {"收到，很高兴你没事。我已告诉客服，求助（#%d）会由客服确认后结案。", "Glad you're safe. I've told the agent; they will close your case (#%d) once they have checked."},
	"case_agent_default":   {"客服", "An agent"},
	"tg_cmd_case":          {"我的求助进度", "My case's progress"},

	// Emergencies: what the first reply's buttons and the following turns say.
	"btn_share_location": {"📍 分享我的位置", "📍 Share my location"},
	"emergency_care":     {"听到你这么说，我很担心你。你并不孤单：我已经请人工客服马上来陪你聊。如果你有危险或想伤害自己，请立即拨打下面的急救电话，或联系身边信任的人。", "I'm really sorry you're feeling this way, and I'm worried about you. You're not alone: I've asked a person from our team to talk with you right away. If you are in danger or might hurt yourself, please call the emergency number below now, or reach out to someone you trust nearby."},
	"emergency_noted":    {"已记录并转给客服。如有危险，请立即拨打上面的紧急电话。", "Noted and passed to the agent. If anyone is in danger, call the emergency number above now."},
	"emergency_here":     {"收到你的位置：%s。", "Got your location: %s."},
	"safe_noted":         {"收到，很高兴你没事。我已告诉客服，客服确认后会结案。我们继续。", "Glad you're safe. I've told the agent, who will close your case once they have checked. Let's carry on."},
	"nearby_hospital":    {"离你最近的医院：", "Hospitals nearest to you:"},
	"nearby_police":      {"离你最近的警察局：", "Police stations nearest to you:"},
	"nearby_none":        {"暂时查不到你附近的医院或警察局，请向身边的人、酒店前台或店员询问最近的一家。", "I can't look up the hospitals or police stations near you right now: please ask someone nearby, your hotel's front desk or a shop, for the nearest one."},
	"ask_location":       {"请点「📍 分享我的位置」，或直接输入你所在的城市或地址。", "Press \"📍 Share my location\", or type your city or address."},
	"err_location": {"未能获取位置信息（E-202）。在 Telegram 里点「📍 分享我的位置」或回形针 → 位置；在网页里请允许浏览器使用你的位置；也可以直接输入你所在的城市或地址。",
		"Couldn't get your location (E-202). In Telegram, press \"📍 Share my location\" or the paperclip → Location; on the web, allow the browser to use your location; or just type your city or address."},

	// Feedback handled by a person: the reply they wrote, in their words.
	"feedback_reply": {"关于你的反馈「%[1]s」，客服回复：%[2]s", "About your feedback \"%[1]s\", our team replies: %[2]s"},

	// Weather alerts take the hazard, the place, the date and the day of the trip.
	"wx_alert":                 {"⚠️ 天气预警：%[2]s %[3]s（行程第%[4]d天）预计有%[1]s", "⚠️ Weather warning: %[1]s expected in %[2]s on %[3]s (day %[4]d of your trip)"},
	"wx_alert_chosen":          {"⚠️ 天气预警：%[2]s %[3]s（你选的%[5]s第%[4]d天）预计有%[1]s", "⚠️ Weather warning: %[1]s expected in %[2]s on %[3]s (day %[4]d of the %[5]s plan you chose)"},
	"wx_alert_day":             {"。当天原定：%s", ". That day's plan: %s"},
	"wx_alert_morning":         {"上午 %s", "morning %s"},
	"wx_alert_afternoon":       {"下午 %s", "afternoon %s"},
	"wx_alert_evening":         {"晚上 %s", "evening %s"},
	"wx_alert_official":        {"：%s", ": %s"},
	"wx_alert_sep":             {"；", "; "},
	"wx_alert_advice":          {"。建议把当天的户外安排换成室内活动，比如博物馆、美术馆、室内市场或美食街，并留意当地发布的最新消息。要我把第%d天改成室内行程吗？", ". Consider swapping that day's outdoor plans for indoor ones (museums, galleries, covered markets, a food hall) and follow local updates. Shall I make day %d an indoor day?"},
	"wx_alert_edit":            {"第%d天改成室内活动", "make day %d indoor activities"},
	"wx_hazard_official_alert": {"气象部门发布的预警", "an official weather warning"},
	"wx_hazard_storm":          {"雷暴或大风", "thunderstorms or gale-force winds"},
	"wx_hazard_heavy_snow":     {"大雪", "heavy snow"},
	"wx_hazard_heavy_rain":     {"暴雨", "heavy rain"},
	"wx_hazard_extreme_heat":   {"高温", "extreme heat"},
	"wx_hazard_extreme_cold":   {"严寒", "extreme cold"},
}

func init() {
	for k, v := range careTexts {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("dialog: text %q defined twice", k))
		}
		catalogue[k] = v
	}
}
