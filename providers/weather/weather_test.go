package weather

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers"
)

var (
	lisbon = dialog.Place{Name: "Lisbon", CountryCode: "PT", Lat: 38.7223, Lon: -9.1393}
	today  = time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
)

func may(d int) dialog.Date { return dialog.NewDate(2026, time.May, d) }

// fake is an httptest server answering each path with a recorded response; a
// day_summary answer is given the date asked for, as the real service does.
type fake struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	count    atomic.Int32
}

type reply struct {
	status int
	file   string
	delay  time.Duration
}

func newFake(t *testing.T, routes map[string]reply) *fake {
	t.Helper()
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.count.Add(1)
		f.mu.Lock()
		f.requests = append(f.requests, r)
		f.mu.Unlock()
		rep, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		time.Sleep(rep.delay)
		var b []byte
		if rep.file != "" {
			var err error
			if b, err = os.ReadFile(filepath.Join("testdata", rep.file)); err != nil {
				t.Error(err)
			}
		}
		if d := r.URL.Query().Get("date"); d != "" {
			b = []byte(strings.Replace(string(b), "2026-05-10", d, 1))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.status)
		w.Write(b)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) paths() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]int{}
	for _, r := range f.requests {
		m[r.URL.Path]++
	}
	return m
}

func (f *fake) first(path string) *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.requests {
		if r.URL.Path == path {
			return r
		}
	}
	return nil
}

func newClient(cfg Config) *Client {
	c := New(cfg)
	c.now = func() time.Time { return today }
	return c
}

