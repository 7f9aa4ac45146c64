package geo

import "testing"

// Regions are destinations: the gazetteer knows them by their Chinese and English
// names, places them where their weather is, and prefers them to a town of the same
// name or a near spelling of one.
func TestRegions(t *testing.T) {
	g, err := LoadGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ query, lang, name, country string }{
		{"云南", "zh", "云南", "CN"},
		{"西藏", "zh", "西藏", "CN"},     // not 西昌, a town one sound away
		{"海南", "zh", "海南", "CN"},     // the island province, not the prefecture in Qinghai
		{"Bali", "en", "Bali", "ID"}, // not Bāli, West Bengal
		{"bali", "zh", "巴厘岛", "ID"},
		{"北海道", "zh", "北海道", "JP"},
		{"Hokkaido", "en", "Hokkaido", "JP"},
		{"Tuscany", "en", "Tuscany", "IT"},
		{"九寨沟", "", "九寨沟", "CN"},
		{"Inner Mongolia", "en", "Inner Mongolia", "CN"},
	} {
		r, err := g.Forward(c.query, c.lang)
		if err != nil || r.Place == nil || r.Place.Name != c.name || r.Place.CountryCode != c.country {
			t.Errorf("Forward(%q, %q) = %+v, %v; want %s in %s", c.query, c.lang, r.Place, err, c.name, c.country)
		}
		if known, common := g.Knows(c.query); !known || common {
			t.Errorf("Knows(%q) = %v, %v; want known, not a common word", c.query, known, common)
		}
	}
	// Every region is placed on the map and in a country the gazetteer knows.
	for key, r := range g.regions {
		if r.lat < -90 || r.lat > 90 || r.lon < -180 || r.lon > 180 || (r.lat == 0 && r.lon == 0) {
			t.Errorf("%s: coordinates %v, %v", key, r.lat, r.lon)
		}
		if g.countryNames[r.country] == [2]string{} {
			t.Errorf("%s: unknown country %q", key, r.country)
		}
	}
}
