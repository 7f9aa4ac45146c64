// Package api holds what every HTTP handler of the service shares and nothing else: the
// error body of SPEC section 6, the one table of error codes with their texts in both
// languages, the JSON helpers, and the limits on what a request may carry. It imports
// nothing of the project, so every package may import it.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"
)

// MaxBodyBytes caps every request body (SPEC section 6).
const MaxBodyBytes = 1 << 20

// MaxMessageLen is the longest message, the one limit every channel keeps: Telegram's
// limit on a message's text, 4,096 UTF-16 code units, which SPEC section 6 adopts as the
// longest message a traveller or an agent can send, in characters. Handlers refuse longer
// ones with a clear message (MessageFits), the pipeline never stores more, and what goes
// out to Telegram is split or cut to it counting UTF-16 units (a character is one or two).
const MaxMessageLen = 4096

// Error is the error body of SPEC section 6.
type Error struct {
	Code    Code   `json:"error_code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// WriteError answers with the error body; field names the offending field, if any.
func WriteError(w http.ResponseWriter, status int, code Code, msg, field string) {
	WriteJSON(w, status, Error{Code: code, Message: msg, Field: field})
}

// DecodeJSON reads a request body into v, answering 413 or 400 itself when it cannot.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			WriteError(w, http.StatusRequestEntityTooLarge, TooLarge, "request body over 1 MiB", "")
			return false
		}
		WriteError(w, http.StatusBadRequest, BadRequest, "request body is not valid JSON: "+err.Error(), "")
		return false
	}
	// One value and nothing after it: a body read two ways (by a proxy and by us) must not
	// carry a second request.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		WriteError(w, http.StatusBadRequest, BadRequest, "request body has data after the JSON value", "")
		return false
	}
	return true
}

// MessageFits answers 413 naming field when text, a what ("message", "reply", "note"),
// is longer than MaxMessageLen characters, and reports whether it fits. Every handler
// that takes a message checks it here.
func MessageFits(w http.ResponseWriter, what, field, text string) bool {
	if n := utf8.RuneCountInString(text); n > MaxMessageLen {
		WriteError(w, http.StatusRequestEntityTooLarge, TooLarge,
			fmt.Sprintf("%s too long: %d characters, the limit is %d — please shorten it or split it", what, n, MaxMessageLen), field)
		return false
	}
	return true
}
