package offline

import (
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
)

func ptr[T any](v T) *T { return &v }

func date(y int, m time.Month, d int) *dialog.Date { v := dialog.NewDate(y, m, d); return &v }

var now = time.Date(2025, 10, 20, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

func TestDates(t *testing.T) {
	tests := []struct {
		name      string
		trip      dialog.TripRequest
		wantFirst string
		wantN     int
	}{
		{"both dates", dialog.TripRequest{StartDate: date(2025, 10, 25), EndDate: date(2025, 11, 4)}, "2025-10-25", 11},
		{"start and duration", dialog.TripRequest{StartDate: date(2025, 10, 25), Days: 5}, "2025-10-25", 5},
		{"start only", dialog.TripRequest{StartDate: date(2025, 10, 25)}, "2025-10-25", 3},
		{"duration only starts tomorrow", dialog.TripRequest{Days: 4}, "2025-10-21", 4},
		{"nothing: three days from tomorrow", dialog.TripRequest{}, "2025-10-21", 3},
		{"end only", dialog.TripRequest{EndDate: date(2025, 10, 30), Days: 2}, "2025-10-29", 2},
		{"end before start uses start", dialog.TripRequest{StartDate: date(2025, 10, 25), EndDate: date(2025, 10, 20)}, "2025-10-25", 3},
		{"capped", dialog.TripRequest{StartDate: date(2025, 1, 1), EndDate: date(2025, 12, 31)}, "2025-01-01", MaxDays},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Dates(tt.trip, now)
			if len(got) != tt.wantN {
				t.Fatalf("len = %d, want %d", len(got), tt.wantN)
			}
			if got[0].String() != tt.wantFirst {
				t.Errorf("first = %s, want %s", got[0], tt.wantFirst)
			}
			for i := 1; i < len(got); i++ {
				if got[i-1].DaysUntil(got[i]) != 1 {
					t.Fatalf("day %d = %s after %s: not consecutive", i, got[i], got[i-1])
				}
			}
		})
	}
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name       string
		trip       dialog.TripRequest
		lang       string
		wantDays   int
		wantCur    string
		wantTitles []string
		wantLuxury [2]float64 // expected luxury range, 0s to skip
		wantInDays []string   // each must appear somewhere in the day texts
		wantNotes  []string   // each must appear in every day's notes
		wantFood   string     // must appear in every option's food
		wantTip    []string   // each must appear in the luxury option's first tip
	}{
		{
			name: "zh with budget and needs",
			trip: dialog.TripRequest{
				Destination: "福州", StartDate: date(2025, 10, 25), EndDate: date(2025, 10, 27),
				Budget: ptr(2000.0), Currency: "CNY", KidFriendly: ptr(true), Accessibility: ptr(true),
				NaturalLandscape: "鼓山", SocialLandscape: "三坊七巷", Cuisine: "闽菜",
			},
			lang:       "zh",
			wantDays:   3,
			wantCur:    "CNY",
			wantTitles: []string{"豪华尊享游", "经济适用游", "特种兵穷游"},
			wantLuxury: [2]float64{2000, 3600},
			wantInDays: []string{"福州", "鼓山", "三坊七巷", "闽菜"},
			wantNotes:  []string{"亲子", "无障碍"},
			wantFood:   "闽菜",
			wantTip:    []string{"专车"},
		},
		{
			name: "en without budget uses per-day default",
			trip: dialog.TripRequest{
				Place: &dialog.Place{Name: "Kyoto", CountryCode: "JP"}, Days: 2, PetFriendly: ptr(true),
				Cuisine: "kaiseki",
			},
			lang:       "en",
			wantDays:   2,
			wantCur:    "JPY",
			wantTitles: []string{"Luxury", "Economical", "Backpacker"},
			wantLuxury: [2]float64{30000, 54000},
			wantInDays: []string{"Kyoto", "kaiseki"},
			wantNotes:  []string{"pet"},
			wantFood:   "kaiseki",
			wantTip:    []string{"Private car"},
		},
		{
			name:       "nothing known",
			trip:       dialog.TripRequest{},
			lang:       "en",
			wantDays:   3,
			wantCur:    "USD",
			wantTitles: []string{"Luxury", "Economical", "Backpacker"},
			wantLuxury: [2]float64{360, 650},
			wantInDays: []string{"the destination"},
			wantFood:   "Local specialities",
			wantTip:    []string{"Private car"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Plan(tt.trip, tt.lang, now)
			if !p.Draft || p.Source != "offline" {
				t.Errorf("draft, source = %v, %q; want true, offline", p.Draft, p.Source)
			}
			if !p.CreatedAt.Equal(now) {
				t.Errorf("createdAt = %v, want %v", p.CreatedAt, now)
			}
			if len(p.Options) != 3 {
				t.Fatalf("options = %d, want 3", len(p.Options))
			}
			wantDates := Dates(tt.trip, now)
			var prevLow float64
			for i, o := range p.Options {
				if o.Tier != dialog.Tiers[i] {
					t.Errorf("option %d tier = %s, want %s", i, o.Tier, dialog.Tiers[i])
				}
				if o.Title != tt.wantTitles[i] {
					t.Errorf("option %d title = %q, want %q", i, o.Title, tt.wantTitles[i])
				}
				if o.Currency != tt.wantCur {
					t.Errorf("option %d currency = %q, want %q", i, o.Currency, tt.wantCur)
				}
				if o.BudgetLow <= 0 || o.BudgetLow > o.BudgetHigh {
					t.Errorf("option %d range %v-%v: want 0 < low <= high", i, o.BudgetLow, o.BudgetHigh)
				}
				if i > 0 && o.BudgetLow >= prevLow {
					t.Errorf("option %d low %v not below previous tier's %v", i, o.BudgetLow, prevLow)
				}
				prevLow = o.BudgetLow
				if len(o.Days) != tt.wantDays {
					t.Fatalf("option %d days = %d, want %d", i, len(o.Days), tt.wantDays)
				}
				var all strings.Builder
				for j, d := range o.Days {
					if d.Date != wantDates[j] {
						t.Errorf("option %d day %d date = %s, want %s", i, j, d.Date, wantDates[j])
					}
					if d.Morning == "" || d.Afternoon == "" || d.Evening == "" {
						t.Errorf("option %d day %d has an empty slot: %+v", i, j, d)
					}
					for _, n := range tt.wantNotes {
						if !strings.Contains(strings.ToLower(d.Notes), strings.ToLower(n)) {
							t.Errorf("option %d day %d notes %q lack %q", i, j, d.Notes, n)
						}
					}
					all.WriteString(d.Morning + d.Afternoon + d.Evening)
				}
				for _, w := range tt.wantInDays {
					if !strings.Contains(all.String(), w) {
						t.Errorf("option %d days do not mention %q", i, w)
					}
				}
				if len(o.Food) == 0 || !strings.Contains(strings.ToLower(o.Food[0]), strings.ToLower(tt.wantFood)) {
					t.Errorf("option %d food = %q, want it to mention %q", i, o.Food, tt.wantFood)
				}
				if len(o.Tips) == 0 {
					t.Fatalf("option %d has no tips", i)
				}
				for _, w := range tt.wantTip {
					if i == 0 && !strings.Contains(o.Tips[0], w) {
						t.Errorf("option %d first tip %q lacks %q", i, o.Tips[0], w)
					}
				}
			}
			if l := p.Options[0]; tt.wantLuxury != [2]float64{} && (l.BudgetLow != tt.wantLuxury[0] || l.BudgetHigh != tt.wantLuxury[1]) {
				t.Errorf("luxury range = %v-%v, want %v-%v", l.BudgetLow, l.BudgetHigh, tt.wantLuxury[0], tt.wantLuxury[1])
			}
		})
	}
}

