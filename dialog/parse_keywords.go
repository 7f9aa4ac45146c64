package dialog

import (
	"regexp"
	"slices"
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
	latin, other := scriptsOf(s)
	for _, w := range k {
		ascii := w[0] < 0x80
		if cannotOccur(w, latin, other) {
			continue
		}
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
	return nonOverlapping(found)
}

func fields(s string) keywords { return keywords(strings.Split(s, "|")) }

var (
	natureWords = fields("自然风光|自然风景|看雪|雪景|滑雪|海滩|沙滩|海边|海岛|看海|大海|雪山|草原|沙漠|森林|瀑布|峡谷|温泉|湿地|花海|田园|乡村|日出|日落|云海|星空|极光|樱花|赏樱|红叶|赏枫|枫叶|油菜花|薰衣草|观鲸|潜水|浮潜|徒步|爬山|登山|山水|湖泊|湖边|大自然|" +
		"beach|beaches|seaside|sea|ocean|coast|coastline|island|islands|mountain|mountains|hike|hikes|hiking|trek|trekking|lake|lakes|snow|ski|skiing|desert|deserts|forest|forests|waterfall|waterfalls|national park|national parks|nature|countryside|hot spring|hot springs|sunrise|sunset|sunsets|grassland|grasslands|canyon|canyons|scenery|outdoor|outdoors|wildlife|" +
		"cherry blossom|cherry blossoms|sakura|northern lights|aurora|fall foliage|autumn leaves|autumn colours|autumn colors|stargazing|whale watching|diving|scuba diving|snorkeling|snorkelling|safari|lavender fields")
	socialWords = fields("园林|古典园林|博物馆|纪念馆|美术馆|艺术馆|展览|古镇|古城|古村|老街|历史|文化|寺庙|古建筑|建筑|人文|遗址|故居|红色旅游|购物|夜市|夜生活|酒吧|演出|戏曲|非遗|主题公园|游乐园|动物园|海洋馆|水族馆|" +
		"gardens|citywalk|museum|museums|history|historic|historical|art|gallery|galleries|culture|cultural|architecture|old town|old towns|temple|temples|church|churches|castle|castles|ancient|heritage|shopping|nightlife|bars|theatre|theater|concert|concerts|market|markets|festival|festivals|theme park|theme parks|zoo|aquarium")
	genericFoodWords = fields("food|foods")
	// Cuisines, diets and the dishes people travel for; a cuisine named after a country or
	// region ("泰国菜", "Sichuan food") is read by reCuisineOf.
	cuisineWords = fields("闽菜|川菜|粤菜|湘菜|鲁菜|苏菜|浙菜|徽菜|东北菜|本帮菜|火锅|小吃|海鲜|烧烤|早茶|素食|吃素|甜品|面食|米粉|美食|特色菜|地方菜|日料|西餐|啤酒|吃辣|清真|" +
		"烤鸭|烤肉|小龙虾|羊肉串|烤串|串串|螺蛳粉|杭帮菜|小面|拉面|饺子|小笼包|生煎|肠粉|麻辣烫|牛肉面|热干面|酸菜鱼|烤鱼|烤全羊|手抓饭|米线|过桥米线|凉皮|肉夹馍|煎饼|茶点|点心|寿司|刺身|咖喱|披萨|意面|牛排|奶茶|" +
		"seafood|street food|local food|vegetarian|vegan|spicy food|spicy|noodles|sushi|barbecue|bbq|wine|coffee|hot pot|hotpot|dim sum|tapas|dessert|desserts|pastry|pastries|foodie|beer|halal|kosher|" +
		"ramen|izakaya|izakayas|pasta|pizza|gelato|curry|tacos|taco|kebab|kebabs|dumplings|dumpling|pho|paella|croissants|steak|bratwurst|pastel de nata|churros|crepes|falafel|noodle soup")
)

// pattern is a regexp that is tried only when the text holds one of the words that any
// match must contain. Go's regexp has no literal prefilter for alternations: without the
// check each pattern walks every position of every message, and most patterns cannot
// match most messages.
type pattern struct {
	re    *regexp.Regexp
	needs []string // lower-case; empty means always try
}

func pat(expr string, needs ...string) pattern {
	return pattern{re: regexp.MustCompile(expr), needs: needs}
}

func (p pattern) possible(s string) bool { return len(p.needs) == 0 || has(s, p.needs...) }

func (p pattern) MatchString(s string) bool { return p.possible(s) && p.re.MatchString(s) }

func (p pattern) FindStringIndex(s string) []int {
	if !p.possible(s) {
		return nil
	}
	return p.re.FindStringIndex(s)
}

func (p pattern) FindStringSubmatchIndex(s string) []int {
	if !p.possible(s) {
		return nil
	}
	return p.re.FindStringSubmatchIndex(s)
}

func (p pattern) FindAllStringIndex(s string, n int) [][]int {
	if !p.possible(s) {
		return nil
	}
	return p.re.FindAllStringIndex(s, n)
}

func (p pattern) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if !p.possible(s) {
		return nil
	}
	return p.re.FindAllStringSubmatchIndex(s, n)
}

