package dialog_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/geo"
)

// The corpora in testdata/corpus (see FORMAT.md there) are replayed through the engine
// with the real gazetteer, as a traveller's message would be. The floors below are the
// accuracy the code must not fall under; they only ever go up.
var floors = map[string]struct{ utterances, nochange float64 }{
	"zh": {utterances: 98.4, nochange: 100},
	"en": {utterances: 98.2, nochange: 100},
}

const corpusDir = "testdata/corpus"

type corpusLine struct {
	ID       string                     `json:"id"`
	Lang     string                     `json:"lang"`
	Category string                     `json:"category"`
	State    string                     `json:"state"`
	Prior    map[string]json.RawMessage `json:"prior"`
	TZ       string                     `json:"tz"`
	Text     string                     `json:"text"`
	Intent   string                     `json:"intent"`
	Expect   map[string]json.RawMessage `json:"expect"`
	Ask      string                     `json:"ask"`
}

func readCorpus(t *testing.T, lang string) []corpusLine {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "utterances_"+lang+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var l corpusLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			// A line being written while the test runs is not a failure of the dialog.
			t.Logf("utterances_%s.jsonl:%d: %v", lang, n, err)
			continue
		}
		if l.State == "" {
			l.State = dialog.StateStart
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		out = append(out, strings.TrimRight(l, "\r"))
	}
	return out
}

// corpusNow is the moment every corpus message is sent: Sunday 2026-12-06, 10:00 in the
// traveller's zone.
func corpusEngine(tz string) *dialog.Engine {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		panic(err)
	}
	return &dialog.Engine{
		Now:        func() time.Time { return time.Date(2026, 12, 6, 10, 0, 0, 0, loc) },
		DefaultLoc: loc,
		Places:     geo.Places{},
	}
}

func dateOf(s string) *dialog.Date {
	d, err := dialog.ParseISODate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

var gaz = func() *geo.Gazetteer {
	g, err := geo.LoadGazetteer()
	if err != nil {
		panic(err)
	}
	return g
}()

// defaultTrip is the trip of a conversation past the destination question when a line
// gives no prior.
func defaultTrip() dialog.TripRequest {
	b := 3000.0
	p := geo.Places{}.Lookup("杭州", "zh").Place
	return dialog.TripRequest{Destination: "杭州", Place: p, StartDate: dateOf("2026-12-20"), EndDate: dateOf("2026-12-24"),
		Budget: &b, Currency: "CNY"}
}

// tripOf builds a trip from the slots of a prior, in the shape of expect.
func tripOf(prior map[string]json.RawMessage) dialog.TripRequest {
	var tr dialog.TripRequest
	for k, raw := range prior {
		var v any
		_ = json.Unmarshal(raw, &v)
		switch k {
		case "destination":
			tr.Destination = v.(string)
			if m := (geo.Places{}).Lookup(tr.Destination, "en"); m.Place != nil {
				p := *m.Place
				p.Name = tr.Destination
				tr.Place = &p
			}
		case "startDate":
			tr.StartDate = dateOf(v.(string))
		case "endDate":
			tr.EndDate = dateOf(v.(string))
		case "days":
			tr.Days = int(v.(float64))
		case "budget":
			b := v.(float64)
			tr.Budget = &b
		case "currency":
			tr.Currency = v.(string)
		case "partySize":
			n := int(v.(float64))
			tr.PartySize = &n
		case "accessibility":
			b := v.(bool)
			tr.Accessibility = &b
		case "kidFriendly":
			b := v.(bool)
			tr.KidFriendly = &b
		case "petFriendly":
			b := v.(bool)
			tr.PetFriendly = &b
		case "naturalLandscape":
			tr.NaturalLandscape = joinAny(v)
		case "socialLandscape":
			tr.SocialLandscape = joinAny(v)
		case "cuisine":
			tr.Cuisine = joinAny(v)
		case "otherNeeds":
			tr.OtherNeeds = joinAny(v)
		case "exclude":
			tr.Exclude = joinAny(v)
		}
	}
	return tr
}

func joinAny(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var s []string
		for _, e := range x {
			s = append(s, fmt.Sprint(e))
		}
		return strings.Join(s, ", ")
	}
	return fmt.Sprint(v)
}

