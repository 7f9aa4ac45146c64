package api

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the id the server gave a request.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id the server's middleware gave this request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ServerError logs err and answers 500 without showing it.
func ServerError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	log.Error("request failed", "err", err, "request_id", RequestID(r.Context()))
	WriteError(w, http.StatusInternalServerError, Internal, "internal error; try again", "")
}

// WriteTooMany answers 429 with a Retry-After of wait, rounded up to whole seconds.
func WriteTooMany(w http.ResponseWriter, wait time.Duration, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	WriteError(w, http.StatusTooManyRequests, TooMany, fmt.Sprintf("%s; try again in %d seconds", msg, int(wait.Seconds())+1), "")
}

// Proxies are the addresses of the reverse proxies whose X-Forwarded-For is believed.
type Proxies []netip.Prefix

// ClientIP is the address a request came from; X-Forwarded-For is believed only from a
// trusted proxy, taking the right-most address that is not itself a trusted proxy.
func (ps Proxies) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !ps.trusted(addr) {
		return host
	}
	parts := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(parts) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
		if err != nil {
			break
		}
		if !ps.trusted(a) {
			return a.String()
		}
	}
	return host
}

func (ps Proxies) trusted(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// LimitKey is the part of a client address that limits count against. An IPv6 client
// is usually handed a whole /64 and can pick a fresh address from it for every request,
// so its limits key on the /64; IPv4 and IPv4-mapped addresses key on the address.
func LimitKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// Limiters are in-process token buckets by key. Limits are per instance: with several
// instances behind a balancer a client gets up to the limit at each. The zero value is
// ready to use.
type Limiters struct {
	mu   sync.Mutex
	lims map[string]*limiterEntry
	seen time.Time
}

type limiterEntry struct {
	l    *rate.Limiter
	used time.Time
}

// Allow spends one token of the limiter named key, made with r and burst on first use;
// when none is left it reports how long until one is.
func (l *Limiters) Allow(key string, r rate.Limit, burst int) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.lims == nil {
		l.lims = map[string]*limiterEntry{}
	}
	// Forget idle limiters now and then so that the map does not grow without bound.
	if now.Sub(l.seen) > 10*time.Minute {
		for k, e := range l.lims {
			if now.Sub(e.used) > time.Hour {
				delete(l.lims, k)
			}
		}
		l.seen = now
	}
	e := l.lims[key]
	if e == nil {
		e = &limiterEntry{l: rate.NewLimiter(r, burst)}
		l.lims[key] = e
	}
	e.used = now
	res := e.l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}
