package httpapi

import (
	"strings"
	"testing"
	"time"

	"xingqu/providers/emergency"
)

// The widget's share-location button: a point from the browser brings the numbers of
// the country it is in; a refusal gets E-202 with the other ways to say where.
func TestWidgetSharesLocationInAnEmergency(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	e.pipe.Engine.EmergencyHelp = emergency.Help
	ws := e.session("en")
	all := func() string {
		var b strings.Builder
		for _, m := range e.history(ws.Token, "").Messages {
			b.WriteString(m.Text + "\n")
		}
		return b.String()
	}
	post := func(body map[string]any, want string) {
		t.Helper()
		if code := e.do("POST", "/api/widget/messages", ws.Token, body, nil); code != 202 {
			t.Fatalf("post %v: %d", body, code)
		}
		waitFor(t, 10*time.Second, want, func() bool { return strings.Contains(all(), want) })
	}
	post(map[string]any{"text": "help, someone stole my bag"}, "which country")
	offered := false
	for _, m := range e.history(ws.Token, "").Messages {
		for _, b := range m.Buttons {
			offered = offered || b.Action == "location"
		}
	}
	if !offered {
		t.Fatal("no share-location button")
	}
	post(map[string]any{"action": "location:denied"}, "E-202")
	post(map[string]any{"location": map[string]float64{"lat": 35.66, "lon": 139.70}}, "police 110")
	if got := all(); !strings.Contains(got, "Japan") {
		t.Errorf("no Japan in:\n%s", got)
	}
	if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]any{"location": map[string]float64{"lat": 200, "lon": 0}}, nil); code != 400 {
		t.Errorf("a point off the Earth: %d, want 400", code)
	}
}
