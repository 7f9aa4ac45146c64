package geo

import "testing"

func TestPlacesLookup(t *testing.T) {
	p := Places{}
	if m := p.Lookup("福州", "zh"); m.Place == nil || m.Place.CountryCode != "CN" {
		t.Errorf("福州: %+v", m)
	}
	if m := p.Lookup("Springfield", "en"); m.Place != nil || !m.Ambiguous || len(m.Candidates) < 2 {
		t.Errorf("Springfield: %+v, want ambiguous candidates", m)
	}
	if m := p.Lookup("Lisbn", "en"); m.Place != nil || m.Ambiguous || len(m.Candidates) == 0 || m.Candidates[0].CountryCode != "PT" {
		t.Errorf("Lisbn: %+v, want the suggestion Lisbon", m)
	}
	if m := p.Lookup("Qwzxv Vbnmk", "en"); m.Place != nil || len(m.Candidates) != 0 {
		t.Errorf("nonsense: %+v, want nothing", m)
	}
}
