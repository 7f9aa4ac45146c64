package planner

import (
	"context"
	"net"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers"
	"xingqu/providers/geo"
	"xingqu/providers/llm"
	"xingqu/providers/weather"
)

// closedURL is an address where nothing listens: every request fails at once, as with no
// network at all.
func closedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// With no keys and no network, the gazetteer places the destination and the offline
// planner writes the plan.
func TestOfflinePlanForFuzhouAndLisbon(t *testing.T) {
	dead := closedURL(t)
	p := &Planner{
		Chain:   llm.New(llm.Config{}),
		Geo:     geo.New(geo.Config{LocationIQBaseURL: dead, NominatimBaseURL: dead, Cache: providers.NewMemoryCache()}),
		Weather: weather.New(weather.Config{OpenWeatherBaseURL: dead, OpenMeteoBaseURL: dead, Cache: providers.NewMemoryCache()}),
	}
	if _, err := geo.LoadGazetteer(); err != nil { // loaded once at start-up by serve
		t.Fatal(err)
	}
	start := dialog.DateOf(time.Now()).AddDays(2) // inside the forecast range, so weather is asked for
	end := start.AddDays(3)
	budget := 3000.0
	for _, tc := range []struct{ dest, lang, country string }{{"福州", "zh", "CN"}, {"Lisbon", "en", "PT"}} {
		t0 := time.Now()
		res, err := p.Plan(context.Background(), Request{Lang: tc.lang, Trip: dialog.TripRequest{
			Destination: tc.dest, StartDate: &start, EndDate: &end, Budget: &budget}})
		took := time.Since(t0)
		if err != nil {
			t.Fatal(err)
		}
		pl := res.Plan
		if pl.Trip.Place == nil || pl.Trip.Place.CountryCode != tc.country {
			t.Errorf("%s: place = %+v, want country %s", tc.dest, pl.Trip.Place, tc.country)
		}
		if !pl.Draft || pl.Source != "offline" || len(pl.Options) != 3 || len(pl.Options[0].Days) != 4 {
			t.Errorf("%s: plan draft=%v source=%q options=%d", tc.dest, pl.Draft, pl.Source, len(pl.Options))
		}
		if pl.WeatherNote != CodeWeather {
			t.Errorf("%s: weather note %q, want %s with no weather service", tc.dest, pl.WeatherNote, CodeWeather)
		}
		t.Logf("%s: %v (speed is measured by BenchmarkOfflinePlanner, not here)", tc.dest, took)
	}
}

// The gazetteer knows a Chinese city by both of its names, so extraction can ground
// "Fuzhou" in a message that says 福州.
func TestPlaceNames(t *testing.T) {
	for _, name := range []string{"Fuzhou", "福州"} {
		got := PlaceNames(name)
		has := map[string]bool{}
		for _, n := range got {
			has[n] = true
		}
		if !has["福州"] || !has["Fuzhou"] {
			t.Errorf("PlaceNames(%q) = %v, want 福州 and Fuzhou", name, got)
		}
	}
}

// BenchmarkOfflinePlanner is the whole planner with no keys and unreachable services: the
// time a traveller waits for a plan when everything falls back to built-in data.
func BenchmarkOfflinePlanner(b *testing.B) {
	dead := closedURL(b)
	p := &Planner{
		Chain:   llm.New(llm.Config{}),
		Geo:     geo.New(geo.Config{LocationIQBaseURL: dead, NominatimBaseURL: dead, Cache: providers.NewMemoryCache()}),
		Weather: weather.New(weather.Config{OpenWeatherBaseURL: dead, OpenMeteoBaseURL: dead, Cache: providers.NewMemoryCache()}),
	}
	if _, err := geo.LoadGazetteer(); err != nil {
		b.Fatal(err)
	}
	start := dialog.DateOf(time.Now()).AddDays(2)
	end := start.AddDays(3)
	budget := 3000.0
	trip := dialog.TripRequest{Destination: "福州", StartDate: &start, EndDate: &end, Budget: &budget}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Plan(context.Background(), Request{Lang: "zh", Trip: trip}); err != nil {
			b.Fatal(err)
		}
	}
}
