package llm

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// callMeta collects what go-openai does not pass on: its errors carry the status and body
// of a failed response but not its headers, and a 429's Retry-After is in a header.
type callMeta struct {
	retryAfter    time.Duration
	hasRetryAfter bool
}

type callMetaKey struct{}

func withCallMeta(ctx context.Context) (context.Context, *callMeta) {
	m := &callMeta{}
	return context.WithValue(ctx, callMetaKey{}, m), m
}

// doer is the HTTP client go-openai gets: it records Retry-After for the call and caps the
// bytes read from every response, streams included.
type doer struct {
	client   *http.Client
	maxBytes int64
	now      func() time.Time
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	if m, ok := req.Context().Value(callMetaKey{}).(*callMeta); ok && resp.StatusCode == http.StatusTooManyRequests {
		m.retryAfter, m.hasRetryAfter = retryAfter(resp.Header, d.now())
	}
	resp.Body = &cappedBody{rc: resp.Body, left: d.maxBytes}
	return resp, nil
}

// retryAfter reads Retry-After (seconds or an HTTP date) and the retry-after-ms some
// OpenAI-compatible servers send for sub-second waits.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if ms := strings.TrimSpace(h.Get("Retry-After-Ms")); ms != "" {
		if v, err := strconv.ParseFloat(ms, 64); err == nil && v >= 0 {
			return time.Duration(v * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// A body of exactly the cap is fine; only a byte beyond it is too large.
		var one [1]byte
		if n, err := b.rc.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, ErrTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
