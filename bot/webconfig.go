package bot

import (
	"net/netip"
	"time"
)

// WebConfig configures the web widget, the console and their accounts.
type WebConfig struct {
	PublicURL      string
	WidgetOrigins  []string // origins allowed to call the widget API from a browser
	SessionRate    int      // new widget sessions per client IP per hour; 0: 60
	MessageRate    int      // messages per traveller per minute (counted by the pipeline); ten times it per client address; 0: 30
	TrustedProxies []netip.Prefix
	// ListenURL is the database URL a LISTEN connection is opened on; empty disables live
	// events across instances (tests of a single handler).
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
