package dialog

import (
	"strings"
	"unicode/utf8"
)

// Sights: named places inside a destination go to the landscape slots, never to the
// destination. Well-known ones are listed; once the trip has a destination, or when the
// preferences question was asked, a name ending like a sight (寺, 宫, 塔; Temple, Palace)
// counts too.

var (
	knownNatureSights = fields("西湖|漓江|洱海|庐山|天门山|鸣沙山|泰山|华山|峨眉山|玉龙雪山|天池|纳木错|月牙泉|张家界国家森林公园|" +
		"west lake|li river|lijiang river|mount fuji|mt fuji|fuji|halong bay|ha long bay|victoria peak|table mountain|niagara falls|grand canyon|the alps|yellow mountain|huangshan mountain|jiuzhaigou valley")
	knownSocialSights = fields("灵隐寺|布达拉宫|故宫|长城|八达岭长城|兵马俑|大唐不夜城|洪崖洞|外滩|黄鹤楼|夫子庙|中山陵|宽窄巷子|浅草寺|晴空塔|东京塔|卢浮宫|埃菲尔铁塔|中央大街|冰雪大世界|拙政园|雷峰塔|南普陀寺|莫高窟|颐和园|天坛|迪士尼|环球影城|大雁塔|锦里|武侯祠|都江堰|乐山大佛|田子坊|南京路|秦淮河|" +
		"lingyin temple|lingyin|louvre|the louvre|great wall|the great wall|forbidden city|potala palace|terracotta warriors|terracotta army|colosseum|the colosseum|eiffel tower|sagrada familia|big ben|tower of london|the bund|disneyland|universal studios|vatican|sistine chapel|acropolis|angkor wat|taj mahal|senso-ji|sensoji|tokyo tower|skytree|summer palace|temple of heaven")
	zhSocialSuffixes = []string{"寺", "宫", "塔", "楼", "庙", "陵", "祠", "窟", "巷子", "老街", "大街", "古城", "古镇", "博物馆", "纪念馆", "大世界", "乐园", "公园", "园"}
	zhNatureSuffixes = []string{"山", "湖", "江", "海", "峡", "瀑布", "湾", "岛", "泉", "谷", "沟", "峰"}
	reSightVerbZh    = pat(`(?:想看|要看|去看|看看|看|逛逛|逛|爬|游|去|加上|安排上?|还想去|也想去|想去)`, "看", "逛", "爬", "游", "去", "加上", "安排")
)

// parseSightsIn reads named sights into the landscape slots.
func parseSightsIn(m *msg, e *Extraction, c ParseContext) {
	add := func(dst *string, w string) {
		if !strings.Contains(*dst, w) {
			if *dst != "" {
				*dst += listSep(m.lang)
			}
			*dst += w
		}
		m.found++
	}
	s := m.text()
	for _, sp := range knownNatureSights.findAll(s) {
		add(&e.NaturalLandscape, strings.TrimSpace(string(m.wo[sp.i:sp.j])))
		m.consume(sp.i, sp.j)
	}
	s = m.text()
	for _, sp := range knownSocialSights.findAll(s) {
		add(&e.SocialLandscape, strings.TrimSpace(string(m.wo[sp.i:sp.j])))
		m.consume(sp.i, sp.j)
	}
	if !c.Filled && c.Expecting != SlotPreferences {
		return
	}
	// Named sights by their ending: "灵隐寺一定要安排上", "Lingyin Temple".
	wo := string(m.wo)
	for _, sp := range hanRuns(wo) {
		i, j := sp.i, sp.j
		run := wo[i:j]
		// Drop a leading verb: 想看西湖 -> 西湖.
		start := i
		if loc := reSightVerbZh.FindStringIndex(run); loc != nil && loc[0] == 0 {
			start = i + loc[1]
		}
		if name, kind := sightIn(wo[start:j]); name != "" {
			k := start + len(name)
			if kind == "nature" {
				add(&e.NaturalLandscape, name)
			} else {
				add(&e.SocialLandscape, name)
			}
			m.consume(start, k)
		}
	}
}

// sightIn returns the sight's name that starts run (two to seven characters ending like a
// sight) and whether it is nature or a built sight.
func sightIn(run string) (string, string) {
	best, kind := "", ""
	n := 0
	for k := range run {
		if k == 0 {
			continue
		}
		n++
		if n > 7 {
			break
		}
		head := run[:k]
		for _, suf := range zhSocialSuffixes {
			if strings.HasSuffix(head, suf) && utf8.RuneCountInString(head) > utf8.RuneCountInString(suf) {
				best, kind = head, "social"
			}
		}
		for _, suf := range zhNatureSuffixes {
			if strings.HasSuffix(head, suf) && utf8.RuneCountInString(head) > utf8.RuneCountInString(suf) {
				best, kind = head, "nature"
			}
		}
	}
	if utf8.RuneCountInString(run) <= 7 {
		for _, suf := range zhSocialSuffixes {
			if strings.HasSuffix(run, suf) && utf8.RuneCountInString(run) > utf8.RuneCountInString(suf) {
				best, kind = run, "social"
			}
		}
		for _, suf := range zhNatureSuffixes {
			if strings.HasSuffix(run, suf) && utf8.RuneCountInString(run) > utf8.RuneCountInString(suf) {
				best, kind = run, "nature"
			}
		}
	}
	if best != "" && zhNotPlaceChars(best) {
		return "", ""
	}
	return best, kind
}
