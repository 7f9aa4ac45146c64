package planner

import (
	"context"
	"strings"

	"xingqu/dialog"
	"xingqu/providers/geo"
	"xingqu/providers/llm"
)

// Extractor lets the dialog ask the LLM chain about a message its parsers could not
// read. What it proposes goes through the dialog's own validation like parser output.
type Extractor struct {
	Chain *llm.Chain
}

// Extract implements dialog.Extractor.
func (e Extractor) Extract(ctx context.Context, text string, c dialog.ParseContext, lang string) (*dialog.Extraction, error) {
	f, err := e.Chain.Extract(ctx, text, lang, c.Now)
	if err != nil {
		return nil, err
	}
	return ExtractionOf(f), nil
}

// ExtractionOf converts the chain's reading into the dialog's.
func ExtractionOf(f llm.Fields) *dialog.Extraction {
	ex := &dialog.Extraction{
		Start: f.StartDate, End: f.EndDate,
		Accessibility: f.Accessibility, KidFriendly: f.KidFriendly, PetFriendly: f.PetFriendly,
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	ex.Destination = str(f.Destination)
	ex.NaturalLandscape = str(f.NaturalLandscape)
	ex.SocialLandscape = str(f.SocialLandscape)
	ex.Cuisine = str(f.Cuisine)
	ex.OtherNeeds = str(f.OtherNeeds)
	if f.PartySize != nil {
		ex.PartySize = *f.PartySize
	}
	if f.Budget != nil {
		ex.Budget = &dialog.Money{Low: *f.Budget, High: *f.Budget, Currency: str(f.Currency), PerPerson: true}
	}
	return ex
}

// PlaceNames gives the Chinese and English names the offline gazetteer knows for a town,
// so that an extraction saying "Fuzhou" is grounded in a message that says 福州. It needs
// no network: it runs while a message waits for its turn.
func PlaceNames(name string) []string {
	g, err := geo.LoadGazetteer()
	if err != nil {
		return nil
	}
	var out []string
	for _, lang := range []string{dialog.LangZH, dialog.LangEN} {
		r, err := g.Forward(name, lang)
		if err != nil {
			continue // not a town it knows; its suggestions are other names, not this one's
		}
		places := r.Candidates // towns of that very name, each still called so
		if r.Place != nil {
			places = []dialog.Place{*r.Place}
		}
		for _, p := range places {
			// A candidate is qualified by its province ("Fuzhou, Fujian"): the town's own
			// name is before the comma.
			n, _, _ := strings.Cut(p.Name, ",")
			out = append(out, strings.TrimSpace(n))
		}
	}
	return out
}
