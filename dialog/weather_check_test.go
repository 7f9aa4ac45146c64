package dialog

import (
	"strings"
	"testing"
)

// plannedWithoutWeather plays a conversation to a plan that came without a forecast (E-303).
func plannedWithoutWeather(t *testing.T, e *Engine, first string) *Conversation {
	t.Helper()
	c := &Conversation{}
	e.Handle(c, Inbound{Text: first})
	for i := 0; i < 4 && c.State != StatePlanning; i++ {
		if c.State == StateNeeds {
			e.Handle(c, Inbound{Text: "没有"})
		} else {
			e.Handle(c, Inbound{Text: "好"})
		}
	}
	if c.State != StatePlanning {
		t.Fatalf("state %s after confirming %q", c.State, first)
	}
	p := fakePlan(c)
	for i := range p.Options {
		for j := range p.Options[i].Days {
			p.Options[i].Days[j].Weather = nil
		}
	}
	p.WeatherNote = "E-303"
	e.Handle(c, Inbound{Event: EventPlanReady, PlanRequest: c.Memo.PlanRequest, Plan: p})
	if c.State != StatePlanned {
		t.Fatalf("state %s after the plan", c.State)
	}
	return c
}

// "Check the weather" under a plan without a forecast fetches it again when the trip is
// within the forecasts' reach, and answers with it when it comes.
func TestWeatherCheckedAgain(t *testing.T) {
	e := testEngine() // today is 2026-12-01
	c := plannedWithoutWeather(t, e, "福州, 12月5日到12月8日, 每人2000, 两个人, 喜欢海边")
	res := e.Handle(c, Inbound{Action: "weather"})
	var check *Effect
	for i, ef := range res.Effects {
		if ef.Kind == EffectCheckWeather {
			check = &res.Effects[i]
		}
	}
	if check == nil || check.Trip == nil || check.Trip.StartDate == nil || check.Trip.StartDate.Day != 5 {
		t.Fatalf("no forecast asked for: effects %+v", res.Effects)
	}
	if !strings.Contains(res.Replies[0].Text, "重新查询") {
		t.Errorf("first reply %q: want that the forecast is being checked", res.Replies[0].Text)
	}
	d := *check.Trip.StartDate
	res = e.Handle(c, Inbound{Event: EventWeather, Forecast: []DayWeather{
		{Date: d, Weather: Weather{Summary: "晴", TempMinC: 12, TempMaxC: 20}},
		{Date: d.AddDays(1), Weather: Weather{Summary: "小雨", TempMinC: 11, TempMaxC: 16}},
	}})
	if len(res.Replies) != 1 || !strings.Contains(res.Replies[0].Text, "12月5日 晴 12–20°C") || !strings.Contains(res.Replies[0].Text, "小雨") {
		t.Fatalf("forecast reply %+v", res.Replies)
	}
	// Asked again, the forecast is kept: no second request.
	res = e.Handle(c, Inbound{Text: "天气怎么样"})
	for _, ef := range res.Effects {
		if ef.Kind == EffectCheckWeather {
			t.Fatalf("forecast asked for again although it is known: %+v", res.Replies)
		}
	}
	if !strings.Contains(res.Replies[0].Text, "12月6日 小雨") {
		t.Errorf("weather asked again: %q", res.Replies[0].Text)
	}
}

// Still no forecast: the traveller is told so, plainly, once.
func TestWeatherStillUnavailable(t *testing.T) {
	e := testEngine()
	c := plannedWithoutWeather(t, e, "Kyoto, Dec 5 to Dec 8, 2 people, 1500 USD each, temples")
	e.Handle(c, Inbound{Action: "weather"})
	res := e.Handle(c, Inbound{Event: EventWeather})
	if len(res.Replies) != 1 || !strings.Contains(res.Replies[0].Text, "E-303") {
		t.Fatalf("replies %+v", res.Replies)
	}
}

// A trip beyond the forecasts' reach asks no service: the traveller is told when to ask.
func TestWeatherBeyondReachAsksNoService(t *testing.T) {
	e := testEngine()
	c := plannedWithoutWeather(t, e, "Kyoto, Jan 20 to Jan 24, 2 people, 1500 USD each, temples")
	res := e.Handle(c, Inbound{Text: "what's the weather like?"})
	for _, ef := range res.Effects {
		if ef.Kind == EffectCheckWeather {
			t.Fatalf("asked a service for dates 50 days out")
		}
	}
	if len(res.Replies) == 0 || !strings.Contains(res.Replies[0].Text, "beyond the forecasts' reach") {
		t.Fatalf("replies %+v", res.Replies)
	}
}
