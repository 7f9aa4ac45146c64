// Package offline is the planner of last resort: it turns the trip's slots into an honest
// draft of the three options with no network, no model and no way to fail, so a traveller
// always gets something useful (and the offer of a human) when every LLM provider is down
// or the traveller's daily token budget is spent.
package offline

import (
	"math"
	"strings"
	"time"

	"xingqu/dialog"
)

// Source is the Plan.Source of every draft made here.
const Source = "offline"

// MaxDays caps a draft's length: the dialog rejects longer trips, and a runaway slot must
// not make the fallback slow.
const MaxDays = 30

// defaultDays is the trip length assumed when neither dates nor a duration were heard.
const defaultDays = 3

// The budget ranges are ratios of the per-person budget the traveller stated. Luxury starts
// at the stated amount and shows what spending more buys; economical fits inside it;
// backpacker is the "特种兵" spirit of a quarter to a half. Without a stated budget the
// reference is a per-day default for the currency times the number of days, which stands
// for a mid-range trip.
var ratios = map[dialog.Tier][2]float64{
	dialog.TierLuxury:     {1.0, 1.8},
	dialog.TierEconomical: {0.6, 1.0},
	dialog.TierBackpacker: {0.25, 0.5},
}

// perDay is a mid-range per-person daily spend (lodging, food, local transport, tickets)
// used when the traveller gave no budget; rough 2025 figures, meant as a starting point.
var perDay = map[string]float64{
	"CNY": 600,
	"USD": 120,
	"EUR": 110,
	"GBP": 95,
	"JPY": 15000,
	"KRW": 140000,
	"HKD": 800,
	"TWD": 3000,
	"SGD": 160,
	"THB": 3000,
	"AUD": 180,
	"CAD": 160,
}

// Plan builds the draft. lang is "zh" or "en" (anything else reads as en); now gives
// "tomorrow" when the trip has no start date and stamps CreatedAt.
func Plan(trip dialog.TripRequest, lang string, now time.Time) dialog.Plan {
	t := textsFor(lang)
	dates := Dates(trip, now)
	cur := Currency(trip, lang)
	ref := reference(trip, cur, len(dates))
	dest := destination(trip, t)

	opts := make([]dialog.Option, 0, len(dialog.Tiers))
	for _, tier := range dialog.Tiers {
		r := ratios[tier]
		low, high := roundMoney(ref*r[0]), roundMoney(ref*r[1])
		if high < low {
			high = low
		}
		opts = append(opts, dialog.Option{
			Tier:             tier,
			Title:            Title(tier, lang),
			BudgetLow:        low,
			BudgetHigh:       high,
			Currency:         cur,
			NaturalLandscape: trip.NaturalLandscape,
			SocialLandscape:  trip.SocialLandscape,
			Cuisine:          trip.Cuisine,
			Days:             days(trip, tier, dates, dest, t),
			Food:             food(trip, tier, t),
			Tips:             tips(trip, tier, t),
		})
	}
	return dialog.Plan{
		Trip:      trip,
		Options:   opts,
		Source:    Source,
		Draft:     true,
		CreatedAt: now,
	}
}

// Dates lists the days a plan covers. Both dates known: those, both included. A start
// date alone: trip.Days long (3 when unknown). No start date: from tomorrow in now's
// location. An end date alone: the days leading up to it. Never more than MaxDays.
// The LLM chain uses the same list, so a model's answer and the draft agree on the days.
func Dates(trip dialog.TripRequest, now time.Time) []dialog.Date {
	n := trip.Days
	if n <= 0 {
		n = defaultDays
	}
	var start dialog.Date
	switch {
	case trip.StartDate != nil && trip.EndDate != nil && !trip.EndDate.Before(*trip.StartDate):
		start, n = *trip.StartDate, trip.TripDays()
	case trip.StartDate != nil:
		start = *trip.StartDate
	case trip.EndDate != nil:
		start = trip.EndDate.AddDays(1 - n)
	default:
		start = dialog.DateOf(now).AddDays(1)
	}
	n = min(n, MaxDays)
	out := make([]dialog.Date, n)
	for i := range out {
		out[i] = start.AddDays(i)
	}
	return out
}

