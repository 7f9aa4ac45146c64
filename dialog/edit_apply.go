package dialog

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Why an edit could not be made. The plan stays as it was in every case.
var (
	// ErrNotInPlan: the place to drop is in none of the days edited.
	ErrNotInPlan = errors.New("not in the plan")
	// ErrEditRange: the edit names a day the plan does not have, or would leave a trip
	// of no days or of more than MaxTripDays.
	ErrEditRange = errors.New("outside the plan")
	// ErrAlreadySo: the plan already is as the edit asks (a relaxed day made relaxed, two
	// days of nothing but arriving and leaving swapped).
	ErrAlreadySo = errors.New("already so")
	// ErrNeedsModel: only a model can make this edit (a day changed in free words).
	ErrNeedsModel = errors.New("needs a model")
	// ErrEditFailed: the edit was tried and could not be made (E-808).
	ErrEditFailed = errors.New("edit failed")
)

// CodeEditFailed is seed 004's code for an itinerary change that failed.
const CodeEditFailed = "E-808"

// EditTargets are the options an edit changes: the chosen one, or all three before one
// is chosen.
func EditTargets(p Plan, chosen Tier) []int {
	var out []int
	for i, o := range p.Options {
		if chosen == "" || o.Tier == chosen {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		for i := range p.Options {
			out = append(out, i)
		}
	}
	return out
}

// redate gives days consecutive dates from start; a day whose date moves loses its
// forecast, which was for another day.
func redate(days []DayPlan, start Date) {
	for j := range days {
		if d := start.AddDays(j); days[j].Date != d {
			days[j].Date, days[j].Weather = d, nil
		}
	}
}

// ClonePlan copies a plan deeply enough that editing the copy leaves the original alone.
func ClonePlan(p Plan) Plan {
	c := p
	c.Options = make([]Option, len(p.Options))
	for i, o := range p.Options {
		o.Days = append([]DayPlan(nil), o.Days...)
		o.Food = append([]string(nil), o.Food...)
		o.Tips = append([]string(nil), o.Tips...)
		c.Options[i] = o
	}
	if p.Trip.StartDate != nil {
		d := *p.Trip.StartDate
		c.Trip.StartDate = &d
	}
	if p.Trip.EndDate != nil {
		d := *p.Trip.EndDate
		c.Trip.EndDate = &d
	}
	return c
}

// ApplyEdit makes e on base with no model and no network, deterministically, and says
// what changed. Only the target options change (see EditTargets); the result has no
// version yet. Versioning edits are the store's to make, not this function's.
func ApplyEdit(base Plan, chosen Tier, e PlanEdit, lang string) (Plan, []string, error) {
	if e.Versioning() {
		return Plan{}, nil, fmt.Errorf("%s: %w", e.Kind, ErrEditRange)
	}
	p := ClonePlan(base)
	p.Version, p.Changes, p.Edit, p.Base = 0, "", &e, base.Version
	targets := EditTargets(p, chosen)
	zh := lang == LangZH
	pick := func(z, en string) string {
		if zh {
			return z
		}
		return en
	}
	free := pick("自由活动", "Free time")
	days := 0
	if len(p.Options) > 0 {
		days = len(p.Options[targets[0]].Days)
	}
	day := func(n int) (int, error) {
		if n < 0 {
			n = days + 1 + n
		}
		if n < 1 || n > days {
			return 0, fmt.Errorf("day %d of %d: %w", n, days, ErrEditRange)
		}
		return n - 1, nil
	}
	switch e.Kind {
	case EditShift:
		// Every option moves, chosen or not: they share the dates of the trip.
		for i := range p.Options {
			for j := range p.Options[i].Days {
				p.Options[i].Days[j].Date = p.Options[i].Days[j].Date.AddDays(e.Days)
				// The forecast was for other dates.
				p.Options[i].Days[j].Weather = nil
			}
		}
		if p.Trip.StartDate != nil {
			*p.Trip.StartDate = p.Trip.StartDate.AddDays(e.Days)
		}
		if p.Trip.EndDate != nil {
			*p.Trip.EndDate = p.Trip.EndDate.AddDays(e.Days)
		}
	case EditLonger:
		if days+e.Days > MaxTripDays {
			return Plan{}, nil, fmt.Errorf("%d days: %w", days+e.Days, ErrEditRange)
		}
		place := p.Trip.Destination
		for i := range p.Options {
			o := &p.Options[i]
			if len(o.Days) == 0 {
				continue
			}
			var extra []DayPlan
			for k := 0; k < e.Days; k++ {
				extra = append(extra, DayPlan{
					Morning:   pick("睡到自然醒，在"+place+"随意逛逛", "A slow morning wandering "+place),
					Afternoon: pick("补上之前没去成的地方", "Catch up on anything missed so far"),
					Evening:   pick("当地特色晚餐", "Dinner at a local favourite")})
			}
			// The added days come before the last, the day home, which moves with them.
			at := len(o.Days) - 1
			if len(o.Days) < 2 {
				at = len(o.Days)
			}
			o.Days = slices.Concat(o.Days[:at], extra, o.Days[at:])
			redate(o.Days, o.Days[0].Date)
		}
		if p.Trip.EndDate != nil {
			*p.Trip.EndDate = p.Trip.EndDate.AddDays(e.Days)
		}
	case EditShorter:
		if e.Days >= days {
			return Plan{}, nil, fmt.Errorf("%d of %d days: %w", e.Days, days, ErrEditRange)
		}
		if e.Day > days || e.Day < -1 {
			return Plan{}, nil, fmt.Errorf("day %d of %d: %w", e.Day, days, ErrEditRange)
		}
		// Which days go: the day named (a middle one, or the first or last), or those
		// before the last; the arrival and the day home stay as long as two days do.
		from := days - 1 - e.Days
		switch {
		case e.Day == 1:
			from = 1
		case e.Day > 1 && e.Day < days:
			from = e.Day - 1
		}
		if from < 1 || days-e.Days < 2 {
			from = days - e.Days // too short for an arrival and a day home: the end goes
			if e.Day == 1 {
				from = 0
			}
		}
		if from+e.Days > days {
			return Plan{}, nil, fmt.Errorf("day %d and %d more of %d days: %w", from+1, e.Days-1, days, ErrEditRange)
		}
		for i := range p.Options {
			o := &p.Options[i]
			if len(o.Days) != days {
				continue
			}
			start := o.Days[0].Date
			if e.Day == 1 {
				start = start.AddDays(e.Days) // the trip starts later
			}
			o.Days = slices.Concat(o.Days[:from], o.Days[from+e.Days:])
			redate(o.Days, start)
		}
		if e.Day == 1 && p.Trip.StartDate != nil {
			*p.Trip.StartDate = p.Trip.StartDate.AddDays(e.Days)
		} else if p.Trip.EndDate != nil {
			*p.Trip.EndDate = p.Trip.EndDate.AddDays(-e.Days)
		}
	case EditDrop:
		found := false
		for _, i := range targets {
			for j := range p.Options[i].Days {
				d := &p.Options[i].Days[j]
				for _, part := range []*string{&d.Morning, &d.Afternoon, &d.Evening} {
					if mentions(*part, e.Place) {
						*part, found = free, true
					}
				}
				// A day trip taken out leaves no trip to come back from.
				if d.Morning == free && d.Afternoon == free && (strings.Contains(d.Evening, "Back in ") || strings.Contains(d.Evening, "回到")) {
					d.Evening = free
				}
			}
		}
		if !found {
			return Plan{}, nil, fmt.Errorf("%q: %w", e.Place, ErrNotInPlan)
		}
		p.Trip.Exclude = joinList(p.Trip.Exclude, e.Place, lang)
	case EditAdd:
		for _, i := range targets {
			o := &p.Options[i]
			j := lightestDay(o.Days, free)
			if e.Day != 0 {
				k, err := day(e.Day)
				if err != nil {
					return Plan{}, nil, err
				}
				j = k
			}
			if j < 0 {
				continue
			}
			d := &o.Days[j]
			switch {
			case d.Evening == "" || d.Evening == free:
				d.Evening = e.With
			case d.Afternoon == free:
				d.Afternoon = e.With
			default:
				d.Evening = d.Evening + pick("；", "; ") + e.With
			}
		}
	case EditReplace:
		j, err := day(e.Day)
		if err != nil {
			return Plan{}, nil, err
		}
		with := concrete(e.With, lang)
		for _, i := range targets {
			d := &p.Options[i].Days[j]
			switch e.Part {
			case "morning":
				d.Morning = with
			case "afternoon":
				d.Afternoon = with
			case "evening":
				d.Evening = with
			default:
				if town, ok := strings.CutPrefix(e.With, "day trip to "); ok {
					// A day trip: there and back, not "free time around the day trip".
					town = titleWords(town)
					d.Morning = pick("去"+town+"一日游", "Day trip to "+town)
					d.Afternoon = pick("在"+town+"逛逛，尝尝当地小吃", "Explore "+town+" and try its local food")
					d.Evening = pick("傍晚回到"+p.Trip.Destination+"，在住处附近吃晚饭", "Back in "+p.Trip.Destination+" by evening; dinner near your lodging")
					break
				}
				d.Morning = with
				d.Afternoon = pick("在"+with+"附近自由活动", "Free time around the "+with)
			}
			d.Weather = p.Options[i].Days[j].Weather
		}
	case EditPace:
		// The whole plan's pace is its evenings; one day's (e.Day) is its evening, then
		// its afternoon.
		only := -1
		if e.Day != 0 {
			k, err := day(e.Day)
			if err != nil {
				return Plan{}, nil, err
			}
			only = k
		}
		early := pick("早点休息", "An early night")
		changed := false
		for _, i := range targets {
			for j := range p.Options[i].Days {
				if only >= 0 && j != only {
					continue
				}
				d := &p.Options[i].Days[j]
				if j == len(p.Options[i].Days)-1 && len(p.Options[i].Days) > 1 && e.With == "relax" {
					// The day home keeps its journey: a lighter last day loses its
					// afternoon's sight, not the way home.
					if d.Afternoon != free && d.Afternoon != "" && !leavesHome(d.Afternoon) {
						d.Afternoon, changed = free, true
					}
					continue
				}
				rested := d.Evening == "" || d.Evening == free || strings.HasPrefix(d.Evening, early)
				switch {
				case e.With == "relax" && !rested:
					d.Evening, changed = early, true
				case e.With == "relax" && only >= 0 && d.Afternoon != "" && d.Afternoon != free:
					d.Afternoon, changed = free, true
				case e.With != "relax" && rested:
					d.Evening, changed = pick("夜游："+p.Trip.Destination+"夜景和夜市", "Evening out: "+p.Trip.Destination+" by night and a night market"), true
				}
			}
		}
		if !changed {
			return Plan{}, nil, fmt.Errorf("pace %s: %w", e.With, ErrAlreadySo)
		}
	case EditCheaper, EditBetter:
		f, tip := 0.8, pick("住宿换成更实惠的经济型酒店，多坐公共交通", "Simpler hotels and public transport to spend less")
		if e.Kind == EditBetter {
			f, tip = 1.25, pick("住宿升级为更好的酒店，安排一顿特色好餐", "Better hotels and one special dinner")
		}
		for _, i := range targets {
			o := &p.Options[i]
			o.BudgetLow, o.BudgetHigh = roundBudget(o.BudgetLow*f), roundBudget(o.BudgetHigh*f)
			o.Tips = append([]string{tip}, o.Tips...)
		}
	case EditSwap:
		// What the two days hold trades places; each keeps its date and its forecast.
		a, err := day(e.Day)
		if err != nil {
			return Plan{}, nil, err
		}
		b, err := day(e.Other)
		if err != nil {
			return Plan{}, nil, err
		}
		if a == b {
			return Plan{}, nil, fmt.Errorf("day %d with itself: %w", e.Day, ErrEditRange)
		}
		swapped := false
		for _, i := range targets {
			x, y := &p.Options[i].Days[a], &p.Options[i].Days[b]
			// The arrival and the journey home stay on their days; the rest trades places.
			for _, pair := range [][2]*string{{&x.Morning, &y.Morning}, {&x.Afternoon, &y.Afternoon}, {&x.Evening, &y.Evening}} {
				if !travelLine(*pair[0]) && !travelLine(*pair[1]) && *pair[0] != *pair[1] {
					*pair[0], *pair[1] = *pair[1], *pair[0]
					swapped = true
				}
			}
			x.Notes, y.Notes = y.Notes, x.Notes
		}
		if !swapped {
			// Two days of nothing but arriving and leaving have nothing to trade.
			return Plan{}, nil, fmt.Errorf("days %d and %d hold only the journeys: %w", e.Day, e.Other, ErrAlreadySo)
		}
	case EditFree:
		return Plan{}, nil, fmt.Errorf("%s: %w", e.Text, ErrNeedsModel)
	default:
		return Plan{}, nil, fmt.Errorf("edit %q: %w", e.Kind, ErrEditRange)
	}
	changes := DiffPlans(base, p, chosen, lang)
	p.Changes = strings.Join(changes, "\n")
	return p, changes, nil
}

// travelLine reports a line of arriving or of going home, which a swap leaves on its day.
func travelLine(line string) bool {
	l := strings.ToLower(line)
	return leavesHome(line) || has(l, "抵达", "入住", "arrive in", "check in")
}

// leavesHome reports a line of the day home: the journey, packing, the way to the
// station or airport.
func leavesHome(line string) bool {
	l := strings.ToLower(line)
	return has(l, "返程", "回程", "送站", "送机", "机场", "车站", "收拾行李", "告别", "head home", "departure", "airport", "station", "pack up", "packing", ", pack", "leaving", "transfer")
}

// mentions reports whether a part of a day names place, ignoring case.
func mentions(part, place string) bool {
	return place != "" && strings.Contains(strings.ToLower(Simplified(part)), strings.ToLower(Simplified(place)))
}

// lightestDay is the first day with free time, else the middle day.
func lightestDay(days []DayPlan, free string) int {
	for i, d := range days {
		if d.Evening == "" || d.Evening == free || d.Afternoon == free {
			return i
		}
	}
	if len(days) == 0 {
		return -1
	}
	return len(days) / 2
}

// concrete turns a vague wish for a day ("something indoors") into what the offline
// planner can honestly offer.
func concrete(with, lang string) string {
	w := strings.ToLower(with)
	switch {
	case strings.Contains(w, "indoor") || strings.Contains(w, "室内"):
		if lang == LangZH {
			return "室内活动：博物馆或美术馆"
		}
		return "Indoors: a museum or gallery"
	case strings.Contains(w, "outdoor") || strings.Contains(w, "户外"):
		if lang == LangZH {
			return "户外活动：公园或郊野步道"
		}
		return "Outdoors: a park or an easy trail"
	}
	return with
}

func roundBudget(v float64) float64 {
	if v >= 100 {
		return math.Round(v/10) * 10
	}
	return math.Round(v)
}

func joinList(list, item, lang string) string {
	if list == "" {
		return item
	}
	return list + listSep(lang) + item
}

// DiffPlans says what differs from old to new in one line each, for the option the
// traveller chose (or the first that changed): the dates, the budget, and each day that
// changed ("第2天：三坊七巷 → 福建博物院").
func DiffPlans(old, new Plan, chosen Tier, lang string) []string {
	zh := lang == LangZH
	var out []string
	if d := dateSpan(old.Trip, lang); d != dateSpan(new.Trip, lang) && d != "" {
		out = append(out, label(zh, "日期", "Dates")+d+" → "+dateSpan(new.Trip, lang))
	}
	oi, ni := focus(old, new, chosen)
	if oi < 0 || ni < 0 {
		return out
	}
	o, n := old.Options[oi], new.Options[ni]
	if o.BudgetLow != n.BudgetLow || o.BudgetHigh != n.BudgetHigh {
		out = append(out, label(zh, "预算", "Budget")+fmt.Sprintf("%.0f–%.0f → %.0f–%.0f", o.BudgetLow, o.BudgetHigh, n.BudgetLow, n.BudgetHigh))
	}
	dayLabel := func(i int) string {
		if zh {
			return fmt.Sprintf("第%d天：", i+1)
		}
		return fmt.Sprintf("Day %d: ", i+1)
	}
	// Days added or taken are found between the days that stayed as they were at the
	// start and at the end, so that the day home moved by them is not a change.
	same := func(a, b DayPlan) bool {
		return a.Morning == b.Morning && a.Afternoon == b.Afternoon && a.Evening == b.Evening
	}
	p := 0
	for p < len(o.Days) && p < len(n.Days) && same(o.Days[p], n.Days[p]) {
		p++
	}
	q := 0
	for q < len(o.Days)-p && q < len(n.Days)-p && same(o.Days[len(o.Days)-1-q], n.Days[len(n.Days)-1-q]) {
		q++
	}
	om, nm := o.Days[p:len(o.Days)-q], n.Days[p:len(n.Days)-q]
	for k := 0; k < max(len(om), len(nm)); k++ {
		i := p + k
		switch {
		case k >= len(om):
			out = append(out, dayLabel(i)+added(zh, true)+summaryOfDay(nm[k]))
		case k >= len(nm):
			out = append(out, dayLabel(i)+added(zh, false)+summaryOfDay(om[k]))
		default:
			a, b := om[k], nm[k]
			var parts []string
			if a.Morning != b.Morning {
				parts = append(parts, a.Morning+" → "+b.Morning)
			}
			if a.Afternoon != b.Afternoon {
				parts = append(parts, a.Afternoon+" → "+b.Afternoon)
			}
			if a.Evening != b.Evening {
				parts = append(parts, a.Evening+" → "+b.Evening)
			}
			if len(parts) > 0 {
				out = append(out, dayLabel(i)+strings.Join(parts, listSep(lang)))
			}
		}
	}
	if len(out) > 6 {
		more := len(out) - 5
		out = append(out[:5], fmt.Sprintf(label(zh, "另有%d处改动", "and %d more changes"), more))
	}
	return out
}

// added introduces a day that came or went.
func added(zh, came bool) string {
	switch {
	case zh && came:
		return "新增 "
	case zh:
		return "取消 "
	case came:
		return "added — "
	}
	return "removed — "
}

func label(zh bool, z, en string) string {
	if zh {
		if strings.Contains(z, "%d") {
			return z
		}
		return z + "："
	}
	if strings.Contains(en, "%d") {
		return en
	}
	return en + ": "
}

func summaryOfDay(d DayPlan) string {
	var parts []string
	for _, s := range []string{d.Morning, d.Afternoon, d.Evening} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " / ")
}

