package offline

import (
	"fmt"

	"xingqu/dialog"
)

// texts is the draft's wording in one language. The draft is generated, not chatted, so
// its words live here rather than in the dialog's reply catalogue. Every format takes
// its arguments in the order its comment gives.
type texts struct {
	titleLuxury, titleEconomical, titleBackpacker string

	theDestination string
	localFood      string // the cuisine when none was named
	sep            string // between list items

	// The first and the last day.
	arrive, arriveWalk string    // destination, lodging | destination
	arriveOnly         string    // destination, lodging: a one-day trip
	lastMorning        string    // destination
	lastAfternoon      string    // destination
	lastNoShop         string    // destination: lastAfternoon when shopping is ruled out
	byRail             [2]string // lastAfternoon's "station or airport", and "station" alone: flying ruled out
	kidBreak           string
	accessRoute        string // appended to outdoor lines
	summerMorning      string // before an outdoor morning in the hot season
	winterAfternoon    string // after an outdoor afternoon in the cold season

	// Themes of the days between, morning and afternoon, each with the arguments
	// [1] move, [2] destination, [3] guide, [4] museums, [5] cuisine (see days.go).
	themes map[string][2]string

	dayTripMorning, dayTripAfternoon, dayTripEvening string // transport, km, town | town | destination
	spare                                            string // day number, destination

	// Lines for what the traveller named: a sight, a landscape or a kind of place.
	namedMorning, namedAfternoon string // move, name | name
	namedSecond                  string // another name

	dinners     []string // dine, cuisine
	kidsDinner  string   // cuisine
	quietDinner string   // cuisine: the night before a day trip

	noteKids, noteAccess, notePets string

	otherNeeds string // the traveller's words
	party      string

	tier map[dialog.Tier]tierTexts
}

type tierTexts struct {
	stay    string   // where one sleeps
	move    string   // how one gets around town
	trip    string   // how one gets to a town nearby
	dine    string   // where one eats
	guide   string   // how the old town and museums are seen
	depart  string   // last evening
	rail    string   // last evening, flying ruled out
	food    []string // each with the cuisine
	tip     string
	museums string // which museums
}

