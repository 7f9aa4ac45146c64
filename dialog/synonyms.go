package dialog

import "strings"

// wordPairs are the words the bot recognises in either language, Chinese first: a
// preference stored in one is the same preference in the other.
var wordPairs = [][2]string{
	{"博物馆", "museum"}, {"博物馆", "museums"}, {"历史", "history"}, {"文化", "culture"}, {"寺庙", "temple"}, {"寺庙", "temples"},
	{"古镇", "old town"}, {"古城", "old town"}, {"购物", "shopping"}, {"夜市", "night market"}, {"夜生活", "nightlife"},
	{"美术馆", "gallery"}, {"美术馆", "art"}, {"建筑", "architecture"}, {"动物园", "zoo"}, {"海洋馆", "aquarium"}, {"主题公园", "theme park"},
	{"海边", "beach"}, {"海滩", "beach"}, {"沙滩", "beach"}, {"海岛", "island"}, {"雪山", "snow mountains"}, {"雪景", "snow"}, {"滑雪", "skiing"},
	{"爬山", "hiking"}, {"徒步", "hiking"}, {"登山", "mountains"}, {"山", "mountains"}, {"湖", "lakes"}, {"森林", "forest"}, {"草原", "grassland"},
	{"沙漠", "desert"}, {"瀑布", "waterfalls"}, {"温泉", "hot springs"}, {"日出", "sunrise"}, {"云海", "sea of clouds"}, {"日落", "sunset"}, {"自然风光", "nature"},
	{"樱花", "cherry blossoms"}, {"樱花", "sakura"}, {"赏樱", "cherry blossoms"}, {"极光", "northern lights"}, {"极光", "aurora"}, {"红叶", "autumn leaves"},
	{"赏枫", "autumn leaves"}, {"星空", "stargazing"}, {"观鲸", "whale watching"}, {"潜水", "diving"}, {"浮潜", "snorkelling"},
	{"人文历史", "culture and history"}, {"当地美食", "local food"}, {"美食", "food"}, {"海鲜", "seafood"}, {"火锅", "hot pot"},
	{"小吃", "street food"}, {"素食", "vegetarian"}, {"纯素", "vegan"}, {"烧烤", "barbecue"}, {"日料", "japanese food"}, {"日料", "sushi"},
	{"西餐", "western food"}, {"早茶", "dim sum"}, {"清真", "halal"}, {"甜品", "dessert"}, {"咖啡", "coffee"}, {"啤酒", "beer"},
	{"不吃辣", "not spicy"}, {"吃辣", "spicy"}, {"西湖", "west lake"}, {"故宫", "forbidden city"}, {"长城", "great wall"},
	{"兵马俑", "terracotta warriors"}, {"布达拉宫", "potala palace"}, {"卢浮宫", "louvre"}, {"外滩", "the bund"}, {"埃菲尔铁塔", "eiffel tower"},
	{"民宿", "guesthouse"}, {"民宿", "b&b"}, {"青旅", "hostel"}, {"过敏", "allergy"}, {"慢节奏", "slow pace"}, {"不要太赶", "not too rushed"},
	{"高原反应", "altitude sickness"}, {"晕车", "car sick"}, {"轮椅", "wheelchair"},
}

// Synonyms returns the other-language forms of a word the bot recognises ("火锅" →
// "hot pot"), so that a stored preference can be matched and shown in either language.
func Synonyms(w string) []string {
	lw := strings.ToLower(strings.TrimSpace(w))
	var out []string
	for _, p := range wordPairs {
		switch lw {
		case p[0]:
			out = append(out, p[1])
		case p[1]:
			out = append(out, p[0])
		}
	}
	return out
}