func dates(days []Day) []string {
	var s []string
	for _, d := range days {
		s = append(s, d.Date.String())
	}
	return s
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestOpenWeatherDaily(t *testing.T) {
	owm := newFake(t, map[string]reply{"/data/3.0/onecall": {200, "owm_onecall.json", 0}})
	c := newClient(Config{OpenWeatherKey: "k3y", OpenWeatherBaseURL: owm.URL, OpenMeteoBaseURL: "http://127.0.0.1:1"})
	f, err := c.Daily(context.Background(), lisbon, may(2), may(4))
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != SourceOpenWeather || f.Place != lisbon {
		t.Errorf("source %q place %+v", f.Source, f.Place)
	}
	if got, want := strings.Join(dates(f.Days), " "), "2026-05-02 2026-05-03 2026-05-04"; got != want {
		t.Fatalf("dates: got %s, want %s", got, want)
	}
	w, ok := f.On(may(3))
	want := dialog.Weather{Summary: "light rain", TempMinC: 13.9, TempMaxC: 22.5, PrecipProb: 0.85}
	if !ok || w.Summary != want.Summary || !approx(w.TempMinC, want.TempMinC) || !approx(w.TempMaxC, want.TempMaxC) || w.PrecipProb != want.PrecipProb {
		t.Errorf("3 May: got %+v, want %+v", w, want)
	}
	q := owm.first("/data/3.0/onecall").URL.Query()
	for k, v := range map[string]string{"lat": "38.72", "lon": "-9.14", "exclude": "current,minutely,hourly,alerts", "units": "metric", "appid": "k3y"} {
		if q.Get(k) != v {
			t.Errorf("query %s: got %q, want %q", k, q.Get(k), v)
		}
	}
	if n := owm.paths()["/data/3.0/onecall/day_summary"]; n != 0 {
		t.Errorf("day_summary asked %d times for dates onecall covers", n)
	}
}

func TestOpenWeatherDaySummaryForLaterDates(t *testing.T) {
	owm := newFake(t, map[string]reply{
		"/data/3.0/onecall":             {200, "owm_onecall.json", 0},
		"/data/3.0/onecall/day_summary": {200, "owm_day_summary.json", 0},
	})
	c := newClient(Config{OpenWeatherKey: "k", OpenWeatherBaseURL: owm.URL})
	f, err := c.Daily(context.Background(), lisbon, may(7), may(12))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(dates(f.Days), " "), "2026-05-07 2026-05-08 2026-05-09 2026-05-10 2026-05-11 2026-05-12"; got != want {
		t.Fatalf("dates: got %s, want %s", got, want)
	}
	if w, _ := f.On(may(8)); w.Summary != "clear sky" {
		t.Errorf("8 May (onecall): got %+v", w)
	}
	w, _ := f.On(may(11))
	if w.Summary != "light rain" || w.TempMinC != 14.2 || w.TempMaxC != 23.8 || w.PrecipProb != 0.6 {
		t.Errorf("11 May (day_summary): got %+v", w)
	}
	if n := owm.paths()["/data/3.0/onecall/day_summary"]; n != 4 {
		t.Errorf("day_summary requests: got %d, want 4 (9 to 12 May)", n)
	}
	q := owm.first("/data/3.0/onecall/day_summary").URL.Query()
	if q.Get("units") != "metric" || q.Get("appid") != "k" || !strings.HasPrefix(q.Get("date"), "2026-05-") {
		t.Errorf("day_summary query: %v", q)
	}
}

func TestOpenWeatherRejectedFallsToOpenMeteo(t *testing.T) {
	owm := newFake(t, map[string]reply{"/data/3.0/onecall": {401, "owm_401.json", 0}})
	om := newFake(t, map[string]reply{"/v1/forecast": {200, "openmeteo_forecast.json", 0}})
	c := newClient(Config{OpenWeatherKey: "bad", OpenWeatherBaseURL: owm.URL, OpenMeteoBaseURL: om.URL})
	f, err := c.Daily(context.Background(), lisbon, may(2), may(3))
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != SourceOpenMeteo {
		t.Fatalf("source: got %q, want %q", f.Source, SourceOpenMeteo)
	}
	want := []Day{
		{may(2), dialog.Weather{Summary: "light rain", TempMinC: 12.8, TempMaxC: 18.9, PrecipProb: 0.78}},
		{may(3), dialog.Weather{Summary: "rain", TempMinC: 12.1, TempMaxC: 17.4, PrecipProb: 0.92}},
	}
	if len(f.Days) != len(want) {
		t.Fatalf("got %+v, want %+v", f.Days, want)
	}
	for i := range want {
		if f.Days[i] != want[i] {
			t.Errorf("day %d: got %+v, want %+v", i, f.Days[i], want[i])
		}
	}
	q := om.first("/v1/forecast").URL.Query()
	for k, v := range map[string]string{
		"latitude": "38.72", "longitude": "-9.14", "timezone": "auto", "start_date": "2026-05-02", "end_date": "2026-05-03",
		"daily": "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max",
	} {
		if q.Get(k) != v {
			t.Errorf("query %s: got %q, want %q", k, q.Get(k), v)
		}
	}
	if got := c.SourceErrors()[SourceOpenWeather]; got != 1 {
		t.Errorf("openweathermap errors: got %d, want 1", got)
	}
}

func TestNoServiceAnswersIsE303(t *testing.T) {
	owm := newFake(t, map[string]reply{"/data/3.0/onecall": {500, "", 0}})
	om := newFake(t, map[string]reply{"/v1/forecast": {400, "openmeteo_400.json", 0}})
	cache := providers.NewMemoryCache()
	c := newClient(Config{OpenWeatherKey: "k", OpenWeatherBaseURL: owm.URL, OpenMeteoBaseURL: om.URL, Cache: cache})
	f, err := c.Daily(context.Background(), lisbon, may(2), may(3))
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), CodeWeatherUnavailable) || !strings.Contains(err.Error(), "out of allowed range") {
		t.Errorf("error %q lacks the code or the service's reason", err)
	}
	if len(f.Days) != 0 || cache.Len() != 0 {
		t.Errorf("got %d days and %d cache entries after total failure", len(f.Days), cache.Len())
	}
}

