package dialog

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// apply writes the valid parts of ex into the trip. It returns a description of each
// change, and a specific re-ask for each part it refused.
func (t *turn) apply(ex Extraction) (changes []string, problems []Reply) {
	a := &tripEdit{t: t, tr: &t.c.Trip, l: t.c.Lang, values: map[string][]string{}}
	a.destination(ex)
	a.dates(ex)
	a.partyAndBudget(ex)
	a.needsAndPreferences(ex)
	// Changes are said a field a line, several values of one field joined.
	sep := ": "
	if a.l == LangZH {
		sep = "："
	}
	for _, f := range a.fields {
		changes = append(changes, T(a.l, f)+sep+strings.Join(a.values[f], listSep(a.l)))
		t.changedFields = append(t.changedFields, f)
	}
	return changes, a.problems
}

// tripEdit is what one message changes in the trip, field by field, and the questions
// asked instead of the parts refused.
type tripEdit struct {
	t        *turn
	tr       *TripRequest
	l        string
	fields   []string
	values   map[string][]string
	problems []Reply
}

func (a *tripEdit) problem(key string, args ...any) {
	a.problems = append(a.problems, Reply{Kind: ReplyText, Text: T(a.l, key, args...)})
}

func (a *tripEdit) changed(field, value string) {
	if _, ok := a.values[field]; !ok {
		a.fields = append(a.fields, field)
	}
	a.values[field] = append(a.values[field], value)
}

// destination keeps a place said, a place ruled out or a question about which place.
func (a *tripEdit) destination(ex Extraction) {
	t, c, tr, l, problem, changed := a.t, a.t.c, a.tr, a.l, a.problem, a.changed
	// Destination: only from evidence (see parse_evidence.go).
	if ex.NotDestination != "" && ex.Destination == "" && strings.EqualFold(ex.NotDestination, tr.Destination) {
		tr.Destination, tr.Place = "", nil
	}
	for _, x := range ex.Exclude {
		if !strings.Contains(asciiLower(tr.Exclude), asciiLower(x)) {
			if tr.Exclude != "" {
				tr.Exclude += listSep(l)
			}
			tr.Exclude = clip(tr.Exclude+x, 300)
			changed("f_exclude", x)
		}
	}
	if d := strings.TrimSpace(ex.Destination); d != "" && d != tr.Destination {
		if utf8.RuneCountInString(d) > 60 {
			problem("err_dest_long")
		} else {
			prev, prevPlace := tr.Destination, tr.Place
			tr.Destination, tr.Place = d, nil
			c.Memo.PlaceChoices, c.Memo.PlacePending, c.Memo.PendingDestination = nil, false, ""
			if q := t.placeQuestion(d); q != nil {
				// The question decides: until it is answered the trip keeps what it had.
				tr.Destination, tr.Place = prev, prevPlace
				a.problems = append(a.problems, *q)
			} else if ex.Misspelt != "" {
				changed("f_destination", T(l, "v_misspelt", t.placeName(), ex.Misspelt))
			} else {
				changed("f_destination", t.placeName())
			}
		}
	} else if p := strings.TrimSpace(ex.ProposedDestination); p != "" && ex.Destination == "" {
		if utf8.RuneCountInString(p) > 60 {
			problem("err_dest_long")
		} else {
			a.problems = append(a.problems, t.proposePlace(p))
		}
	} else if len(ex.PlaceOptions) > 1 {
		if q := t.placeOptions(ex.PlaceOptions); q != nil {
			a.problems = append(a.problems, *q)
		}
	} else if ex.VaguePlace != "" {
		a.problems = append(a.problems, t.suggestPlaces(ex.VaguePlace))
	}

}