func TestPlanKidFriendlyHasNoNightlife(t *testing.T) {
	trip := dialog.TripRequest{Destination: "Shanghai", KidFriendly: ptr(true), Days: 4}
	for _, lang := range []string{"zh", "en"} {
		p := Plan(trip, lang, now)
		for _, o := range p.Options {
			for _, d := range o.Days {
				s := strings.ToLower(d.Morning + d.Afternoon + d.Evening)
				for _, bad := range []string{"bar", "club", "酒吧", "夜店"} {
					if strings.Contains(s, bad) {
						t.Errorf("%s %s %s mentions %q: %q", lang, o.Tier, d.Date, bad, s)
					}
				}
			}
		}
	}
}

func TestPlanOtherNeedsAndTinyBudget(t *testing.T) {
	trip := dialog.TripRequest{Destination: "厦门", Budget: ptr(3.0), OtherNeeds: "素食", PartySize: ptr(4)}
	p := Plan(trip, "zh", now)
	for _, o := range p.Options {
		if o.BudgetLow < 1 || o.BudgetLow > o.BudgetHigh {
			t.Errorf("%s range %v-%v: want 1 <= low <= high", o.Tier, o.BudgetLow, o.BudgetHigh)
		}
		tips := strings.Join(o.Tips, "|")
		if !strings.Contains(tips, "素食") || !strings.Contains(tips, "多人同行") {
			t.Errorf("%s tips %q lack other needs or party note", o.Tier, tips)
		}
	}
}

