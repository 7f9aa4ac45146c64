package telegram

import (
	"context"
	"strings"
	"testing"

	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/emergency"
)

type tokyoGeo struct{}

func (tokyoGeo) Reverse(ctx context.Context, lat, lon float64, lang string) (dialog.Place, error) {
	return dialog.Place{Name: "Shibuya", CountryCode: "JP", Lat: lat, Lon: lon}, nil
}

// An emergency with nowhere known asks for the location with Telegram's own button
// (request_location on a reply keyboard); the location shared brings Japan's numbers,
// and the "I'm safe now" button, sent as its label, is understood.
func TestEmergencyAsksForTheLocation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, func(_ *Config, p *pipeline.Pipeline) { p.Engine.EmergencyHelp = emergency.Help })
	e.ch.geo = tokyoGeo{}
	e.say(textUpdate(1, 3001, "en", "/sos"))
	m := e.lastWithButtons("3001")
	markup := m.Params.Get("reply_markup")
	if !strings.Contains(markup, `"keyboard"`) || !strings.Contains(markup, `"request_location":true`) || !strings.Contains(markup, "I'm safe now") {
		t.Fatalf("reply markup %s, want a reply keyboard with a location button", markup)
	}
	e.say(messageUpdate(2, 3001, "en", map[string]any{"location": map[string]any{"latitude": 35.66, "longitude": 139.70}}))
	got := texts(e.fake.sent("sendMessage", "3001"))
	for _, w := range []string{"Shibuya", "Japan", "police 110", "ambulance 119"} {
		if !strings.Contains(got, w) {
			t.Errorf("after sharing the location, no %q in:\n%s", w, got)
		}
	}
	e.say(textUpdate(3, 3001, "en", "I'm safe now"))
	var state, status string
	e.db.QueryRowContext(context.Background(), `SELECT state, status FROM conversations WHERE id = $1`, e.conversation("3001")).Scan(&state, &status)
	if state == dialog.StateEmergency || status != string(dialog.StatusWaiting) {
		t.Errorf("after \"I'm safe now\": state %s status %s; want the emergency over, still waiting for an agent", state, status)
	}
	e.checkAllValid()
}