func TestDatesPastTheRangeAreAbsent(t *testing.T) {
	om := newFake(t, map[string]reply{"/v1/forecast": {200, "openmeteo_forecast.json", 0}})
	c := newClient(Config{OpenMeteoBaseURL: om.URL})
	f, err := c.Daily(context.Background(), lisbon, may(14), may(20))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(dates(f.Days), " "), "2026-05-14 2026-05-15 2026-05-16"; got != want {
		t.Errorf("dates: got %s, want %s", got, want)
	}
	// Open-Meteo reports no precipitation probability yet for its last day (null).
	if w, _ := f.On(may(16)); w.PrecipProb != 0 || w.Summary != "clear sky" || w.TempMaxC != 22.4 {
		t.Errorf("16 May: got %+v", w)
	}
	if q := om.first("/v1/forecast").URL.Query(); q.Get("end_date") != "2026-05-16" {
		t.Errorf("end_date: got %q, want the reach, 2026-05-16", q.Get("end_date"))
	}
	if _, ok := f.On(may(18)); ok {
		t.Error("18 May forecast, beyond the reach")
	}

	f, err = c.Daily(context.Background(), lisbon, dialog.NewDate(2026, time.June, 1), dialog.NewDate(2026, time.June, 5))
	if err != nil || len(f.Days) != 0 {
		t.Errorf("June: got %v, %v; want no days and no error", f.Days, err)
	}
	if n := om.count.Load(); n != 1 {
		t.Errorf("requests: got %d, want 1 (nothing to ask for June)", n)
	}
}

func TestCacheHitMakesNoRequest(t *testing.T) {
	om := newFake(t, map[string]reply{"/v1/forecast": {200, "openmeteo_forecast.json", 0}})
	cache := providers.NewMemoryCache()
	c := newClient(Config{OpenMeteoBaseURL: om.URL, Cache: cache})
	ctx := context.Background()
	first, err := c.Daily(ctx, lisbon, may(2), may(4))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := cache.Get(ctx, "wx:om:38.72,-9.14:2026-05-02:2026-05-04"); !ok {
		t.Fatal("forecast not kept under wx:om:38.72,-9.14:2026-05-02:2026-05-04")
	}
	// A point a few hundred metres away is the same forecast.
	near := lisbon
	near.Lat += 0.001
	again, err := c.Daily(ctx, near, may(2), may(4))
	if err != nil {
		t.Fatal(err)
	}
	if n := om.count.Load(); n != 1 {
		t.Errorf("requests: got %d, want 1", n)
	}
	if len(again.Days) != 3 || again.Days[1] != first.Days[1] || again.Source != SourceOpenMeteo {
		t.Errorf("cached forecast differs: %+v vs %+v", again, first)
	}
}

func TestConcurrentIdenticalLookupsShareOneRequest(t *testing.T) {
	owm := newFake(t, map[string]reply{"/data/3.0/onecall": {200, "owm_onecall.json", 200 * time.Millisecond}})
	c := newClient(Config{OpenWeatherKey: "k", OpenWeatherBaseURL: owm.URL, Cache: providers.NewMemoryCache()})
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 20 {
		wg.Go(func() {
			f, err := c.Daily(context.Background(), lisbon, may(1), may(3))
			if err == nil && len(f.Days) == 3 {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if n := owm.count.Load(); n != 1 {
		t.Errorf("requests: got %d, want 1", n)
	}
	if ok.Load() != 20 {
		t.Errorf("%d of 20 callers got three days", ok.Load())
	}
}

func TestSummaryFor(t *testing.T) {
	for _, c := range []struct {
		code       int
		lang, want string
	}{
		{0, "en", "clear sky"}, {61, "zh", "小雨"}, {61, "zh-CN", "小雨"}, {95, "en", "thunderstorm"},
		{3, "zh", "阴"}, {42, "en", "unknown"}, {42, "zh", "天气未知"},
	} {
		if got := SummaryFor(c.code, c.lang); got != c.want {
			t.Errorf("SummaryFor(%d, %q): got %q, want %q", c.code, c.lang, got, c.want)
		}
	}
}

func TestFromDaySummary(t *testing.T) {
	for _, c := range []struct {
		total, cloud, tmax float64
		want               string
		prob               float64
	}{
		{0, 5, 20, "clear sky", 0},
		{0, 50, 20, "partly cloudy", 0},
		{0, 90, 20, "overcast", 0},
		{0.5, 90, 20, "light rain", 0.3},
		{12, 90, 20, "heavy rain", 0.9},
		{3, 90, -2, "snow", 0.6},
	} {
		var s owmDaySummary
		s.Precipitation.Total, s.CloudCover.Afternoon, s.Temperature.Max = c.total, c.cloud, c.tmax
		w := fromDaySummary(s)
		if w.Summary != c.want || w.PrecipProb != c.prob {
			t.Errorf("%+v: got %q %.1f, want %q %.1f", c, w.Summary, w.PrecipProb, c.want, c.prob)
		}
	}
}
