package web

import (
	"fmt"
	"math"

	"xingqu/dialog"
	"xingqu/providers/geo"
)

// widgetLocation is a point the widget shares from the browser's geolocation.
type widgetLocation struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// place names the point from the offline gazetteer (no network: the request answers
// at once, and an emergency must not wait on a geocoder); the coordinates name it when
// the gazetteer knows nothing near. false for a point that is not on Earth.
func (l widgetLocation) place() (*dialog.Place, bool) {
	if math.IsNaN(l.Lat) || math.IsNaN(l.Lon) || math.Abs(l.Lat) > 90 || math.Abs(l.Lon) > 180 {
		return nil, false
	}
	p := dialog.Place{Name: fmt.Sprintf("%.4f, %.4f", l.Lat, l.Lon), Lat: l.Lat, Lon: l.Lon}
	if g, err := geo.LoadGazetteer(); err == nil {
		if got, err := g.Reverse(l.Lat, l.Lon, dialog.LangEN); err == nil && got.Name != "" {
			got.Lat, got.Lon = l.Lat, l.Lon
			p = got
		}
	}
	return &p, true
}
