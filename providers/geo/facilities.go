package geo

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"xingqu/dialog"
	"xingqu/providers"
)

// Kinds of facility a traveller in trouble may need near them.
const (
	FacilityHospital = "hospital"
	FacilityPolice   = "police"
)

// FacilityFor is the facility an emergency needs nearby: a hospital for the sick and the
// hurt, a police station for theft and lost documents; none for the rest.
func FacilityFor(cat dialog.EmergencyCategory) (string, bool) {
	switch cat {
	case dialog.EmergencyMedical, dialog.EmergencyInjury:
		return FacilityHospital, true
	case dialog.EmergencyCrime, dialog.EmergencyDocuments, dialog.EmergencyLostPerson:
		return FacilityPolice, true
	}
	return "", false
}

// Facility is a hospital or police station near the traveller.
type Facility struct {
	Name      string  `json:"name"`
	Address   string  `json:"address"`
	Lat       float64 `json:"lat"`
	Lon       float64 `json:"lon"`
	DistanceM float64 `json:"distanceM"`
}

// nearbyRadiusM bounds the search: further than this, asking locally helps more.
const nearbyRadiusM = 10000

// nearbyTTL is how long a point's facilities are kept: hospitals seldom move, and a
// stale answer beats none in an emergency.
const nearbyTTL = 7 * 24 * time.Hour

// nearbySource is a remote service that can search near a point.
type nearbySource interface {
	name() string
	nearby(ctx context.Context, lat, lon float64, kind, lang string) ([]osmPlace, error)
}

// ErrNoNearbyService means no geocoder that can search near a point is configured; the
// traveller is told to ask locally.
var ErrNoNearbyService = fmt.Errorf("geo: no service can search near a point")

// Nearby returns up to five facilities of kind within 10 km of a point, nearest first,
// from LocationIQ or Nominatim. With neither configured it returns ErrNoNearbyService;
// nothing found is an empty list.
func (r *Resolver) Nearby(ctx context.Context, lat, lon float64, kind, lang string) ([]Facility, error) {
	if kind != FacilityHospital && kind != FacilityPolice {
		return nil, fmt.Errorf("geo: unknown facility %q", kind)
	}
	var srcs []nearbySource
	for _, s := range r.sources {
		if n, ok := s.(nearbySource); ok {
			srcs = append(srcs, n)
		}
	}
	if len(srcs) == 0 {
		return nil, ErrNoNearbyService
	}
	key := fmt.Sprintf("geo:near:%s:%s:%.3f,%.3f", kind, langKey(lang), lat, lon)
	return providers.Cached(ctx, r.cache, &r.group, key, nearbyTTL, func(ctx context.Context) ([]Facility, error) {
		var last error
		for _, s := range srcs {
			places, err := s.nearby(ctx, lat, lon, kind, lang)
			if err == nil {
				return facilitiesNear(places, lat, lon), nil
			}
			last = err
			r.failed(ctx, s.name(), "nearby", err)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
		return nil, last
	})
}

// facilitiesNear keeps the named places within the radius, nearest first, at most five.
func facilitiesNear(places []osmPlace, lat, lon float64) []Facility {
	out := []Facility{}
	for _, p := range places {
		plat, err1 := strconv.ParseFloat(p.Lat, 64)
		plon, err2 := strconv.ParseFloat(p.Lon, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		name := p.Name
		if name == "" {
			name, _, _ = strings.Cut(p.DisplayName, ",")
		}
		d := distanceM(lat, lon, plat, plon)
		if name == "" || d > nearbyRadiusM {
			continue
		}
		out = append(out, Facility{Name: name, Address: p.DisplayName, Lat: plat, Lon: plon, DistanceM: math.Round(d)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DistanceM < out[j].DistanceM })
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

// distanceM is the great-circle distance between two points, in metres.
func distanceM(lat1, lon1, lat2, lon2 float64) float64 {
	const earthM = 6371000
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * earthM * math.Asin(math.Sqrt(a))
}

// nearby asks LocationIQ's Nearby (points of interest) API.
func (l *locationIQ) nearby(ctx context.Context, lat, lon float64, kind, lang string) ([]osmPlace, error) {
	q := url.Values{"key": {l.key}, "lat": {ftoa(lat)}, "lon": {ftoa(lon)}, "tag": {kind},
		"radius": {strconv.Itoa(nearbyRadiusM)}, "limit": {"10"}, "format": {"json"}}
	setLang(q, lang)
	var places []osmPlace
	if err := l.get(ctx, "/v1/nearby", q, &places); err != nil {
		if err == errNoResult {
			return nil, nil
		}
		return nil, err
	}
	return places, nil
}

// nearby asks Nominatim for the amenity inside a box around the point (about 10 km each
// way), which its search supports with viewbox and bounded=1.
func (n *nominatim) nearby(ctx context.Context, lat, lon float64, kind, lang string) ([]osmPlace, error) {
	dlat := nearbyRadiusM / 111320.0
	dlon := dlat / math.Max(math.Cos(lat*math.Pi/180), 0.01)
	box := fmt.Sprintf("%s,%s,%s,%s", ftoa(lon-dlon), ftoa(lat+dlat), ftoa(lon+dlon), ftoa(lat-dlat))
	q := url.Values{"amenity": {kind}, "format": {"jsonv2"}, "limit": {"10"}, "viewbox": {box}, "bounded": {"1"}}
	setLang(q, lang)
	var places []osmPlace
	if err := n.get(ctx, "/search", q, &places); err != nil {
		return nil, err
	}
	return places, nil
}
