package telegram

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// botAPI is the part of tgbotapi.BotAPI the channel uses. Everything goes through
// MakeRequest with explicit parameters: it reaches fields v5.5.1 lacks (secret_token),
// never fails on methods that answer `true`, and keeps the raw result.
type botAPI interface {
	MakeRequest(endpoint string, params tgbotapi.Params) (*tgbotapi.APIResponse, error)
}

// ctxClient gives tgbotapi, which has no contexts, the service's context, so that a
// long poll in progress ends at shutdown.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (c ctxClient) Do(r *http.Request) (*http.Response, error) { return c.c.Do(r.WithContext(c.ctx)) }

// detached returns a copy of api whose requests a shutdown does not cancel, each bounded
// by timeout instead. Sends use it: cancelling a request already on the wire cannot
// take back a message Telegram may have received, it only leaves its outcome unknown.
func detached(api *tgbotapi.BotAPI, timeout time.Duration) *tgbotapi.BotAPI {
	d := *api
	d.Client = &http.Client{Timeout: timeout, Transport: keptConnections()}
	return &d
}

// keptConnections is a transport that keeps as many idle connections to the Bot API as
// requests can be in flight at once. net/http keeps two a host by default: every burst
// of sends beyond two then opened new connections, a TCP and a TLS handshake each.
func keptConnections() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 2 * defaultSenderWorkers
	return t
}

// connect builds the client and checks the token with getMe, retrying with backoff for
// as long as Telegram cannot be reached: the rest of the service keeps running meanwhile.
func connect(ctx context.Context, token, endpoint string, timeout time.Duration, logf func(err error, wait time.Duration)) (*tgbotapi.BotAPI, error) {
	client := ctxClient{ctx: ctx, c: &http.Client{Timeout: timeout, Transport: keptConnections()}}
	wait := 500 * time.Millisecond
	for {
		api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, client)
		if err == nil {
			return api, nil
		}
		err = redact(err, token)
		var tgErr *tgbotapi.Error
		if errors.As(err, &tgErr) && tgErr.Code == http.StatusUnauthorized {
			// A wrong token will not fix itself; keep trying slowly so that fixing the
			// configuration and restarting is the obvious move, not a crash loop.
			wait = 5 * time.Minute
		}
		logf(err, wait)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Minute)
	}
}

// redact removes the bot token from an error: net/http puts the request URL, which
// contains the token, into its error messages.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return redactedError{msg: strings.ReplaceAll(err.Error(), token, "<token>"), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }

// Unwrap keeps errors.As working (for *tgbotapi.Error) without exposing the message.
func (e redactedError) Unwrap() error { return e.err }

// outcome classifies the answer to one request.
type outcome int

const (
	outcomeSent      outcome = iota
	outcomeRateLimit         // 429: pause everything for retryAfter, then resend
	outcomeTransient         // 5xx or network: resend after a backoff
	outcomeBlocked           // 403 and friends: the recipient is gone
	outcomeFailed            // 400: resending would fail the same way
	outcomeUnknown           // the request may have reached Telegram: never resent
)

func (o outcome) String() string {
	return [...]string{"sent", "rate_limited", "retried", "blocked", "failed", "unknown"}[o]
}

func classify(err error) (outcome, time.Duration) {
	if err == nil {
		return outcomeSent, 0
	}
	var tgErr *tgbotapi.Error
	if !errors.As(err, &tgErr) {
		if notSent(err) {
			return outcomeTransient, 0
		}
		// A timeout, a dropped connection or an unreadable answer may come after
		// Telegram took the message: resending could deliver it twice.
		return outcomeUnknown, 0
	}
	desc := strings.ToLower(tgErr.Message)
	switch {
	case tgErr.Code == http.StatusTooManyRequests:
		ra := time.Duration(tgErr.RetryAfter) * time.Second
		if ra <= 0 {
			ra = time.Second
		}
		return outcomeRateLimit, ra
	case tgErr.Code == http.StatusForbidden:
		return outcomeBlocked, 0
	case tgErr.Code >= 500 || tgErr.Code == 0:
		return outcomeTransient, 0
	case strings.Contains(desc, "message is not modified"):
		// An edit that changes nothing has the effect it wanted.
		return outcomeSent, 0
	case strings.Contains(desc, "chat not found") || strings.Contains(desc, "user is deactivated") ||
		strings.Contains(desc, "bot was kicked") || strings.Contains(desc, "bot was blocked"):
		return outcomeBlocked, 0
	}
	return outcomeFailed, 0
}

// notSent reports whether a request failed before any of it could reach Telegram: no
// connection was made (refused, no such host, a failed TLS handshake).
func notSent(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr), errors.As(err, &certErr), errors.As(err, &recErr):
		return true
	case errors.As(err, &opErr):
		return opErr.Op == "dial" || opErr.Op == "proxyconnect"
	}
	return false
}

// errText describes a failed request for the outbox and the logs. A transport error
// names the request's URL, which contains the token: only its cause is kept.
func errText(err error) string {
	var tgErr *tgbotapi.Error
	if errors.As(err, &tgErr) {
		return fmt.Sprintf("%d %s", tgErr.Code, tgErr.Message)
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Op + ": " + urlErr.Err.Error()
	}
	return err.Error()
}
