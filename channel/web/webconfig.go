package web

import (
	"net/netip"
	"time"
	"xingqu/store"
)

// WebConfig configures the web widget, the console and their accounts.
type WebConfig struct {
	PublicURL      string
	WidgetOrigins  []string // origins allowed to call the widget API from a browser
	SessionRate    int      // new widget sessions per client IP per hour; 0: 60
	MessageRate    int      // messages per traveller per minute (counted by the pipeline); ten times it per client address; 0: 30
	TrustedProxies []netip.Prefix
	// Listener is the process's notification listener, which wakes event streams. When
	// nil, the server makes its own from ListenURL, the database URL a LISTEN connection
	// is opened on; both unset disables live events across instances (tests of a single
	// handler).
	Listener  *store.Listener
	ListenURL string

	AccessTTL      time.Duration // 0: AccessTTL
	LoginFailDelay time.Duration // pause before a failed login is answered; 0: 400ms

	StreamsPerAddr     int           // event streams open at once from one client address; 0: 20
	StreamWriteTimeout time.Duration // a stream whose client takes longer to accept a write is dropped; 0: 10s

	// RecommendRate is how many POST /api/recommendations one caller may make per minute
	// (0: 6), RecommendAddrRate how many from one client address (0: 30). Each plan can
	// cost thousands of tokens, so these are far below the chat's rates.
	RecommendRate     int
	RecommendAddrRate int
}
