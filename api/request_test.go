package api

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestLimitKey(t *testing.T) {
	for _, c := range []struct{ ip, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not an address", "not an address"},
	} {
		if got := LimitKey(c.ip); got != c.want {
			t.Errorf("LimitKey(%q) = %q, want %q", c.ip, got, c.want)
		}
	}
}

// X-Forwarded-For is believed only from a trusted proxy, and then its right-most address
// that is not itself a trusted proxy.
func TestClientIP(t *testing.T) {
	proxies := Proxies{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct{ remote, xff, want string }{
		{"203.0.113.7:5000", "198.51.100.1", "203.0.113.7"},
		{"10.0.0.2:5000", "198.51.100.1", "198.51.100.1"},
		{"10.0.0.2:5000", "198.51.100.9, 198.51.100.1, 10.0.0.3", "198.51.100.1"},
		{"10.0.0.2:5000", "", "10.0.0.2"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := proxies.ClientIP(r); got != c.want {
			t.Errorf("ClientIP(%s, X-Forwarded-For %q) = %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

func TestLimitersRefuseBeyondTheBurst(t *testing.T) {
	var l Limiters
	for i := 0; i < 2; i++ {
		if ok, _ := l.Allow("k", 1, 2); !ok {
			t.Fatalf("call %d refused within the burst", i+1)
		}
	}
	if ok, wait := l.Allow("k", 1, 2); ok || wait <= 0 || wait > time.Second {
		t.Errorf("third call: allowed %v, wait %v; want refused, wait up to 1s", ok, wait)
	}
	if ok, _ := l.Allow("other", 1, 2); !ok {
		t.Error("another key shares the first key's bucket")
	}
}
