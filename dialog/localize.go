package dialog

import (
	"strings"
	"unicode/utf8"
)

// Slot texts are kept as the traveller wrote them; what the bot shows back is in the
// language of the reply where it knows the translation: a place by its name in that
// language, a recognised preference word by its pair.

// placeIn is the trip's place named in lang when the gazetteer has that name for the
// same place, else as stored.
func (t *turn) placeIn(lang string) string {
	tr := t.c.Trip
	name := tr.Destination
	if tr.Place != nil && tr.Place.Name != "" {
		name = tr.Place.Name
	}
	if t.e.Places == nil || name == "" || scriptOf(name) == lang {
		return name
	}
	m := t.e.Places.Lookup(name, lang)
	if m.Place == nil || m.Place.Name == "" || scriptOf(m.Place.Name) != lang {
		return name
	}
	if p := tr.Place; p != nil && (p.CountryCode != m.Place.CountryCode || abs(p.Lat-m.Place.Lat) > 0.3 || abs(p.Lon-m.Place.Lon) > 0.3) {
		return name
	}
	return m.Place.Name
}

// scriptOf is "zh" for text with Chinese characters, "en" for any other letters.
func scriptOf(s string) string {
	if hasHan(s) {
		return LangZH
	}
	return LangEN
}

// wordsIn shows a stored list of preference words in lang, each word with a known
// pair in the other language replaced by it; other words stay as written.
func wordsIn(s, lang string) string {
	if s == "" {
		return s
	}
	items := strings.FieldsFunc(s, func(r rune) bool { return r == '、' || r == ',' || r == '，' })
	changed := false
	for i, it := range items {
		it = strings.TrimSpace(it)
		items[i] = it
		if it == "" || scriptOf(it) == lang || utf8.RuneCountInString(it) > 30 {
			continue
		}
		for _, alt := range Synonyms(it) {
			if scriptOf(alt) == lang {
				items[i], changed = alt, true
				break
			}
		}
	}
	if !changed {
		return s
	}
	return strings.Join(items, listSep(lang))
}
