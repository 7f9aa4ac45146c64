package offline

import (
	"strings"

	"xingqu/dialog"
	"xingqu/providers/geo"
)

// A day's theme: what fills its morning and afternoon. The first day is arrival and the
// last a slow day before leaving; the days between each get a different theme, those the
// traveller asked for first, then day trips to the towns nearby and the city's classics.
type theme struct {
	key     string
	indoor  bool      // a good day for rain
	outdoor bool      // gets the season's wording and the step-free route
	town    *geo.Town // a day trip
	name    string    // a sight the traveller named
	second  string    // another, for the afternoon
}

// keywordThemes maps what the preference parser hears to the theme that fits it; any
// other word is taken for the name of a sight.
var keywordThemes = map[string]string{
	"海边": "coast", "海滩": "coast", "沙滩": "coast", "看海": "coast", "大海": "coast", "海岛": "coast", "海": "coast",
	"beach": "coast", "seaside": "coast", "sea": "coast", "ocean": "coast", "coast": "coast", "island": "coast",
	"爬山": "hike", "登山": "hike", "徒步": "hike", "山水": "hike", "山": "hike", "雪山": "hike", "峡谷": "hike", "森林": "hike",
	"mountains": "hike", "hiking": "hike", "trekking": "hike", "forest": "hike", "canyon": "hike",
	"温泉": "spring", "hot springs": "spring",
	"湖泊": "nature", "湖边": "nature", "湖": "nature", "湿地": "nature", "瀑布": "nature", "花海": "nature", "田园": "nature",
	"乡村": "nature", "日出": "nature", "云海": "nature", "日落": "nature", "星空": "nature", "极光": "nature", "草原": "nature", "沙漠": "nature",
	"自然风光": "nature", "自然风景": "nature", "大自然": "nature", "雪景": "nature", "看雪": "nature", "滑雪": "nature",
	"lakes": "nature", "waterfalls": "nature", "countryside": "nature", "sunrise": "nature", "sunset": "nature", "grassland": "nature",
	"desert": "nature", "nature": "nature", "scenery": "nature", "outdoors": "nature", "wildlife": "nature", "national park": "nature",
	"snow": "nature", "skiing": "nature",
	"博物馆": "museum", "纪念馆": "museum", "遗址": "museum", "故居": "museum", "museums": "museum", "history": "museum", "heritage": "museum",
	"美术馆": "museum2", "艺术馆": "museum2", "展览": "museum2", "art": "museum2", "galleries": "museum2",
	"古镇": "oldtown", "古城": "oldtown", "古村": "oldtown", "老街": "oldtown", "历史": "oldtown", "文化": "oldtown", "古建筑": "oldtown",
	"人文历史": "oldtown", "历史文化": "oldtown", "文化历史": "oldtown", "人文景观": "oldtown", "历史古迹": "museum",
	"culture and history": "oldtown", "culture & history": "oldtown", "history and culture": "oldtown", "arts and culture": "oldtown",
	"园林": "park", "古典园林": "park", "gardens": "park",
	"建筑": "oldtown", "人文": "oldtown", "寺庙": "oldtown", "citywalk": "oldtown", "old town": "oldtown", "culture": "oldtown",
	"architecture": "oldtown", "temples": "oldtown", "churches": "oldtown", "castles": "oldtown", "ancient": "oldtown",
	"非遗": "craft", "戏曲": "craft", "演出": "craft", "theatre": "craft", "concerts": "craft", "festivals": "craft",
	"购物": "shopping", "shopping": "shopping", "markets": "food", "夜市": "food", "market": "food",
	"主题公园": "family", "游乐园": "family", "动物园": "family", "海洋馆": "family", "水族馆": "family",
	"theme park": "family", "zoo": "family", "aquarium": "family",
	"夜生活": "", "酒吧": "", "nightlife": "", "bars": "", // evenings, not days
}

