package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
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
	"xingqu/providers/geo"
	"xingqu/providers/weather"
	"xingqu/store"
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

// A storm forecast on day 2 of the option a traveller chose: exactly one warning, naming
// that option and what its day 2 holds, with an indoor suggestion and a button that
// makes it, however many instances check and however often. A traveller who has not
// chosen yet is warned about the latest plan's trip; one who turned warnings off, or
// whose trip is weeks away, is not warned.
func TestWeatherWarningOncePerStorm(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	// The forecast service reads the real clock: so do the dialog and the watch here.
	now := time.Now().UTC()
	p.Engine.Now = func() time.Time { return now }
	db := p.DB
	ctx := context.Background()
	today := dialog.DateOf(now)
	start, end := today.AddDays(2), today.AddDays(5)
	storm := start.AddDays(1)
	lisbon := &dialog.Place{Name: "Lisbon", CountryCode: "PT", Lat: 38.72, Lon: -9.14}
	om, calls := fakeOpenMeteo(t, storm)

	// eva plans Lisbon and chooses the economical option.
	s := newEditSession(t, p, "eva", nil)
	s.say(fmt.Sprintf("Lisbon, from %s to %s, 2000 CNY each, we like museums", start, end))
	s.say("none")
	s.say("yes")
	v1 := s.version(1)
	s.press("choose:economical")
	if tier, err := store.ChosenOption(ctx, db, s.convID); err != nil || tier != dialog.TierEconomical {
		t.Fatalf("chosen = %q, %v", tier, err)
	}
	chosen := optionOf(v1, dialog.TierEconomical)
	if len(chosen.Days) != 4 || chosen.Days[1].Date != storm {
		t.Fatalf("the chosen option's days: %+v", chosen.Days)
	}

	ana := planTrip(t, db, "ana", dialog.TripRequest{Destination: "Lisbon", Place: lisbon, StartDate: &start, EndDate: &end})
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
		return &WeatherWatch{DB: db, Weather: weather.New(weather.Config{OpenMeteoBaseURL: om.URL}), Places: geo.Places{},
			Instance: instance, Now: func() time.Time { return now }, Log: log}
	}
	// Two instances check at the same moment.
	var wg sync.WaitGroup
	var sent atomic.Int32
	for _, name := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := watch(name, now).Check(ctx)
			if err != nil {
				t.Error(err)
			}
			sent.Add(int32(n))
		}()
	}
	wg.Wait()
	if sent.Load() != 2 {
		t.Fatalf("two instances sent %d warnings, want 2 (eva's and ana's)", sent.Load())
	}
	got := warnings(t, db, s.convID)
	if len(got) != 1 {
		t.Fatalf("warnings to eva = %q, want exactly one", got)
	}
	for _, w := range []string{"thunderstorms", "Lisbon", storm.String(), "day 2 of the Economical plan you chose",
		"That day's plan: morning " + chosen.Days[1].Morning, "indoor", "make day 2 an indoor day"} {
		if !strings.Contains(got[0], w) {
			t.Errorf("warning lacks %q: %s", w, got[0])
		}
	}
	alert := s.lastBot()
	var body store.MessageBody
	if err := json.Unmarshal(alert.Body, &body); err != nil || len(body.Choices) != 1 || body.Choices[0].Action != "pe:in:2" {
		t.Errorf("the warning's button: %s (%v)", alert.Body, err)
	}
	if got := warnings(t, db, ana); len(got) != 1 || !strings.Contains(got[0], "day 2 of your trip") {
		t.Errorf("warnings to ana, who has not chosen: %q", got)
	}
	if n := len(warnings(t, db, off)) + len(warnings(t, db, far)); n != 0 {
		t.Errorf("%d warnings to a traveller who turned them off or whose trip is weeks away", n)
	}

	// Checked again the same day: nothing, not even a forecast request. Later the same
	// day is its last second (an hour later was tomorrow when the test ran after 23:00).
	before := calls.Load()
	sameDay := time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 59, 0, time.UTC)
	if n, err := watch("a", sameDay).Check(ctx); err != nil || n != 0 || calls.Load() != before {
		t.Errorf("second check the same day: sent %d, %d requests, err %v", n, calls.Load()-before, err)
	}
	// The next day's check sees the same storm: still one warning.
	if n, err := watch("b", now.Add(24*time.Hour)).Check(ctx); err != nil || n != 0 {
		t.Errorf("next day's check: sent %d, err %v", n, err)
	}
	if got := warnings(t, db, s.convID); len(got) != 1 {
		t.Errorf("after three checks, %d warnings", len(got))
	}

	// The button makes the suggested change to the chosen option: day 2 only.
	s.press("pe:in:2")
	v2 := s.version(2)
	if v2.Changes == "" || !strings.Contains(v2.Changes, "Day 2") {
		t.Errorf("v2 changes: %q", v2.Changes)
	}
	after := optionOf(v2, dialog.TierEconomical)
	if d := differingDays(chosen, after, 0, 2, 3); len(d) != 0 {
		t.Errorf("days %v changed, only day 2 should", d)
	}
	if chosen.Days[1] == after.Days[1] {
		t.Error("day 2 unchanged")
	}
}
