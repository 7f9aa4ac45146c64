package dialog

import (
	"strings"
	"testing"
)

func TestSevereWeather(t *testing.T) {
	mild := DayConditions{Code: 3, TempMaxC: 24, TempMinC: 15, PrecipMM: 2, GustKmh: 30}
	for _, c := range []struct {
		name string
		edit func(*DayConditions)
		want WeatherHazard
	}{
		{"mild", func(*DayConditions) {}, ""},
		{"thunderstorm", func(c *DayConditions) { c.Code = 95 }, HazardStorm},
		{"gale", func(c *DayConditions) { c.GustKmh = 80 }, HazardStorm},
		{"heavy rain by code", func(c *DayConditions) { c.Code = 65 }, HazardHeavyRain},
		{"heavy rain by amount", func(c *DayConditions) { c.Code, c.PrecipMM = 63, 55 }, HazardHeavyRain},
		{"49 mm is not 暴雨", func(c *DayConditions) { c.Code, c.PrecipMM = 63, 49 }, ""},
		{"heavy snow", func(c *DayConditions) { c.Code, c.SnowCM, c.TempMinC = 73, 12, -5 }, HazardHeavySnow},
		{"heat", func(c *DayConditions) { c.TempMaxC = 39 }, HazardExtremeHeat},
		{"cold", func(c *DayConditions) { c.TempMinC = -25; c.TempMaxC = -12 }, HazardExtremeCold},
		{"official alert beats the rest", func(c *DayConditions) { c.Code, c.Alerts = 95, []string{"Typhoon warning"} }, HazardOfficial},
		{"storm beats rain", func(c *DayConditions) { c.Code, c.PrecipMM = 95, 80 }, HazardStorm},
	} {
		d := mild
		c.edit(&d)
		got, ok := SevereWeather(d)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: %q %v, want %q", c.name, got, ok, c.want)
		}
	}
}

func TestNewWeatherAlert(t *testing.T) {
	c := DayConditions{Date: Date{Year: 2026, Month: 10, Day: 26}, Code: 95}
	zh := NewWeatherAlert(LangZH, HazardStorm, "福州", 2, c)
	if !strings.Contains(zh.Text, "福州 2026-10-26（行程第2天）预计有雷暴或大风") || !strings.Contains(zh.Text, "室内") || zh.Edit != "第2天改成室内活动" {
		t.Errorf("zh: %+v", zh)
	}
	en := NewWeatherAlert(LangEN, HazardStorm, "Lisbon", 2, c)
	if !strings.Contains(en.Text, "thunderstorms or gale-force winds expected in Lisbon on 2026-10-26 (day 2") || en.Edit != "make day 2 indoor activities" {
		t.Errorf("en: %+v", en)
	}
	c.Alerts = []string{"Red typhoon warning", "Flood warning"}
	off := NewWeatherAlert(LangEN, HazardOfficial, "Okinawa", 1, c)
	if !strings.Contains(off.Text, ": Red typhoon warning; Flood warning. Consider") {
		t.Errorf("official: %s", off.Text)
	}
	for _, h := range []WeatherHazard{HazardOfficial, HazardStorm, HazardHeavySnow, HazardHeavyRain, HazardExtremeHeat, HazardExtremeCold} {
		for _, lang := range []string{LangZH, LangEN} {
			if a := NewWeatherAlert(lang, h, "X", 1, c); strings.Contains(a.Text, "wx_") || strings.Contains(a.Text, "%!") {
				t.Errorf("%s %s: %s", h, lang, a.Text)
			}
		}
	}
}

func TestWatchWeather(t *testing.T) {
	today := Date{Year: 2026, Month: 10, Day: 20}
	for _, c := range []struct {
		start, end Date
		want       bool
	}{
		{today.AddDays(5), today.AddDays(8), true},
		{today.AddDays(6), today.AddDays(8), false},
		{today.AddDays(-2), today.AddDays(1), true}, // under way
		{today, today, true},
		{today.AddDays(-5), today.AddDays(-1), false}, // over
		{Date{}, Date{}, false},
	} {
		if got := WatchWeather(today, c.start, c.end); got != c.want {
			t.Errorf("trip %s..%s: %v, want %v", c.start, c.end, got, c.want)
		}
	}
}

// A warning about the chosen option names it and what that day holds, and its button
// makes that day indoor.
func TestNewChosenWeatherAlert(t *testing.T) {
	c := DayConditions{Date: Date{Year: 2026, Month: 10, Day: 26}, Code: 95}
	day := DayPlan{Morning: "鼓山", Afternoon: "三坊七巷", Evening: "夜游闽江"}
	zh := NewChosenWeatherAlert(LangZH, HazardStorm, "福州", 2, c, TierEconomical, day)
	for _, w := range []string{"你选的经济适用游第2天", "当天原定：上午 鼓山；下午 三坊七巷；晚上 夜游闽江", "要我把第2天改成室内行程吗"} {
		if !strings.Contains(zh.Text, w) {
			t.Errorf("zh lacks %q: %s", w, zh.Text)
		}
	}
	en := NewChosenWeatherAlert(LangEN, HazardStorm, "Lisbon", 2, c, TierLuxury, DayPlan{Morning: "Belém Tower"})
	if !strings.Contains(en.Text, "(day 2 of the Luxury plan you chose). That day's plan: morning Belém Tower. Consider") {
		t.Errorf("en: %s", en.Text)
	}
	if len(en.Choices) != 1 || en.Choices[0].Action != "pe:in:2" || en.Choices[0].Label != "Something indoors" {
		t.Errorf("en button: %+v", en.Choices)
	}
}
