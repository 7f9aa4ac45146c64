package notices

import (
	"strings"
	"time"

	"xingqu/api"
	"xingqu/dialog"
	"xingqu/store"
)

// A cancellation may carry the admin's words of correction (why, what happens instead),
// kept as an update of the announcement; the notice puts them after its headline.

// CorrectionText is the cancellation notice with the admin's words of correction after
// its headline.
func CorrectionText(lang string, a store.Announcement, u store.Update, loc *time.Location) string {
	text := NoticeText(lang, a, PhaseCancelled, loc)
	head, rest, _ := strings.Cut(text, "\n\n")
	note := dialog.T(lang, "notice_correction", Text{u.Body, u.BodyEN}.In(lang))
	return fitUTF16(head+"\n\n"+note+"\n\n"+rest, api.MaxMessageLen)
}
