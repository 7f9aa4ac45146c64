package httpapi

import (
	"os"
	"testing"

	"xingqu/providers/geo"
	"xingqu/store/storetest"
)

func TestMain(m *testing.M) {
	if base := os.Getenv(streamClientEnv); base != "" {
		os.Exit(streamClient(base))
	}
	// Turns read messages against the gazetteer; reading it belongs to start-up, not to
	// the first test's time limit.
	geo.Warm()
	storetest.Main(m)
}
