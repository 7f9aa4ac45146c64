package dialog

import "strings"

// Wishes and conditions that no slot holds go to otherNeeds as written: health
// (高反, pregnant, seasick), pace (别太赶, not too rushed), comfort and transport (海景房,
// a pool, 自驾, 高铁), and what a traveller would rather not do (不想爬山, "don't want
// to climb mountains"). They are read first, so 怀孕五个月 is not a five-month trip and
// 不想爬山 is not a wish for mountains.

var (
	wishWords = litsOf(`高反|高原反应|怀孕|孕妇|晕车|晕船|晕机|过敏|哮喘|心脏不好|太赶|不要太累|别太累|慢节奏|慢慢玩|轻松点|自驾|租车|高铁|火车|红眼航班|直飞|海景房|民宿|青旅|五星级|四星级|` +
		`拍照|出片|网红打卡|打卡|泳池|健身房|早餐|不早起|睡懒觉|排队|无烟|素食餐|wifi|wi-fi|` +
		`altitude|pregnant|seasick|car sick|carsick|motion sickness|allerg|asthma|rushed|relaxed pace|slow pace|sleep in|lie in|wifi|wi-fi|working remotely|` +
		`\bpool\b|\bgym\b|\bspa\b|sea view|ocean view|\bbus rides\b|long drives|red-eye|red eye|direct flights?|road trip|rent a car|car rental|by train|\bclimb|photograph|instagram|\bqueue|\bqueues|non-smoking|gluten|lactose|nut allergy`)
	reNotWish = pat(`不想|别太|不要太|不能太|don't want to|dont want to|not too|no long|rather not|can't handle|cannot handle`, "不想", "别太", "不要太", "不能太", "want to", "not too", "no long", "rather not", "handle")
)

// parseWishesIn keeps, as written, each clause that states such a wish.
// wishClauses are the clauses of s, with a Chinese clause cut at its spaces too: "去长沙
// 12.25-12.27 3个人 想吃湘菜 不想排队" says one thing between each pair of spaces.
func wishClauses(s string) []span {
	var out []span
	for _, sp := range clauses(s) {
		clause := s[sp.i:sp.j]
		if !strings.Contains(strings.TrimSpace(clause), " ") || !hasHan(clause) {
			out = append(out, sp)
			continue
		}
		start := -1
		for i := sp.i; i <= sp.j; i++ {
			if i == sp.j || s[i] == ' ' {
				if start >= 0 {
					out = append(out, span{start, i})
					start = -1
				}
			} else if start < 0 {
				start = i
			}
		}
	}
	return out
}

func parseWishesIn(m *msg, e *Extraction) {
	s := m.text()
	if !wishWords.in(s) && !reNotWish.MatchString(s) {
		return
	}
	var out []string
	for _, sp := range wishClauses(s) {
		clause := s[sp.i:sp.j]
		if !wishWords.in(clause) && !reNotWish.MatchString(clause) {
			continue
		}
		// "不想去鼓山", "don't want to go to Venice": a place ruled out, read elsewhere.
		if has(clause, "去", "go to", "visit") && !wishWords.in(clause) {
			continue
		}
		text := strings.TrimSpace(m.orig[sp.i:sp.j])
		if text == "" {
			continue
		}
		out = append(out, text)
		m.consume(sp.i, sp.j)
	}
	if len(out) > 0 {
		sep := "; "
		if m.lang == LangZH {
			sep = "；"
		}
		e.OtherNeeds = strings.Join(out, sep)
		m.found++
	}
}
