package pipeline

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/geo"
)

// A traveller robbed in Lisbon shares where they are: the nearest police stations, from
// Nominatim's amenity search, follow the first reply; with no geocoder to ask, the
// traveller is told to ask locally.
func TestNearbyPoliceAfterTheLocation(t *testing.T) {
	t.Parallel()
	police, err := os.ReadFile("../providers/geo/testdata/nominatim_amenity_police.json")
	if err != nil {
		t.Fatal(err)
	}
	nom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/search" || r.URL.Query().Get("amenity") != "police" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(police)
	}))
	t.Cleanup(nom.Close)

	for _, tc := range []struct {
		name   string
		finder FacilityFinder
		want   string
	}{
		{"nominatim", geo.New(geo.Config{NominatimBaseURL: nom.URL, UserAgent: "xingqu-test/1 (test@example.org)"}), "1. PSP - Esquadra de Turismo"},
		{"none", geo.New(geo.Config{NominatimBaseURL: "off"}), "please ask someone nearby"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newCarePipeline(t)
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			w := &NearbyWorker{Pipeline: p, Finder: tc.finder, Poll: 20 * time.Millisecond, Log: p.Log}
			done := make(chan struct{})
			go func() { defer close(done); w.Run(ctx) }()
			defer func() { stop(); <-done }()

			say(t, p, "rob", "Lisbon, Dec 20-24")
			convID, _, _ := say(t, p, "rob", "someone stole my wallet")
			if _, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "rob", InboundID: "loc", LangHint: "en",
				Place: &dialog.Place{Name: "Baixa", CountryCode: "PT", Lat: 38.7115, Lon: -9.1365}}); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				var all []string
				for _, m := range transcript(t, p.DB, convID) {
					all = append(all, m.Text)
				}
				if strings.Contains(strings.Join(all, "\n"), tc.want) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no %q in:\n%s", tc.want, strings.Join(all, "\n"))
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
