package pipeline

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/notices"
	"xingqu/providers/emergency"
	"xingqu/providers/geo"
	"xingqu/store"
	"xingqu/store/storetest"
)

// downExtractor is a language model that never answers in time: every provider down.
type downExtractor struct{}

func (downExtractor) Extract(ctx context.Context, _ string, _ dialog.ParseContext, _ string) (*dialog.Extraction, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func newCarePipeline(t testing.TB) *Pipeline {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	db := storetest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &Pipeline{
		DB: db,
		Engine: &dialog.Engine{Now: func() time.Time { return testNow }, DefaultLoc: sh, Places: geo.Places{},
			EmergencyHelp: emergency.Help},
		Extractor: downExtractor{},
		Notices:   &notices.NoticeBoard{DB: db, Log: log, TTL: time.Millisecond},
		Log:       log,
	}
}

// say sends one message and returns the bot's replies to it and how long the turn took.
func say(t *testing.T, p *Pipeline, who, text string) (int64, string, time.Duration) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	convID, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: who, InboundID: who + ":" + text + time.Now().String(), Text: text})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	ms := transcript(t, p.DB, convID)
	var out []string
	for i := len(ms) - 1; i >= 0 && ms[i].Role != "traveller"; i-- {
		out = append([]string{ms[i].Text}, out...)
	}
	return convID, strings.Join(out, "\n"), took
}

func firstWaiting(t *testing.T, db *store.DB) int64 {
	t.Helper()
	rows, err := store.AgentQueue(context.Background(), db, store.QueueWaiting, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		return 0
	}
	return rows[0].ID
}

// "我的护照丢了" from a traveller going to Fuzhou, "I was hit by a car" from one in Lisbon
// and a theft in Tokyo, with the language model down: each is answered within a second
// with that country's numbers and the advice for the trouble, opens an urgent case and
// puts the conversation first in the agents' queue, ahead of an earlier request for a
// person. The same holds during a maintenance window.
func TestEmergencyFirstReplyWithProvidersDown(t *testing.T) {
	t.Parallel()
	p := newCarePipeline(t)
	ctx := context.Background()
	say(t, p, "asker", "/human") // waiting since before every emergency below
	cases := []struct {
		who, trip, text string
		category        string
		country         string
		want            []string
		maintenance     bool
	}{
		{"fz", "我想去福州，12月25日到12月30日", "我的护照丢了", "documents", "CN", []string{"警察 110", "急救 120", "火警 119", "出入境"}, false},
		{"lx", "Lisbon, Dec 20-24", "I was hit by a car", "injury", "PT", []string{"112", "Portugal", "bleeding"}, false},
		{"tk", "Tokyo from Dec 20 to Dec 24", "someone stole my wallet", "crime", "JP", []string{"police 110", "ambulance 119"}, false},
		{"fz2", "我想去福州，12月25日到12月30日", "我的护照丢了", "documents", "CN", []string{"警察 110", "急救 120"}, true},
	}
	for _, tc := range cases {
		say(t, p, tc.who, tc.trip)
		if tc.maintenance {
			if _, err := store.SetMaintenance(ctx, p.DB, store.Maintenance{On: true, Message: "升级中"}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond) // past the board's TTL
			if !p.Notices.Downtime(ctx).Active {
				t.Fatal("maintenance not seen")
			}
		}
		convID, got, took := say(t, p, tc.who, tc.text)
		if took > time.Second {
			t.Errorf("%s: first reply after %v, want within 1s", tc.text, took)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: reply lacks %q:\n%s", tc.text, w, got)
			}
		}
		if tc.maintenance && strings.Contains(got, "升级中") {
			t.Errorf("during maintenance the emergency got the notice:\n%s", got)
		}
		c, err := store.OpenCaseOf(ctx, p.DB, convID)
		if err != nil {
			t.Fatalf("%s: no open case: %v", tc.text, err)
		}
		if c.Kind != store.CaseEmergency || c.Priority != store.CaseUrgent || c.Category != tc.category || c.Country != tc.country {
			t.Errorf("%s: case %+v", tc.text, c)
		}
		if first := firstWaiting(t, p.DB); first != convID {
			t.Errorf("%s: first in the queue is %d, want %d", tc.text, first, convID)
		}
		if _, err := store.SetMaintenance(ctx, p.DB, store.Maintenance{On: false}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		t.Logf("%s: first reply in %v", tc.text, took)
		// An agent has dealt with it, so that the next traveller's emergency is the only one.
		if _, err := p.DB.ExecContext(ctx, `UPDATE conversations SET status = 'bot', priority = 0 WHERE id = $1`, convID); err != nil {
			t.Fatal(err)
		}
	}
}
