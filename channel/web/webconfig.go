package web

import (
	"time"

	"xingqu/api"
	"xingqu/store"
)

// Config configures the web widget and its event streams.
type Config struct {
	WidgetOrigins  []string // origins allowed to call the widget API from a browser
	SessionRate    int      // new widget sessions per client IP per hour; 0: 60
	MessageRate    int      // messages per traveller per minute (counted by the pipeline); ten times it per client address; 0: 30
	TrustedProxies api.Proxies
	// Listener is the process's notification listener, which wakes event streams; nil
	// leaves them to their polls (tests of a single handler).
	Listener *store.Listener

	StreamsPerAddr     int           // event streams open at once from one client address; 0: 20
	StreamWriteTimeout time.Duration // a stream whose client takes longer to accept a write is dropped; 0: 10s
}
