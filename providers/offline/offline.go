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
	return PlanWithWeather(trip, lang, now, nil)
}

// PlanWithWeather is Plan knowing the forecast (by ISO date): rainy days get the indoor
// themes.
func PlanWithWeather(trip dialog.TripRequest, lang string, now time.Time, weather map[string]dialog.Weather) dialog.Plan {
	t := textsFor(lang)
	dates := Dates(trip, now)
	cur := Currency(trip, lang)
	ref := reference(trip, cur, len(dates))
	dest := destination(trip, t)
	towns, lat := nearbyTowns(trip, lang, dest)
	mid := themesFor(trip, towns)
	n := max(len(dates)-2, 1)
	wet := make([]bool, min(n, len(mid)))
	for i := range wet {
		// Middle day i is the trip's day i+1 (or the only day of a one-day trip).
		j := min(i+1, len(dates)-1)
		if w, ok := weather[dates[j].String()]; ok {
			wet[i] = rainy(&w)
		}
	}
	byWeather(mid, wet)
	mid = mid[:min(n, len(mid))]
	sea := ""
	if len(dates) > 0 {
		sea = season(dates[0], lat)
	}

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
			Days:             days(trip, tier, dates, dest, t, mid, sea, lang),
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

// days writes each day of one option: arrival, the middle days' themes in order, a slow
// last day. Each line is a whole sentence in the traveller's language, with the tier's
// way of moving, eating and sleeping, and the party's needs in mind.
func days(trip dialog.TripRequest, tier dialog.Tier, dates []dialog.Date, dest string, t *texts, mid []theme, sea, lang string) []dialog.DayPlan {
	ts := t.tier[tier]
	notes := needNotes(trip, t)
	cuisine := cuisineWords(trip.Cuisine, t)
	kids, access := yes(trip.KidFriendly), yes(trip.Accessibility)
	l := "en"
	if isZh(lang) {
		l = "zh"
	}
	line := func(th theme, part int) string {
		var format string
		switch {
		case th.key == "named" && part == 0:
			return t.f(t.namedMorning, ts.move, th.name)
		case th.key == "named" && th.second != "":
			return t.f(t.namedSecond, th.second)
		case th.key == "named":
			return t.f(t.namedAfternoon, th.name)
		case th.key == "trip" && part == 0:
			return t.f(t.dayTripMorning, ts.trip, th.town.DistanceKm, th.town.Name)
		case th.key == "trip":
			return t.f(t.dayTripAfternoon, th.town.Name)
		case (kids || access) && gentleLines[l][th.key] != [2]string{}:
			format = gentleLines[l][th.key][part]
		case themeLines[l][th.key] != [2]string{}:
			format = themeLines[l][th.key][part]
		default:
			format = t.themes[th.key][part]
		}
		if !strings.Contains(format, "%[") {
			return format // a line that needs none of the arguments
		}
		return t.f(format, ts.move, dest, ts.guide, ts.museums, cuisine)
	}
	// What the traveller ruled out stays out of the first and last days too.
	lastAfternoon, depart := t.lastAfternoon, ts.depart
	if ruledOut(trip, "shopping") {
		lastAfternoon = t.lastNoShop
	}
	if ruledOut(trip, "flying") {
		lastAfternoon, depart = strings.Replace(lastAfternoon, t.byRail[0], t.byRail[1], 1), ts.rail
	}
	out := make([]dialog.DayPlan, len(dates))
	last := len(dates) - 1
	dinner := 0
	for i, d := range dates {
		dp := dialog.DayPlan{Date: d, Notes: notes}
		switch {
		case last == 0: // a one-day trip: arrive, the best of the place, leave
			th := mid[0]
			dp.Morning = t.f(t.arriveOnly, dest, ts.stay)
			dp.Afternoon = line(th, 0)
			dp.Evening = depart
		case i == 0:
			dp.Morning = t.f(t.arrive, dest, ts.stay)
			dp.Afternoon = t.f(t.arriveWalk, dest)
		case i == last:
			dp.Morning = t.f(t.lastMorning, dest)
			dp.Afternoon = t.f(lastAfternoon, dest)
			dp.Evening = depart
		case i-1 < len(mid):
			th := mid[i-1]
			dp.Morning, dp.Afternoon = line(th, 0), line(th, 1)
			if th.outdoor {
				if sea == "summer" {
					dp.Morning = t.summerMorning + lowerFirst(dp.Morning, l)
				}
				if sea == "winter" && th.key != "trip" { // a day trip's evening says when it ends
					dp.Afternoon += t.winterAfternoon
				}
				if access {
					dp.Morning += t.accessRoute
				}
			}
			if th.key == "trip" {
				dp.Evening = t.f(t.dayTripEvening, dest)
			}
		default: // longer than there are themes
			dp.Morning = t.f(t.spare, i+1, dest)
			dp.Afternoon = t.f(t.arriveWalk, dest) + " · " + d.String()
		}
		if dp.Evening == "" {
			switch {
			case i+1 < last && i < len(mid) && mid[i].key == "trip":
				dp.Evening = t.f(t.quietDinner, cuisine)
			case kids && i == 0:
				dp.Evening = t.f(t.kidsDinner, cuisine)
			default:
				dp.Evening = t.f(t.dinners[dinner%len(t.dinners)], ts.dine, cuisine)
				dinner++
			}
		}
		if kids && i != last && !(i > 0 && i-1 < len(mid) && mid[i-1].key == "trip") {
			dp.Afternoon += t.kidBreak // not on a day trip: the lodging is far away
		}
		out[i] = dp
	}
	return out
}

// lowerFirst lowers the first letter of an English line that now follows a prefix.
func lowerFirst(s, lang string) string {
	if lang != "en" || s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// cuisineWords turns what the traveller said about food into words that fit a sentence.
func cuisineWords(c string, t *texts) string {
	words := splitPrefs(c)
	var out []string
	for _, w := range words {
		if r, ok := cuisinePhrases[strings.ToLower(w)]; ok {
			w = r
		}
		if w != "" {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return t.localFood
	}
	sep := "、"
	if t == &en {
		sep = " and "
	}
	return strings.Join(out, sep)
}

// cuisinePhrases rewrites the food words that are wishes rather than dishes.
var cuisinePhrases = map[string]string{
	"美食": "当地特色菜", "特色菜": "当地特色菜", "地方菜": "当地特色菜", "吃辣": "辣味菜", "不吃辣": "不辣的本地菜",
	"素食": "素菜", "吃素": "素菜", "啤酒": "本地啤酒配小菜",
	"food": "local specialities", "local food": "local specialities", "foodie": "local specialities",
	"vegetarian": "vegetarian dishes", "vegan": "vegan dishes", "spicy": "spicy dishes", "spicy food": "spicy dishes",
	"beer": "local beer and small plates", "wine": "local wine and small plates", "coffee": "coffee and pastries",
	"dessert": "desserts", "bbq": "barbecue",
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
	c := cuisineWords(trip.Cuisine, t)
	out := make([]string, 0, len(ts.food))
	for _, f := range ts.food {
		v := t.f(f, c)
		if t == &en {
			v = strings.ToUpper(v[:1]) + v[1:]
		}
		out = append(out, v)
	}
	return out
}

func tips(trip dialog.TripRequest, tier dialog.Tier, t *texts) []string {
	// That the draft comes from built-in data is said once per plan, by the dialog.
	out := []string{t.tier[tier].tip}
	if o := strings.TrimSpace(trip.OtherNeeds); o != "" {
		out = append(out, t.f(t.otherNeeds, o))
	}
	if trip.PartySize != nil && *trip.PartySize > 1 {
		out = append(out, t.party)
	}
	return out
}