func TestRoundMoney(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{0.2, 1}, {7.4, 7}, {56, 56}, {1234, 1200}, {3600, 3600}, {16200, 16000}, {99999, 100000},
	}
	for _, tt := range tests {
		if got := roundMoney(tt.in); got != tt.want {
			t.Errorf("roundMoney(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func BenchmarkOfflinePlan(b *testing.B) {
	trip := dialog.TripRequest{
		Destination: "福州", StartDate: date(2025, 10, 25), EndDate: date(2025, 11, 4),
		Budget: ptr(2000.0), Currency: "CNY", KidFriendly: ptr(true),
		NaturalLandscape: "鼓山", SocialLandscape: "三坊七巷", Cuisine: "闽菜",
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Plan(trip, "zh", now)
	}
}

// What the traveller rules out stays out of every day of every option, the first and
// last days' lines included, even when a preference would call it up: "no museums,
// history", 不坐飞机, "we hate shopping".
func TestPlanKeepsOutWhatIsRuledOut(t *testing.T) {
	for _, tc := range []struct {
		lang, exclude, prefs string
		bad                  []string
	}{
		{"en", "museums", "history", []string{"museum", "gallery"}},
		{"zh", "博物馆", "历史、博物馆", []string{"博物馆", "美术馆"}},
		{"en", "flying, shopping", "", []string{"flight", "airport", "gifts", "shopping"}},
		{"zh", "飞机、购物", "购物", []string{"航班", "机场", "送机", "伴手礼", "商业街"}},
	} {
		for _, days := range []int{1, 3, 7} {
			trip := dialog.TripRequest{Destination: "Paris", Days: days, Exclude: tc.exclude, SocialLandscape: tc.prefs}
			if tc.lang == "zh" {
				trip.Destination = "厦门"
			}
			p := Plan(trip, tc.lang, now)
			for _, o := range p.Options {
				for _, d := range o.Days {
					s := strings.ToLower(d.Morning + " | " + d.Afternoon + " | " + d.Evening)
					for _, bad := range tc.bad {
						if strings.Contains(s, bad) {
							t.Errorf("%s, %d days, %s ruled out: %s %s mentions %q: %q", tc.lang, days, tc.exclude, o.Tier, d.Date, bad, s)
						}
					}
				}
			}
		}
	}
}

// What the preference buttons store (自然风光, 人文历史, 当地美食 and their English) is a
// theme, never the name of a sight to go to ("乘专车前往人文历史").
func TestPreferenceButtonsAreThemes(t *testing.T) {
	for _, tc := range []struct{ lang, nature, culture, food string }{
		{"zh", "自然风光", "人文历史", "当地美食"},
		{"en", "nature", "culture and history", "local food"},
	} {
		trip := dialog.TripRequest{Destination: "杭州", Days: 4, NaturalLandscape: tc.nature, SocialLandscape: tc.culture, Cuisine: tc.food}
		for _, one := range []dialog.TripRequest{
			{Destination: trip.Destination, Days: 4, NaturalLandscape: tc.nature},
			{Destination: trip.Destination, Days: 4, SocialLandscape: tc.culture},
			{Destination: trip.Destination, Days: 4, Cuisine: tc.food},
			trip,
		} {
			p := Plan(one, tc.lang, now)
			for _, o := range p.Options {
				for _, d := range o.Days {
					s := strings.ToLower(d.Morning + " | " + d.Afternoon + " | " + d.Evening)
					for _, v := range []string{tc.nature, tc.culture, "前往" + tc.food, "游览" + tc.food, "to " + tc.food} {
						if strings.Contains(s, v) {
							t.Errorf("%s %+v: %s %s takes %q for a sight: %q", tc.lang, one, o.Tier, d.Date, v, s)
						}
					}
				}
			}
		}
	}
}
