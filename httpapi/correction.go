package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"xingqu/api"
	"xingqu/notices"
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
			api.WriteError(w, http.StatusRequestEntityTooLarge, api.TooLarge, "request body over 1 MiB", "")
			return "", "", false
		}
		api.WriteError(w, http.StatusBadRequest, api.BadRequest, "could not read the request body", "")
		return "", "", false
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return "", "", true
	}
	var req struct {
		Message notices.Text `json:"message"`
	}
	if err := json.Unmarshal(b, &req); err != nil {
		api.WriteError(w, http.StatusBadRequest, api.BadRequest, "request body is not valid JSON: "+err.Error(), "")
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
