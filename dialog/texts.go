package dialog

import (
	"fmt"
	"strings"
)

// Languages the bot speaks.
const (
	LangZH = "zh"
	LangEN = "en"
)

// catalogue holds every text a traveller can see, one entry per message, zh-CN and en.
// Entries are fmt formats; the arguments each takes are noted where they are not obvious.
var catalogue = map[string][2]string{ // [zh, en]
	"greeting": {"你好，我是行趣旅行助手 🧳 告诉我你想去哪里、什么时候、预算多少，一句话说完也可以，比如「福州，10月25日到11月4日，每人2000，带孩子」。",
		"Hi, I'm xingqu, your travel assistant 🧳 Tell me where, when and your budget — all in one message if you like, e.g. \"Lisbon, Dec 20-27, €1500 each, with kids\"."},
	"ask_destination": {"你想去哪里？", "Where would you like to go?"},
	"ask_dates":       {"打算什么时候出发、玩几天？例如「10月25日到28日」或「下周五出发，玩五天」。", "When are you travelling? For example \"Oct 25-28\" or \"next Friday for 5 days\"."},
	"ask_start":       {"玩%d天，从哪天出发？", "%d days — starting on which day?"},
	"ask_end":         {"从%s出发，哪天回来？（或者告诉我玩几天）", "Starting %s — until when? (or tell me how many days)"},
	"ask_budget":      {"每人预算大概多少？例如「2000元」「3千5」「$500」。", "What's your budget per person? For example \"2000 CNY\", \"$500\" or \"€800\"."},
	"ask_needs":       {"有没有特殊需求？", "Any special needs?"},
	"ask_prefs":       {"你更喜欢哪类体验？也可以直接告诉我，比如「海边、博物馆、闽菜」。", "What do you enjoy most? You can also just tell me, e.g. \"beaches, museums, seafood\"."},
	"confirm_intro":   {"请确认你的行程需求：", "Here's your trip — please check:"},
	"confirm_ask":     {"没问题的话我就开始做行程，也可以点下面的按钮修改。", "If it looks right I'll make your plan; tap a button to change anything."},
	"what_to_change":  {"想改哪一项？", "What would you like to change?"},
	"planning":        {"好的，正在为你制定三套方案（豪华、经济、穷游），请稍候…", "Great — I'm making three plans for you (luxury, economical, backpacker). One moment…"},
	"still_planning":  {"还在为你制定行程，马上就好。", "Still working on your plan — nearly there."},
	"replanning":      {"收到，已更新：%s。正在重新制定行程…", "Got it, updated: %s. Making a new plan…"},
	"plan_ready":      {"你的行程方案（第%d版）：", "Your plan (version %d):"},
	"plan_draft_note": {"这是根据本地资料生成的方案，具体场所和开放时间出发前请再确认；需要帮助可以随时转人工。", "Planned from built-in data: check places and opening times before you go, and ask for a human any time."},
	"after_plan":      {"想调整哪里都可以直接告诉我，比如「预算改成5000」。", "Tell me anything you'd like to change, e.g. \"make the budget 5000\"."},
	"changed_none":    {"没有发现需要修改的内容。想改哪一项？", "I didn't catch a change. What would you like to change?"},
	"saved_change":    {"收到——%s。", "Got it — %s."},
	"saved_last":      {"按你最后说的为准——%s。", "Going with the last thing you said — %s."},

	"plan_budget_note": {"LLM-105：今天的智能规划额度已经用完，这是离线草案；需要的话可以转人工。", "LLM-105: today's planning allowance is used up, so this is an offline draft. Ask for a human if you'd like help."},

	"err_date_past":      {"%s 已经过去了，请给一个今天（%s）或以后的日期。", "%s is in the past — please give a date from today (%s) on."},
	"err_date_order":     {"结束日期（%s）早于开始日期（%s），请再说一下日期。", "The end date (%s) is before the start (%s). Could you give the dates again?"},
	"err_date_long":      {"行程 %d 天太长了，最多支持30天。请缩短一些。", "%d days is longer than the 30 days I can plan. Could you shorten it?"},
	"err_date_invalid":   {"这个日期好像不存在，请换个写法，例如「10月25日」或「2026-10-25」。", "That date doesn't seem to exist. Try \"Oct 25\" or \"2026-10-25\"."},
	"err_date_ambiguous": {"具体是哪几天呢？例如「7月10日到15日」或「下周五出发玩五天」。", "Which days exactly? For example \"July 10-15\" or \"next Friday for 5 days\"."},
	"err_date_unread":    {"没看懂日期，可以这样说：「10月25日到28日」或「下周五出发玩五天」。", "I couldn't read the dates. Try \"Oct 25-28\" or \"next Friday for 5 days\"."},
	"err_budget_nonpos":  {"预算需要大于0，请告诉我每人大概多少钱。", "The budget needs to be more than zero — roughly how much per person?"},
	"err_budget_style":   {"每次都会做豪华、经济、穷游三档方案——给我一个大概的每人预算，我按它来排。也可以点一个：", "Every plan comes in three levels, backpacker to luxury — give me a rough figure per person and I'll build them around it. Or tap one:"},
	"err_budget_open":    {"没有固定预算也没关系——给我一个大概的数（每人），我会按它做高中低三档方案。也可以点一个：", "No set budget is fine — give me a rough figure per person and I'll make three options around it. Or tap one:"},
	"err_budget_unread":  {"没看懂预算，请给一个数字，例如「2000元」「3千5」「$500」。", "I couldn't read a budget. Please give a number, e.g. \"2000 CNY\", \"$500\"."},
	"err_dest_unread":    {"没听清目的地，请告诉我城市名，例如「福州」或「里斯本」。", "I didn't catch the destination. Please name a city, e.g. \"Fuzhou\" or \"Lisbon\"."},
	"which_place":        {"有好几个叫「%s」的地方，你指的是哪一个？", "There are several places called %s — which one?"},
	"place_unknown":      {"我没找到「%s」（E-707），你是指下面这些地方吗？", "I couldn't find %s (E-707) — did you mean one of these?"},
	"place_unconfirmed":  {"我的地名库里没有「%s」（E-707），确定是这里吗？", "I don't know a place called %s (E-707). Is that right?"},
	"err_dest_long":      {"目的地名字太长了，请只说城市名。", "That's a long place name — just the city, please."},
	"err_needs_unread":   {"没看懂，你可以点下面的按钮，或者说「带孩子」「需要无障碍」「带宠物」「没有」。", "Sorry, I didn't get that. Tap a button, or say \"with kids\", \"wheelchair access\", \"with a pet\" or \"none\"."},
	"turn_failed":        {"抱歉，刚才这条消息没能处理（E-101），请换个说法再试一次，或发送 /human 找人工客服。", "Sorry, I couldn't handle that message (E-101). Please try again in other words, or send /human for a person."},
	"err_unknown_action": {"这个按钮已经过期了。", "That button has expired."},

	"help": {"我可以帮你：规划行程（告诉我目的地、日期、预算）、修改行程、紧急求助（说「紧急」或 /sos）、转人工（/human）、反馈（/feedback）、切换语言（/lang）、订阅维护通知（/subscribe）、查看更新（/changelog）。",
		"I can: plan a trip (tell me where, when and your budget), change it, get help in an emergency (say \"SOS\" or /sos), bring in a human (/human), take feedback (/feedback), switch language (/lang), send maintenance notices (/subscribe) and show what's new (/changelog)."},
	"lang_ask":         {"请选择语言：", "Choose a language:"},
	"lang_switched":    {"好的，以后用中文和你交流。", "OK, I'll speak English from now on."},
	"subscribed":       {"你会收到这些通知：%s，都会按类型提前告诉你。点下面的按钮可以单独开关，发送 /unsubscribe 全部退订。", "You'll get these notices, each ahead of time: %s. Tap a button to switch one on or off; send /unsubscribe to stop them all."},
	"unsubscribed":     {"已退订全部通知。想再收到，发送 /subscribe 或点下面的按钮。", "You won't get notices any more. Send /subscribe or tap a button to get them again."},
	"status_ok":        {"服务运行正常，目前没有计划中的维护。", "All services are running normally; no maintenance is planned."},
	"status_list":      {"当前通知：\n%s", "Current notices:\n%s"},
	"weather_need":     {"告诉我目的地和日期后，我会在行程里附上每天的天气。", "Once I know where and when, your plan will include the weather for each day."},
	"weather_plan":     {"%s 的天气：\n%s", "Weather for %s:\n%s"},
	"weather_checking": {"正在重新查询天气，稍等。", "Checking the forecast again, one moment."},
	"weather_far":      {"这些日期还在天气预报的范围之外（约 %d 天后才能查到），行程照常可用，临近出发再问我就好。", "Those dates are still beyond the forecasts' reach (about %d more days); the plan stands, ask me again closer to the trip."},
	"weather_none":     {"暂时没有这些日期的天气预报（E-303），行程照常提供，出发前可以再问我。", "No forecast is available for those dates yet (E-303); the plan stands, and you can ask again closer to the trip."},
	"new_trip":         {"好的，我们重新开始规划一次旅行。", "OK, let's plan a new trip."},
	"start_over":       {"好的，从头开始。", "OK, starting over."},
	"cancelled":        {"已取消。需要时随时告诉我。", "Cancelled. Just message me when you need me."},
	"back_nothing":     {"已经是第一步了。", "We're already at the first step."},

	// Service notices (seed 000): every notice says when, what, the impact and what to do.
	"notice_published":        {"📢 服务通知", "📢 Service notice"},
	"notice_started":          {"⏱ 现在开始", "⏱ Starting now"},
	"notice_completed":        {"✅ 已完成", "✅ Completed"},
	"notice_cancelled":        {"❎ 已取消（原计划如下，不再进行）", "❎ Cancelled (this will not happen after all)"},
	"notice_when":             {"时间：%s", "When: %s"},
	"notice_what":             {"内容：%s", "What: %s"},
	"notice_impact":           {"影响：%s", "Impact: %s"},
	"notice_todo":             {"建议：%s", "What to do: %s"},
	"notice_todo_done":        {"服务已恢复正常，无需任何操作。如有问题请发送 /human 联系客服。", "Everything is back to normal; nothing to do. If something seems wrong, send /human."},
	"notice_from":             {"%s 起，结束时间待定", "from %s, end not known yet"},
	"notice_range":            {"%s 至 %s", "%s to %s"},
	"notice_unsub":            {"（发送 /unsubscribe 退订通知）", "(send /unsubscribe to stop notices)"},
	"notice_short":            {"⚠️ 本次通知比通常（提前%d天）来得晚，敬请谅解。", "⚠️ This comes at shorter notice than usual (normally %d days ahead); sorry for the short notice."},
	"notice_update":           {"🔄 进展更新", "🔄 Progress update"},
	"notice_progress":         {"最新进展（%s）：%s", "Latest (%s): %s"},
	"notice_type_feature":     {"功能更新", "Feature update"},
	"notice_type_performance": {"性能优化", "Performance update"},
	"notice_type_security":    {"安全更新", "Security update"},
	"notice_type_ui":          {"界面优化", "Interface update"},
	"notice_type_maintenance": {"系统维护", "Maintenance"},
	"notice_type_downtime":    {"系统停服", "Downtime"},
	"maintenance_default":     {"系统正在维护。", "The service is down for maintenance."},
	"maintenance_reply": {"🛠 %s预计恢复时间：%s。你的消息已保存，恢复后会第一时间回复你。紧急情况请直接说「紧急」或发送 /sos，人工客服仍在值班。",
		"🛠 %s Expected back: %s. Your message is saved and will be answered as soon as we're back. In an emergency say SOS or send /sos — a person is still on duty."},
	"maintenance_until_unknown": {"待定，恢复后会通知你", "not known yet; you'll hear when we're back"},
	"status_maintenance":        {"维护中，预计 %s 恢复：%s", "Maintenance until %s: %s"},

	"emergency": {"🚨 我已通知人工客服，会尽快联系你。如有生命危险请立即拨打急救电话：中国 110（警察）/120（急救）/119（火警），其他国家 112。护照丢失请尽快联系当地警方和中国使领馆（外交部全球领事保护热线 +86-10-12308）。可以分享你的位置，方便我们帮你。",
		"🚨 I've alerted a human agent, who will contact you as soon as possible. If anyone is in danger, call emergency services now: 112 in most countries (China: 110 police, 120 ambulance, 119 fire; US: 911). For a lost passport, report it to the local police and contact your embassy. Share your location if you can, so we can help."},
	"emergency_more": {"已记录并转给客服。如有危险请拨打 110/120（中国）或 112。", "Noted and passed to the agent. If you're in danger, call 112 (or 110/120 in China)."},
	"emergency_ok":   {"很高兴你没事。我们继续。", "Glad you're OK. Let's carry on."},

	"human_requested": {"已为你联系人工客服，客服通常几分钟内就会在这里回复你。", "I've asked a human agent to join; they usually reply right here within a few minutes."},
	"human_waiting":   {"人工客服马上就到，你的消息已转给他们。", "A human agent will be with you shortly; they'll see your messages."},
	"human_cancelled": {"好的，继续由我为你服务。", "OK, back to me then."},
	"handback":        {"客服已结束对话，接下来由我继续为你服务。", "The agent has handed you back to me."},
	"agent_joined":    {"人工客服已接入，接下来由客服为你服务。", "A support agent has joined and will reply here."},

	"feedback_ask":     {"请给我们的服务打个分（1-5 星）：", "How would you rate the service (1-5 stars)?"},
	"feedback_comment": {"谢谢！还有什么想说的吗？（可跳过）", "Thanks! Anything you'd like to add? (optional)"},
	"feedback_thanks":  {"感谢你的反馈，我们会认真处理。", "Thank you for the feedback — we read every one."},
	"feedback_unread":  {"请选1到5星，或者点「跳过」。", "Please pick 1 to 5 stars, or tap Skip."},

	"maintenance": {"系统维护中：%s", "Under maintenance: %s"},

	"v_misspelt":               {"%s（按「%s」理解）", "%s (reading \"%s\" as that)"},
	"f_exclude":                {"不安排", "Leave out"},
	"which_of":                 {"你说了%s，想去哪一个？", "You mentioned %s — which one shall I plan?"},
	"or_sep":                   {"和", " and "},
	"vague_place":              {"可以考虑下面这些地方，选一个，或者直接告诉我城市名：", "Here are a few places that fit — pick one, or tell me a city:"},
	"err_date_period":          {"「%s」是%s到%s，具体哪几天呢？可以点一个，或者直接说几号到几号。", "%s is %s to %s — which days exactly? Tap one, or say the days."},
	"err_date_order_ambiguous": {"这个日期有两种读法，你指的是哪一种？", "That date can be read two ways — which one do you mean?"},
	"smalltalk":                {"😊 我在呢。", "😊 I'm here."},
	"faq_getting_there":        {"火车票和机票我查不了也订不了：火车可以在12306查，机票在航司或你常用的订票平台查。方案默认第1天当天抵达并入住；到得晚的话告诉我，比如「第1天上午换成抵达休息」。需要人帮忙可以发送 /human。", "I can't look up or book trains and flights: check the rail operator, the airline or your usual booking site. The plan assumes you arrive and check in on day 1; if you arrive late, tell me, e.g. \"swap day 1 morning for arrival and rest\". Send /human if you'd like a person to help."},
	"faq_packing":              {"带什么主要看当地天气：方案里有每天的天气预报（查不到时会说明），出发前几天再看一次最准。一般建议：好走的鞋、可以叠穿的衣服、充电宝、证件和常用药。", "What to pack depends on the weather there: the plan shows each day's forecast (or says it isn't available yet), and it's most accurate a few days before you leave. Generally: comfortable walking shoes, layers, a power bank, your documents and any medicines you need."},
	"faq_hotel_pick":           {"我不推荐具体某一家酒店，也不能预订。三套方案分别按豪华、舒适和青旅的标准安排住宿：选定一套后，按那个档次在方案常去的区域附近找就好。想住好一点可以说「升级酒店」。", "I don't pick a particular hotel or book one. The three options plan luxury, comfortable and hostel stays: once you choose one, look for that kind of place near where the plan spends its days. Say \"upgrade the hotels\" for nicer ones."},
	"faq_prices":               {"我没有实时的门票和价格。每套方案标的预算区间已经算进一般的住宿、交通、餐饮和门票花费；具体价格请以景点官网或购票平台为准。想省一点可以说「便宜一点」。", "I don't have live ticket prices. Each option's budget range already counts typical stays, transport, meals and entry fees; check the sight's own site or a ticket site for exact prices. Say \"make it cheaper\" to spend less."},
	"trip_question":            {"这个问题我还答不好——我能做的是制定和修改行程。想找人帮忙可以发送 /human；想改行程直接告诉我，比如「第2天换成博物馆」。", "That's a question I can't answer well — what I do is plan and change your trip. Send /human to ask a person; or tell me a change, e.g. \"swap day 2 for a museum\"."},
	"budget_question":          {"要看地方和玩法：我会按你给的数做豪华、经济、穷游三档方案，所以给个大概的每人预算就够了。国内游一般每人每天300-1000元，出境游更多。也可以点一个：", "It depends on the place and the style: I make a luxury, an economical and a backpacker option around the figure you give, so a rough amount per person is enough — roughly $100-300 a day per person for most trips. Or tap one:"},
	"form_question":            {"这个问题我答不好——我能做的是制定和修改行程；需要人帮忙可以发送 /human。我们先接着来：", "That's a question I can't answer well — what I do is plan and change trips; send /human to ask a person. Let's carry on:"},
	"weather_later":            {"做方案时我会查%s的天气预报，能查到的日子会附在每天的行程里（预报只覆盖未来16天）。", "I'll look up the forecast for %s when I make your plan and add it to each day that has one (forecasts reach about 16 days ahead)."},
	"smalltalk_thanks":         {"不客气！😊", "You're welcome! 😊"},
	"smalltalk_bye":            {"好的，祝你旅途愉快！想继续的时候随时发消息给我。", "Bye for now — have a great trip! Message me any time to pick up where we left off."},
	"praise_noted":             {"谢谢夸奖，很高兴你喜欢！你的话我们已经转给团队。方便的话给我们打个分：", "Thank you — glad you like it! I've passed your words on to the team. If you like, rate the service:"},
	"complaint_noted":          {"抱歉给你带来不好的体验，你的意见已经记下，我们会认真处理。方便的话给我们打个分：", "Sorry about that — I've passed your words on to the team. If you like, rate the service:"},
	"chose_option":             {"好的，你选择了「%s」。需要调整的话随时告诉我。", "Great — you chose %s. Tell me if you'd like to change anything."},
	"cancel_ask":               {"确定要取消这次行程吗？已收集的信息会清空。", "Cancel this trip? What you've told me so far will be cleared."},
	"cancel_kept":              {"好的，行程保留。", "OK, your trip stays as it is."},
	"btn_cancel_yes":           {"取消行程", "Yes, cancel it"},
	"btn_cancel_no":            {"保留", "No, keep it"},
	"btn_tomorrow":             {"明天出发", "From tomorrow"},
	"btn_next_weekend":         {"下周末", "Next weekend"},
	"btn_next_week":            {"下周一出发玩一周", "Next week, Mon-Sun"},
	"btn_weather_again":        {"再查天气", "Check the weather"},
	"btn_none_long":            {"没有特殊需求", "No special needs"},

	"faq_data":         {"你的数据是安全的：只用于为你规划行程，不会出售或公开；系统更新和维护前都会备份，过程中不会删除或修改数据。发送 /human 可以联系客服处理删除等请求。", "Your data is safe: it is used only to plan your trips, never sold or published. Updates and maintenance never delete or change it, and it is backed up before each one. Send /human to ask a person about deleting it."},
	"faq_update_time":  {"更新时间看类型：功能更新和性能优化约1-2小时，安全更新30分钟到1小时，界面优化约1小时；计划停服一般1-2小时。每次都会提前通知。", "It depends on the kind of update: feature and performance updates take about 1-2 hours, security updates 30 minutes to an hour, interface updates about an hour; planned downtime is usually 1-2 hours. You'll always hear ahead of time."},
	"faq_use_during":   {"更新和停服期间暂停服务，无法使用，建议提前完成重要操作；日常维护不影响使用，周期维护可能短暂变慢。紧急情况仍可发送 /sos 找到人工。", "During updates and downtime the service pauses, so finish anything important beforehand; routine maintenance doesn't affect you and periodic maintenance may slow things briefly. In an emergency, /sos still reaches a person."},
	"faq_notices":      {"发送 /subscribe 订阅更新、维护和停服通知，我们会按类型提前告诉你（功能更新提前7天，计划停服提前7天，安全更新提前1天）；网页上也会弹窗提示，/changelog 可以查看更新记录。", "Send /subscribe to get update, maintenance and downtime notices ahead of time (feature updates and planned downtime 7 days before, security updates a day before); the web page shows them too, and /changelog lists what changed."},
	"faq_after_update": {"更新后建议清除浏览器缓存、重新登录并检查功能是否正常；有问题可以联系客服（/human）。", "After an update, clear your browser cache, log in again and check everything works; if something's wrong, send /human."},
	"faq_downtime":     {"维护和停服都会提前通知，期间你的消息会保存，恢复后第一时间回复；发送 /status 查看当前状态。", "Maintenance and downtime are announced ahead of time; messages sent meanwhile are kept and answered as soon as we're back. Send /status for the current state."},
	"faq_visa":         {"签证和入境要求取决于你的护照和目的地，我没法替你确认或办理；出发前请查看目的地使领馆或官方入境网站的最新规定。行程方案照常给你做。", "Visa and entry rules depend on your passport and where you go, so I can't confirm or arrange them: check the destination's embassy or official entry website before you travel. I'll still plan the trip."},
	"faq_booking":      {"我不能直接预订酒店、机票或门票；方案里会给出住宿和交通的建议，预订请在你常用的平台完成。需要人工帮忙可以发送 /human。", "I can't book hotels, flights or tickets myself: the plan suggests where to stay and how to get around, and you book them where you usually do. Send /human if you'd like a person to help."},
	"faq_cost":         {"用我规划行程是免费的；方案里的预算是旅行本身的花费。", "Planning with me is free; the budgets in a plan are what the trip itself costs."},
	"plan_agreed":      {"好的，就按这个方案来！祝旅途愉快。出发前想调整什么随时告诉我。", "Great — that's the plan, then! Have a wonderful trip. Tell me any time you'd like to change something."},
	"smalltalk_who":    {"我是行趣的旅行助手，一个自动回复的机器人：帮你规划和修改行程。想找真人可以随时发送 /human。", "I'm xingqu's travel assistant — a bot that plans and changes trips. To talk to a person any time, send /human."},
	"faq_what":         {"我可以帮你规划行程：告诉我目的地、日期和预算，我给你三套方案（豪华、经济、穷游），之后还能随时修改。", "I plan trips: tell me where, when and your budget, and I'll make three options (luxury, economical, backpacker) you can change any time."},

	// Labels of quick-reply choices.
	"btn_kids":        {"带孩子", "With kids"},
	"btn_access":      {"需要无障碍", "Wheelchair access"},
	"btn_pets":        {"带宠物", "With a pet"},
	"btn_none":        {"没有特殊需求", "None"},
	"btn_nature":      {"自然风光", "Nature"},
	"btn_culture":     {"人文历史", "Culture & history"},
	"btn_food":        {"美食", "Food"},
	"btn_skip":        {"跳过", "Skip"},
	"btn_plan":        {"✅ 生成行程", "✅ Make my plan"},
	"btn_change":      {"修改", "Change something"},
	"btn_destination": {"改目的地", "Destination"},
	"btn_dates":       {"改日期", "Dates"},
	"btn_budget":      {"改预算", "Budget"},
	"btn_needs":       {"改特殊需求", "Needs"},
	"btn_prefs":       {"改偏好", "Preferences"},
	"btn_human":       {"转人工", "Talk to a human"},
	"btn_feedback":    {"评价", "Rate us"},
	"btn_safe":        {"我没事了", "I'm safe now"},
	"btn_back_bot":    {"继续用机器人", "Carry on with the bot"},
	"btn_weather":     {"看天气", "Weather"},
	"btn_keep_place":  {"就是「%s」", "Yes, %s"},
	"btn_other_place": {"换一个地方", "Somewhere else"},

	// Field names in summaries.
	"f_destination": {"目的地", "Destination"},
	"f_dates":       {"日期", "Dates"},
	"f_budget":      {"预算", "Budget"},
	"f_party":       {"人数", "Travellers"},
	"f_needs":       {"特殊需求", "Needs"},
	"f_prefs":       {"偏好", "Preferences"},
	"f_other":       {"其他", "Other"},
	"v_days":        {"%s 至 %s（%d天）", "%s to %s (%d days)"},
	"v_per_person":  {"每人 %s", "%s per person"},
	"v_total":       {"一共 %s", "%s in total"},
	"v_none":        {"无", "none"},
	"v_kids":        {"亲子", "kid-friendly"},
	"v_access":      {"无障碍", "accessible"},
	"v_pets":        {"宠物友好", "pet-friendly"},
	"tier_luxury":   {"豪华尊享游", "Luxury"},
	"tier_econ":     {"经济适用游", "Economical"},
	"tier_back":     {"特种兵穷游", "Backpacker"},

	// Telegram channel: plan cards, media the bot cannot read, command menu.
	"tg_plan_progress":   {"✍️ 正在撰写行程…", "✍️ Writing your plan…"},
	"tg_plan_day_by_day": {"📅 %s：逐日安排", "📅 %s: day by day"},
	"tg_plan_days_title": {"%s · 逐日安排", "%s · day by day"},
	"tg_per_person":      {"每人 %s", "%s per person"},
	"tg_more_days":       {"……还有%d天，点下方按钮查看逐日安排。", "…and %d more days: tap a button below for the day-by-day plan."},
	"tg_morning":         {"上午", "Morning"},
	"tg_afternoon":       {"下午", "Afternoon"},
	"tg_evening":         {"晚上", "Evening"},
	"tg_food":            {"美食", "Food"},
	"tg_tips":            {"提示", "Tips"},
	"tg_plan_gone":       {"这个方案已经找不到了，请发送 /status 或重新规划。", "I can't find that plan any more; send /status or plan again."},
	"tg_unsupported":     {"我还看不懂%s，请用文字告诉我，或者分享位置 📍", "I can't read %s yet; please tell me in words, or share a location 📍"},
	"tg_kind_sticker":    {"贴纸", "stickers"},
	"tg_kind_photo":      {"图片", "photos"},
	"tg_kind_voice":      {"语音", "voice messages"},
	"tg_kind_file":       {"这类消息", "this kind of message"},
	"tg_group_only_dm":   {"请私聊我来规划行程：点我的头像，然后发送 /start。", "Please message me privately to plan a trip: tap my name, then send /start."},
	"tg_cmd_start":       {"开始规划行程", "Start planning a trip"},
	"tg_cmd_help":        {"我能做什么", "What I can do"},
	"tg_cmd_new":         {"规划新的行程", "Plan a new trip"},
	"tg_cmd_lang":        {"切换语言 中文/English", "Switch language 中文/English"},
	"tg_cmd_subscribe":   {"订阅更新和维护通知", "Get update and maintenance notices"},
	"tg_cmd_unsubscribe": {"退订通知", "Stop notices"},
	"tg_cmd_status":      {"服务状态和我的计划", "Service status and my plan"},
	"tg_cmd_changelog":   {"最近更新", "What's new"},
	"tg_cmd_feedback":    {"反馈和评分", "Feedback and rating"},
	"tg_cmd_human":       {"转人工客服", "Talk to a person"},
	"tg_cmd_sos":         {"紧急求助", "Emergency help"},
	"tg_cmd_cancel":      {"取消当前操作", "Cancel what I'm doing"},
}

// LangOfHint reads a channel's language hint (a locale such as "zh-CN" or "en-GB"):
// "zh" for any Chinese, "en" for anything else, "" when there is no hint.
func LangOfHint(hint string) string {
	switch {
	case hint == "":
		return ""
	case strings.HasPrefix(strings.ToLower(hint), "zh"):
		return LangZH
	}
	return LangEN
}

// T returns the text key in lang, formatted with args. An unknown key is a programming
// error and shows as the key itself rather than failing a traveller's turn.
func T(lang, key string, args ...any) string {
	e, ok := catalogue[key]
	if !ok {
		return key
	}
	s := e[1]
	if lang == LangZH {
		s = e[0]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// TierTitle is the display name of a tier in lang.
func TierTitle(lang string, t Tier) string {
	switch t {
	case TierLuxury:
		return T(lang, "tier_luxury")
	case TierEconomical:
		return T(lang, "tier_econ")
	}
	return T(lang, "tier_back")
}
