package weather

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"xingqu/dialog"
	"xingqu/providers"
)

// Conditions returns what the weather alerts read for each forecast date of place from
// from to to (both included): the WMO weather code, the day's high and low, rain, snow,
// the strongest gust and, from OpenWeatherMap, the official warnings in force that day.
// Dates beyond the forecasts' reach are absent. It fails, wrapping ErrUnavailable, only
// when no service answered.
func (c *Client) Conditions(ctx context.Context, place dialog.Place, from, to dialog.Date) ([]dialog.DayConditions, error) {
	if to.Before(from) {
		from, to = to, from
	}
	lat, lon := round2(place.Lat), round2(place.Lon)
	where := fmt.Sprintf("%.2f,%.2f:%s:%s", lat, lon, from, to)
	today := dialog.DateOf(c.now().UTC())
	var errs []error
	if c.owm != nil {
		days, err := providers.Cached(ctx, c.cache, &c.group, "wx:owmc:"+where, cacheTTL, func(ctx context.Context) ([]dialog.DayConditions, error) {
			return c.owm.conditions(ctx, lat, lon, from, to)
		})
		if err == nil {
			return days, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c.countFailure(ctx, SourceOpenWeather, err)
		errs = append(errs, err)
	}
	days, err := providers.Cached(ctx, c.cache, &c.group, "wx:omc:"+where, cacheTTL, func(ctx context.Context) ([]dialog.DayConditions, error) {
		return c.om.conditions(ctx, lat, lon, from, to, today)
	})
	if err == nil {
		return days, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	c.countFailure(ctx, SourceOpenMeteo, err)
	errs = append(errs, err)
	return nil, fmt.Errorf("%s: %w: %w", CodeWeatherUnavailable, ErrUnavailable, errors.Join(errs...))
}

type owmConditions struct {
	TimezoneOffset int64 `json:"timezone_offset"`
	Daily          []struct {
		Dt   int64 `json:"dt"`
		Temp struct {
			Min float64 `json:"min"`
			Max float64 `json:"max"`
		} `json:"temp"`
		WindGust float64 `json:"wind_gust"` // m/s with units=metric
		Rain     float64 `json:"rain"`      // mm
		Snow     float64 `json:"snow"`      // mm of water
		Weather  []struct {
			ID int `json:"id"`
		} `json:"weather"`
	} `json:"daily"`
	Alerts []struct {
		SenderName string `json:"sender_name"`
		Event      string `json:"event"`
		Start      int64  `json:"start"`
		End        int64  `json:"end"`
	} `json:"alerts"`
}

// conditions reads One Call's eight days and its alerts; day_summary has no weather
// code or gusts, so dates further out are left to the next daily check.
func (o *openWeather) conditions(ctx context.Context, lat, lon float64, from, to dialog.Date) ([]dialog.DayConditions, error) {
	q := url.Values{"lat": {coord(lat)}, "lon": {coord(lon)}, "exclude": {"current,minutely,hourly"},
		"units": {"metric"}, "appid": {o.key}}
	var oc owmConditions
	if err := getJSON(ctx, o.client, o.base+"/data/3.0/onecall?"+q.Encode(), &oc); err != nil {
		return nil, fmt.Errorf("openweathermap onecall: %w", err)
	}
	local := func(unix int64) dialog.Date { return dialog.DateOf(time.Unix(unix+oc.TimezoneOffset, 0).UTC()) }
	var days []dialog.DayConditions
	for _, d := range oc.Daily {
		date := local(d.Dt)
		if date.Before(from) || date.After(to) {
			continue
		}
		code := -1
		if len(d.Weather) > 0 {
			code = wmoOfOWM(d.Weather[0].ID)
		}
		c := dialog.DayConditions{Date: date, Code: code, TempMaxC: d.Temp.Max, TempMinC: d.Temp.Min,
			PrecipMM: d.Rain + d.Snow, SnowCM: d.Snow, GustKmh: d.WindGust * 3.6} // 1 mm of water is about 1 cm of snow
		for _, a := range oc.Alerts {
			if !date.Before(local(a.Start)) && !date.After(local(a.End)) && a.Event != "" {
				c.Alerts = append(c.Alerts, a.Event)
			}
		}
		days = append(days, c)
	}
	return days, nil
}

// wmoOfOWM maps an OpenWeatherMap condition id to the WMO code of the same weather, as
// far as the alerts need: thunderstorms, heavy rain and snow keep their severity.
func wmoOfOWM(id int) int {
	switch {
	case id >= 200 && id < 300:
		return 95
	case id >= 300 && id < 400:
		return 53
	case id == 502 || id == 503 || id == 504:
		return 65
	case id == 511:
		return 67
	case id == 522 || id == 531:
		return 82
	case id >= 500 && id < 600:
		return 63
	case id == 602:
		return 75
	case id == 621 || id == 622:
		return 86
	case id >= 600 && id < 700:
		return 73
	case id >= 700 && id < 800:
		return 45
	case id == 800:
		return 0
	case id > 800 && id < 900:
		return 2
	}
	return -1
}

type openMeteoConditions struct {
	Daily struct {
		Time     []string   `json:"time"`
		Code     []*int     `json:"weather_code"`
		TempMax  []*float64 `json:"temperature_2m_max"`
		TempMin  []*float64 `json:"temperature_2m_min"`
		Precip   []*float64 `json:"precipitation_sum"`  // mm
		Snowfall []*float64 `json:"snowfall_sum"`       // cm
		Gusts    []*float64 `json:"wind_gusts_10m_max"` // km/h
	} `json:"daily"`
}

func (m *openMeteo) conditions(ctx context.Context, lat, lon float64, from, to, today dialog.Date) ([]dialog.DayConditions, error) {
	var r openMeteoConditions
	if ok, err := m.forecast(ctx, lat, lon, from, to, today, "weather_code,temperature_2m_max,temperature_2m_min,precipitation_sum,snowfall_sum,wind_gusts_10m_max", &r); !ok {
		return nil, err
	}
	d := r.Daily
	val := func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	}
	var days []dialog.DayConditions
	for i, t := range d.Time {
		date, err := dialog.ParseISODate(t)
		if err != nil {
			return nil, fmt.Errorf("open-meteo: date %q: %w", t, err)
		}
		code, tmax, tmin := at(d.Code, i), at(d.TempMax, i), at(d.TempMin, i)
		if code == nil || tmax == nil || tmin == nil || date.Before(from) || date.After(to) {
			continue
		}
		days = append(days, dialog.DayConditions{Date: date, Code: *code, TempMaxC: *tmax, TempMinC: *tmin,
			PrecipMM: val(at(d.Precip, i)), SnowCM: val(at(d.Snowfall, i)), GustKmh: val(at(d.Gusts, i))})
	}
	return days, nil
}
