package offline

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"xingqu/dialog"
)

var update = flag.Bool("update", false, "rewrite the golden plans in testdata/")

// varietyTrips are twenty destinations as travellers name them, with the kinds of
// wishes and needs they state.
var varietyTrips = []struct {
	dest, lang string
	trip       dialog.TripRequest
}{
	{"福州", "zh", dialog.TripRequest{KidFriendly: ptr(true), NaturalLandscape: "海边", SocialLandscape: "博物馆", Cuisine: "闽菜"}},
	{"厦门", "zh", dialog.TripRequest{NaturalLandscape: "海岛", Cuisine: "海鲜、小吃"}},
	{"成都", "zh", dialog.TripRequest{Cuisine: "火锅", SocialLandscape: "夜生活"}},
	{"西安", "zh", dialog.TripRequest{SocialLandscape: "历史、古建筑", Accessibility: ptr(true)}},
	{"杭州", "zh", dialog.TripRequest{NaturalLandscape: "湖边", PetFriendly: ptr(true)}},
	{"北京", "zh", dialog.TripRequest{SocialLandscape: "博物馆、故居", KidFriendly: ptr(true), Accessibility: ptr(true)}},
	{"桂林", "zh", dialog.TripRequest{NaturalLandscape: "山水、徒步"}},
	{"昆明", "zh", dialog.TripRequest{NaturalLandscape: "鼓山", Cuisine: "米粉"}},
	{"哈尔滨", "zh", dialog.TripRequest{NaturalLandscape: "雪景", Cuisine: "不吃辣"}},
	{"里斯本", "zh", dialog.TripRequest{SocialLandscape: "美术馆", Cuisine: "海鲜"}},
	{"东京", "zh", dialog.TripRequest{SocialLandscape: "动物园", KidFriendly: ptr(true), PetFriendly: ptr(true)}},
	{"Lisbon", "en", dialog.TripRequest{SocialLandscape: "museums", Cuisine: "seafood"}},
	{"Kyoto", "en", dialog.TripRequest{SocialLandscape: "temples", Cuisine: "vegetarian", Accessibility: ptr(true)}},
	{"Paris", "en", dialog.TripRequest{SocialLandscape: "art, galleries", Cuisine: "wine", PetFriendly: ptr(true)}},
	{"Reykjavik", "en", dialog.TripRequest{NaturalLandscape: "hot springs, waterfalls"}},
	{"Barcelona", "en", dialog.TripRequest{NaturalLandscape: "beach", SocialLandscape: "architecture", KidFriendly: ptr(true)}},
	{"Denver", "en", dialog.TripRequest{NaturalLandscape: "hiking, mountains", Cuisine: "beer"}},
	{"Singapore", "en", dialog.TripRequest{SocialLandscape: "zoo", Cuisine: "street food", KidFriendly: ptr(true)}},
	{"Cape Town", "en", dialog.TripRequest{NaturalLandscape: "Table Mountain, coast"}},
	{"Nowhere-on-the-map", "en", dialog.TripRequest{Cuisine: "food"}},
}

// No two days of one option share a morning or an afternoon, for twenty destinations and
// every trip length from one to ten days; every line is in the traveller's language and
// whole (no format left unfilled), and the needs hold on every day.
func TestPlanDaysNeverRepeat(t *testing.T) {
	latin := regexp.MustCompile(`[A-Za-z]`)
	nightlife := regexp.MustCompile(`\bbars?\b|\bclubs?\b|nightlife|酒吧|夜店|夜生活`)
	for _, v := range varietyTrips {
		for n := 1; n <= 10; n++ {
			trip := v.trip
			trip.Destination = v.dest
			trip.StartDate = date(2026, 7, 1)
			trip.EndDate = date(2026, 7, n)
			p := Plan(trip, v.lang, now)
			for _, o := range p.Options {
				if len(o.Days) != n {
					t.Fatalf("%s %d days %s: %d days planned", v.dest, n, o.Tier, len(o.Days))
				}
				mornings, afternoons := map[string]int{}, map[string]int{}
				for i, d := range o.Days {
					where := fmt.Sprintf("%s %d days %s day %d", v.dest, n, o.Tier, i+1)
					if j, dup := mornings[d.Morning]; dup {
						t.Errorf("%s: morning repeats day %d: %q", where, j+1, d.Morning)
					}
					if j, dup := afternoons[d.Afternoon]; dup {
						t.Errorf("%s: afternoon repeats day %d: %q", where, j+1, d.Afternoon)
					}
					mornings[d.Morning], afternoons[d.Afternoon] = i, i
					all := d.Morning + "\n" + d.Afternoon + "\n" + d.Evening + "\n" + d.Notes
					if strings.Contains(all, "%!") || strings.Contains(all, "%s") {
						t.Errorf("%s: unfilled format: %q", where, all)
					}
					if v.lang == "zh" && latin.MatchString(all) {
						t.Errorf("%s: Latin letters in a Chinese plan: %q", where, all)
					}
					if v.lang == "en" && strings.IndexFunc(all, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
						t.Errorf("%s: Chinese in an English plan: %q", where, all)
					}
					low := strings.ToLower(all)
					if yes(trip.KidFriendly) && nightlife.MatchString(low) {
						t.Errorf("%s: %q with children: %q", where, nightlife.FindString(low), all)
					}
					if yes(trip.PetFriendly) && (strings.Contains(low, "museum") && !strings.Contains(low, "open-air") || strings.Contains(all, "博物馆") || strings.Contains(all, "美术馆")) {
						t.Errorf("%s: a museum with a pet: %q", where, all)
					}
					if yes(trip.Accessibility) && (strings.Contains(all, "徒步") || strings.Contains(low, "hike")) {
						t.Errorf("%s: a hike with step-free needs: %q", where, all)
					}
				}
			}
		}
	}
}

