package planner

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers"
	"xingqu/providers/geo"
	"xingqu/providers/llm"
	"xingqu/providers/weather"
)

// openMeteo is a fake of Open-Meteo's forecast API: light rain every day asked for, in
// the response shape of /v1/forecast.
func openMeteo(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/forecast" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		from, err1 := dialog.ParseISODate(q.Get("start_date"))
		to, err2 := dialog.ParseISODate(q.Get("end_date"))
		if err1 != nil || err2 != nil {
			http.Error(w, `{"error":true,"reason":"bad dates"}`, http.StatusBadRequest)
			return
		}
		daily := map[string]any{}
		var days []string
		var code, tmax, tmin, prob []float64
		for d := from; !d.After(to); d = d.AddDays(1) {
			days = append(days, d.String())
			code, tmax, tmin, prob = append(code, 61), append(tmax, 14), append(tmin, 8), append(prob, 70)
		}
		daily["time"], daily["weather_code"], daily["temperature_2m_max"] = days, code, tmax
		daily["temperature_2m_min"], daily["precipitation_probability_max"] = tmin, prob
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"latitude": 26.08, "longitude": 119.3, "timezone": "Asia/Shanghai", "daily": daily})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func forecastPlanner(t *testing.T, meteo string) *Planner {
	t.Helper()
	dead := closedURL(t)
	if _, err := geo.LoadGazetteer(); err != nil {
		t.Fatal(err)
	}
	return &Planner{
		Chain:   llm.New(llm.Config{}),
		Geo:     geo.New(geo.Config{LocationIQBaseURL: dead, NominatimBaseURL: dead, Cache: providers.NewMemoryCache()}),
		Weather: weather.New(weather.Config{OpenWeatherBaseURL: dead, OpenMeteoBaseURL: meteo, Cache: providers.NewMemoryCache()}),
	}
}

// A forecast fetched again places the destination itself and reads in the traveller's
// language; with no service answering it says so with an error, never an empty success.
func TestForecast(t *testing.T) {
	p := forecastPlanner(t, openMeteo(t).URL)
	start := dialog.DateOf(time.Now()).AddDays(1)
	end := start.AddDays(2)
	trip := dialog.TripRequest{Destination: "福州", StartDate: &start, EndDate: &end}
	days, err := p.Forecast(context.Background(), trip, "zh")
	if err != nil || len(days) != 3 || days[0].Weather.Summary != "小雨" || days[0].Date != start {
		t.Fatalf("forecast %+v, %v", days, err)
	}
	days, err = p.Forecast(context.Background(), trip, "en")
	if err != nil || len(days) != 3 || days[0].Weather.Summary != "light rain" {
		t.Fatalf("forecast in English %+v, %v", days, err)
	}
	if _, err := forecastPlanner(t, closedURL(t)).Forecast(context.Background(), trip, "zh"); err == nil {
		t.Fatal("no service answered, yet no error")
	}
	noDates := dialog.TripRequest{Destination: "福州"}
	if _, err := p.Forecast(context.Background(), noDates, "zh"); !errors.Is(err, ErrNoForecast) {
		t.Fatalf("a trip without dates: %v, want ErrNoForecast", err)
	}
}

// A Chinese plan's weather is in Chinese, though the planners read it in English.
func TestPlanWeatherInTravellersLanguage(t *testing.T) {
	p := forecastPlanner(t, openMeteo(t).URL)
	start := dialog.DateOf(time.Now()).AddDays(1)
	end := start.AddDays(2)
	for lang, want := range map[string]string{"zh": "小雨", "en": "light rain"} {
		res, err := p.Plan(context.Background(), Request{Lang: lang, Trip: dialog.TripRequest{Destination: "福州", StartDate: &start, EndDate: &end}})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Plan.Options {
			for _, d := range o.Days {
				if d.Weather == nil || d.Weather.Summary != want {
					t.Fatalf("%s plan, %s %s: weather %+v, want %q", lang, o.Tier, d.Date, d.Weather, want)
				}
			}
		}
		if res.Plan.WeatherNote != "" || strings.Contains(res.Plan.Options[0].Days[0].Notes, "E-303") {
			t.Errorf("%s: weather note %q with a forecast", lang, res.Plan.WeatherNote)
		}
	}
}