// dates keeps the dates said once they are checked: everything is checked before anything
// is kept, so a bad range leaves the previous dates as they were.
func (a *tripEdit) dates(ex Extraction) {
	t, tr, l, problem, changed := a.t, a.tr, a.l, a.problem, a.changed
	today := DateOf(t.now)
	switch ex.DateProblem {
	case "invalid":
		problem("err_date_invalid")
	case "ambiguous":
		switch {
		case len(ex.DateReadings) > 0:
			a.problems = append(a.problems, t.dateReadings(ex.DateReadings))
		case ex.Period != nil && t.c.Memo.PlacePending:
			// "lisbon or porto in may": one question at a time. The place is asked first;
			// the month's days follow when the dates are asked (reask).
			p := *ex.Period
			t.c.Memo.Period = &p
		case ex.Period != nil:
			a.problems = append(a.problems, t.periodDays(*ex.Period, ex.Days))
		default:
			a.problems = append(a.problems, t.dateChoices("err_date_ambiguous"))
		}
	}
	if ex.MoreDays != 0 && ex.Start == nil && ex.End == nil && ex.Days == 0 {
		// "多加一天": the trip as it is, longer; a length of no days is no change.
		n := tr.Days
		if tr.StartDate != nil && tr.EndDate != nil {
			n = tr.StartDate.DaysUntil(*tr.EndDate) + 1
		}
		if n > 0 && n+ex.MoreDays >= 1 {
			ex.Days = n + ex.MoreDays
		}
	}
	if ex.Start != nil || ex.End != nil || ex.Days > 0 {
		start, end, days := tr.StartDate, tr.EndDate, tr.Days
		switch {
		case ex.Start != nil:
			s := *ex.Start
			start = &s
			switch {
			case ex.End != nil:
				e := *ex.End
				end = &e
			case ex.Days > 0:
				e := s.AddDays(ex.Days - 1)
				end = &e
			case tr.StartDate != nil && tr.EndDate != nil:
				// "actually from Nov 1": the trip keeps its length.
				e := s.AddDays(tr.StartDate.DaysUntil(*tr.EndDate))
				end = &e
			case days > 0:
				e := s.AddDays(days - 1)
				end = &e
			default:
				end = nil
			}
		case ex.End != nil && start != nil:
			e := *ex.End
			end = &e
		case ex.Days > 0:
			days = ex.Days
			if start != nil {
				e := start.AddDays(ex.Days - 1)
				end = &e
			}
		}
		ok := true
		switch {
		case start != nil && start.Before(today):
			a.problems = append(a.problems, t.dateChoices("err_date_past", t.formatDate(*start), t.formatDate(today)))
			ok = false
		case start != nil && end != nil && end.Before(*start):
			a.problems = append(a.problems, t.dateChoices("err_date_order", t.formatDate(*end), t.formatDate(*start)))
			ok = false
		case start != nil && end != nil && start.DaysUntil(*end)+1 > MaxTripDays:
			a.problems = append(a.problems, t.dateChoices("err_date_long", start.DaysUntil(*end)+1))
			ok = false
		case start == nil && days > MaxTripDays:
			a.problems = append(a.problems, t.dateChoices("err_date_long", days))
			ok = false
		}
		if ok {
			before := datesString(tr)
			tr.StartDate, tr.EndDate, tr.Days = start, end, days
			if start != nil && end != nil {
				tr.Days = 0
				t.c.Memo.Period = nil
			}
			if after := datesString(tr); after != before && start != nil && end != nil {
				changed("f_dates", T(l, "v_days", t.formatDate(*start), t.formatDate(*end), tr.TripDays()))
			}
		}
	}

}

// partyAndBudget keeps the party size, then the budget: a total for a group is divided
// among its members.
func (a *tripEdit) partyAndBudget(ex Extraction) {
	t, c, tr, l, problem, changed := a.t, a.t.c, a.tr, a.l, a.problem, a.changed
	if ex.PartyJoins != 0 && tr.PartySize != nil && *tr.PartySize+ex.PartyJoins <= 100 && *tr.PartySize+ex.PartyJoins >= 1 {
		ex.PartySize = *tr.PartySize + ex.PartyJoins // joined, or one dropped out
	}
	if ex.PartySize > 0 && ex.PartySize <= 100 {
		if tr.PartySize == nil || *tr.PartySize != ex.PartySize {
			n := ex.PartySize
			tr.PartySize = &n
			changed("f_party", strconv.Itoa(n))
			// "800 in total", then "we're two": each one's share.
			if total := c.Memo.BudgetTotal; total > 0 && ex.Budget == nil && tr.Budget != nil {
				share := total / float64(n)
				tr.Budget = &share
				changed("f_budget", T(l, "v_per_person", FormatMoney(l, share, tr.Currency)))
			}
		}
	}
	if m := ex.Budget; m != nil {
		amount := m.High
		if amount < m.Low {
			amount = m.Low
		}
		if amount <= 0 {
			r := Reply{Kind: ReplyText, Text: T(l, "err_budget_nonpos"), Choices: t.budgetChoices()}
			a.problems = append(a.problems, r)
		} else {
			c.Memo.BudgetTotal = 0
			total := m.Total && tr.PartySize == nil
			if m.Total && tr.PartySize != nil && *tr.PartySize > 1 {
				amount = amount / float64(*tr.PartySize)
			}
			cur := m.Currency
			if m.YenSign && tr.Place != nil && tr.Place.CountryCode == "JP" {
				cur = "JPY" // "tokyo dec 20-24, ¥100000"
			}
			if cur == "" {
				cur = tr.Currency
			}
			if cur == "" {
				cur = defaultCurrency(l, tr.Destination)
			}
			if total {
				c.Memo.BudgetTotal = amount
			}
			if tr.Budget == nil || *tr.Budget != amount || tr.Currency != cur {
				tr.Budget, tr.Currency = &amount, cur
				if total {
					changed("f_budget", T(l, "v_total", FormatMoney(l, amount, cur)))
				} else {
					changed("f_budget", T(l, "v_per_person", FormatMoney(l, amount, cur)))
				}
			}
		}
	} else if ex.Unparsed && expecting(c.State) == SlotBudget && strings.TrimSpace(t.in.Text) != "" && len(a.fields) == 0 && len(a.problems) == 0 {
		// "budget: lots": an answer to the budget question that holds no figure.
		problem("err_budget_unread")
	}

}

