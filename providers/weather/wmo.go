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