// conversationAt is a conversation that has just asked the question of state.
func conversationAt(state, lang, tz string, prior map[string]json.RawMessage) *dialog.Conversation {
	c := &dialog.Conversation{State: state, Status: dialog.StatusBot, TimeZone: tz}
	if state != dialog.StateStart {
		c.Lang = lang
	}
	switch {
	case prior != nil:
		c.Trip = tripOf(prior)
	case state != dialog.StateStart && state != dialog.StateDestination:
		c.Trip = defaultTrip()
	}
	past := func(s string) bool {
		order := []string{dialog.StateStart, dialog.StateDestination, dialog.StateDates, dialog.StateBudget,
			dialog.StateNeeds, dialog.StatePreferences, dialog.StateConfirm, dialog.StatePlanned}
		return slices.Index(order, state) > slices.Index(order, s)
	}
	c.Memo.NeedsAsked = past(dialog.StateNeeds)
	c.Memo.PrefsAsked = past(dialog.StatePreferences)
	if state == dialog.StatePlanned {
		c.Memo.PlanVersion, c.Memo.PlanRequest = 1, 1
		tr := c.Trip
		c.Memo.PlannedTrip = &tr
	}
	return c
}

// slotCheck compares one expected slot with the trip after the message.
func slotCheck(key string, raw json.RawMessage, before, after *dialog.Conversation) bool {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return false
	}
	tr := after.Trip
	switch key {
	case "destination":
		want, _ := v.(string)
		return samePlace(want, tr)
	case "pendingDestination":
		want, _ := v.(string)
		return squash(after.Memo.PendingDestination) == squash(want) && after.Trip.Destination == before.Trip.Destination
	case "startDate":
		return tr.StartDate != nil && tr.StartDate.String() == v
	case "endDate":
		return tr.EndDate != nil && tr.EndDate.String() == v
	case "days":
		n, _ := v.(float64)
		if tr.Days > 0 {
			return tr.Days == int(n)
		}
		return tr.TripDays() == int(n)
	case "budget":
		n, _ := v.(float64)
		return tr.Budget != nil && math.Abs(*tr.Budget-n) <= 0.5
	case "currency":
		return tr.Currency == v
	case "partySize":
		n, _ := v.(float64)
		return tr.PartySize != nil && *tr.PartySize == int(n)
	case "accessibility":
		return tr.Accessibility != nil && *tr.Accessibility == v
	case "kidFriendly":
		return tr.KidFriendly != nil && *tr.KidFriendly == v
	case "petFriendly":
		return tr.PetFriendly != nil && *tr.PetFriendly == v
	case "naturalLandscape":
		return containsAll(tr.NaturalLandscape, v)
	case "socialLandscape":
		return containsAll(tr.SocialLandscape, v)
	case "cuisine":
		return containsAll(tr.Cuisine, v)
	case "otherNeeds":
		return containsAll(tr.OtherNeeds, v)
	case "exclude":
		return containsAll(tr.Exclude, v)
	}
	return false
}

func squash(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }

// samePlace reports whether the trip's place is the one want names, by any common name.
func samePlace(want string, tr dialog.TripRequest) bool {
	if tr.Destination == "" {
		return false
	}
	if squash(tr.Destination) == squash(want) {
		return true
	}
	// A name shared by several places means the biggest ("Barcelona").
	resolve := func(name string) *dialog.Place {
		m := geo.Places{}.Lookup(name, "en")
		if m.Place == nil && m.Ambiguous && len(m.Candidates) > 0 {
			return &m.Candidates[0]
		}
		return m.Place
	}
	w := resolve(want)
	p := tr.Place
	if p == nil {
		p = resolve(tr.Destination)
	}
	if w == nil || p == nil {
		return false
	}
	return w.CountryCode == p.CountryCode && math.Abs(w.Lat-p.Lat) < 0.3 && math.Abs(w.Lon-p.Lon) < 0.3
}