// needsAndPreferences keeps the needs, the preferences and the other needs said.
func (a *tripEdit) needsAndPreferences(ex Extraction) {
	c, tr, l, changed := a.t.c, a.tr, a.l, a.changed
	setBool := func(dst **bool, v *bool, label string) {
		if v == nil {
			return
		}
		if *dst == nil || **dst != *v {
			b := *v
			*dst = &b
			if b {
				changed("f_needs", T(l, label))
			}
		}
	}
	setBool(&tr.KidFriendly, ex.KidFriendly, "v_kids")
	setBool(&tr.Accessibility, ex.Accessibility, "v_access")
	setBool(&tr.PetFriendly, ex.PetFriendly, "v_pets")
	if ex.KidFriendly != nil || ex.Accessibility != nil || ex.PetFriendly != nil {
		c.Memo.NeedsAsked = true
	}
	setStr := func(dst *string, v string) {
		if v != "" && *dst != v {
			*dst = clip(v, 200)
			changed("f_prefs", wordsIn(v, l))
		}
	}
	setStr(&tr.NaturalLandscape, ex.NaturalLandscape)
	setStr(&tr.SocialLandscape, ex.SocialLandscape)
	setStr(&tr.Cuisine, ex.Cuisine)
	if ex.OtherNeeds != "" && ex.OtherNeeds != tr.OtherNeeds {
		tr.OtherNeeds = clip(ex.OtherNeeds, 500)
		changed("f_other", tr.OtherNeeds)
	}
	switch {
	case ex.NaturalLandscape != "" || ex.SocialLandscape != "" || ex.Cuisine != "":
		c.Memo.PrefsAsked = true
	case ex.OtherNeeds != "" && c.State == StateNeeds:
		// "我老婆怀孕了", "nothing strenuous" answer "Any special needs?": the
		// preferences are still to ask.
		c.Memo.NeedsAsked = true
	case ex.OtherNeeds != "":
		c.Memo.PrefsAsked = true
	}
}

func datesString(tr *TripRequest) string {
	var b strings.Builder
	if tr.StartDate != nil {
		b.WriteString(tr.StartDate.String())
	}
	b.WriteString("/")
	if tr.EndDate != nil {
		b.WriteString(tr.EndDate.String())
	}
	b.WriteString("/" + strconv.Itoa(tr.Days))
	return b.String()
}

// defaultCurrency follows the traveller's language, or a destination written in Chinese.
func defaultCurrency(lang, destination string) string {
	if lang == LangZH || detectLang(destination) == LangZH {
		return "CNY"
	}
	return "USD"
}

// placeName is the destination as the reply shows it: the resolved place's name in the
// reply's language when the gazetteer has it, else as written.
func (t *turn) placeName() string { return t.placeIn(t.c.Lang) }

// proposePlace asks about a place the gazetteer does not know, keeping it beside the
// trip until the traveller confirms it.
func (t *turn) proposePlace(name string) Reply {
	t.c.Memo.PendingDestination = name
	t.c.Memo.Asking = "confirmDestination"
	return Reply{Kind: ReplyText, Text: T(t.c.Lang, "place_unconfirmed", name), Choices: []Choice{
		{Label: T(t.c.Lang, "btn_keep_place", name), Action: "keep"},
		{Label: T(t.c.Lang, "btn_other_place"), Action: "edit:destination"},
	}}
}

