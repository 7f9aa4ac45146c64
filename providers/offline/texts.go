package offline

import (
	"fmt"
	"strings"

	"xingqu/dialog"
)

// texts is the draft's wording in one language. The draft is generated, not chatted, so
// its words live here rather than in the dialog's reply catalogue.
type texts struct {
	titleLuxury, titleEconomical, titleBackpacker string

	theDestination string
	arrive         string // destination, lodging
	natureWith     string // move, preference, destination
	natureAny      string // move, destination
	cultureWith    string // preference, destination
	cultureAny     string // destination
	dinnerWith     string // place, cuisine
	dinnerAny      string // place
	kidBreak       string
	localFood      string

	noteKids, noteAccess, notePets string
	sep                            string

	draft      string
	otherNeeds string // the traveller's words
	party      string

	tier map[dialog.Tier]tierTexts
}

type tierTexts struct {
	stay   string   // where one sleeps
	move   string   // how one gets around
	dine   string   // where one eats
	depart string   // last evening
	food   []string // each with the cuisine
	tip    string
}

func (t *texts) f(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func (t *texts) sight(pref, dest string, ts tierTexts) string {
	if p := strings.TrimSpace(pref); p != "" {
		return t.f(t.natureWith, ts.move, p, dest)
	}
	return t.f(t.natureAny, ts.move, dest)
}

func (t *texts) culture(pref, dest string, _ tierTexts) string {
	if p := strings.TrimSpace(pref); p != "" {
		return t.f(t.cultureWith, p, dest)
	}
	return t.f(t.cultureAny, dest)
}

func (t *texts) dinner(cuisine string, ts tierTexts) string {
	if c := strings.TrimSpace(cuisine); c != "" {
		return t.f(t.dinnerWith, ts.dine, c)
	}
	return t.f(t.dinnerAny, ts.dine)
}

func textsFor(lang string) *texts {
	if isZh(lang) {
		return &zh
	}
	return &en
}

var zh = texts{
	titleLuxury:     "豪华尊享游",
	titleEconomical: "经济适用游",
	titleBackpacker: "特种兵穷游",

	theDestination: "目的地",
	arrive:         "抵达%s，入住%s",
	natureWith:     "%s前往%s，欣赏%s的自然风光",
	natureAny:      "%s游览%s的代表性自然景观",
	cultureWith:    "走访%s，感受%s的人文风情",
	cultureAny:     "漫步%s老城街区，参观当地博物馆",
	dinnerWith:     "在%s品尝%s",
	dinnerAny:      "在%s品尝当地特色菜",
	kidBreak:       "（午后留出休息时间）",
	localFood:      "当地特色菜",

	noteKids:   "亲子友好：节奏放缓，优先选择适合儿童的场所",
	noteAccess: "无障碍：选择有电梯和坡道的场所，出发前确认无障碍设施",
	notePets:   "携宠出行：选择允许携带宠物的场所与住宿，提前确认交通工具的携宠规定",
	sep:        "；",

	draft:      "这是离线草案：行程规划服务暂时不可用，以下内容仅根据您提供的信息生成，具体场所未经核实。如需帮助，可以转人工。",
	otherNeeds: "已记录您的其他需求：%s。草案未能逐项核实，建议转人工确认。",
	party:      "多人同行：热门场所和餐厅建议提前预约。",

	tier: map[dialog.Tier]tierTexts{
		dialog.TierLuxury: {
			stay: "五星级酒店", move: "专车", dine: "高端餐厅",
			depart: "从容返程，专车送站/送机",
			food:   []string{"%s·口碑高端餐厅", "%s·酒店特色餐厅"},
			tip:    "全程专车与私人导游，热门景点可预约贵宾通道。",
		},
		dialog.TierEconomical: {
			stay: "舒适型酒店", move: "乘公共交通", dine: "本地口碑餐馆",
			depart: "乘公共交通返程",
			food:   []string{"%s·本地口碑小馆", "%s·人气家常菜"},
			tip:    "公共交通加打车，景点门票可提前在线购买享受优惠。",
		},
		dialog.TierBackpacker: {
			stay: "青年旅舍", move: "早起步行或骑行", dine: "夜市和街头小店",
			depart: "乘夜车或廉价航班返程",
			food:   []string{"%s·街头小吃", "%s·夜市排档"},
			tip:    "早出晚归，优先免费景点，多用步行、共享单车和地铁。",
		},
	},
}

var en = texts{
	titleLuxury:     "Luxury",
	titleEconomical: "Economical",
	titleBackpacker: "Backpacker",

	theDestination: "the destination",
	arrive:         "Arrive in %s and check in at a %s",
	natureWith:     "%s to %s for the natural scenery of %s",
	natureAny:      "%s to the best-known natural sights of %s",
	cultureWith:    "Explore %s and the culture of %s",
	cultureAny:     "Walk the old town of %s and visit a local museum",
	dinnerWith:     "Dinner at %s: %s",
	dinnerAny:      "Dinner at %s: local specialities",
	kidBreak:       " (with a rest after lunch)",
	localFood:      "Local specialities",

	noteKids:   "Kid-friendly: a gentle pace and places suited to children",
	noteAccess: "Accessibility: places with lifts and ramps; check step-free access before you go",
	notePets:   "Travelling with a pet: pet-friendly places and lodging; check transport rules for pets in advance",
	sep:        "; ",

	draft:      "This is an offline draft: the planning service is unavailable right now, so it is built only from what you told us and its places are not verified. You can ask for a human at any time.",
	otherNeeds: "We noted your other needs: %s. This draft could not check them one by one; ask for a human to confirm.",
	party:      "Travelling as a group: book popular places and restaurants ahead.",

	tier: map[dialog.Tier]tierTexts{
		dialog.TierLuxury: {
			stay: "five-star hotel", move: "Private car", dine: "a fine-dining restaurant",
			depart: "Unhurried departure with a private transfer",
			food:   []string{"%s at a renowned fine-dining restaurant", "%s at the hotel's signature restaurant"},
			tip:    "Private car and guide throughout; book priority entry at popular sights.",
		},
		dialog.TierEconomical: {
			stay: "comfortable mid-range hotel", move: "Public transport", dine: "a well-reviewed local restaurant",
			depart: "Head home by public transport",
			food:   []string{"%s at a well-reviewed local restaurant", "%s, home-style"},
			tip:    "Public transport plus the odd taxi; buy tickets online ahead for discounts.",
		},
		dialog.TierBackpacker: {
			stay: "hostel", move: "Early start on foot or by bike", dine: "night-market stalls",
			depart: "Head home by night train or budget flight",
			food:   []string{"%s from street stalls", "%s at the night market"},
			tip:    "Start early, favour free sights, walk, cycle and take the metro.",
		},
	},
}
