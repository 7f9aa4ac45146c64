package geo

import (
	"strings"
	"sync"
)

var (
	countryNamesOnce sync.Once
	countryNames     map[string][2]string // code -> [English, Chinese]
)

// CountryName returns a country's name in lang ("zh" for Chinese, anything else English)
// from the gazetteer's country list, without loading the gazetteer; an unknown code is
// returned as it was given.
func CountryName(code, lang string) string {
	countryNamesOnce.Do(func() {
		countryNames = make(map[string][2]string, 260)
		for _, line := range strings.Split(countriesTSV, "\n") {
			f := strings.Split(line, "\t")
			if len(f) < 3 || strings.HasPrefix(line, "#") {
				continue
			}
			countryNames[f[0]] = [2]string{f[1], f[2]}
		}
	})
	n, ok := countryNames[strings.ToUpper(code)]
	if !ok {
		return code
	}
	if lang == "zh" {
		return n[1]
	}
	return n[0]
}
