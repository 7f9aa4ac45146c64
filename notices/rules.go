package notices

import (
	"encoding/json"
	"errors"
	"time"

	"xingqu/dialog"
	"xingqu/store"
)

// Text is words in both languages. A request may give {"zh": …, "en": …} or one string,
// which then serves both; an answer always gives both.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// UnmarshalJSON accepts a plain string or {"zh", "en"}.
func (t *Text) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*t = Text{ZH: one, EN: one}
		return nil
	}
	var two struct{ ZH, EN *string }
	if err := json.Unmarshal(b, &two); err != nil {
		return errors.New(`a text is a string or {"zh": "…", "en": "…"}`)
	}
	*t = Text{}
	if two.ZH != nil {
		t.ZH = *two.ZH
	}
	if two.EN != nil {
		t.EN = *two.EN
	}
	return nil
}

// In returns the text in lang, or in the other language when lang's is empty.
func (t Text) In(lang string) string {
	if lang == dialog.LangEN && t.EN != "" || t.ZH == "" {
		return t.EN
	}
	return t.ZH
}

// NoticeWords are an announcement's texts in one language.
type NoticeWords struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	Impact string `json:"impact"`
	Notes  string `json:"notes"`
}

// WordsOf returns the announcement's texts in lang.
func WordsOf(a store.Announcement, lang string) NoticeWords {
	return NoticeWords{
		Title:  Text{a.Title, a.TitleEN}.In(lang),
		Body:   Text{a.Body, a.BodyEN}.In(lang),
		Impact: Text{a.Impact, a.ImpactEN}.In(lang),
		Notes:  Text{a.Notes, a.NotesEN}.In(lang),
	}
}

// LeadTime is how far ahead seed 000 says a notice must go out, and the rule in words.
func LeadTime(typ string, urgent, fault bool) (time.Duration, string) {
	const day = 24 * time.Hour
	switch typ {
	case store.AnnFeature, store.AnnUI:
		return 7 * day, typ + " updates are announced at least 7 days ahead"
	case store.AnnPerformance:
		return 3 * day, "performance updates are announced at least 3 days ahead"
	case store.AnnSecurity:
		if urgent {
			return 0, ""
		}
		return day, `security updates are announced at least 1 day ahead, or at once with "urgent": true`
	case store.AnnMaintenance:
		if urgent {
			return 0, ""
		}
		return day, `maintenance is announced at least 1 day ahead, or at once with "urgent": true (emergency maintenance)`
	case store.AnnDowntime:
		switch {
		case fault:
			return 0, ""
		case urgent:
			return day, `emergency downtime ("urgent": true) is announced at least 1 day ahead; downtime caused by a fault ("fault": true) at once`
		}
		return 7 * day, `planned downtime is announced at least 7 days ahead; emergency downtime ("urgent": true) 1 day ahead; downtime caused by a fault ("fault": true) at once`
	}
	return 0, ""
}