// placeOptions asks which of several places named as alternatives is meant.
func (t *turn) placeOptions(names []string) *Reply {
	var places []Place
	for _, n := range names {
		p := Place{Name: n}
		if t.e.Places != nil {
			if m := t.e.Places.Lookup(n, t.c.Lang); m.Place != nil {
				p = *m.Place
			}
		}
		places = append(places, p)
	}
	if len(places) > 5 {
		places = places[:5]
	}
	t.c.Memo.PlaceChoices, t.c.Memo.PlacePending, t.c.Memo.Asking = places, true, "destination"
	// The places by the names the buttons show ("lisbon or porto": Lisbon and Porto).
	said := make([]string, len(places))
	for i, p := range places {
		said[i] = p.Name
	}
	r := Reply{Kind: ReplyText, Text: T(t.c.Lang, "which_of", strings.Join(said, T(t.c.Lang, "or_sep")))}
	for i, p := range places {
		r.Choices = append(r.Choices, Choice{Label: p.Name, Action: "place:" + strconv.Itoa(i)})
	}
	return &r
}

// vagueSuggestions are places to offer for a place described, not named.
var vagueSuggestions = map[string][2][]string{ // theme: zh, en
	"snow":  {{"哈尔滨", "长白山", "札幌"}, {"Harbin", "Sapporo", "Zermatt"}},
	"beach": {{"三亚", "厦门", "普吉"}, {"Sanya", "Phuket", "Bali"}},
	"warm":  {{"三亚", "西双版纳", "曼谷"}, {"Sanya", "Bangkok", "Singapore"}},
	"any":   {{"成都", "大理", "京都"}, {"Kyoto", "Lisbon", "Chengdu"}},
}

// suggestPlaces answers "somewhere with snow": suggestions to choose from, nothing stored.
func (t *turn) suggestPlaces(theme string) Reply {
	names := vagueSuggestions[theme][1]
	if t.c.Lang == LangZH {
		names = vagueSuggestions[theme][0]
	}
	var places []Place
	r := Reply{Kind: ReplyText, Text: T(t.c.Lang, "vague_place")}
	for i, n := range names {
		p := Place{Name: n}
		if t.e.Places != nil {
			if m := t.e.Places.Lookup(n, t.c.Lang); m.Place != nil {
				p = *m.Place
				p.Name = n
			}
		}
		places = append(places, p)
		r.Choices = append(r.Choices, Choice{Label: n, Action: "place:" + strconv.Itoa(i)})
	}
	t.c.Memo.PlaceChoices, t.c.Memo.PlacePending, t.c.Memo.Asking = places, true, "destination"
	return r
}

// dateChoices is a date question with ready answers: tomorrow, next weekend, a week
// from next Monday.
func (t *turn) dateChoices(key string, args ...any) Reply {
	today := DateOf(t.now)
	tomorrow := today.AddDays(1)
	sat := nextWeekday(today.AddDays(1), time.Saturday).AddDays(7)
	if today.Weekday() == time.Sunday || today.Weekday() == time.Saturday {
		sat = nextWeekday(today.AddDays(1), time.Saturday)
	}
	mon := mondayOf(today).AddDays(7)
	t.c.Memo.Asking = "dates"
	return Reply{Kind: ReplyText, Text: T(t.c.Lang, key, args...), Choices: []Choice{
		{Label: T(t.c.Lang, "btn_tomorrow"), Action: "dates:" + tomorrow.String()},
		{Label: T(t.c.Lang, "btn_next_weekend"), Action: "dates:" + sat.String() + ".." + sat.AddDays(1).String()},
		{Label: T(t.c.Lang, "btn_next_week"), Action: "dates:" + mon.String() + ".." + mon.AddDays(6).String()},
	}}
}

