package pipeline

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/providers/weather"
	"xingqu/store"
	"xingqu/store/storetest"
)

// fakeOpenMeteo answers /v1/forecast in Open-Meteo's daily format for the dates asked,
// with a thunderstorm and gale-force gusts on storm and calm days otherwise.
func fakeOpenMeteo(t *testing.T, storm dialog.Date) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/v1/forecast" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		from, err1 := dialog.ParseISODate(q.Get("start_date"))
		to, err2 := dialog.ParseISODate(q.Get("end_date"))
		if err1 != nil || err2 != nil {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":true,"reason":"Invalid date"}`)
			return
		}
		type daily struct {
			Time   []string  `json:"time"`
			Code   []int     `json:"weather_code"`
			Max    []float64 `json:"temperature_2m_max"`
			Min    []float64 `json:"temperature_2m_min"`
			Precip []float64 `json:"precipitation_sum"`
			Snow   []float64 `json:"snowfall_sum"`
			Gust   []float64 `json:"wind_gusts_10m_max"`
		}
		var d daily
		for day := from; !day.After(to); day = day.AddDays(1) {
			code, precip, gust := 2, 0.0, 20.0
			if day == storm {
				code, precip, gust = 95, 35.5, 88.0
			}
			d.Time = append(d.Time, day.String())
			d.Code, d.Max, d.Min = append(d.Code, code), append(d.Max, 21), append(d.Min, 13)
			d.Precip, d.Snow, d.Gust = append(d.Precip, precip), append(d.Snow, 0), append(d.Gust, gust)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"latitude": 38.72, "longitude": -9.14, "timezone": "GMT", "utc_offset_seconds": 0,
			"daily_units": map[string]string{"time": "iso8601", "weather_code": "wmo code"}, "daily": d})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func planTrip(t *testing.T, db *store.DB, who string, trip dialog.TripRequest) int64 {
	t.Helper()
	ctx := context.Background()
	tr, err := store.EnsureTraveller(ctx, db, "web", who, who, "en", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, db, tr.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		_, err := store.AddPlan(ctx, tx, conv, dialog.Plan{Trip: trip, Source: "offline"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

func warnings(t *testing.T, db *store.DB, conv int64) []string {
	t.Helper()
	var out []string
	for _, m := range transcript(t, db, conv) {
		if strings.Contains(m.Text, "Weather warning") {
			out = append(out, m.Text)
		}
	}
	return out
}

// A storm forecast on day 2 of a planned trip: exactly one warning, with an indoor
// suggestion for that day, however many instances check and however often; a traveller
// who turned warnings off gets none.
func TestWeatherWarningOncePerStorm(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	today := dialog.DateOf(time.Now().UTC())
	start, end := today.AddDays(1), today.AddDays(4)
	lisbon := &dialog.Place{Name: "Lisbon", CountryCode: "PT", Lat: 38.72, Lon: -9.14}
	om, calls := fakeOpenMeteo(t, start.AddDays(1))
	conv := planTrip(t, db, "ana", dialog.TripRequest{Destination: "Lisbon", Place: lisbon, StartDate: &start, EndDate: &end})
	off := planTrip(t, db, "bo", dialog.TripRequest{Destination: "Lisbon", Place: lisbon, StartDate: &start, EndDate: &end})
	later, laterEnd := today.AddDays(20), today.AddDays(23)
	far := planTrip(t, db, "cy", dialog.TripRequest{Destination: "Lisbon", Place: lisbon, StartDate: &later, EndDate: &laterEnd})
	var boID int64
	if err := db.GetContext(ctx, &boID, `SELECT traveller_id FROM conversations WHERE id = $1`, off); err != nil {
		t.Fatal(err)
	}
	if err := store.SetWeatherAlerts(ctx, db, boID, false); err != nil {
		t.Fatal(err)
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	watch := func(instance string, now time.Time) *WeatherWatch {
		return &WeatherWatch{DB: db, Weather: weather.New(weather.Config{OpenMeteoBaseURL: om.URL}), Instance: instance,
			Now: func() time.Time { return now }, Log: log}
	}
	// Two instances check at the same moment.
	var wg sync.WaitGroup
	var sent atomic.Int32
	for _, name := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := watch(name, time.Now()).Check(ctx)
			if err != nil {
				t.Error(err)
			}
			sent.Add(int32(n))
		}()
	}
	wg.Wait()
	if sent.Load() != 1 {
		t.Fatalf("two instances sent %d warnings, want 1", sent.Load())
	}
	got := warnings(t, db, conv)
	if len(got) != 1 {
		t.Fatalf("warnings = %q", got)
	}
	for _, w := range []string{"thunderstorms", "Lisbon", start.AddDays(1).String(), "day 2", "indoor", "make day 2 an indoor day"} {
		if !strings.Contains(got[0], w) {
			t.Errorf("warning lacks %q: %s", w, got[0])
		}
	}
	if n := len(warnings(t, db, off)) + len(warnings(t, db, far)); n != 0 {
		t.Errorf("%d warnings to a traveller who turned them off or whose trip is weeks away", n)
	}

	// Checked again the same day: nothing, not even a forecast request.
	before := calls.Load()
	if n, err := watch("a", time.Now()).Check(ctx); err != nil || n != 0 || calls.Load() != before {
		t.Errorf("second check the same day: sent %d, %d requests, err %v", n, calls.Load()-before, err)
	}
	// The next day's check sees the same storm: still one warning.
	if n, err := watch("b", time.Now().Add(24*time.Hour)).Check(ctx); err != nil || n != 0 {
		t.Errorf("next day's check: sent %d, err %v", n, err)
	}
	if got := warnings(t, db, conv); len(got) != 1 {
		t.Errorf("after three checks, %d warnings", len(got))
	}
}