func (t *texts) f(format string, a ...any) string { return fmt.Sprintf(format, a...) }

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
	localFood:      "当地特色菜",
	sep:            "；",

	arrive:          "抵达%s，入住%s，放下行李稍作休息",
	arriveWalk:      "在住处附近的街区散步，熟悉%s的街道、超市和地铁站",
	arriveOnly:      "抵达%s，把行李寄存在%s",
	lastMorning:     "睡到自然醒，在住处附近吃一顿从容的早午餐，和%s告别",
	lastAfternoon:   "买些%s的伴手礼，收拾行李，提前出发去车站或机场",
	lastNoShop:      "在%s最后随意走走，收拾行李，提前出发去车站或机场",
	byRail:          [2]string{"车站或机场", "车站"},
	kidBreak:        "（午后回住处让孩子歇一歇）",
	accessRoute:     "（选平坦的无障碍路线）",
	summerMorning:   "趁早上凉快，",
	winterAfternoon: "，天黑得早，傍晚前回到城里",

	themes: map[string][2]string{
		"oldtown":    {"%[3]s逛%[2]s的老城和历史街区", "在老城的茶馆或咖啡馆歇脚，看看%[2]s人的日常"},
		"oldtown2":   {"去%[2]s的另一片老街区，看老房子和街边小店", "找一家老字号，听店主讲讲%[2]s的老故事"},
		"museum":     {"参观%[2]s的%[4]s，了解这座城市的来历", "%[3]s看%[2]s的历史建筑和名人故居"},
		"museum2":    {"去%[2]s的美术馆或艺术街区看展", "逛独立书店和设计小店，挑一本关于%[2]s的书"},
		"food":       {"逛%[2]s的早市和菜市场，尝当地早点", "沿着%[2]s的美食街一路吃过去，主角是%[5]s"},
		"food2":      {"跟着本地人去吃%[2]s的老字号早餐", "上一堂%[2]s家常菜烹饪课，学做一道%[5]s"},
		"nature":     {"%[1]s去%[2]s城郊的山里或江边走走", "在%[2]s的植物园或湿地公园慢慢逛"},
		"nature2":    {"%[1]s去%[2]s的滨水步道，看看这座城市的水岸", "在%[2]s的城市公园野餐、放空"},
		"park":       {"到%[2]s的城市公园晨练，看本地人打太极、跳舞", "去%[2]s的观景台或高处俯瞰全城"},
		"craft":      {"在%[2]s找一家手作工坊，体验当地手艺", "逛%[2]s的创意园区和周末市集"},
		"petsMuseum": {"带着宠物逛%[2]s的露天雕塑公园和户外艺术区", "在允许宠物的咖啡馆坐坐，再去%[2]s的河边草地"},
	},

	dayTripMorning:   "%s去约%.0f公里外的%s一日游",
	dayTripAfternoon: "在%s逛老街、尝当地小吃，看看和大城市不一样的日常",
	dayTripEvening:   "傍晚回到%s，在住处附近吃顿简单的晚饭",
	spare:            "第%d天自由安排：在%s挑一处前几天最想再去的地方",

	namedMorning:   "%s前往%s",
	namedAfternoon: "继续游览%s，留足时间拍照和休息",
	namedSecond:    "下午去%s看看，留足时间拍照和休息",

	dinners: []string{
		"在%s品尝%s",
		"去老城里的%s吃%s，饭后散步回住处",
		"在%s吃%s，尝尝当季的菜",
		"在水边的%s吃%s，看城市夜景",
	},
	kidsDinner:  "早点在住处附近吃%s，让孩子早些休息",
	quietDinner: "在住处附近简单吃点%s，早点休息，明天出城",

	noteKids:   "亲子友好：节奏放缓，优先选择适合儿童的场所",
	noteAccess: "无障碍：选择有电梯和坡道的场所，出发前确认无障碍设施",
	notePets:   "携宠出行：选择允许携带宠物的场所与住宿，提前确认交通工具的携宠规定",

	otherNeeds: "已记录您的其他需求：%s。出发前请再确认一遍，也可以转人工帮您核实。",
	party:      "多人同行：热门场所和餐厅建议提前预约。",

	tier: map[dialog.Tier]tierTexts{
		dialog.TierLuxury: {
			stay: "五星级酒店", move: "乘专车", trip: "包车", dine: "高端餐厅", guide: "请私人导游带着",
			museums: "城市博物馆（预约专场讲解）",
			depart:  "从容返程，专车送站/送机",
			rail:    "从容返程，专车送站",
			food:    []string{"%s·口碑高端餐厅", "%s·酒店特色餐厅"},
			tip:     "全程专车与私人导游，热门景点可预约贵宾通道。",
		},
		dialog.TierEconomical: {
			stay: "舒适型酒店", move: "乘公共交通", trip: "坐动车或城际大巴", dine: "本地口碑餐馆", guide: "跟着免费讲解",
			museums: "城市博物馆",
			depart:  "乘公共交通返程",
			rail:    "乘公共交通去车站返程",
			food:    []string{"%s·本地口碑小馆", "%s·人气家常菜"},
			tip:     "公共交通加打车，景点门票可提前在线购买享受优惠。",
		},
		dialog.TierBackpacker: {
			stay: "青年旅舍", move: "早起骑共享单车", trip: "坐最早一班大巴或火车", dine: "街头小店", guide: "早起步行",
			museums: "免费博物馆",
			depart:  "乘夜车或廉价航班返程",
			rail:    "乘夜车返程",
			food:    []string{"%s·街头小吃", "%s·夜市排档"},
			tip:     "早出晚归，优先免费景点，多用步行、共享单车和地铁。",
		},
	},
}

