package planner

import (
	"context"

	"xingqu/dialog"
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
