package weather

import (
	"context"
	"errors"
	"testing"

	"xingqu/dialog"
)

// A storm on day 2 of a trip to Lisbon, as Open-Meteo reports it: the alerts read it as
// a storm, and no other day as severe.
func TestOpenMeteoConditions(t *testing.T) {
	om := newFake(t, map[string]reply{"/v1/forecast": {200, "openmeteo_conditions.json", 0}})
	c := newClient(Config{OpenMeteoBaseURL: om.URL})
	days, err := c.Conditions(context.Background(), lisbon, may(1), may(5))
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 4 { // 5 May is not forecast yet
		t.Fatalf("days = %+v", days)
	}
	d2 := days[1]
	if d2.Date != may(2) || d2.Code != 95 || !approx(d2.PrecipMM, 32.5) || !approx(d2.GustKmh, 82.4) || !approx(d2.TempMaxC, 19.2) {
		t.Errorf("2 May = %+v", d2)
	}
	var severe []string
	for _, d := range days {
		if h, ok := dialog.SevereWeather(d); ok {
			severe = append(severe, d.Date.String()+" "+string(h))
		}
	}
	if len(severe) != 1 || severe[0] != "2026-05-02 storm" {
		t.Errorf("severe days = %v", severe)
	}
	q := om.first("/v1/forecast").URL.Query()
	if q.Get("daily") != "weather_code,temperature_2m_max,temperature_2m_min,precipitation_sum,snowfall_sum,wind_gusts_10m_max" || q.Get("start_date") != "2026-05-01" {
		t.Errorf("query = %v", q)
	}
}

// One Call's daily forecast and its official alerts: the warning is attached to the day
// it covers, in the destination's time zone, and wins over the storm itself.
func TestOpenWeatherConditionsWithAlerts(t *testing.T) {
	owm := newFake(t, map[string]reply{"/data/3.0/onecall": {200, "owm_onecall_alerts.json", 0}})
	c := newClient(Config{OpenWeatherKey: "k3y", OpenWeatherBaseURL: owm.URL, OpenMeteoBaseURL: "http://127.0.0.1:1"})
	days, err := c.Conditions(context.Background(), lisbon, may(1), may(4))
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 4 {
		t.Fatalf("days = %+v", days)
	}
	d2 := days[1]
	if d2.Date != may(2) || d2.Code != 95 || !approx(d2.PrecipMM, 28.4) || !approx(d2.GustKmh, 22.9*3.6) {
		t.Errorf("2 May = %+v", d2)
	}
	if len(d2.Alerts) != 1 || d2.Alerts[0] != "Yellow thunderstorm warning" {
		t.Errorf("2 May alerts = %v", d2.Alerts)
	}
	if h, _ := dialog.SevereWeather(d2); h != dialog.HazardOfficial {
		t.Errorf("2 May hazard = %q, want the official warning", h)
	}
	for _, d := range []dialog.DayConditions{days[0], days[2], days[3]} {
		if h, ok := dialog.SevereWeather(d); ok || len(d.Alerts) > 0 {
			t.Errorf("%s read as %s (alerts %v)", d.Date, h, d.Alerts)
		}
	}
	if q := owm.first("/data/3.0/onecall").URL.Query(); q.Get("exclude") != "current,minutely,hourly" || q.Get("units") != "metric" {
		t.Errorf("query = %v (alerts must not be excluded)", q)
	}
}

func TestConditionsFallBackAndFail(t *testing.T) {
	owm := newFake(t, map[string]reply{"/data/3.0/onecall": {401, "owm_401.json", 0}})
	om := newFake(t, map[string]reply{"/v1/forecast": {200, "openmeteo_conditions.json", 0}})
	c := newClient(Config{OpenWeatherKey: "bad", OpenWeatherBaseURL: owm.URL, OpenMeteoBaseURL: om.URL})
	days, err := c.Conditions(context.Background(), lisbon, may(1), may(3))
	if err != nil || len(days) != 3 {
		t.Fatalf("fallback: %d days, %v", len(days), err)
	}
	dead := newClient(Config{OpenMeteoBaseURL: "http://127.0.0.1:1"})
	if _, err := dead.Conditions(context.Background(), lisbon, may(1), may(3)); !errors.Is(err, ErrUnavailable) {
		t.Errorf("every service down: %v", err)
	}
}

func TestWMOOfOWM(t *testing.T) {
	for id, want := range map[int]int{201: 95, 502: 65, 522: 82, 602: 75, 622: 86, 500: 63, 800: 0, 803: 2, 999: -1} {
		if got := wmoOfOWM(id); got != want {
			t.Errorf("wmoOfOWM(%d) = %d, want %d", id, got, want)
		}
	}
}
