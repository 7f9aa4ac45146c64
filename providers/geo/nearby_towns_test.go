package geo

import (
	"slices"
	"testing"
	"unicode"
)

func TestNearby(t *testing.T) {
	g, err := LoadGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lat, lon float64
		lang     string
		want     string
	}{
		{26.06139, 119.30611, "zh", "莆田"},           // Fuzhou
		{38.71667, -9.13333, "en", "Setúbal"},       // Lisbon
		{35.02107, 135.75385, "en", "Osaka"},        // Kyoto
		{-33.92584, 18.42322, "en", "Stellenbosch"}, // Cape Town
	}
	for _, tt := range tests {
		towns := g.Nearby(tt.lat, tt.lon, 25, 130, 8, tt.lang)
		var names []string
		for i, tw := range towns {
			names = append(names, tw.Name)
			if tw.DistanceKm < 25 || tw.DistanceKm > 130 {
				t.Errorf("%s at %.0f km: outside 25-130 km", tw.Name, tw.DistanceKm)
			}
			if i > 0 && tw.Population > towns[i-1].Population {
				t.Errorf("%v: not biggest first", names)
			}
			if tt.lang == "zh" && !unicode.Is(unicode.Han, []rune(tw.Name)[0]) {
				t.Errorf("%q in a Chinese list", tw.Name)
			}
		}
		if !slices.Contains(names, tt.want) {
			t.Errorf("near %.2f,%.2f: %v, want %s among them", tt.lat, tt.lon, names, tt.want)
		}
	}
}