// themeLines are the themes only a traveller's words call up.
var themeLines = map[string]map[string][2]string{
	"zh": {
		"coast":    {"%[1]s去海边，沿着沙滩散步、捡贝壳", "在海边的小馆子吹海风，看潮起潮落"},
		"hike":     {"%[1]s去%[2]s近郊的山里徒步", "下山后在山脚的村子喝茶歇脚"},
		"spring":   {"%[1]s去%[2]s近郊的温泉", "泡完温泉，在度假区里慢慢休息"},
		"shopping": {"逛%[2]s的商业街和本地品牌小店", "去%[2]s的老市场淘些特产和手信"},
		"family":   {"去%[2]s的动物园或海洋馆", "在%[2]s的儿童乐园或科技馆玩半天"},
	},
	"en": {
		"coast":    {"%[1]s to the coast: a walk along the beach", "A seaside café, the sea breeze and the tide going out"},
		"hike":     {"%[1]s to the hills outside %[2]s for a hike", "Tea and a rest in a village at the foot of the hills"},
		"spring":   {"%[1]s to the hot springs outside %[2]s", "An unhurried afternoon at the hot-spring resort"},
		"shopping": {"Shopping streets and local brands of %[2]s", "The old market of %[2]s for local produce and gifts"},
		"family":   {"The zoo or aquarium of %[2]s", "Half a day at a children's museum or play park in %[2]s"},
	},
}

// gentleLines replace the lines of themes too strenuous with children or a wheelchair.
var gentleLines = map[string]map[string][2]string{
	"zh": {
		"hike":   {"%[1]s乘车或缆车到%[2]s近郊山上的观景台", "沿平缓的山间步道走一小段，在山脚喝茶歇脚"},
		"nature": {"%[1]s去%[2]s城郊平缓的江边绿道", "在%[2]s的植物园或湿地公园坐观光车慢慢看"},
	},
	"en": {
		"hike":   {"%[1]s up by road or cable car to a viewpoint in the hills outside %[2]s", "A short, gentle trail, then tea at the foot of the hills"},
		"nature": {"%[1]s to the flat riverside greenway on the edge of %[2]s", "A sightseeing cart through %[2]s's botanical garden or wetland park"},
	},
}

var indoorThemes = map[string]bool{"museum": true, "museum2": true, "food": true, "food2": true, "craft": true, "shopping": true, "family": true, "oldtown2": true}
var outdoorThemes = map[string]bool{"nature": true, "nature2": true, "hike": true, "coast": true, "park": true}

// classics are the themes any city offers, in the order a visitor would want them, with
// day trips woven in from the third middle day on.
var classics = []string{"oldtown", "food", "museum", "nature", "park", "craft", "museum2", "oldtown2", "food2", "nature2"}

// splitPrefs cuts the parser's joined keywords ("海边、博物馆", "beach, museums").
func splitPrefs(s ...string) []string {
	var out []string
	for _, v := range s {
		for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == '/' }) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// ruledOutThemes maps words of what a traveller rules out, beyond the preference words
// (keywordThemes), to the themes and days' lines they rule out.
var ruledOutThemes = map[string]string{
	"museum": "museum", "逛街": "shopping", "买东西": "shopping", "shop": "shopping", "shops": "shopping",
	"飞机": "flying", "坐飞机": "flying", "航班": "flying", "flying": "flying", "flights": "flying", "flight": "flying",
	"planes": "flying", "plane": "flying", "fly": "flying",
}

// ruledOut reports whether the trip rules out a theme ("museum", "shopping") or
// "flying", by any of the words that name it.
func ruledOut(trip dialog.TripRequest, key string) bool {
	for _, x := range splitPrefs(trip.Exclude) {
		x = strings.ToLower(x)
		if k, ok := keywordThemes[x]; ok && k == key || ruledOutThemes[x] == key {
			return true
		}
		if key == "museum2" && keywordThemes[x] == "museum" {
			return true // "no museums" keeps galleries out too
		}
	}
	return false
}

// ruledOutWord reports whether the trip rules out a sight it also names.
func ruledOutWord(trip dialog.TripRequest, name string) bool {
	for _, x := range splitPrefs(trip.Exclude) {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(name)) {
			return true
		}
	}
	return false
}