// Currency is the trip's currency, else the one a traveller in that country or speaking
// that language most likely means.
func Currency(trip dialog.TripRequest, lang string) string {
	if c := strings.ToUpper(strings.TrimSpace(trip.Currency)); c != "" {
		return c
	}
	if trip.Place != nil {
		switch strings.ToUpper(trip.Place.CountryCode) {
		case "CN":
			return "CNY"
		case "JP":
			return "JPY"
		case "HK":
			return "HKD"
		case "GB":
			return "GBP"
		case "US":
			return "USD"
		}
	}
	if isZh(lang) {
		return "CNY"
	}
	return "USD"
}

// Title is the display name of a tier in lang.
func Title(tier dialog.Tier, lang string) string {
	t := textsFor(lang)
	switch tier {
	case dialog.TierLuxury:
		return t.titleLuxury
	case dialog.TierEconomical:
		return t.titleEconomical
	case dialog.TierBackpacker:
		return t.titleBackpacker
	}
	return string(tier)
}

func isZh(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "zh") }

func reference(trip dialog.TripRequest, cur string, days int) float64 {
	if trip.Budget != nil && *trip.Budget > 0 && !math.IsInf(*trip.Budget, 0) {
		return *trip.Budget
	}
	d, ok := perDay[cur]
	if !ok {
		// An unknown currency gets the dollar figure: wrong in scale, but the traveller
		// sees a draft labelled as such, and the order of the tiers still holds.
		d = perDay["USD"]
	}
	return d * float64(days)
}

// roundMoney keeps two significant figures (¥1,234 -> ¥1,200) so a draft does not
// pretend to a precision it has not got; never below 1 so ranges stay positive.
func roundMoney(v float64) float64 {
	if v < 1 {
		return 1
	}
	step := math.Pow(10, math.Floor(math.Log10(v))-1)
	if step < 1 {
		step = 1
	}
	return math.Max(1, math.Round(v/step)*step)
}

func destination(trip dialog.TripRequest, t *texts) string {
	if trip.Place != nil && strings.TrimSpace(trip.Place.Name) != "" {
		return strings.TrimSpace(trip.Place.Name)
	}
	if d := strings.TrimSpace(trip.Destination); d != "" {
		return d
	}
	return t.theDestination
}

func yes(b *bool) bool { return b != nil && *b }

func days(trip dialog.TripRequest, tier dialog.Tier, dates []dialog.Date, dest string, t *texts) []dialog.DayPlan {
	ts := t.tier[tier]
	notes := needNotes(trip, t)
	out := make([]dialog.DayPlan, len(dates))
	last := len(dates) - 1
	for i, d := range dates {
		dp := dialog.DayPlan{Date: d, Notes: notes}
		// Alternate what fills the morning and the afternoon so a long trip does not
		// repeat one line for every day.
		nature, culture := t.sight(trip.NaturalLandscape, dest, ts), t.culture(trip.SocialLandscape, dest, ts)
		if i%2 == 1 {
			nature, culture = culture, nature
		}
		dp.Morning, dp.Afternoon, dp.Evening = nature, culture, t.dinner(trip.Cuisine, ts)
		if i == 0 {
			dp.Morning = t.f(t.arrive, dest, ts.stay)
		}
		if i == last && last > 0 {
			dp.Evening = ts.depart
		}
		if yes(trip.KidFriendly) {
			dp.Afternoon += t.kidBreak
		}
		out[i] = dp
	}
	return out
}

func needNotes(trip dialog.TripRequest, t *texts) string {
	var n []string
	if yes(trip.KidFriendly) {
		n = append(n, t.noteKids)
	}
	if yes(trip.Accessibility) {
		n = append(n, t.noteAccess)
	}
	if yes(trip.PetFriendly) {
		n = append(n, t.notePets)
	}
	return strings.Join(n, t.sep)
}

func food(trip dialog.TripRequest, tier dialog.Tier, t *texts) []string {
	ts := t.tier[tier]
	c := strings.TrimSpace(trip.Cuisine)
	if c == "" {
		c = t.localFood
	}
	out := make([]string, 0, len(ts.food))
	for _, f := range ts.food {
		out = append(out, t.f(f, c))
	}
	return out
}

func tips(trip dialog.TripRequest, tier dialog.Tier, t *texts) []string {
	out := []string{t.draft, t.tier[tier].tip}
	if o := strings.TrimSpace(trip.OtherNeeds); o != "" {
		out = append(out, t.f(t.otherNeeds, o))
	}
	if trip.PartySize != nil && *trip.PartySize > 1 {
		out = append(out, t.party)
	}
	return out
}
