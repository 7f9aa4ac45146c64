package telegram

import (
	"context"
	"strings"
	"testing"
	"time"
	"xingqu/pipeline"
)

// TestFloodGetsOneNotice: a traveller flooding the bot past XINGQU_MESSAGE_RATE has the
// extra messages dropped and hears about it once per window, not once per message.
func TestFloodGetsOneNotice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, func(_ *Config, p *pipeline.Pipeline) { p.MessageRate = 3 })
	for i := range 12 {
		e.fake.push(textUpdate(7000+i, 5001, "en", "hello"))
	}
	waitFor(t, "every update stored", 10*time.Second, func() bool {
		var n int
		e.db.GetContext(context.Background(), &n, `SELECT count(*) FROM telegram_updates`)
		return n == 12
	})
	e.settle()
	var stored int
	e.db.GetContext(context.Background(), &stored, `SELECT count(*) FROM inbox`)
	if stored != 3 {
		t.Errorf("%d messages stored, want the 3 within the rate", stored)
	}
	notices := 0
	for _, m := range e.fake.sent("sendMessage", "5001") {
		if strings.Contains(m.Params.Get("text"), "too fast") {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("%d notices about sending too fast, want 1:\n%s", notices, texts(e.fake.sent("sendMessage", "5001")))
	}
}
