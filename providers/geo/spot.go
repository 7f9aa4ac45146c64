package geo

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"

	"xingqu/dialog"
	"xingqu/providers/geo/internal/fold"
)

// Spotting: the dialog reads every message for the names of places, so the checks here
// are map look-ups, and typing mistakes are matched only against towns big enough that
// a traveller who misspells them most likely means them.

// commonWordsTxt lists the English words that are also a place's name, or one typing
// mistake from a big town's ("nice", "reading", "later"). Such a word is a place only
// where the message says it is one ("a trip to Nice"). Made by gen/words; see README.md.
//
//go:embed common_words.txt
var commonWordsTxt string

// Population above which a town's alternate names, and near spellings of its names, are
// taken as the town: small towns have too many names that are also something else.
const (
	alternatePop = 100_000
	nearPop      = 150_000
	nearHanPop   = 100_000
)

type spotIndex struct {
	common    map[string]bool
	bigLatin  map[rune][]nameEntry // keys of big towns, by initial, for near spellings
	hanSound  map[string]int32     // toneless pinyin of a Chinese town's name -> biggest town
	countryAt map[string]int32     // country code -> its biggest town
}

var (
	spotOnce sync.Once
	spot     *spotIndex
)

func (g *Gazetteer) spots() *spotIndex {
	spotOnce.Do(func() { spot = g.buildSpots() })
	return spot
}

func (g *Gazetteer) buildSpots() *spotIndex {
	s := &spotIndex{
		common:    map[string]bool{},
		bigLatin:  map[rune][]nameEntry{},
		hanSound:  map[string]int32{},
		countryAt: map[string]int32{},
	}
	for _, w := range strings.Fields(commonWordsTxt) {
		if !strings.HasPrefix(w, "#") {
			s.common[w] = true
		}
	}
	seen := map[string]bool{}
	for key, idx := range g.primary {
		s.addBig(g, key, idx, seen)
	}
	for key, idx := range g.alternate {
		if !fold.IsHan(key) {
			s.addBig(g, key, idx, seen)
		}
	}
	for r := range s.bigLatin {
		l := s.bigLatin[r]
		slices.SortFunc(l, func(a, b nameEntry) int { return int(a.idx - b.idx) })
	}
	for i := range g.cities {
		c := &g.cities[i]
		if _, ok := s.countryAt[c.country]; !ok {
			s.countryAt[c.country] = int32(i)
		}
		if len(c.han) == 0 || c.pop < nearHanPop {
			continue
		}
		// A Chinese town's official name is its pinyin (Chengdu, Chongqing): it says which
		// reading of 都 or 重 the name takes.
		if c.country == "CN" {
			if k := strings.NewReplacer(" ", "", "'", "", "-", "").Replace(strings.ToLower(c.name)); k != "" {
				if _, ok := s.hanSound[fuzzy(k)]; !ok {
					s.hanSound[fuzzy(k)] = int32(i)
				}
			}
		}
		for _, h := range c.han {
			h = strings.TrimSuffix(h, "市")
			if n := utf8.RuneCountInString(h); n < 2 || n > 4 {
				continue
			}
			for _, k := range soundKeys(h) {
				if _, ok := s.hanSound[fuzzy(k)]; !ok {
					s.hanSound[fuzzy(k)] = int32(i)
				}
			}
		}
	}
	return s
}

func (s *spotIndex) addBig(g *Gazetteer, key string, idx []int32, seen map[string]bool) {
	if len(key) < 5 || seen[key] || len(idx) == 0 {
		return
	}
	best := slices.Min(idx)
	if g.cities[best].pop < nearPop {
		return
	}
	seen[key] = true
	r, _ := utf8.DecodeRuneInString(key)
	s.bigLatin[r] = append(s.bigLatin[r], nameEntry{key, best})
}

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Heteronym = true
	return a
}()

// fuzzyPinyin folds the sounds people mix up when typing pinyin (zh/z, ch/c, sh/s,
// eng/en, ing/in, ang/an), so 深证 meets 深圳 and 天精 meets 天津.
var fuzzyPinyin = strings.NewReplacer("zh", "z", "ch", "c", "sh", "s", "eng", "en", "ing", "in", "ang", "an")

func fuzzy(k string) string { return fuzzyPinyin.Replace(k) }

// soundKeys are the toneless pinyin spellings of a Chinese name, one for each way of
// reading characters that have several readings (at most 16), syllables run together.
func soundKeys(s string) []string {
	keys := []string{""}
	for _, r := range s {
		ps := pinyin.SinglePinyin(r, pinyinArgs)
		if len(ps) == 0 {
			return nil
		}
		var next []string
		for _, k := range keys {
			seen := map[string]bool{}
			for _, p := range ps {
				if p == "" || seen[p] {
					continue
				}
				seen[p] = true
				if len(next) < 16 {
					next = append(next, k+p)
				}
			}
		}
		keys = next
	}
	return keys
}

