package dialog

import (
	"strconv"
	"strings"
)

// WeatherHazard is a kind of severe weather a traveller is warned about.
type WeatherHazard string

// The hazards, most serious first: a day with several is reported as the first.
const (
	HazardOfficial    WeatherHazard = "official_alert" // a warning issued by a national weather service
	HazardStorm       WeatherHazard = "storm"          // thunderstorm, or gusts of gale force
	HazardHeavySnow   WeatherHazard = "heavy_snow"
	HazardHeavyRain   WeatherHazard = "heavy_rain"
	HazardExtremeHeat WeatherHazard = "extreme_heat"
	HazardExtremeCold WeatherHazard = "extreme_cold"
)

// The thresholds of severe weather. Rain and snow follow the China Meteorological
// Administration's 暴雨 (50 mm in 24 h) and 暴雪 (about 10 cm) levels; heat is a day
// whose high reaches 38 °C, cold a night at or below -20 °C; gusts of 75 km/h are a
// strong gale (Beaufort 9).
const (
	HeavyRainMM  = 50.0
	HeavySnowCM  = 10.0
	ExtremeHeatC = 38.0
	ExtremeColdC = -20.0
	StormGustKmh = 75.0
)

// DayConditions is a day's forecast as the weather alerts read it: the WMO weather code
// and the amounts behind it, and any official warnings.
type DayConditions struct {
	Date     Date
	Code     int     // WMO weather interpretation code; -1 when unknown
	TempMaxC float64 // the day's high
	TempMinC float64 // the day's low
	PrecipMM float64 // rain and melted snow over the day
	SnowCM   float64 // snowfall over the day
	GustKmh  float64 // the strongest gust
	Alerts   []string
}

// SevereWeather reports the most serious hazard of a day, if the day has one.
func SevereWeather(c DayConditions) (WeatherHazard, bool) {
	switch {
	case len(c.Alerts) > 0:
		return HazardOfficial, true
	case c.Code == 95 || c.Code == 96 || c.Code == 99 || c.GustKmh >= StormGustKmh:
		return HazardStorm, true
	case c.Code == 75 || c.Code == 86 || c.SnowCM >= HeavySnowCM:
		return HazardHeavySnow, true
	case c.Code == 65 || c.Code == 67 || c.Code == 82 || c.PrecipMM >= HeavyRainMM:
		return HazardHeavyRain, true
	case c.TempMaxC >= ExtremeHeatC:
		return HazardExtremeHeat, true
	case c.TempMinC <= ExtremeColdC:
		return HazardExtremeCold, true
	}
	return "", false
}

// WeatherAlert is the message about one severe day of a trip, and the plan change it
// suggests, in words the plan editor reads like a traveller's.
type WeatherAlert struct {
	Text    string
	Edit    string   // e.g. "第2天改成室内活动" / "make day 2 indoor activities"
	Choices []Choice // the button that makes the edit
}

// NewWeatherAlert words the warning for day dayNo (1-based) of a trip to place, with an
// indoor alternative for that day and a button that makes it. Official warnings are
// quoted by their own titles.
func NewWeatherAlert(lang string, h WeatherHazard, place string, dayNo int, c DayConditions) WeatherAlert {
	head := T(lang, "wx_alert", T(lang, "wx_hazard_"+string(h)), place, c.Date.String(), dayNo)
	return weatherAlert(lang, head, h, dayNo, c, "")
}

// NewChosenWeatherAlert words the warning about day dayNo of the option the traveller
// chose: it names the option and what that day holds, so that the traveller knows which
// part of their plan the suggested change touches.
func NewChosenWeatherAlert(lang string, h WeatherHazard, place string, dayNo int, c DayConditions, tier Tier, day DayPlan) WeatherAlert {
	head := T(lang, "wx_alert_chosen", T(lang, "wx_hazard_"+string(h)), place, c.Date.String(), dayNo, TierTitle(lang, tier))
	var parts []string
	for _, p := range []struct{ key, what string }{{"wx_alert_morning", day.Morning}, {"wx_alert_afternoon", day.Afternoon}, {"wx_alert_evening", day.Evening}} {
		if p.what != "" {
			parts = append(parts, T(lang, p.key, p.what))
		}
	}
	planned := ""
	if len(parts) > 0 {
		planned = T(lang, "wx_alert_day", strings.Join(parts, T(lang, "wx_alert_sep")))
	}
	return weatherAlert(lang, head, h, dayNo, c, planned)
}

func weatherAlert(lang, head string, h WeatherHazard, dayNo int, c DayConditions, planned string) WeatherAlert {
	text := head
	if h == HazardOfficial && len(c.Alerts) > 0 {
		text += T(lang, "wx_alert_official", strings.Join(c.Alerts, T(lang, "wx_alert_sep")))
	}
	return WeatherAlert{Text: text + planned + T(lang, "wx_alert_advice", dayNo), Edit: T(lang, "wx_alert_edit", dayNo),
		Choices: []Choice{{Label: T(lang, "btn_day_indoor"), Action: "pe:in:" + strconv.Itoa(dayNo)}}}
}

// AlertWindowDays is how far ahead of a trip's start the weather is watched.
const AlertWindowDays = 5

// WatchWeather reports whether a chosen plan's weather is worth checking today: the
// trip starts within AlertWindowDays or is under way.
func WatchWeather(today, start, end Date) bool {
	if start.IsZero() {
		return false
	}
	if end.IsZero() {
		end = start
	}
	return !today.After(end) && today.DaysUntil(start) <= AlertWindowDays
}
