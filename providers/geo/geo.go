// Package geo turns what a traveller calls a place into a point on the map, and a point
// back into a name: LocationIQ when a key is configured, then Nominatim, then an offline
// gazetteer shipped with the binary, so that a destination can always be looked up.
package geo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"xingqu/api"
	"xingqu/dialog"
	"xingqu/providers"
	"xingqu/providers/geo/internal/fold"
)

// CodePlaceLookup is the error code shown when a place cannot be looked up.
const CodePlaceLookup = string(api.PlaceLookup)

// ErrNotFound means no source knows the place. A Result returned with it may still hold
// close spellings in Candidates.
var ErrNotFound = errors.New("geo: place not found")

// Sources, as reported in Result.Source.
const (
	SourceLocationIQ = "locationiq"
	SourceNominatim  = "nominatim"
	SourceGazetteer  = "gazetteer"
)

// Result is the answer to a forward look-up: one Place when the name is clear, or
// Candidates (at most five, most likely first) for the traveller to choose from.
type Result struct {
	Place      *dialog.Place  `json:"place,omitempty"`
	Candidates []dialog.Place `json:"candidates,omitempty"`
	Source     string         `json:"source"`
}

// How long answers are kept: towns do not move.
const cacheTTL = 30 * 24 * time.Hour

// Config says which services to ask. Zero values take the public endpoints; an empty
// LocationIQKey skips LocationIQ and NominatimBaseURL "off" skips Nominatim.
type Config struct {
	LocationIQKey     string
	LocationIQBaseURL string // bare origin, default https://us1.locationiq.com
	NominatimBaseURL  string // bare origin, default https://nominatim.openstreetmap.org
	UserAgent         string // identifies the service to Nominatim; see UserAgent
	HTTPClient        *http.Client
	Cache             providers.Cache
}

// UserAgent is the User-Agent Nominatim's usage policy asks for: the application, its
// version and where to reach whoever runs it.
func UserAgent(version, publicURL string) string {
	if publicURL == "" {
		return "xingqu/" + version
	}
	return fmt.Sprintf("xingqu/%s (+%s)", version, publicURL)
}

// Resolver looks places up through the chain of sources. It is safe for concurrent use.
type Resolver struct {
	sources []source
	cache   providers.Cache
	group   singleflight.Group
	errs    sync.Map // source name -> *atomic.Uint64
}

// source is one remote geocoding service.
type source interface {
	name() string
	forward(ctx context.Context, query, lang string) (Result, error)
	reverse(ctx context.Context, lat, lon float64, lang string) (dialog.Place, error)
}

// errNoResult is a service's definite "I know no such place", as opposed to a failure.
var errNoResult = errors.New("no result")

// New returns a Resolver for cfg.
func New(cfg Config) *Resolver {
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = UserAgent("dev", "")
	}
	r := &Resolver{cache: cfg.Cache}
	if cfg.LocationIQKey != "" {
		base := cmp(cfg.LocationIQBaseURL, "https://us1.locationiq.com")
		r.sources = append(r.sources, &locationIQ{base: strings.TrimRight(base, "/"), key: cfg.LocationIQKey, client: client, ua: ua})
	}
	if nb := cmp(cfg.NominatimBaseURL, "https://nominatim.openstreetmap.org"); !strings.EqualFold(nb, "off") {
		nb = strings.TrimRight(nb, "/")
		r.sources = append(r.sources, &nominatim{base: nb, client: client, ua: ua, pace: pacerFor(nb)})
	}
	return r
}

func cmp(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Forward resolves what a traveller called a place. It returns ErrNotFound, perhaps with
// suggestions in Result.Candidates, when no source knows it.
func (r *Resolver) Forward(ctx context.Context, query, lang string) (Result, error) {
	query = strings.Join(strings.Fields(query), " ")
	key := fold.Key(query)
	if key == "" {
		return Result{}, ErrNotFound
	}
	if len(r.sources) > 0 {
		res, err := providers.Cached(ctx, r.cache, &r.group, "geo:fwd:"+langKey(lang)+":"+key, cacheTTL,
			func(ctx context.Context) (Result, error) {
				return r.forwardRemote(ctx, query, lang)
			})
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
	}
	g, err := LoadGazetteer()
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return g.Forward(query, lang)
}

func (r *Resolver) forwardRemote(ctx context.Context, query, lang string) (Result, error) {
	for _, s := range r.sources {
		res, err := s.forward(ctx, query, lang)
		if err == nil {
			res.Source = s.name()
			return res, nil
		}
		r.failed(ctx, s.name(), "forward", err)
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
	}
	return Result{}, ErrNotFound
}

// Reverse names the town at or near a point.
func (r *Resolver) Reverse(ctx context.Context, lat, lon float64, lang string) (dialog.Place, error) {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return dialog.Place{}, fmt.Errorf("%w: no such point %v,%v", ErrNotFound, lat, lon)
	}
	if len(r.sources) > 0 {
		key := fmt.Sprintf("geo:rev:%s:%.2f,%.2f", langKey(lang), lat, lon)
		p, err := providers.Cached(ctx, r.cache, &r.group, key, cacheTTL, func(ctx context.Context) (dialog.Place, error) {
			for _, s := range r.sources {
				p, err := s.reverse(ctx, lat, lon, lang)
				if err == nil {
					return p, nil
				}
				r.failed(ctx, s.name(), "reverse", err)
				if ctx.Err() != nil {
					return dialog.Place{}, ctx.Err()
				}
			}
			return dialog.Place{}, ErrNotFound
		})
		if err == nil {
			return p, nil
		}
		if ctx.Err() != nil {
			return dialog.Place{}, ctx.Err()
		}
	}
	g, err := LoadGazetteer()
	if err != nil {
		return dialog.Place{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return g.Reverse(lat, lon, lang)
}

// failed records that a source did not answer; a definite "no such place" is no error.
func (r *Resolver) failed(ctx context.Context, src, op string, err error) {
	if errors.Is(err, errNoResult) {
		slog.DebugContext(ctx, "geocoder found nothing", "source", src, "op", op)
		return
	}
	c, _ := r.errs.LoadOrStore(src, new(atomic.Uint64))
	c.(*atomic.Uint64).Add(1)
	slog.WarnContext(ctx, "geocoder failed, trying the next", "source", src, "op", op, "err", err)
}

// SourceErrors counts the failures of each remote source since start, for metrics.
func (r *Resolver) SourceErrors() map[string]uint64 {
	out := make(map[string]uint64)
	r.errs.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Uint64).Load()
		return true
	})
	return out
}

func langKey(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if lang == "" {
		return "any"
	}
	return lang
}
