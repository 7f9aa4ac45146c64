package weather

import "strings"

// wmoCodes describes the WMO weather interpretation codes Open-Meteo reports (and that
// day summaries are mapped to), in English and Chinese.
var wmoCodes = map[int][2]string{
	0:  {"clear sky", "晴"},
	1:  {"mainly clear", "晴间多云"},
	2:  {"partly cloudy", "多云"},
	3:  {"overcast", "阴"},
	45: {"fog", "雾"},
	48: {"freezing fog", "冻雾"},
	51: {"light drizzle", "小毛毛雨"},
	53: {"drizzle", "毛毛雨"},
	55: {"dense drizzle", "大毛毛雨"},
	56: {"light freezing drizzle", "小冻毛毛雨"},
	57: {"freezing drizzle", "冻毛毛雨"},
	61: {"light rain", "小雨"},
	63: {"rain", "中雨"},
	65: {"heavy rain", "大雨"},
	66: {"light freezing rain", "小冻雨"},
	67: {"freezing rain", "冻雨"},
	71: {"light snow", "小雪"},
	73: {"snow", "中雪"},
	75: {"heavy snow", "大雪"},
	77: {"snow grains", "米雪"},
	80: {"light showers", "小阵雨"},
	81: {"showers", "阵雨"},
	82: {"violent showers", "强阵雨"},
	85: {"light snow showers", "小阵雪"},
	86: {"snow showers", "阵雪"},
	95: {"thunderstorm", "雷阵雨"},
	96: {"thunderstorm with hail", "雷阵雨伴有冰雹"},
	99: {"thunderstorm with heavy hail", "雷阵雨伴有强冰雹"},
}

// SummaryFor describes a WMO weather code in lang ("zh…" for Chinese, English otherwise).
func SummaryFor(code int, lang string) string {
	d, ok := wmoCodes[code]
	zh := strings.HasPrefix(strings.ToLower(lang), "zh")
	if !ok {
		if zh {
			return "天气未知"
		}
		return "unknown"
	}
	if zh {
		return d[1]
	}
	return d[0]
}

// owmWords are OpenWeatherMap's own descriptions that are not among the WMO texts above.
var owmWords = map[string]string{
	"few clouds": "少云", "scattered clouds": "多云", "broken clouds": "多云", "overcast clouds": "阴",
	"moderate rain": "中雨", "heavy intensity rain": "大雨", "very heavy rain": "暴雨",
	"shower rain": "阵雨", "light intensity shower rain": "小阵雨", "mist": "薄雾", "haze": "霾",
	"light intensity drizzle": "小毛毛雨", "thunderstorm with light rain": "雷阵雨",
	"thunderstorm with rain": "雷阵雨", "light shower snow": "小阵雪", "shower snow": "阵雪",
	"sleet": "雨夹雪", "dust": "浮尘", "sand": "扬沙", "smoke": "烟", "squalls": "飑",
}

// zhWords maps every English summary the services give to its Chinese text.
var zhWords = func() map[string]string {
	m := make(map[string]string, len(wmoCodes)+len(owmWords))
	for _, d := range wmoCodes {
		m[d[0]] = d[1]
	}
	for en, zh := range owmWords {
		m[en] = zh
	}
	return m
}()

// Localize gives a summary in lang. Summaries are kept in English, in which the services
// give them and the planners read them; a Chinese traveller reads them in Chinese. A
// summary with no known translation is left as it is.
func Localize(summary, lang string) string {
	if !strings.HasPrefix(strings.ToLower(lang), "zh") {
		return summary
	}
	if zh, ok := zhWords[strings.ToLower(strings.TrimSpace(summary))]; ok {
		return zh
	}
	return summary
}