func (p pattern) FindStringSubmatch(s string) []string {
	if !p.possible(s) {
		return nil
	}
	return p.re.FindStringSubmatch(s)
}

func (p pattern) ReplaceAllString(s, repl string) string {
	if !p.possible(s) {
		return s
	}
	return p.re.ReplaceAllString(s, repl)
}

// clauses returns the spans between the punctuation that ends a clause.
func clauses(s string) []span {
	var out []span
	start := -1
	for i := 0; i < len(s); i++ {
		// "12.25": a dot between figures is part of a date or an amount.
		if strings.IndexByte(",;.!?", s[i]) >= 0 && !(s[i] == '.' && i > 0 && isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1])) {
			if start >= 0 {
				out = append(out, span{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, span{start, len(s)})
	}
	return out
}

// hasSuffixAny reports whether s ends with any of suffixes.
func hasSuffixAny(s string, suffixes ...string) bool {
	return slices.ContainsFunc(suffixes, func(x string) bool { return strings.HasSuffix(s, x) })
}

// hasPrefixAny reports whether s starts with any of prefixes.
func hasPrefixAny(s string, prefixes ...string) bool {
	return slices.ContainsFunc(prefixes, func(x string) bool { return strings.HasPrefix(s, x) })
}

// trimSuffixWord removes the longest of words (lower-case) that ends s, ignoring ASCII
// case, with the spaces around it, the way `\s*(?:w1|w2)\s*$` would.
func trimSuffixWord(s string, words []string) string {
	t := strings.TrimRight(s, " ")
	best := -1
	for _, w := range words {
		if len(w) > best && len(w) <= len(t) && asciiLower(t[len(t)-len(w):]) == w {
			best = len(w)
		}
	}
	if best < 0 {
		return s
	}
	return strings.TrimRight(t[:len(t)-best], " ")
}

// findEach returns the spans of every occurrence of any of words, in order of position.
func findEach(s string, words []string) [][]int {
	var out [][]int
	for i := 0; i < len(s); i++ {
		for _, w := range words {
			if strings.HasPrefix(s[i:], w) {
				out = append(out, []int{i, i + len(w)})
				i += len(w) - 1
				break
			}
		}
	}
	return out
}

// lit is one literal of a word list; lb and rb ask for an ASCII word boundary before or
// after it, as `\b` would.
type lit struct {
	w      string
	lb, rb bool
}

// lits is a list of literals written like a regexp alternation of plain words, with
// `\b` where a boundary is needed: `预算|\beach\b|\bapprox`.
type lits []lit

func litsOf(spec string) lits {
	var l lits
	for _, w := range strings.Split(spec, "|") {
		x := lit{}
		if strings.HasPrefix(w, `\b`) {
			x.lb, w = true, w[2:]
		}
		if strings.HasSuffix(w, `\b`) {
			x.rb, w = true, w[:len(w)-2]
		}
		x.w = w
		l = append(l, x)
	}
	return l
}

func (x lit) at(s string, i int) bool {
	j := i + len(x.w)
	return (!x.lb || i == 0 || !wordByte(s[i-1])) && (!x.rb || j >= len(s) || !wordByte(s[j]))
}

// scriptsOf reports whether s holds ASCII letters and whether it holds anything beyond
// ASCII, so that a word list can skip the words that cannot occur.
func scriptsOf(s string) (latin, other bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			other = true
		} else if isASCIILetter(s[i]) {
			latin = true
		}
	}
	return latin, other
}

// cannotOccur reports whether w needs ASCII letters, or non-ASCII characters, that a
// text of the given scripts does not have.
func cannotOccur(w string, latin, other bool) bool {
	wl, wo := scriptsOf(w)
	return wl && !latin || wo && !other
}

func (x lit) skip(latin, other bool) bool { return cannotOccur(x.w, latin, other) }

// in reports whether any literal occurs in s.
func (l lits) in(s string) bool {
	latin, other := scriptsOf(s)
	for _, x := range l {
		if x.skip(latin, other) {
			continue
		}
		for off := 0; off < len(s); {
			i := strings.Index(s[off:], x.w)
			if i < 0 {
				break
			}
			if x.at(s, off+i) {
				return true
			}
			off += i + 1
		}
	}
	return false
}

// findAll returns the leftmost-longest, non-overlapping occurrences.
func (l lits) findAll(s string) []span {
	var found []span
	latin, other := scriptsOf(s)
	for _, x := range l {
		if x.skip(latin, other) {
			continue
		}
		for off := 0; off < len(s); {
			i := strings.Index(s[off:], x.w)
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if x.at(s, i) {
				found = append(found, span{i, i + len(x.w)})
			}
		}
	}
	return nonOverlapping(found)
}

func nonOverlapping(found []span) []span {
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
