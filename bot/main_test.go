package bot

import (
	"os"
	"testing"

	"xingqu/store/storetest"
)

func TestMain(m *testing.M) {
	if base := os.Getenv(streamClientEnv); base != "" {
		os.Exit(streamClient(base))
	}
	storetest.Main(m)
}