// Knows reports whether name, exactly as given (folded), is the name of a town or a
// country, and whether it is also an ordinary English word ("Nice", "Reading"), which the
// dialog takes as a place only where the message says it is one.
func (g *Gazetteer) Knows(name string) (known, common bool) {
	name = strings.TrimSpace(name)
	if fold.IsHan(name) {
		name = strings.ReplaceAll(name, " ", "")
		if utf8.RuneCountInString(name) < 2 {
			return false, false
		}
		if _, ok := g.countries[name]; ok {
			return true, false
		}
		if _, ok := g.regions[name]; ok {
			return true, false
		}
		if len(g.alternate[name]) > 0 {
			return true, false
		}
		if t, ok := strings.CutSuffix(name, "市"); ok && utf8.RuneCountInString(t) >= 2 {
			return len(g.alternate[t]) > 0, false
		}
		// Some towns are listed only with 市 (丽江市, 纽约市).
		return len(g.alternate[name+"市"]) > 0, false
	}
	key := fold.Key(name)
	if len(key) < 3 {
		return false, false
	}
	common = g.spots().common[key] && !placeFirst[key]
	if _, ok := g.countries[key]; ok {
		return true, common
	}
	if _, ok := g.regions[key]; ok {
		return true, common
	}
	if l := g.primary[key]; len(l) > 0 {
		// A one-word name of small towns only ("Amet") is as likely something else.
		if !strings.Contains(key, " ") && g.cities[slices.Min(l)].pop < alternatePop {
			common = true
		}
		return true, common
	}
	for _, i := range g.alternate[key] {
		if g.cities[i].pop >= alternatePop {
			return true, common
		}
	}
	return false, false
}

// Word reports whether name is an English word that is also a place's name, or one
// typing mistake from a big town's (common_words.txt).
func (g *Gazetteer) Word(name string) bool {
	key := fold.Key(strings.TrimSpace(name))
	return g.spots().common[key] && !placeFirst[key]
}

// placeFirst are the names of countries and of cities of over a million people that the
// word list has as English words too, but that a traveller who types them means as the
// place: "shanghai dec 20-24", "japan in april" (to shanghai, to japan are rare verbs).
// The others stay words: by, do, chad, chile (the pepper), guinea, jersey, reunion,
// turkey, queens, mecca.
var placeFirst = map[string]bool{"shanghai": true, "japan": true, "china": true, "morocco": true, "phoenix": true}

// Near returns the name of the big town that name most likely misspells: one typing
// mistake away (two in a name of eight letters or more, a swap of two letters counting
// as one), or, in Chinese, a name that sounds the same and shares a character with it
// (杭洲 for 杭州). Ordinary words are never taken for a misspelt town.
func (g *Gazetteer) Near(name, lang string) (string, bool) {
	name = strings.TrimSpace(name)
	s := g.spots()
	if fold.IsHan(name) {
		name = strings.ReplaceAll(name, " ", "")
		n := utf8.RuneCountInString(name)
		if n < 2 || n > 4 {
			return "", false
		}
		for _, k := range soundKeys(name) {
			i, ok := s.hanSound[fuzzy(k)]
			if !ok {
				continue
			}
			for _, h := range g.cities[i].han {
				h = strings.TrimSuffix(h, "市")
				if utf8.RuneCountInString(h) == n && sharesRune(h, name) {
					return h, true
				}
			}
		}
		return "", false
	}
	key := fold.Key(name)
	if len(key) < 5 || s.common[key] || strings.Contains(key, " ") && len(key) < 8 {
		return "", false
	}
	maxDist := 1
	if len(key) >= 8 && !strings.Contains(key, " ") {
		maxDist = 2
	}
	r, _ := utf8.DecodeRuneInString(key)
	best, bestD := int32(-1), maxDist+1
	for _, e := range s.bigLatin[r] {
		if abs(len(e.key)-len(key)) > maxDist || e.key == key {
			continue
		}
		if d := swapDistance(e.key, key, maxDist); d < bestD || d == bestD && best >= 0 && e.idx < best {
			best, bestD = e.idx, d
		}
	}
	if best < 0 {
		return "", false
	}
	p := g.place(best, name, false, lang, false)
	// "Barcelona" alone is two towns; the one a near spelling meant is the big one.
	if r, err := g.Forward(p.Name, lang); err != nil || r.Place == nil {
		if cn := g.countryNames[g.cities[best].country]; cn[1] != "" {
			return p.Name + ", " + cn[1], true
		}
	}
	return p.Name, true
}

func sharesRune(a, b string) bool {
	for _, r := range a {
		if strings.ContainsRune(b, r) {
			return true
		}
	}
	return false
}

// swapDistance is the edit distance of a and b in bytes where swapping two neighbouring
// letters is one edit (optimal string alignment), or max+1 once it is known to exceed max.
func swapDistance(a, b string, max int) int {
	if abs(len(a)-len(b)) > max {
		return max + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// country resolves a country's name to the country, placed at its biggest town.
func (g *Gazetteer) country(query, lang string) (Result, bool) {
	key := fold.Key(query)
	if fold.IsHan(query) {
		key = strings.ReplaceAll(strings.TrimSpace(query), " ", "")
	}
	code, ok := g.countries[key]
	if !ok {
		return Result{}, false
	}
	i, ok := g.spots().countryAt[code]
	if !ok {
		return Result{}, false
	}
	c := &g.cities[i]
	name := g.countryNames[code][1]
	if strings.HasPrefix(strings.ToLower(lang), "zh") || fold.IsHan(query) && lang == "" {
		name = g.countryNames[code][0]
	}
	if name == "" {
		name = strings.TrimSpace(query)
	}
	p := dialog.Place{Name: name, CountryCode: code, Lat: c.lat, Lon: c.lon}
	return Result{Place: &p, Source: SourceGazetteer}, true
}
