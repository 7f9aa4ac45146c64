package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"xingqu/dialog"
	"xingqu/store"
)

// A cancelled announcement's notice goes to those who were told of it; the admin may add
// words of correction to it (why, what happens instead), in one language or both:
// POST /api/admin/announcements/{id}/cancel {"message": {"zh", "en"}}. The words are kept
// as an update of the announcement, so that the admin's view shows what was said.

// readCorrection reads the optional body of a cancellation. ok is false when an error
// was written.
func readCorrection(w http.ResponseWriter, r *http.Request) (zh, en string, ok bool) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "E-413", "request body over 1 MiB", "")
			return "", "", false
		}
		writeError(w, http.StatusBadRequest, "E-400", "could not read the request body", "")
		return "", "", false
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return "", "", true
	}
	var req struct {
		Message Text `json:"message"`
	}
	if err := json.Unmarshal(b, &req); err != nil {
		writeError(w, http.StatusBadRequest, "E-400", "request body is not valid JSON: "+err.Error(), "")
		return "", "", false
	}
	if strings.TrimSpace(req.Message.ZH) == "" && strings.TrimSpace(req.Message.EN) == "" {
		return "", "", true
	}
	var errs []FieldError
	zh, en = bilingual(func(f, m string) { errs = append(errs, FieldError{f, m}) }, "message", req.Message, 1000, "")
	if len(errs) > 0 {
		writeValidation(w, errs)
		return "", "", false
	}
	return zh, en, true
}

// CorrectionText is the cancellation notice with the admin's words of correction after
// its headline.
func CorrectionText(lang string, a store.Announcement, u store.Update, loc *time.Location) string {
	text := NoticeText(lang, a, PhaseCancelled, loc)
	head, rest, _ := strings.Cut(text, "\n\n")
	note := dialog.T(lang, "notice_correction", Text{u.Body, u.BodyEN}.In(lang))
	return fitUTF16(head+"\n\n"+note+"\n\n"+rest, 4096)
}