func dateSpan(t TripRequest, lang string) string {
	if t.StartDate == nil || t.EndDate == nil {
		return ""
	}
	return t0(lang, *t.StartDate) + "–" + t0(lang, *t.EndDate)
}

// focus picks the option to describe: the chosen one, else the first whose days changed.
func focus(old, new Plan, chosen Tier) (int, int) {
	find := func(p Plan, t Tier) int {
		for i, o := range p.Options {
			if o.Tier == t {
				return i
			}
		}
		return -1
	}
	if chosen != "" {
		return find(old, chosen), find(new, chosen)
	}
	for _, t := range Tiers {
		oi, ni := find(old, t), find(new, t)
		if oi >= 0 && ni >= 0 && fmt.Sprint(old.Options[oi]) != fmt.Sprint(new.Options[ni]) {
			return oi, ni
		}
	}
	if len(old.Options) > 0 && len(new.Options) > 0 {
		return 0, 0
	}
	return -1, -1
}

// titleWords capitalises the first letter of each word of a name said in lower case
// ("suzhou" -> "Suzhou").
func titleWords(s string) string {
	w := strings.Fields(s)
	for i, x := range w {
		if x[0] >= 'a' && x[0] <= 'z' {
			w[i] = string(x[0]-'a'+'A') + x[1:]
		}
	}
	return strings.Join(w, " ")
}
