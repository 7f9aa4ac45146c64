package geo

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func mustGazetteer(t testing.TB) *Gazetteer {
	t.Helper()
	g, err := LoadGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGazetteerResolvesOneTown(t *testing.T) {
	g := mustGazetteer(t)
	for _, c := range []struct {
		query, lang, name, country string
		lat, lon                   float64
	}{
		{"福州", "zh", "福州", "CN", 26.06, 119.31},
		{"福州市", "zh", "福州市", "CN", 26.06, 119.31},
		{"福州", "en", "Fuzhou", "CN", 26.06, 119.31},
		{"北京", "zh", "北京", "CN", 39.91, 116.40},
		{"上海", "zh", "上海", "CN", 31.22, 121.46},
		{"厦门", "zh", "厦门", "CN", 24.48, 118.08},
		{"Lisbon", "en", "Lisbon", "PT", 38.72, -9.13},
		{"lisboa", "en", "Lisbon", "PT", 38.72, -9.13},
		{"LISBON", "en", "Lisbon", "PT", 38.72, -9.13},
		{"Lisbon", "zh", "里斯本", "PT", 38.72, -9.13},
		{"里斯本", "zh", "里斯本", "PT", 38.72, -9.13},
		{"Paris", "en", "Paris", "FR", 48.85, 2.35},
		{"巴黎", "zh", "巴黎", "FR", 48.85, 2.35},
		{"São Paulo", "en", "São Paulo", "BR", -23.55, -46.64},
		{"sao paulo", "en", "São Paulo", "BR", -23.55, -46.64},
		{"Portland, Oregon", "en", "Portland", "US", 45.52, -122.68},
		{"Portland, ME", "en", "Portland", "US", 43.66, -70.26},
		{"Paris, France", "en", "Paris", "FR", 48.85, 2.35},
		{"Paris, Texas", "en", "Paris", "US", 33.66, -95.56},
		{"Springfield, Illinois", "en", "Springfield", "US", 39.80, -89.64},
		{"Peking", "en", "Beijing", "CN", 39.91, 116.40},
	} {
		res, err := g.Forward(c.query, c.lang)
		if err != nil {
			t.Errorf("%q: %v", c.query, err)
			continue
		}
		if res.Place == nil {
			t.Errorf("%q: got candidates %v, want one place", c.query, res.Candidates)
			continue
		}
		p := *res.Place
		if p.Name != c.name || p.CountryCode != c.country || !near(p.Lat, c.lat) || !near(p.Lon, c.lon) {
			t.Errorf("%q (%s): got %+v, want %s %s (%.2f, %.2f)", c.query, c.lang, p, c.name, c.country, c.lat, c.lon)
		}
		if res.Source != SourceGazetteer {
			t.Errorf("%q: source %q, want %q", c.query, res.Source, SourceGazetteer)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.02 }

func TestGazetteerAmbiguousNamesGiveCandidates(t *testing.T) {
	g := mustGazetteer(t)
	for _, q := range []string{"Springfield", "San Jose"} {
		res, err := g.Forward(q, "en")
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if res.Place != nil {
			t.Fatalf("%q: got place %+v, want candidates", q, *res.Place)
		}
		if n := len(res.Candidates); n < 2 || n > maxCandidates {
			t.Fatalf("%q: got %d candidates, want 2..%d", q, n, maxCandidates)
		}
		word := strings.Fields(q)[0]
		for i, c := range res.Candidates {
			if !strings.HasPrefix(c.Name, word) {
				t.Errorf("%q candidate %d: %q", q, i, c.Name)
			}
		}
	}
	res, _ := g.Forward("Springfield", "en")
	// The biggest first, each told apart by its state.
	if got := res.Candidates[0].Name; got != "Springfield, Missouri" {
		t.Errorf("first Springfield: got %q, want %q", got, "Springfield, Missouri")
	}
	seen := map[string]bool{}
	for _, c := range res.Candidates {
		if seen[c.Name] {
			t.Errorf("two candidates named %q", c.Name)
		}
		seen[c.Name] = true
	}
}

func TestGazetteerSuggestsCloseSpellings(t *testing.T) {
	g := mustGazetteer(t)
	for _, c := range []struct{ query, want, country string }{
		{"Lisbn", "Lisbon", "PT"},
		{"Barcelonna", "Barcelona", "ES"},
		{"Amsterdamm", "Amsterdam", "NL"},
	} {
		res, err := g.Forward(c.query, "en")
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("%q: got error %v, want ErrNotFound", c.query, err)
		}
		found := false
		for _, p := range res.Candidates {
			if strings.HasPrefix(p.Name, c.want) && p.CountryCode == c.country {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: suggestions %v lack %s, %s", c.query, res.Candidates, c.want, c.country)
		}
	}
	if res, err := g.Forward("Xqzzyvv", "en"); !errors.Is(err, ErrNotFound) || len(res.Candidates) != 0 {
		t.Errorf("nonsense: got %v, %v; want ErrNotFound and no suggestions", res, err)
	}
}

func TestGazetteerReverse(t *testing.T) {
	g := mustGazetteer(t)
	p, err := g.Reverse(38.7223, -9.1393, "en")
	if err != nil || p.Name != "Lisbon" || p.CountryCode != "PT" {
		t.Errorf("Lisbon's centre: got %+v, %v", p, err)
	}
	p, err = g.Reverse(26.08, 119.29, "zh")
	if err != nil || p.Name != "福州" || p.CountryCode != "CN" {
		t.Errorf("Fuzhou: got %+v, %v", p, err)
	}
	if _, err := g.Reverse(-30, -140, "en"); !errors.Is(err, ErrNotFound) {
		t.Errorf("mid-Pacific: got %v, want ErrNotFound", err)
	}
}

func TestGazetteerSize(t *testing.T) {
	g := mustGazetteer(t)
	if g.Len() < 25000 {
		t.Errorf("only %d towns", g.Len())
	}
	t.Logf("%d towns, loaded in %v", g.Len(), g.LoadTime())
}

func BenchmarkGazetteerLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parseGazetteer(citiesGz, countriesTSV); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGazetteerLookup(b *testing.B) {
	g := mustGazetteer(b)
	for _, q := range []string{"Lisbon", "福州", "São Paulo", "Springfield", "Portland, Oregon"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := g.Forward(q, "en"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGazetteerSuggest(b *testing.B) {
	g := mustGazetteer(b)
	for b.Loop() {
		if _, err := g.Forward("Lisbn", "en"); !errors.Is(err, ErrNotFound) {
			b.Fatal(err)
		}
	}
}

func BenchmarkGazetteerReverse(b *testing.B) {
	g := mustGazetteer(b)
	for b.Loop() {
		if _, err := g.Reverse(38.72, -9.14, "en"); err != nil {
			b.Fatal(err)
		}
	}
}
