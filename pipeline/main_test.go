package pipeline

import (
	"testing"

	"xingqu/providers/geo"
	"xingqu/store/storetest"
)

func TestMain(m *testing.M) {
	// Turns read messages against the gazetteer; reading it belongs to start-up, not to
	// the first test's time limit.
	geo.Warm()
	storetest.Main(m)
}
