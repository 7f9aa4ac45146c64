package pipeline

import (
	"context"
	"testing"

	"xingqu/store"
)

// "/alerts off" and "开启天气预警" switch the traveller's weather warnings, which the
// daily check reads (store.PlanTrips).
func TestAlertsCommandSwitchesWarnings(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx := context.Background()
	var travellerID int64
	for i, tc := range []struct {
		text string
		on   bool
	}{{"/alerts off", false}, {"开启天气预警", true}, {"turn off weather alerts", false}} {
		convID, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "al", InboundID: "al" + string(rune('0'+i)), Text: tc.text})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.DB.GetContext(ctx, &travellerID, `SELECT traveller_id FROM conversations WHERE id = $1`, convID); err != nil {
			t.Fatal(err)
		}
		on, err := store.WeatherAlertsOn(ctx, p.DB, travellerID)
		if err != nil || on != tc.on {
			t.Errorf("after %q: warnings on = %v (%v), want %v", tc.text, on, err, tc.on)
		}
	}
}
