package geo

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"xingqu/dialog"
	"xingqu/providers/geo/internal/fold"
)

//go:embed regions.tsv
var regionsTSV string

// region is a destination that is not a town: a province, an island, a national park.
// Travellers name these as often as towns ("去云南", "Bali for a week"), and a near
// spelling of a town must never be taken for one (西藏 is not 西昌).
type region struct {
	zh, en  string // names shown
	country string
	lat     float64
	lon     float64
}

// parseRegions reads regions.tsv into the names it answers to: Chinese names as
// written, Latin names folded.
func parseRegions(tsv string) (map[string]*region, error) {
	out := map[string]*region{}
	for n, line := range strings.Split(tsv, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var f [5]string
		if splitInto(line, '\t', f[:]) != len(f) {
			return nil, fmt.Errorf("regions line %d: want 5 fields: %q", n+1, line)
		}
		lat, err1 := strconv.ParseFloat(f[3], 64)
		lon, err2 := strconv.ParseFloat(f[4], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("regions line %d: bad coordinates", n+1)
		}
		zh, en := strings.Split(f[0], "|"), strings.Split(f[1], "|")
		r := &region{zh: zh[0], en: en[0], country: f[2], lat: lat, lon: lon}
		for _, k := range zh {
			out[k] = r
		}
		for _, name := range en {
			out[fold.Key(name)] = r
		}
	}
	return out, nil
}

// regionKey is how a query is looked up among the regions.
func regionKey(query string) string {
	query = strings.TrimSpace(query)
	if fold.IsHan(query) {
		return strings.ReplaceAll(query, " ", "")
	}
	return fold.Key(query)
}

// region resolves a region's name, in the traveller's language.
func (g *Gazetteer) region(query, lang string) (Result, bool) {
	r, ok := g.regions[regionKey(query)]
	if !ok {
		return Result{}, false
	}
	// In the traveller's language; a Chinese name as they wrote it (平遥古城, not 平遥).
	name := r.en
	zh := strings.HasPrefix(strings.ToLower(lang), "zh")
	switch han := fold.IsHan(query); {
	case han && (zh || lang == ""):
		name = strings.ReplaceAll(strings.TrimSpace(query), " ", "")
	case zh:
		name = r.zh
	}
	p := dialog.Place{Name: name, CountryCode: r.country, Lat: r.lat, Lon: r.lon}
	return Result{Place: &p, Source: SourceGazetteer}, true
}
