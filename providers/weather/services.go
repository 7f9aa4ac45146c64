package weather

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"xingqu/dialog"
)

// openWeather speaks OpenWeatherMap One Call 3.0: /onecall for the next eight days and
// /onecall/day_summary, one request per date, for dates further out.
type openWeather struct {
	base, key string
	client    *http.Client
}

// The reach of day_summary's forecast: a year and a half.
const owmSummaryReachDays = 540

// owmSummaryParallel bounds the day_summary requests in flight for one trip.
const owmSummaryParallel = 4

type owmOneCall struct {
	TimezoneOffset int64 `json:"timezone_offset"`
	Daily          []struct {
		Dt      int64  `json:"dt"`
		Summary string `json:"summary"`
		Temp    struct {
			Min float64 `json:"min"`
			Max float64 `json:"max"`
		} `json:"temp"`
		Pop     float64 `json:"pop"`
		Weather []struct {
			ID          int    `json:"id"`
			Main        string `json:"main"`
			Description string `json:"description"`
		} `json:"weather"`
	} `json:"daily"`
}

type owmDaySummary struct {
	Date       string `json:"date"`
	CloudCover struct {
		Afternoon float64 `json:"afternoon"`
	} `json:"cloud_cover"`
	Precipitation struct {
		Total float64 `json:"total"`
	} `json:"precipitation"`
	Temperature struct {
		Min float64 `json:"min"`
		Max float64 `json:"max"`
	} `json:"temperature"`
}

