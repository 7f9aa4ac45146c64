package geo

import (
	"math"
	"slices"
	"strings"
)

// Town is a town near a destination, for a day trip.
type Town struct {
	Name       string // in the traveller's language where the gazetteer has it
	Country    string
	DistanceKm float64
	Population int64
}

// Nearby lists up to n towns between minKm and maxKm of a point, the biggest first: a
// day trip is worth it to a town people have heard of. For lang zh only towns with a
// Chinese name are listed, so a Chinese plan does not switch script mid-sentence.
func (g *Gazetteer) Nearby(lat, lon, minKm, maxKm float64, n int, lang string) []Town {
	zh := strings.HasPrefix(strings.ToLower(lang), "zh")
	dLat := int32(math.Ceil(maxKm / 111))
	cos := math.Max(math.Cos(lat*math.Pi/180), 0.05)
	dLon := min(int32(math.Ceil(maxKm/(111*cos))), 180)
	la, lo := int32(math.Floor(lat)), int32(math.Floor(lon))
	var out []Town
	seen := map[string]bool{}
	for y := la - dLat; y <= la+dLat; y++ {
		for x := lo - dLon; x <= lo+dLon; x++ {
			cx := (x+180+360*2)%360 - 180
			for _, i := range g.grid[y*1000+cx] {
				c := &g.cities[i]
				d := distanceKm(lat, lon, c.lat, c.lon)
				if d < minKm || d > maxKm {
					continue
				}
				name := c.name
				if zh {
					if len(c.han) == 0 {
						continue
					}
					name = c.han[0]
				}
				if seen[name] {
					continue
				}
				seen[name] = true
				out = append(out, Town{Name: name, Country: c.country, DistanceKm: d, Population: c.pop})
			}
		}
	}
	slices.SortFunc(out, func(a, b Town) int {
		if a.Population != b.Population {
			if a.Population > b.Population {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
