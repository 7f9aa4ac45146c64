// Package planner turns a trip request into a plan: it places the destination, fetches
// the forecast for the travel dates, and asks the LLM chain (which ends in the offline
// planner) for three options. Every step degrades instead of failing: an unknown place
// plans without a map point (E-707), missing weather is marked E-303, dead models give
// the offline draft.
package planner

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"xingqu/dialog"
	"xingqu/providers/geo"
	"xingqu/providers/llm"
	"xingqu/providers/weather"
)

// Codes of the steps that can degrade (SPEC section 8).
const (
	CodePlaceLookup = geo.CodePlaceLookup
	CodeWeather     = weather.CodeWeatherUnavailable
)

// Planner composes the providers. Geo and Weather may be nil.
type Planner struct {
	Chain   *llm.Chain
	Geo     *geo.Resolver
	Weather *weather.Client
	Log     *slog.Logger
}

// Request is one plan to make.
type Request struct {
	Trip        dialog.TripRequest
	Lang        string
	TravellerID string
	Address     string // the client's network, for the per-address budget
	OnProgress  func(llm.Progress)
}

// Result is a plan and how it was made.
type Result struct {
	Plan   dialog.Plan
	Report llm.Report
	Codes  []string // degradations on the way: E-707, E-303
}

// Warm loads the offline gazetteer in the background, so the first plan does not pay
// for it.
func Warm() { go geo.LoadGazetteer() }

// Plan makes a plan. It fails only when ctx ends.
func (p *Planner) Plan(ctx context.Context, req Request) (Result, error) {
	var res Result
	trip := req.Trip
	if trip.Place == nil && trip.Destination != "" {
		if place, ok := p.place(ctx, trip.Destination, req.Lang); ok {
			trip.Place = &place
		} else {
			res.Codes = append(res.Codes, CodePlaceLookup)
		}
	}
	var byDate map[string]dialog.Weather
	if p.Weather != nil && trip.Place != nil && trip.StartDate != nil && trip.EndDate != nil {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		fc, err := p.Weather.Daily(wctx, *trip.Place, *trip.StartDate, *trip.EndDate)
		cancel()
		if err != nil {
			p.log().Warn("weather unavailable", "destination", trip.Destination, "err", err)
			res.Codes = append(res.Codes, CodeWeather)
		} else {
			byDate = make(map[string]dialog.Weather, len(fc.Days))
			for _, d := range fc.Days {
				byDate[d.Date.String()] = d.Weather
			}
		}
	}
	plan, rep, err := p.Chain.PlanWithReport(ctx, llm.PlanRequest{
		Trip: trip, Lang: req.Lang, TravellerID: req.TravellerID, Address: req.Address, Weather: byDate, OnProgress: req.OnProgress,
	})
	if err != nil {
		return res, err
	}
	plan.Trip = trip
	// The planners read the forecast in English; the traveller reads it in their language.
	for i := range plan.Options {
		for j := range plan.Options[i].Days {
			if w := plan.Options[i].Days[j].Weather; w != nil {
				w.Summary = weather.Localize(w.Summary, req.Lang)
			}
		}
	}
	for _, c := range res.Codes {
		if c == CodeWeather {
			plan.WeatherNote = CodeWeather
		}
	}
	res.Plan, res.Report = plan, rep
	return res, nil
}

// ErrNoForecast is returned by Forecast when the trip cannot be forecast: no weather
// service is configured, its dates are not known, or its destination cannot be placed.
var ErrNoForecast = errors.New("no forecast for this trip")

// Forecast is the weather of trip's dates at its destination, placed first when the
// trip does not say where it is. Dates beyond the forecasts' reach are absent.
func (p *Planner) Forecast(ctx context.Context, trip dialog.TripRequest, lang string) ([]dialog.DayWeather, error) {
	if p.Weather == nil || trip.StartDate == nil || trip.EndDate == nil {
		return nil, ErrNoForecast
	}
	if trip.Place == nil {
		place, ok := p.place(ctx, trip.Destination, lang)
		if !ok {
			return nil, ErrNoForecast
		}
		trip.Place = &place
	}
	fc, err := p.Weather.Daily(ctx, *trip.Place, *trip.StartDate, *trip.EndDate)
	if err != nil {
		return nil, err
	}
	out := make([]dialog.DayWeather, len(fc.Days))
	for i, d := range fc.Days {
		d.Weather.Summary = weather.Localize(d.Weather.Summary, lang)
		out[i] = dialog.DayWeather{Date: d.Date, Weather: d.Weather}
	}
	return out, nil
}

// place finds the destination. A city the gazetteer knows without doubt needs no
// network call; anything else (an address, a district, a landmark) goes to the services,
// which fall back to the gazetteer themselves.
func (p *Planner) place(ctx context.Context, dest, lang string) (dialog.Place, bool) {
	if g, err := geo.LoadGazetteer(); err == nil {
		if r, err := g.Forward(dest, lang); err == nil && r.Place != nil {
			return *r.Place, true
		}
	}
	if p.Geo == nil {
		return dialog.Place{}, false
	}
	gctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r, err := p.Geo.Forward(gctx, dest, lang)
	switch {
	case err == nil && r.Place != nil:
		return *r.Place, true
	case len(r.Candidates) > 0 && !errors.Is(err, geo.ErrNotFound):
		// Ambiguous: plan for the biggest; the dialog can ask which one later.
		return r.Candidates[0], true
	}
	p.log().Info("destination not placed", "destination", dest, "err", err)
	return dialog.Place{}, false
}

func (p *Planner) log() *slog.Logger {
	if p.Log == nil {
		return slog.Default()
	}
	return p.Log
}