// A week in a place the gazetteer knows includes a day trip to a real town nearby, with
// its distance.
func TestPlanDayTripsToNearbyTowns(t *testing.T) {
	for _, tt := range []struct{ dest, lang, want string }{
		{"福州", "zh", "公里外的"},
		{"Lisbon", "en", "km away"},
	} {
		trip := dialog.TripRequest{Destination: tt.dest, StartDate: date(2026, 10, 1), EndDate: date(2026, 10, 7)}
		p := Plan(trip, tt.lang, now)
		var trips []string
		for _, d := range p.Options[1].Days {
			if strings.Contains(d.Morning, tt.want) {
				trips = append(trips, d.Morning)
			}
		}
		if len(trips) == 0 {
			t.Errorf("%s, 7 days: no day trip in %+v", tt.dest, p.Options[1].Days)
		}
		t.Logf("%s: %q", tt.dest, trips)
	}
}

// Rain moves an indoor theme onto the wet day.
func TestPlanRainyDayGoesIndoors(t *testing.T) {
	trip := dialog.TripRequest{Destination: "杭州", NaturalLandscape: "湖边", StartDate: date(2026, 10, 1), EndDate: date(2026, 10, 5)}
	dry := Plan(trip, "zh", now)
	wet := PlanWithWeather(trip, "zh", now, map[string]dialog.Weather{"2026-10-02": {Summary: "中雨", PrecipProb: 0.9}})
	if dry.Options[0].Days[1].Morning == wet.Options[0].Days[1].Morning {
		t.Fatalf("the rainy day kept its outdoor plan: %q", wet.Options[0].Days[1].Morning)
	}
	if !strings.Contains(wet.Options[0].Days[1].Morning+wet.Options[0].Days[1].Afternoon, "博物馆") &&
		!strings.Contains(wet.Options[0].Days[1].Morning, "早市") {
		t.Errorf("rainy day: %+v", wet.Options[0].Days[1])
	}
}

// The golden plans are read by a person for sense; a change to them is a change to what
// travellers read. Rewrite with: go test ./providers/offline/ -run Golden -update
func TestGoldenPlans(t *testing.T) {
	for _, g := range []struct {
		file, lang string
		trip       dialog.TripRequest
	}{
		{"fuzhou-5-days.zh.txt", "zh", dialog.TripRequest{
			Destination: "福州", Place: &dialog.Place{Name: "福州", CountryCode: "CN", Lat: 26.06139, Lon: 119.30611},
			StartDate: date(2026, 10, 25), EndDate: date(2026, 10, 29), Budget: ptr(3000.0), Currency: "CNY", PartySize: ptr(3),
			KidFriendly: ptr(true), NaturalLandscape: "海边", SocialLandscape: "博物馆", Cuisine: "闽菜",
		}},
		{"lisbon-4-days.en.txt", "en", dialog.TripRequest{
			Destination: "Lisbon", Place: &dialog.Place{Name: "Lisbon", CountryCode: "PT", Lat: 38.71667, Lon: -9.13333},
			StartDate: date(2026, 12, 20), EndDate: date(2026, 12, 23), Budget: ptr(1500.0), Currency: "EUR", PartySize: ptr(2),
			SocialLandscape: "museums", Cuisine: "seafood",
		}},
	} {
		got := render(Plan(g.trip, g.lang, now))
		path := filepath.Join("testdata", g.file)
		if *update {
			os.MkdirAll("testdata", 0o755)
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from the plan made now; if the change is meant, rewrite it with -update and read it.\ngot:\n%s", path, got)
		}
	}
}

// render writes a plan as a traveller would read it, option by option and day by day.
func render(p dialog.Plan) string {
	var b strings.Builder
	for _, o := range p.Options {
		fmt.Fprintf(&b, "== %s  %.0f-%.0f %s\n", o.Title, o.BudgetLow, o.BudgetHigh, o.Currency)
		for _, d := range o.Days {
			fmt.Fprintf(&b, "%s\n  %s\n  %s\n  %s\n", d.Date, d.Morning, d.Afternoon, d.Evening)
			if d.Notes != "" {
				fmt.Fprintf(&b, "  [%s]\n", d.Notes)
			}
		}
		fmt.Fprintf(&b, "  food: %s\n  tips: %s\n\n", strings.Join(o.Food, " | "), strings.Join(o.Tips, " | "))
	}
	return b.String()
}