func (o *openWeather) daily(ctx context.Context, lat, lon float64, from, to, today dialog.Date, failed func(context.Context, string, error)) ([]Day, error) {
	q := url.Values{"lat": {coord(lat)}, "lon": {coord(lon)}, "exclude": {"current,minutely,hourly,alerts"},
		"units": {"metric"}, "appid": {o.key}}
	var oc owmOneCall
	if err := getJSON(ctx, o.client, o.base+"/data/3.0/onecall?"+q.Encode(), &oc); err != nil {
		return nil, fmt.Errorf("openweathermap onecall: %w", err)
	}
	var days []Day
	last := today.AddDays(-1)
	for _, d := range oc.Daily {
		// dt is a moment of the day in UTC; the offset gives the destination's date.
		date := dialog.DateOf(time.Unix(d.Dt+oc.TimezoneOffset, 0).UTC())
		if date.After(last) {
			last = date
		}
		if date.Before(from) || date.After(to) {
			continue
		}
		w := dialog.Weather{TempMinC: d.Temp.Min, TempMaxC: d.Temp.Max, PrecipProb: d.Pop, Summary: d.Summary}
		if len(d.Weather) > 0 && d.Weather[0].Description != "" {
			w.Summary = d.Weather[0].Description
		}
		days = append(days, Day{Date: date, Weather: w})
	}

	start := last.AddDays(1)
	if start.Before(from) {
		start = from
	}
	end := to
	if reach := today.AddDays(owmSummaryReachDays); end.After(reach) {
		end = reach
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(owmSummaryParallel)
	for d := start; !d.After(end); d = d.AddDays(1) {
		g.Go(func() error {
			q := url.Values{"lat": {coord(lat)}, "lon": {coord(lon)}, "date": {d.String()}, "units": {"metric"}, "appid": {o.key}}
			var s owmDaySummary
			if err := getJSON(gctx, o.client, o.base+"/data/3.0/onecall/day_summary?"+q.Encode(), &s); err != nil {
				// One missing day leaves a gap in the plan's weather, not a failure.
				failed(gctx, SourceOpenWeather, fmt.Errorf("day_summary %s: %w", d, err))
				return nil
			}
			mu.Lock()
			days = append(days, Day{Date: d, Weather: fromDaySummary(s)})
			mu.Unlock()
			return nil
		})
	}
	g.Wait()
	sortDays(days)
	return days, nil
}

// fromDaySummary describes a day from its aggregates, which carry no description and no
// probability: the amount of precipitation and the afternoon's cloud cover pick the WMO
// code that fits, and the amount maps coarsely to a likelihood.
func fromDaySummary(s owmDaySummary) dialog.Weather {
	total, snow := s.Precipitation.Total, s.Temperature.Max <= 0
	var code int
	switch {
	case total >= 10 && snow:
		code = 75
	case total >= 2.5 && snow:
		code = 73
	case total >= 0.2 && snow:
		code = 71
	case total >= 10:
		code = 65
	case total >= 2.5:
		code = 63
	case total >= 0.2:
		code = 61
	case s.CloudCover.Afternoon >= 85:
		code = 3
	case s.CloudCover.Afternoon >= 40:
		code = 2
	case s.CloudCover.Afternoon >= 15:
		code = 1
	}
	var prob float64
	switch {
	case total >= 5:
		prob = 0.9
	case total >= 1:
		prob = 0.6
	case total > 0:
		prob = 0.3
	}
	return dialog.Weather{Summary: SummaryFor(code, "en"), TempMinC: s.Temperature.Min, TempMaxC: s.Temperature.Max, PrecipProb: prob}
}

// openMeteo speaks Open-Meteo's forecast API, which needs no key and reaches 16 days.
type openMeteo struct {
	base   string
	client *http.Client
}

// openMeteoReachDays is the last day Open-Meteo forecasts, counted from today.
const openMeteoReachDays = 15

type openMeteoResponse struct {
	Daily struct {
		Time       []string   `json:"time"`
		Code       []*int     `json:"weather_code"`
		TempMax    []*float64 `json:"temperature_2m_max"`
		TempMin    []*float64 `json:"temperature_2m_min"`
		PrecipProb []*float64 `json:"precipitation_probability_max"`
	} `json:"daily"`
}

// forecast reads the daily fields of the days from..to into out, clamped to what Open-Meteo
// forecasts: asking outside its reach is a 400, and the dates outside are simply not
// forecast. ok is false when no day is left to ask for, or on an error.
func (m *openMeteo) forecast(ctx context.Context, lat, lon float64, from, to, today dialog.Date, fields string, out any) (ok bool, err error) {
	if earliest := today.AddDays(-1); from.Before(earliest) {
		from = earliest
	}
	if reach := today.AddDays(openMeteoReachDays); to.After(reach) {
		to = reach
	}
	if to.Before(from) {
		return false, nil
	}
	q := url.Values{
		"latitude": {coord(lat)}, "longitude": {coord(lon)},
		"daily":      {fields},
		"timezone":   {"auto"},
		"start_date": {from.String()}, "end_date": {to.String()},
	}
	if err := getJSON(ctx, m.client, m.base+"/v1/forecast?"+q.Encode(), out); err != nil {
		return false, fmt.Errorf("open-meteo: %w", err)
	}
	return true, nil
}

func (m *openMeteo) daily(ctx context.Context, lat, lon float64, from, to, today dialog.Date) ([]Day, error) {
	var r openMeteoResponse
	if ok, err := m.forecast(ctx, lat, lon, from, to, today, "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max", &r); !ok {
		return nil, err
	}
	d := r.Daily
	var days []Day
	for i, t := range d.Time {
		date, err := dialog.ParseISODate(t)
		if err != nil {
			return nil, fmt.Errorf("open-meteo: date %q: %w", t, err)
		}
		code, tmax, tmin, prob := at(d.Code, i), at(d.TempMax, i), at(d.TempMin, i), at(d.PrecipProb, i)
		if code == nil || tmax == nil || tmin == nil || date.Before(from) || date.After(to) {
			continue // not forecast yet, or not asked for
		}
		w := dialog.Weather{Summary: SummaryFor(*code, "en"), TempMinC: *tmin, TempMaxC: *tmax}
		if prob != nil {
			w.PrecipProb = *prob / 100
		}
		days = append(days, Day{Date: date, Weather: w})
	}
	sortDays(days)
	return days, nil
}

func at[T any](s []*T, i int) *T {
	if i < len(s) {
		return s[i]
	}
	return nil
}

func sortDays(days []Day) {
	for i := 1; i < len(days); i++ {
		for j := i; j > 0 && days[j].Date.Before(days[j-1].Date); j-- {
			days[j], days[j-1] = days[j-1], days[j]
		}
	}
}

func coord(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// getJSON GETs u into out. Any status but 200 is an error carrying the service's message.
func getJSON(ctx context.Context, client *http.Client, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			return fmt.Errorf("%s: %w", ue.Op, ue.Err) // the URL carries the key
		}
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, serviceMessage(body))
	}
	return json.Unmarshal(body, out)
}

// serviceMessage reads OpenWeatherMap's {"cod":401,"message":...} and Open-Meteo's
// {"error":true,"reason":...}.
func serviceMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
		Reason  string `json:"reason"`
	}
	if json.Unmarshal(body, &e) == nil {
		if e.Message != "" {
			return e.Message
		}
		if e.Reason != "" {
			return e.Reason
		}
	}
	if len(body) > 120 {
		body = body[:120]
	}
	return string(body)
}