// themesFor orders every theme the trip could use for its middle days.
func themesFor(trip dialog.TripRequest, towns []geo.Town) []theme {
	var out []theme
	used := map[string]bool{}
	add := func(key string) {
		if key == "" || used[key] || ruledOut(trip, key) {
			return
		}
		if (key == "museum" || key == "museum2") && yes(trip.PetFriendly) {
			key = "petsMuseum" // pets wait outside museums: the open-air kind instead
		}
		if used[key] {
			return
		}
		used[key] = true
		out = append(out, theme{key: key, indoor: indoorThemes[key], outdoor: outdoorThemes[key]})
	}
	for _, p := range splitPrefs(trip.NaturalLandscape, trip.SocialLandscape) {
		key, known := keywordThemes[strings.ToLower(p)]
		if !known {
			if ruledOutWord(trip, p) {
				continue
			}
			if used["name:"+p] {
				continue
			}
			used["name:"+p] = true
			// Two named sights share a day: a short trip still sees both.
			if k := len(out) - 1; k >= 0 && out[k].key == "named" && out[k].second == "" {
				out[k].second = p
				continue
			}
			out = append(out, theme{key: "named", name: p, outdoor: true})
			continue
		}
		add(key)
	}
	if strings.TrimSpace(trip.Cuisine) != "" {
		add("food")
	}
	ti := 0
	for _, k := range classics {
		if len(out) >= 2 && ti < len(towns) {
			// A day trip every third day once the city's first sights are seen.
			if len(out)%3 == 2 {
				out = append(out, theme{key: "trip", town: &towns[ti], outdoor: true})
				ti++
			}
		}
		add(k)
	}
	for ; ti < len(towns); ti++ {
		out = append(out, theme{key: "trip", town: &towns[ti], outdoor: true})
	}
	return out
}

// rainy says whether a day's forecast makes an indoor day the better plan.
func rainy(w *dialog.Weather) bool {
	if w == nil {
		return false
	}
	s := strings.ToLower(w.Summary)
	return w.PrecipProb >= 0.6 || strings.Contains(s, "rain") || strings.Contains(s, "storm") || strings.Contains(s, "雨")
}

// byWeather moves indoor themes onto the rainy days, keeping the order otherwise.
func byWeather(ts []theme, wet []bool) {
	for i := range ts {
		if i >= len(wet) || !wet[i] || ts[i].indoor {
			continue
		}
		for j := i + 1; j < len(ts); j++ {
			if ts[j].indoor && (j >= len(wet) || !wet[j]) {
				ts[i], ts[j] = ts[j], ts[i]
				break
			}
		}
	}
}

// season is "summer", "winter" or "" for the month of d at latitude lat.
func season(d dialog.Date, lat float64) string {
	m := int(d.Month)
	if lat < 0 {
		m = (m+5)%12 + 1
	}
	switch {
	case lat > -23.5 && lat < 23.5:
		return "" // the tropics: no winter to speak of
	case m >= 6 && m <= 8:
		return "summer"
	case m == 12 || m <= 2:
		return "winter"
	}
	return ""
}

// nearbyTowns are the towns for day trips from the trip's destination, if it can be placed.
func nearbyTowns(trip dialog.TripRequest, lang, dest string) ([]geo.Town, float64) {
	g, err := geo.LoadGazetteer()
	if err != nil {
		return nil, 0
	}
	place := trip.Place
	if place == nil || (place.Lat == 0 && place.Lon == 0) {
		r, err := g.Forward(dest, lang)
		if err != nil || r.Place == nil {
			return nil, 0
		}
		place = r.Place
	}
	var towns []geo.Town
	for _, t := range g.Nearby(place.Lat, place.Lon, 25, 130, 8, lang) {
		if lang == dialog.LangZH {
			t.Name = dialog.Simplified(t.Name) // the gazetteer has some in traditional (綿陽)
		}
		if t.Name != dest && !strings.Contains(dest, t.Name) && !strings.Contains(t.Name, dest) {
			towns = append(towns, t)
		}
	}
	return towns, place.Lat
}
