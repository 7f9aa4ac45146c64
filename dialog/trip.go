package dialog

import "time"

// Place is a destination resolved to a point on the map.
type Place struct {
	Name        string  `json:"name"`
	CountryCode string  `json:"countryCode"` // ISO 3166-1 alpha-2, upper case
	Lat         float64 `json:"lat"`
	Lon         float64 `json:"lon"`
}

// TripRequest is what a traveller wants: the slots of SPEC section 3, with the JSON names
// of the seed's recommendation API. Unset optional values are nil.
type TripRequest struct {
	Destination      string   `json:"destination,omitempty"` // as the traveller wrote it
	Place            *Place   `json:"place,omitempty"`
	StartDate        *Date    `json:"startDate,omitempty"`
	EndDate          *Date    `json:"endDate,omitempty"`
	Days             int      `json:"days,omitempty"`     // a duration heard before a start date
	Budget           *float64 `json:"budget,omitempty"`   // per person
	Currency         string   `json:"currency,omitempty"` // ISO 4217
	PartySize        *int     `json:"partySize,omitempty"`
	Accessibility    *bool    `json:"accessibility,omitempty"`
	KidFriendly      *bool    `json:"kidFriendly,omitempty"`
	PetFriendly      *bool    `json:"petFriendly,omitempty"`
	NaturalLandscape string   `json:"naturalLandscape,omitempty"`
	SocialLandscape  string   `json:"socialLandscape,omitempty"`
	Cuisine          string   `json:"cuisine,omitempty"`
	OtherNeeds       string   `json:"otherNeeds,omitempty"`
	// Exclude lists the places and things the traveller does not want, for the planner
	// to leave out ("不要去鼓山", "skip the Great Wall"), joined with "、" or ", ".
	Exclude string `json:"exclude,omitempty"`
}

// TripDays is the number of days the trip covers, both ends included; 0 when the dates
// are not both known.
func (t TripRequest) TripDays() int {
	if t.StartDate == nil || t.EndDate == nil {
		return 0
	}
	return t.StartDate.DaysUntil(*t.EndDate) + 1
}

// Tier is one of the three budget levels a plan offers.
type Tier string

// The three tiers, in the order they are shown (seed 004 section 6).
const (
	TierLuxury     Tier = "luxury"     // 豪华尊享游
	TierEconomical Tier = "economical" // 经济适用游
	TierBackpacker Tier = "backpacker" // 特种兵穷游
)

// Tiers lists the tiers in display order.
var Tiers = []Tier{TierLuxury, TierEconomical, TierBackpacker}

// Weather is the forecast for one day at the destination.
type Weather struct {
	Summary    string  `json:"summary"`
	TempMinC   float64 `json:"tempMinC"`
	TempMaxC   float64 `json:"tempMaxC"`
	PrecipProb float64 `json:"precipProb"` // 0..1
}

// DayWeather is the forecast of one date.
type DayWeather struct {
	Date    Date    `json:"date"`
	Weather Weather `json:"weather"`
}

// DayPlan is one day of an option's itinerary.
type DayPlan struct {
	Date      Date     `json:"date"`
	Morning   string   `json:"morning"`
	Afternoon string   `json:"afternoon"`
	Evening   string   `json:"evening"`
	Notes     string   `json:"notes,omitempty"`
	Weather   *Weather `json:"weather,omitempty"`
}

// Option is one of the three itineraries of a plan.
type Option struct {
	Tier             Tier      `json:"tier"`
	Title            string    `json:"title"`
	BudgetLow        float64   `json:"budgetLow"`
	BudgetHigh       float64   `json:"budgetHigh"`
	Currency         string    `json:"currency"`
	NaturalLandscape string    `json:"naturalLandscape,omitempty"`
	SocialLandscape  string    `json:"socialLandscape,omitempty"`
	Cuisine          string    `json:"cuisine,omitempty"`
	Days             []DayPlan `json:"days"`
	Food             []string  `json:"food,omitempty"`
	Tips             []string  `json:"tips,omitempty"`
}

// Plan is one version of the three options made for a trip.
type Plan struct {
	Version     int         `json:"version"`
	Trip        TripRequest `json:"trip"`
	Options     []Option    `json:"options"`
	Source      string      `json:"source"`                // provider that wrote it, "offline" for the draft
	Draft       bool        `json:"draft,omitempty"`       // the offline planner's honest draft
	DraftCode   string      `json:"draftCode,omitempty"`   // why a draft, when it was not the providers failing: LLM-105 for a spent budget
	WeatherNote string      `json:"weatherNote,omitempty"` // e.g. E-303 when no forecast could be had
	Changes     string      `json:"changes,omitempty"`     // what differs from the previous version
	Edit        *PlanEdit   `json:"edit,omitempty"`        // the edit that made this version from Base
	Base        int         `json:"base,omitempty"`        // the version an edit or a restore started from
	Undoes      int         `json:"undoes,omitempty"`      // the version an undo stepped back from
	CreatedAt   time.Time   `json:"createdAt"`
}