// containsAll reports whether every expected word, or its translation, is in got.
func containsAll(got string, v any) bool {
	var words []string
	switch x := v.(type) {
	case string:
		words = []string{x}
	case []any:
		for _, e := range x {
			words = append(words, fmt.Sprint(e))
		}
	}
	if len(words) == 0 {
		return got == ""
	}
	low := strings.ToLower(got)
	for _, w := range words {
		found := strings.Contains(low, strings.ToLower(w))
		for _, alt := range dialog.Synonyms(w) {
			found = found || strings.Contains(low, strings.ToLower(alt))
		}
		if !found {
			return false
		}
	}
	return true
}

// changedSlots lists the slots (expect keys) that differ between two trips.
func changedSlots(a, b *dialog.Conversation) []string {
	x, y := a.Trip, b.Trip
	var out []string
	add := func(k string, changed bool) {
		if changed {
			out = append(out, k)
		}
	}
	add("destination", x.Destination != y.Destination)
	add("pendingDestination", a.Memo.PendingDestination != b.Memo.PendingDestination && b.Memo.PendingDestination != "")
	add("startDate", fmt.Sprint(x.StartDate) != fmt.Sprint(y.StartDate))
	add("endDate", fmt.Sprint(x.EndDate) != fmt.Sprint(y.EndDate))
	add("days", x.Days != y.Days)
	add("budget", fmt.Sprint(deref(x.Budget)) != fmt.Sprint(deref(y.Budget)))
	add("currency", x.Currency != y.Currency)
	add("partySize", fmt.Sprint(deref(x.PartySize)) != fmt.Sprint(deref(y.PartySize)))
	add("accessibility", fmt.Sprint(deref(x.Accessibility)) != fmt.Sprint(deref(y.Accessibility)))
	add("kidFriendly", fmt.Sprint(deref(x.KidFriendly)) != fmt.Sprint(deref(y.KidFriendly)))
	add("petFriendly", fmt.Sprint(deref(x.PetFriendly)) != fmt.Sprint(deref(y.PetFriendly)))
	add("naturalLandscape", x.NaturalLandscape != y.NaturalLandscape)
	add("socialLandscape", x.SocialLandscape != y.SocialLandscape)
	add("cuisine", x.Cuisine != y.Cuisine)
	add("otherNeeds", x.OtherNeeds != y.OtherNeeds)
	add("exclude", x.Exclude != y.Exclude)
	return out
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// allowed reports whether a slot may change without being named in expect: the slots a
// named one implies (a duration moves the end date; a budget stated per person keeps the
// currency it had; "no special needs" sets all three needs).
func allowed(slot string, expect map[string]json.RawMessage) bool {
	if _, ok := expect[slot]; ok {
		return true
	}
	_, days := expect["days"]
	_, start := expect["startDate"]
	_, budget := expect["budget"]
	switch slot {
	case "endDate", "startDate":
		return days || start && slot == "endDate"
	case "days":
		_, end := expect["endDate"]
		return start || end
	case "currency":
		return budget
	case "budget":
		_, party := expect["partySize"]
		return party
	}
	return false
}

type tally struct{ right, total int }

func (t *tally) add(ok bool) {
	t.total++
	if ok {
		t.right++
	}
}

func (t tally) pct() float64 {
	if t.total == 0 {
		return 100
	}
	return 100 * float64(t.right) / float64(t.total)
}

type corpusResult struct {
	all        tally
	intent     tally
	slots      map[string]*tally
	categories map[string]*tally
	failures   []string
}

func replayCorpus(t *testing.T, lang string) corpusResult {
	res := corpusResult{slots: map[string]*tally{}, categories: map[string]*tally{}}
	seen := map[string]bool{}
	for _, l := range readCorpus(t, lang) {
		if seen[l.ID] {
			t.Errorf("%s: id used twice", l.ID)
		}
		seen[l.ID] = true
		tz := l.TZ
		if tz == "" {
			tz = "Asia/Shanghai"
		}
		e := corpusEngine(tz)
		c := conversationAt(l.State, l.Lang, tz, l.Prior)
		before := *c
		before.Trip = c.Trip
		out := e.Handle(c, dialog.Inbound{Text: l.Text})
		var why []string
		if out.Intent != l.Intent {
			why = append(why, fmt.Sprintf("intent %s, want %s", out.Intent, l.Intent))
		}
		res.intent.add(out.Intent == l.Intent)
		for k, raw := range l.Expect {
			ok := slotCheck(k, raw, &before, c)
			if res.slots[k] == nil {
				res.slots[k] = &tally{}
			}
			res.slots[k].add(ok)
			if !ok {
				why = append(why, fmt.Sprintf("%s=%s, want %s", k, slotValue(k, c), raw))
			}
		}
		for _, k := range changedSlots(&before, c) {
			if !allowed(k, l.Expect) {
				why = append(why, fmt.Sprintf("extra %s=%s", k, slotValue(k, c)))
				if res.slots["extra"] == nil {
					res.slots["extra"] = &tally{}
				}
				res.slots["extra"].add(false)
			}
		}
		// Only the questions FORMAT.md names are compared; a cancellation the bot asks
		// to confirm is none of them.
		asked := out.Asked
		if asked != "dates" && asked != "destination" && asked != "confirmDestination" {
			asked = ""
		}
		if l.Ask != "" && asked != l.Ask {
			why = append(why, fmt.Sprintf("asked %q, want %q", out.Asked, l.Ask))
		}
		if l.Ask == "" && asked != "" {
			why = append(why, fmt.Sprintf("asked %q, want no question", out.Asked))
		}
		ok := len(why) == 0
		res.all.add(ok)
		if res.categories[l.Category] == nil {
			res.categories[l.Category] = &tally{}
		}
		res.categories[l.Category].add(ok)
		if !ok {
			reply := ""
			if len(out.Replies) > 0 {
				reply = strings.ReplaceAll(out.Replies[0].Text, "\n", " ")
				if len([]rune(reply)) > 60 {
					reply = string([]rune(reply)[:60]) + "…"
				}
			}
			res.failures = append(res.failures, fmt.Sprintf("%s [%s] %q: %s (reply: %s)", l.ID, l.State, l.Text, strings.Join(why, "; "), reply))
		}
	}
	return res
}

func slotValue(k string, c *dialog.Conversation) string {
	tr := c.Trip
	switch k {
	case "destination":
		return fmt.Sprintf("%q", tr.Destination)
	case "pendingDestination":
		return fmt.Sprintf("%q", c.Memo.PendingDestination)
	case "startDate":
		return fmt.Sprint(deref(tr.StartDate))
	case "endDate":
		return fmt.Sprint(deref(tr.EndDate))
	case "days":
		return fmt.Sprint(tr.Days, "/", tr.TripDays())
	case "budget":
		return fmt.Sprint(deref(tr.Budget))
	case "currency":
		return tr.Currency
	case "partySize":
		return fmt.Sprint(deref(tr.PartySize))
	case "accessibility":
		return fmt.Sprint(deref(tr.Accessibility))
	case "kidFriendly":
		return fmt.Sprint(deref(tr.KidFriendly))
	case "petFriendly":
		return fmt.Sprint(deref(tr.PetFriendly))
	case "naturalLandscape":
		return fmt.Sprintf("%q", tr.NaturalLandscape)
	case "socialLandscape":
		return fmt.Sprintf("%q", tr.SocialLandscape)
	case "cuisine":
		return fmt.Sprintf("%q", tr.Cuisine)
	case "otherNeeds":
		return fmt.Sprintf("%q", tr.OtherNeeds)
	case "exclude":
		return fmt.Sprintf("%q", tr.Exclude)
	}
	return "?"
}

// filledStates are the states a filled trip can be in when a message arrives.
var filledStates = []string{dialog.StateDestination, dialog.StateDates, dialog.StateBudget, dialog.StateNeeds,
	dialog.StatePreferences, dialog.StateConfirm, dialog.StatePlanned}

// replayNoChange sends every message of the no-change corpus in every state of a filled
// trip and counts the messages after which the trip is exactly as it was.
func replayNoChange(t *testing.T, lang string) (tally, []string) {
	var res tally
	var failures []string
	e := corpusEngine("Asia/Shanghai")
	for _, text := range readLines(t, "nochange_"+lang+".txt") {
		var bad []string
		for _, state := range filledStates {
			c := conversationAt(state, lang, "Asia/Shanghai", nil)
			c.Trip = defaultTrip()
			before := c.Trip
			e.Handle(c, dialog.Inbound{Text: text})
			if c.Trip != before || c.Memo.PendingDestination != "" {
				bad = append(bad, fmt.Sprintf("%s: %v", state, changedSlots(&dialog.Conversation{Trip: before}, c)))
			}
		}
		res.add(len(bad) == 0)
		if len(bad) > 0 {
			failures = append(failures, fmt.Sprintf("%q changed the trip in %s", text, strings.Join(bad, ", ")))
		}
	}
	return res, failures
}

func TestCorpus(t *testing.T) {
	var b strings.Builder
	results := map[string]corpusResult{}
	noChange := map[string]tally{}
	for _, lang := range []string{"zh", "en"} {
		if _, err := os.Stat(filepath.Join(corpusDir, "utterances_"+lang+".jsonl")); err == nil {
			results[lang] = replayCorpus(t, lang)
		}
		if _, err := os.Stat(filepath.Join(corpusDir, "nochange_"+lang+".txt")); err == nil {
			nc, fails := replayNoChange(t, lang)
			noChange[lang] = nc
			for _, f := range fails {
				t.Logf("no-change %s: %s", lang, f)
			}
		}
	}
	fmt.Fprintf(&b, "\n%-22s %14s %14s\n", "", "zh", "en")
	row := func(name string, f func(corpusResult) *tally) {
		fmt.Fprintf(&b, "%-22s", name)
		for _, lang := range []string{"zh", "en"} {
			r, ok := results[lang]
			var tl *tally
			if ok {
				tl = f(r)
			}
			if tl == nil || tl.total == 0 {
				fmt.Fprintf(&b, " %14s", "-")
				continue
			}
			fmt.Fprintf(&b, " %6.1f%% %3d/%-3d", tl.pct(), tl.right, tl.total)
		}
		b.WriteString("\n")
	}
	row("fully right", func(r corpusResult) *tally { return &r.all })
	row("intent", func(r corpusResult) *tally { return &r.intent })
	fmt.Fprintf(&b, "%-22s", "no-change (all states)")
	for _, lang := range []string{"zh", "en"} {
		nc := noChange[lang]
		if nc.total == 0 {
			fmt.Fprintf(&b, " %14s", "-")
			continue
		}
		fmt.Fprintf(&b, " %6.1f%% %3d/%-3d", nc.pct(), nc.right, nc.total)
	}
	b.WriteString("\nper slot:\n")
	keys := map[string]bool{}
	cats := map[string]bool{}
	for _, r := range results {
		for k := range r.slots {
			keys[k] = true
		}
		for k := range r.categories {
			cats[k] = true
		}
	}
	for _, k := range sortedKeys(keys) {
		row("  "+k, func(r corpusResult) *tally { return r.slots[k] })
	}
	b.WriteString("per category:\n")
	for _, k := range sortedKeys(cats) {
		row("  "+k, func(r corpusResult) *tally { return r.categories[k] })
	}
	t.Log(b.String())
	if testing.Verbose() {
		for _, lang := range []string{"zh", "en"} {
			for _, f := range results[lang].failures {
				t.Logf("wrong: %s", f)
			}
		}
	}
	for lang, r := range results {
		if got, floor := r.all.pct(), floors[lang].utterances; got < floor {
			t.Errorf("%s utterances: %.1f%% fully right, below the floor of %.1f%%", lang, got, floor)
		}
	}
	for lang, nc := range noChange {
		if got, floor := nc.pct(), floors[lang].nochange; got < floor {
			t.Errorf("%s no-change: %.1f%% unchanged, below the floor of %.1f%%", lang, got, floor)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestNoWordBecomesAPlace is the property "a message changes only what it says" for
// destinations: random sequences of common words that are not place names, sent in
// every state, never store or propose a destination.
func TestNoWordBecomesAPlace(t *testing.T) {
	var words [2][]string
	for i, lang := range []string{"zh", "en"} {
		if _, err := os.Stat(filepath.Join(corpusDir, "words_"+lang+".txt")); err != nil {
			t.Skipf("no words_%s.txt yet", lang)
		}
		for _, w := range readLines(t, "words_"+lang+".txt") {
			w = strings.TrimSpace(w)
			if known, _ := gaz.Knows(w); known {
				continue
			}
			if _, near := gaz.Near(w, lang); near {
				continue
			}
			words[i] = append(words[i], w)
		}
	}
	r := rand.New(rand.NewSource(9))
	e := corpusEngine("Asia/Shanghai")
	const sequences = 5000
	for _, state := range dialog.States {
		for i := 0; i < sequences; i++ {
			lang := i % 2
			n := 1 + r.Intn(6)
			parts := make([]string, n)
			for k := range parts {
				parts[k] = words[lang][r.Intn(len(words[lang]))]
			}
			sep := " "
			if lang == 0 && r.Intn(2) == 0 {
				sep = ""
			}
			text := strings.Join(parts, sep)
			c := conversationAt(state, []string{"zh", "en"}[lang], "Asia/Shanghai", nil)
			if state == dialog.StateStart || state == dialog.StateDestination {
				c.Trip = dialog.TripRequest{}
			}
			before := c.Trip.Destination
			out := e.Handle(c, dialog.Inbound{Text: text})
			// Suggestions answering a place described, not named ("somewhere with snow"),
			// are not a destination read out of the words.
			suggested := len(out.Replies) > 0 && (out.Replies[0].Text == dialog.T("zh", "vague_place") || out.Replies[0].Text == dialog.T("en", "vague_place"))
			if c.Trip.Destination != before || c.Memo.PendingDestination != "" || len(c.Memo.PlaceChoices) > 0 && !suggested {
				t.Fatalf("state %s, %q: destination %q, proposed %q, choices %v (replies %v)", state, text,
					c.Trip.Destination, c.Memo.PendingDestination, c.Memo.PlaceChoices, out.Replies)
			}
		}
	}
}

// TestCountsNeverPlaces extends "no word that is not a place becomes a place" to what
// counts people, days and money ("一共7个人", "人均两千", "7 of us in total"): however close
// such a phrase is to a town's name (一共 ≈ 一宮), it never becomes a destination.
func TestCountsNeverPlaces(t *testing.T) {
	heads := [2][]string{
		{"一共", "总共", "一行", "共", "我们一共", "我们一行", "人均", "每人", "一共是", "总共有", "合计", "总计", "大人", "一家"},
		{"in total", "altogether", "all in", "of us in total", "people total", "each", "per person", "pp", "total"},
	}
	numbers := [2][]string{{"2", "3", "七", "两", "5", "十", "四", "2000", "三千"}, {"2", "3", "seven", "two", "5", "ten", "2000"}}
	tails := [2][]string{{"个人", "人", "位", "口", "", "天", "元", "个大人"}, {"", " people", " of us", " adults", " days"}}
	r := rand.New(rand.NewSource(7))
	e := corpusEngine("Asia/Shanghai")
	for _, state := range dialog.States {
		for i := 0; i < 300; i++ {
			lang := i % 2
			var text string
			h, n, tl := heads[lang][r.Intn(len(heads[lang]))], numbers[lang][r.Intn(len(numbers[lang]))], tails[lang][r.Intn(len(tails[lang]))]
			if lang == 0 {
				text = h + n + tl
			} else {
				text = n + tl + " " + h
			}
			c := conversationAt(state, []string{"zh", "en"}[lang], "Asia/Shanghai", nil)
			if state == dialog.StateStart || state == dialog.StateDestination {
				c.Trip = dialog.TripRequest{}
			}
			before := c.Trip.Destination
			out := e.Handle(c, dialog.Inbound{Text: text})
			if c.Trip.Destination != before || c.Memo.PendingDestination != "" || len(c.Memo.PlaceChoices) > 0 {
				t.Fatalf("state %s, %q: destination %q, proposed %q, choices %v (replies %v)", state, text,
					c.Trip.Destination, c.Memo.PendingDestination, c.Memo.PlaceChoices, out.Replies)
			}
		}
	}
}
