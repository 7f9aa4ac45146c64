package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/lib/pq"

	"xingqu/dialog"
)

// A widget visitor who asks to subscribe is told where notices show and subscribed to
// nothing; a Telegram traveller gets exactly the kinds named.
func TestSubscribeByChannel(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx := context.Background()
	web, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "w1", InboundID: "w1", Text: "/subscribe maintenance"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Handle(ctx, Inbound{Channel: "telegram", ExternalID: "41", InboundID: "t1", Text: "/subscribe maintenance downtime"}); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Channel string         `db:"channel"`
		Types   pq.StringArray `db:"types"`
	}
	if err := p.DB.SelectContext(ctx, &rows, `SELECT t.channel, s.types FROM subscriptions s JOIN travellers t ON t.id = s.traveller_id`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Channel != "telegram" || strings.Join(rows[0].Types, ",") != "maintenance,downtime" {
		t.Fatalf("subscriptions: %+v", rows)
	}
	ms := transcript(t, p.DB, web)
	if len(ms) < 2 || ms[1].Text != dialog.T(dialog.LangEN, "notices_web") {
		t.Fatalf("widget reply: %+v", ms)
	}
}