var en = texts{
	titleLuxury:     "Luxury",
	titleEconomical: "Economical",
	titleBackpacker: "Backpacker",

	theDestination: "the destination",
	localFood:      "local specialities",
	sep:            "; ",

	arrive:          "Arrive in %s and check in at a %s; rest a little after the journey",
	arriveWalk:      "Stroll the streets around your lodging to get your bearings in %s: shops, cafés, the nearest metro",
	arriveOnly:      "Arrive in %s and leave your bags at the %s",
	lastMorning:     "Sleep in, then a slow brunch near your lodging before leaving %s",
	lastAfternoon:   "Pick up a few gifts from %s, pack, and leave early for the station or airport",
	lastNoShop:      "A last stroll around %s, pack, and leave early for the station or airport",
	byRail:          [2]string{"station or airport", "station"},
	kidBreak:        " (back to your lodging for a rest after lunch)",
	accessRoute:     " (on a flat, step-free route)",
	summerMorning:   "While it is still cool: ",
	winterAfternoon: "; it gets dark early, so be back in town by dusk",

	themes: map[string][2]string{
		"oldtown":    {"%[3]s through the old town and historic streets of %[2]s", "A break in an old tea house or café, watching everyday life in %[2]s"},
		"oldtown2":   {"Another of %[2]s's old quarters: old houses and small shops", "Find a long-established shop and hear its owner's stories of %[2]s"},
		"museum":     {"Visit %[2]s's %[4]s to learn how the city came to be", "%[3]s past the historic buildings and former homes of famous residents of %[2]s"},
		"museum2":    {"See an exhibition at an art gallery in %[2]s", "Browse independent bookshops and design stores; find a book about %[2]s"},
		"food":       {"Early market in %[2]s: breakfast the way locals have it", "Eat your way along a food street in %[2]s, with %[5]s as the star"},
		"food2":      {"Breakfast at one of %[2]s's oldest eateries", "A home-cooking class in %[2]s: learn to make %[5]s"},
		"nature":     {"%[1]s to the hills or riverside on the edge of %[2]s", "A slow afternoon in %[2]s's botanical garden or wetland park"},
		"nature2":    {"%[1]s along the waterfront of %[2]s", "Picnic and do nothing in one of %[2]s's city parks"},
		"park":       {"Morning in a park in %[2]s, where locals exercise and dance", "Up to a viewpoint for a view over all of %[2]s"},
		"craft":      {"A hands-on workshop in %[2]s for a local craft", "Creative quarter and weekend market in %[2]s"},
		"petsMuseum": {"With your pet, explore the open-air sculpture park and outdoor art of %[2]s", "A pet-friendly café, then the riverside lawns of %[2]s"},
	},

	dayTripMorning:   "%s for a day trip to %[3]s, about %.0[2]f km away",
	dayTripAfternoon: "Wander the old streets of %s and try its snacks: everyday life away from the big city",
	dayTripEvening:   "Back in %s by evening; a simple dinner near your lodging",
	spare:            "Day %d at your own pace: go back to the place in %s you liked best",

	namedMorning:   "%s to %s",
	namedAfternoon: "More of %s, with time for photos and rests",
	namedSecond:    "On to %s in the afternoon, with time for photos and rests",

	dinners: []string{
		"Dinner at %s: %s",
		"Dinner in the old town at %s: %s, then a walk back",
		"Dinner at %s: %s, with what is in season",
		"Dinner by the water at %s: %s and the city lights",
	},
	kidsDinner:  "An early dinner of %s near your lodging, so the children can rest",
	quietDinner: "A simple dinner of %s near your lodging and an early night before tomorrow's trip",

	noteKids:   "Kid-friendly: a gentle pace and places suited to children",
	noteAccess: "Accessibility: places with lifts and ramps; check step-free access before you go",
	notePets:   "Travelling with a pet: pet-friendly places and lodging; check transport rules for pets in advance",

	otherNeeds: "We noted your other needs: %s. Check them again before you go, or ask for a human to confirm them for you.",
	party:      "Travelling as a group: book popular places and restaurants ahead.",

	tier: map[dialog.Tier]tierTexts{
		dialog.TierLuxury: {
			stay: "five-star hotel", move: "By private car", trip: "By private car", dine: "a fine-dining restaurant", guide: "With a private guide",
			museums: "city museum (with a booked private tour)",
			depart:  "Unhurried departure with a private transfer",
			rail:    "Unhurried departure with a private transfer to the station",
			food:    []string{"%s at a renowned fine-dining restaurant", "%s at the hotel's signature restaurant"},
			tip:     "Private car and guide throughout; book priority entry at popular sights.",
		},
		dialog.TierEconomical: {
			stay: "comfortable mid-range hotel", move: "By public transport", trip: "By train or intercity bus", dine: "a well-reviewed local restaurant", guide: "On a free walking tour",
			museums: "city museum",
			depart:  "Head home by public transport",
			rail:    "Public transport to the station and home by train",
			food:    []string{"%s at a well-reviewed local restaurant", "%s, home-style"},
			tip:     "Public transport plus the odd taxi; buy tickets online ahead for discounts.",
		},
		dialog.TierBackpacker: {
			stay: "hostel", move: "Early start by shared bike", trip: "On the first bus or train", dine: "street-food stalls", guide: "On foot, early",
			museums: "free museums",
			depart:  "Head home by night train or budget flight",
			rail:    "Head home by night train",
			food:    []string{"%s from street stalls", "%s at the night market"},
			tip:     "Start early, favour free sights, walk, cycle and take the metro.",
		},
	},
}
