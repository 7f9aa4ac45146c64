package geo

import (
	"context"
	"errors"
	"testing"

	"xingqu/dialog"
)

// The traveller shared a point in Lisbon's Baixa.
const baixaLat, baixaLon = 38.7139, -9.1394

func TestNearbyHospitalsFromLocationIQ(t *testing.T) {
	liq := newFake(t, map[string]reply{"/v1/nearby": {200, "locationiq_nearby_hospital.json", 0}})
	r := New(Config{LocationIQKey: "k3y", LocationIQBaseURL: liq.URL, NominatimBaseURL: "off", UserAgent: testUA})
	got, err := r.Nearby(context.Background(), baixaLat, baixaLon, FacilityHospital, dialog.LangEN)
	if err != nil {
		t.Fatal(err)
	}
	// Nearest first; Setúbal, 30 km away, is left out.
	if len(got) != 2 || got[0].Name != "Hospital de São José" || got[1].Name != "Hospital de Santa Maria" {
		t.Fatalf("facilities = %+v", got)
	}
	if got[0].DistanceM < 200 || got[0].DistanceM > 800 || got[0].Address == "" {
		t.Errorf("nearest = %+v", got[0])
	}
	q := liq.last().URL.Query()
	if q.Get("tag") != "hospital" || q.Get("radius") != "10000" || q.Get("key") != "k3y" || q.Get("accept-language") == "" {
		t.Errorf("query = %v", q)
	}
	// A second ask for the same point is answered from the cache or the same flight, not
	// necessarily the network; either way it gives the same answer.
	again, err := r.Nearby(context.Background(), baixaLat, baixaLon, FacilityHospital, dialog.LangEN)
	if err != nil || len(again) != 2 {
		t.Errorf("again: %+v %v", again, err)
	}
}

func TestNearbyPoliceFromNominatim(t *testing.T) {
	nom := unpaced(newFake(t, map[string]reply{"/search": {200, "nominatim_amenity_police.json", 0}}))
	r := New(Config{NominatimBaseURL: nom.URL, UserAgent: testUA})
	got, err := r.Nearby(context.Background(), baixaLat, baixaLon, FacilityPolice, dialog.LangZH)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "PSP - Esquadra de Turismo" || got[1].Name != "Esquadra da PSP de Picoas" {
		t.Fatalf("facilities = %+v (a nameless result is named from its address)", got)
	}
	q := nom.last().URL.Query()
	if q.Get("amenity") != "police" || q.Get("bounded") != "1" || q.Get("viewbox") == "" || q.Get("q") != "" || q.Get("format") != "jsonv2" {
		t.Errorf("query = %v", q)
	}
	if ua := nom.last().Header.Get("User-Agent"); ua != testUA {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestNearbyFallsBackAndSaysWhenItCannot(t *testing.T) {
	liq := newFake(t, map[string]reply{"/v1/nearby": {503, "", 0}})
	nom := unpaced(newFake(t, map[string]reply{"/search": {200, "nominatim_amenity_police.json", 0}}))
	r := New(Config{LocationIQKey: "k", LocationIQBaseURL: liq.URL, NominatimBaseURL: nom.URL, UserAgent: testUA})
	if got, err := r.Nearby(context.Background(), baixaLat, baixaLon, FacilityPolice, "en"); err != nil || len(got) != 2 {
		t.Fatalf("fallback to Nominatim: %+v %v", got, err)
	}
	none := New(Config{NominatimBaseURL: "off"})
	if _, err := none.Nearby(context.Background(), baixaLat, baixaLon, FacilityHospital, "en"); !errors.Is(err, ErrNoNearbyService) {
		t.Errorf("no service: %v", err)
	}
	if _, err := r.Nearby(context.Background(), baixaLat, baixaLon, "bar", "en"); err == nil {
		t.Error("unknown facility accepted")
	}
}

func TestFacilityFor(t *testing.T) {
	for cat, want := range map[dialog.EmergencyCategory]string{
		dialog.EmergencyMedical: FacilityHospital, dialog.EmergencyInjury: FacilityHospital,
		dialog.EmergencyCrime: FacilityPolice, dialog.EmergencyDocuments: FacilityPolice,
		dialog.EmergencyTransport: "", dialog.EmergencyDisaster: "",
	} {
		got, ok := FacilityFor(cat)
		if got != want || ok != (want != "") {
			t.Errorf("FacilityFor(%s) = %q %v, want %q", cat, got, ok, want)
		}
	}
}