// periodDays asks which days within a part of a month ("下个月中旬") the trip takes,
// offering stays inside it, and keeps the window so that the answer is read in it. The
// stays are as long as said (days, in the same message), or as the trip is.
func (t *turn) periodDays(p Period, days int) Reply {
	t.c.Memo.Asking = "dates"
	t.c.Memo.Period = &p
	if days <= 0 {
		days = t.c.Trip.TripDays()
		if t.c.Trip.Days > 0 {
			days = t.c.Trip.Days
		}
		if days > 10 {
			days = 4 // a long trip kept from before is no guide to a stay in a window
		}
	}
	if days <= 0 {
		days = 4
	}
	said := p.Said
	if t.c.Lang != LangZH && said != "" {
		said = strings.ToUpper(said[:1]) + said[1:]
	}
	r := Reply{Kind: ReplyText, Text: T(t.c.Lang, "err_date_period", said, t.formatDate(p.From), t.formatDate(p.To))}
	span := p.From.DaysUntil(p.To)
	if days > span+1 {
		days = span + 1 // a window shorter than a stay ("christmas"): all of it
	}
	offsets := []int{0, span / 2, span - days + 1}
	if p.Weekend {
		// "下个月找个周末": the window's first, middle and last weekends.
		var sats []int
		for off := 0; off < span; off++ {
			if p.From.AddDays(off).Weekday() == time.Saturday {
				sats = append(sats, off)
			}
		}
		if len(sats) > 0 {
			days, offsets = 2, []int{sats[0], sats[len(sats)/2], sats[len(sats)-1]}
		}
	}
	for _, off := range offsets {
		if off < 0 || off+days-1 > span {
			continue
		}
		a, b := p.From.AddDays(off), p.From.AddDays(off+days-1)
		ch := Choice{Label: t.formatDate(a) + " – " + t.formatDate(b), Action: "dates:" + a.String() + ".." + b.String()}
		if len(r.Choices) == 0 || r.Choices[len(r.Choices)-1].Action != ch.Action {
			r.Choices = append(r.Choices, ch)
		}
	}
	return r
}

// dateReadings asks which of the readings of an ambiguous date ("3/4") is meant.
func (t *turn) dateReadings(readings [][2]*Date) Reply {
	t.c.Memo.Asking = "dates"
	r := Reply{Kind: ReplyText, Text: T(t.c.Lang, "err_date_order_ambiguous")}
	for _, rd := range readings {
		label, action := t.formatDate(*rd[0]), "dates:"+rd[0].String()
		if rd[1] != nil {
			label += " – " + t.formatDate(*rd[1])
			action += ".." + rd[1].String()
		}
		r.Choices = append(r.Choices, Choice{Label: label, Action: action})
	}
	return r
}

func (t *turn) budgetChoices() []Choice {
	if t.c.Lang == LangZH {
		return []Choice{{Label: "每人2000元", Action: "budget:2000:CNY"}, {Label: "每人5000元", Action: "budget:5000:CNY"}, {Label: "每人10000元", Action: "budget:10000:CNY"}}
	}
	return []Choice{{Label: "$500 each", Action: "budget:500:USD"}, {Label: "$1500 each", Action: "budget:1500:USD"}, {Label: "$3000 each", Action: "budget:3000:USD"}}
}

// placeQuestion resolves a destination in memory. It returns a question when the name is
// ambiguous ("which Springfield?") or unknown but close to known names ("did you mean
// Lisbon?"); an unknown name with nothing close is kept as written for the planner.
func (t *turn) placeQuestion(name string) *Reply {
	if t.e.Places == nil {
		return nil
	}
	m := t.e.Places.Lookup(name, t.c.Lang)
	if m.Place != nil {
		p := *m.Place
		t.c.Trip.Place = &p
		return nil
	}
	if len(m.Candidates) == 0 {
		// Nothing known by that name: it may be a small town or a district the
		// planner's services can still place. Ask before using it.
		r := t.proposePlace(name)
		return &r
	}
	cands := m.Candidates
	if len(cands) > 5 {
		cands = cands[:5]
	}
	t.c.Memo.PlaceChoices, t.c.Memo.PlacePending, t.c.Memo.Asking = cands, true, "destination"
	r := Reply{Kind: ReplyText}
	for i, p := range cands {
		label := p.Name
		if p.CountryCode != "" {
			label += " (" + p.CountryCode + ")"
		}
		r.Choices = append(r.Choices, Choice{Label: label, Action: "place:" + strconv.Itoa(i)})
	}
	if m.Ambiguous {
		r.Text = T(t.c.Lang, "which_place", name)
	} else {
		r.Text = T(t.c.Lang, "place_unknown", name)
		t.c.Memo.PendingDestination = name
		r.Choices = append(r.Choices, Choice{Label: T(t.c.Lang, "btn_keep_place", name), Action: "keep"})
	}
	return &r
}
