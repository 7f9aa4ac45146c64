package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"xingqu/api"

	openai "github.com/sashabaranov/go-openai"
)

// The seed's planning error codes (SPEC section 8), from the one table in package api. Attempt.Code holds one of them, or ""
// for the attempt that wrote the plan.
const (
	CodeTimeout     = string(api.LLMTimeout)     // no complete answer in time
	CodeMalformed   = string(api.LLMMalformed)   // request refused as malformed, or an answer that is not a valid plan
	CodeAuth        = string(api.LLMAuth)        // key missing, wrong or not allowed
	CodeUnavailable = string(api.LLMUnavailable) // 5xx, connection refused, DNS, stream cut, breaker open
	CodeRateLimited = string(api.LLMRateLimited) // 429
)

// codeCancelled marks an attempt the chain itself stopped (a hedge it no longer needs):
// not the provider's fault, so it neither counts as an error nor trips the breaker.
const codeCancelled = "cancelled"

// Sentinel errors callers and tests can branch on.
var (
	// ErrNoProvider: Extract has no configured provider whose breaker lets it through.
	ErrNoProvider = errors.New("llm: no provider available")
	// ErrBreakerOpen: the provider was skipped because its circuit breaker is open.
	ErrBreakerOpen = errors.New("llm: circuit breaker open")
	// ErrStreamCut: the stream ended before the model said it had finished.
	ErrStreamCut = errors.New("llm: stream ended early")
	// ErrTooLarge: the response outgrew DefaultMaxResponseBytes.
	ErrTooLarge = errors.New("llm: response too large")
	// ErrInvalidPlan wraps the reasons an answer is not a usable plan.
	ErrInvalidPlan = errors.New("llm: invalid plan")
	// ErrInvalidExtraction: an extraction answer that does not follow its schema.
	ErrInvalidExtraction = errors.New("llm: invalid extraction")
)

// classify maps what a call returned to a seed code. ctx is the call's own context: its
// state says whether a failure was a timeout or the chain's own cancellation, whatever
// error the transport happened to wrap it in.
func classify(ctx context.Context, err error) string {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		return codeCancelled
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	case errors.Is(err, ErrBreakerOpen):
		return CodeUnavailable
	case errors.Is(err, ErrInvalidPlan), errors.Is(err, ErrInvalidExtraction), errors.Is(err, ErrTooLarge):
		return CodeMalformed
	}
	if status := httpStatus(err); status != 0 {
		return codeForStatus(status)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return CodeTimeout
	}
	var se *json.SyntaxError
	var ue *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &ue) {
		return CodeMalformed
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrStreamCut) {
		return CodeUnavailable
	}
	var api *openai.APIError
	if errors.As(err, &api) {
		// An error sent inside an event stream carries no HTTP status, only a type.
		switch t := strings.ToLower(api.Type); {
		case strings.Contains(t, "rate"):
			return CodeRateLimited
		case strings.Contains(t, "invalid_request"):
			return CodeMalformed
		case strings.Contains(t, "auth") || strings.Contains(t, "permission"):
			return CodeAuth
		}
	}
	// Connection refused, DNS failures, resets and whatever else the network invents.
	return CodeUnavailable
}

func codeForStatus(status int) string {
	switch {
	case status == 401 || status == 403:
		return CodeAuth
	case status == 429:
		return CodeRateLimited
	case status == 408 || status == 504:
		return CodeTimeout
	case status >= 500:
		return CodeUnavailable
	default:
		return CodeMalformed
	}
}

// httpStatus digs the status code out of go-openai's two error types; 0 if there is none.
func httpStatus(err error) int {
	var api *openai.APIError
	if errors.As(err, &api) && api.HTTPStatusCode != 0 {
		return api.HTTPStatusCode
	}
	var req *openai.RequestError
	if errors.As(err, &req) {
		return req.HTTPStatusCode
	}
	return 0
}

// retryable5xx: transient server errors worth a second try. 501 and 505 say the
// endpoint will never do it; retrying those only wastes the deadline.
func retryable5xx(err error) bool {
	s := httpStatus(err)
	return s >= 500 && s != 501 && s != 505
}

// redact keeps the key out of logs: some providers echo part of it in 401 messages.
func redact(msg, key string) string {
	if len(key) >= 8 {
		msg = strings.ReplaceAll(msg, key, "[redacted]")
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}
