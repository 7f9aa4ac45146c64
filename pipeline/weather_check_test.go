package pipeline

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/offline"
)

// A traveller whose plan came without a forecast (E-303) presses "check the weather": the
// forecast is fetched again off the turn, and arrives as the next message. (What is said
// when it is still unavailable is the dialog's: TestWeatherStillUnavailable.)
func TestWeatherCheckedAgainOffTheTurn(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	forecast := func(_ context.Context, trip dialog.TripRequest, lang string) ([]dialog.DayWeather, error) {
		calls.Add(1)
		return []dialog.DayWeather{{Date: *trip.StartDate, Weather: dialog.Weather{Summary: "晴", TempMinC: 9, TempMaxC: 17}}}, nil
	}
	noWeather := func(_ context.Context, job PlanJob, _ ReportFunc) (dialog.Plan, error) {
		plan := offline.Plan(job.Trip, job.Lang, testNow)
		plan.WeatherNote = "E-303"
		return plan, nil
	}
	w := &PlanWorker{Pipeline: p, Plan: noWeather, Weather: forecast, Poll: 20 * time.Millisecond, Log: p.Log}
	go w.Run(ctx)

	var convID int64
	say := func(i int, text, action string) {
		t.Helper()
		id, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "wx", InboundID: fmt.Sprint("wx", i), Text: text, Action: action})
		if err != nil {
			t.Fatal(err)
		}
		convID = id
	}
	say(0, "福州, 12月3日到12月5日, 每人2000, 带孩子, 喜欢海边", "")
	say(1, "好", "")
	waitUntil(t, 10*time.Second, "plan delivered", func() bool { return planMessages(t, p.DB, convID) == 1 })

	say(2, "", "weather")
	waitUntil(t, 10*time.Second, "the forecast", func() bool { return botSaid(t, p, convID, "12月3日 晴 9–17°C") })
	if !botSaid(t, p, convID, "重新查询") {
		t.Error("the traveller was not told the forecast is being checked")
	}
	// Asked again, the forecast now known is given at once, without a second check.
	say(3, "天气怎么样", "")
	waitUntil(t, 5*time.Second, "the forecast again", func() bool { return countBotSaid(t, p, convID, "12月3日 晴") == 2 })
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d forecast checks, want 1", n)
	}
}

func countBotSaid(t *testing.T, p *Pipeline, convID int64, contains string) int {
	t.Helper()
	var n int
	if err := p.DB.GetContext(context.Background(), &n,
		`SELECT count(*) FROM messages WHERE conversation_id = $1 AND role = 'bot' AND strpos(text, $2) > 0`, convID, contains); err != nil {
		t.Fatal(err)
	}
	return n
}

func botSaid(t *testing.T, p *Pipeline, convID int64, contains string) bool {
	return countBotSaid(t, p, convID, contains) > 0
}
