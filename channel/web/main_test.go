package web

import (
	"testing"

	"xingqu/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
