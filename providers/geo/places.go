package geo

import (
	"errors"

	"xingqu/dialog"
)

// Places answers the dialog's in-memory look-ups from the offline gazetteer: a turn may
// not wait on the network, and every city worth planning a trip to is in it.
type Places struct{}

// Lookup implements dialog.Places.
func (Places) Lookup(name, lang string) dialog.PlaceMatch {
	g, err := LoadGazetteer()
	if err != nil {
		return dialog.PlaceMatch{}
	}
	r, err := g.Forward(name, lang)
	switch {
	case err == nil && r.Place != nil:
		return dialog.PlaceMatch{Place: r.Place}
	case err == nil:
		return dialog.PlaceMatch{Candidates: r.Candidates, Ambiguous: true}
	case errors.Is(err, ErrNotFound):
		return dialog.PlaceMatch{Candidates: r.Candidates}
	}
	return dialog.PlaceMatch{}
}

// Warm reads the gazetteer and builds its spelling and sound indexes, so that the first
// traveller's turn does not pay for them while it holds the conversation's lock. Call it
// once at start-up, in the background.
func Warm() {
	if g, err := LoadGazetteer(); err == nil {
		g.spots()
	}
}

// Knows implements dialog.Places.
func (Places) Knows(name string) (known, common bool) {
	g, err := LoadGazetteer()
	if err != nil {
		return false, false
	}
	return g.Knows(name)
}

// Word implements dialog.Places.
func (Places) Word(name string) bool {
	g, err := LoadGazetteer()
	if err != nil {
		return true
	}
	return g.Word(name)
}

// Near implements dialog.Places.
func (Places) Near(name, lang string) (string, bool) {
	g, err := LoadGazetteer()
	if err != nil {
		return "", false
	}
	return g.Near(name, lang)
}
