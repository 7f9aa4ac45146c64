package dialog

import (
	"sort"
	"strings"
)

// keywords finds literal words. Long lists of alternatives are slow in Go's regexp
// engine on short texts (it backtracks over every alternative at every position), and
// strings.Index is fast, so the preference vocabularies are plain lists.
type keywords []string

type span struct{ i, j int }

func wordByte(c byte) bool { return isASCIILetter(c) || isDigit(c) || c == '_' }

// findAll returns the leftmost-longest, non-overlapping matches in s. Latin keywords
// must stand as whole words; Chinese ones match anywhere.
func (k keywords) findAll(s string) []span {
	var found []span
	for _, w := range k {
		ascii := w[0] < 0x80
		for off := 0; off < len(s); {
			i := strings.Index(s[off:], w)
			if i < 0 {
				break
			}
			i += off
			j := i + len(w)
			off = i + 1
			if ascii && (i > 0 && wordByte(s[i-1]) || j < len(s) && wordByte(s[j])) {
				continue
			}
			found = append(found, span{i, j})
		}
	}
	sort.Slice(found, func(a, b int) bool {
		if found[a].i != found[b].i {
			return found[a].i < found[b].i
		}
		return found[a].j > found[b].j
	})
	out := found[:0]
	end := -1
	for _, f := range found {
		if f.i >= end {
			out = append(out, f)
			end = f.j
		}
	}
	return out
}

func fields(s string) keywords { return keywords(strings.Split(s, "|")) }

var (
	natureWords = fields("自然风光|自然风景|看雪|雪景|滑雪|海滩|沙滩|海边|海岛|看海|大海|雪山|草原|沙漠|森林|瀑布|峡谷|温泉|湿地|花海|田园|乡村|日出|日落|星空|极光|徒步|爬山|登山|山水|湖泊|湖边|大自然|" +
		"beach|beaches|seaside|sea|ocean|coast|coastline|island|islands|mountain|mountains|hike|hikes|hiking|trek|trekking|lake|lakes|snow|ski|skiing|desert|deserts|forest|forests|waterfall|waterfalls|national park|national parks|nature|countryside|hot spring|hot springs|sunrise|sunset|sunsets|grassland|grasslands|canyon|canyons|scenery|outdoor|outdoors|wildlife")
	socialWords = fields("博物馆|纪念馆|美术馆|艺术馆|展览|古镇|古城|古村|老街|历史|文化|寺庙|古建筑|建筑|人文|遗址|故居|红色旅游|购物|夜市|夜生活|酒吧|演出|戏曲|非遗|主题公园|游乐园|动物园|海洋馆|水族馆|" +
		"citywalk|museum|museums|history|historic|historical|art|gallery|galleries|culture|cultural|architecture|old town|old towns|temple|temples|church|churches|castle|castles|ancient|heritage|shopping|nightlife|bars|theatre|theater|concert|concerts|market|markets|festival|festivals|theme park|theme parks|zoo|aquarium")
	genericFoodWords = fields("food|foods")
	cuisineWords     = fields("闽菜|川菜|粤菜|湘菜|鲁菜|苏菜|浙菜|徽菜|东北菜|本帮菜|火锅|小吃|海鲜|烧烤|早茶|素食|吃素|甜品|面食|米粉|美食|特色菜|地方菜|日料|西餐|啤酒|不吃辣|吃辣|" +
		"seafood|street food|local food|vegetarian|vegan|spicy food|spicy|noodles|sushi|barbecue|bbq|wine|coffee|hot pot|hotpot|dim sum|tapas|dessert|desserts|pastry|pastries|foodie|beer")
)
