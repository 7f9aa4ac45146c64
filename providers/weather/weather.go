// Package weather fetches daily forecasts for a trip's dates: OpenWeatherMap One Call 3.0
// when a key is configured, Open-Meteo otherwise or when it fails. A forecast that cannot
// be had is no reason to hold a plan back: callers mark the weather unavailable (E-303).
package weather

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"xingqu/api"
	"xingqu/dialog"
	"xingqu/providers"
)

// CodeWeatherUnavailable is the error code shown when no forecast could be had.
const CodeWeatherUnavailable = string(api.Weather)

// ErrUnavailable means no weather service answered.
var ErrUnavailable = errors.New("weather unavailable")

// Sources, as reported in Forecast.Source.
const (
	SourceOpenWeather = "openweathermap"
	SourceOpenMeteo   = "open-meteo"
)

// How long a forecast is kept: forecasts change through the day.
const cacheTTL = 3 * time.Hour

// Config says which services to ask. Zero values take the public endpoints; an empty
// OpenWeatherKey goes straight to Open-Meteo.
type Config struct {
	OpenWeatherKey     string
	OpenWeatherBaseURL string // bare origin, default https://api.openweathermap.org
	OpenMeteoBaseURL   string // bare origin, default https://api.open-meteo.com
	HTTPClient         *http.Client
	Cache              providers.Cache
}

// Day is the weather of one date.
type Day struct {
	Date    dialog.Date    `json:"date"`
	Weather dialog.Weather `json:"weather"`
}

// Forecast is the weather of the dates of a trip that some service could forecast, in
// date order. Dates beyond the forecasts' reach are absent.
type Forecast struct {
	Place  dialog.Place `json:"place"`
	Days   []Day        `json:"days"`
	Source string       `json:"source"`
}

// On returns the weather of d, if it was forecast.
func (f Forecast) On(d dialog.Date) (dialog.Weather, bool) {
	i, ok := slices.BinarySearchFunc(f.Days, d, func(day Day, d dialog.Date) int {
		switch {
		case day.Date.Before(d):
			return -1
		case day.Date.After(d):
			return 1
		}
		return 0
	})
	if !ok {
		return dialog.Weather{}, false
	}
	return f.Days[i].Weather, true
}

// Client fetches forecasts. It is safe for concurrent use.
type Client struct {
	owm   *openWeather
	om    *openMeteo
	cache providers.Cache
	group singleflight.Group
	now   func() time.Time
	errs  sync.Map // source -> *atomic.Uint64
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	c := &Client{cache: cfg.Cache, now: time.Now}
	if cfg.OpenWeatherKey != "" {
		c.owm = &openWeather{
			base:   strings.TrimRight(orDefault(cfg.OpenWeatherBaseURL, "https://api.openweathermap.org"), "/"),
			key:    cfg.OpenWeatherKey,
			client: client,
		}
	}
	c.om = &openMeteo{
		base:   strings.TrimRight(orDefault(cfg.OpenMeteoBaseURL, "https://api.open-meteo.com"), "/"),
		client: client,
	}
	return c
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// maxTripDays bounds how many dates one call asks about, and so how many day_summary
// requests it can make.
const maxTripDays = 31

// Daily returns the forecast for place from from to to, both included. It fails, with
// an error wrapping ErrUnavailable, only when no service answered at all.
func (c *Client) Daily(ctx context.Context, place dialog.Place, from, to dialog.Date) (Forecast, error) {
	if to.Before(from) {
		from, to = to, from
	}
	if from.DaysUntil(to) >= maxTripDays {
		to = from.AddDays(maxTripDays - 1)
	}
	// Rounding to about a kilometre lets nearby look-ups share a cache entry, and the
	// request is made for the rounded point so that the entry says what it holds.
	lat, lon := round2(place.Lat), round2(place.Lon)
	where := fmt.Sprintf("%.2f,%.2f:%s:%s", lat, lon, from, to)
	today := dialog.DateOf(c.now().UTC())

	var errs []error
	if c.owm != nil {
		days, err := providers.Cached(ctx, c.cache, &c.group, "wx:owm:"+where, cacheTTL, func(ctx context.Context) ([]Day, error) {
			return c.owm.daily(ctx, lat, lon, from, to, today, c.countFailure)
		})
		if err == nil {
			return Forecast{Place: place, Days: days, Source: SourceOpenWeather}, nil
		}
		if ctx.Err() != nil {
			return Forecast{}, ctx.Err()
		}
		c.countFailure(ctx, SourceOpenWeather, err)
		errs = append(errs, err)
	}
	days, err := providers.Cached(ctx, c.cache, &c.group, "wx:om:"+where, cacheTTL, func(ctx context.Context) ([]Day, error) {
		return c.om.daily(ctx, lat, lon, from, to, today)
	})
	if err == nil {
		return Forecast{Place: place, Days: days, Source: SourceOpenMeteo}, nil
	}
	if ctx.Err() != nil {
		return Forecast{}, ctx.Err()
	}
	c.countFailure(ctx, SourceOpenMeteo, err)
	errs = append(errs, err)
	return Forecast{Place: place}, fmt.Errorf("%s: %w: %w", CodeWeatherUnavailable, ErrUnavailable, errors.Join(errs...))
}

func (c *Client) countFailure(ctx context.Context, src string, err error) {
	v, _ := c.errs.LoadOrStore(src, new(atomic.Uint64))
	v.(*atomic.Uint64).Add(1)
	slog.WarnContext(ctx, "weather service failed", "source", src, "err", err)
}

// SourceErrors counts the failures of each service since start, for metrics.
func (c *Client) SourceErrors() map[string]uint64 {
	out := make(map[string]uint64)
	c.errs.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Uint64).Load()
		return true
	})
	return out
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
