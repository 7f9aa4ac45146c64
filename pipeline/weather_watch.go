package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// Forecaster reads the days of a forecast the weather warnings look at.
type Forecaster interface {
	Conditions(ctx context.Context, place dialog.Place, from, to dialog.Date) ([]dialog.DayConditions, error)
}

// WeatherWatch warns travellers, once a day across all instances, about severe weather
// on the days of a trip that starts within dialog.AlertWindowDays or is under way: one
// message per day and hazard, in the traveller's language, with an indoor alternative.
type WeatherWatch struct {
	DB       *store.DB
	Weather  Forecaster
	Pipeline *Pipeline     // its Outbox carries the warnings to the traveller's channel
	Places   dialog.Places // places a trip whose destination was never resolved; optional
	Instance string        // names the instance in the daily claim
	Loc      *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	// Trips are the trips watched. Nil: the option chosen of each conversation's latest
	// plan, or that plan's trip before one is chosen (store.PlanTrips).
	Trips func(ctx context.Context, q store.Queryer, today dialog.Date) ([]store.WatchedTrip, error)
}

// weatherRun names the daily job in daily_runs.
const weatherRun = "weather_alerts"

func (w *WeatherWatch) today() dialog.Date {
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	loc := w.Loc
	if loc == nil {
		loc = time.UTC
	}
	return dialog.DateOf(now.In(loc))
}

func (w *WeatherWatch) trips(ctx context.Context, today dialog.Date) ([]store.WatchedTrip, error) {
	if w.Trips != nil {
		return w.Trips(ctx, w.DB, today)
	}
	return store.PlanTrips(ctx, w.DB, today, dialog.AlertWindowDays)
}

// Run checks once at start and then every interval; only the first check of a day, on
// any instance, does the work.
func (w *WeatherWatch) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := w.Check(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("weather warnings", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check runs today's check unless an instance has already claimed it, and returns how
// many warnings it queued. The claim is taken before the forecasts are read, outside any
// transaction: a crash loses that day's check, and the next day's finds the days still
// ahead, since a warning is claimed only when it is queued.
func (w *WeatherWatch) Check(ctx context.Context) (sent int, err error) {
	today := w.today()
	claimed, err := store.ClaimDailyRun(ctx, w.DB, weatherRun, today, w.Instance)
	if err != nil || !claimed {
		return 0, err
	}
	trips, err := w.trips(ctx, today)
	if err != nil {
		return 0, err
	}
	for _, tr := range trips {
		n, err := w.checkTrip(ctx, today, tr)
		if err != nil {
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
			w.Log.Warn("weather warnings: trip", "conversation", tr.ConversationID, "err", err)
		}
		sent += n
	}
	w.Log.Info("weather warnings checked", "day", today.String(), "trips", len(trips), "sent", sent)
	return sent, nil
}

// checkTrip reads the forecast of one trip's remaining days and warns about each severe one.
func (w *WeatherWatch) checkTrip(ctx context.Context, today dialog.Date, tr store.WatchedTrip) (int, error) {
	place := tr.Trip.Place
	if (place == nil || place.Lat == 0 && place.Lon == 0) && w.Places != nil && tr.Trip.Destination != "" {
		place = w.Places.Lookup(tr.Trip.Destination, tr.Lang).Place
	}
	if place == nil || place.Lat == 0 && place.Lon == 0 {
		return 0, nil // nowhere to forecast for
	}
	start, end := tr.Start(), tr.End()
	from := start
	if from.Before(today) {
		from = today
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	days, err := w.Weather.Conditions(ctx, *place, from, end)
	if err != nil {
		return 0, fmt.Errorf("forecast: %w", err)
	}
	sent := 0
	for _, d := range days {
		hazard, severe := dialog.SevereWeather(d)
		if !severe {
			continue
		}
		ok, err := w.warn(ctx, tr, place.Name, start.DaysUntil(d.Date)+1, hazard, d)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// warn queues one warning, unless one about that day and hazard was queued before.
func (w *WeatherWatch) warn(ctx context.Context, tr store.WatchedTrip, place string, dayNo int, h dialog.WeatherHazard, d dialog.DayConditions) (sent bool, err error) {
	err = w.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		conv, travellerID, err := store.LockConversation(ctx, tx, tr.ConversationID)
		if err != nil {
			return err
		}
		if sent, err = store.ClaimWeatherAlert(ctx, tx, conv.ID, d.Date, h); err != nil || !sent {
			return err
		}
		lang := conv.Lang
		if lang == "" {
			lang = tr.Lang
		}
		if tr.Trip.Destination != "" {
			place = tr.Trip.Destination
		}
		a := dialog.NewWeatherAlert(lang, h, place, dayNo, d)
		if tr.Chosen != nil && dayNo <= len(tr.Chosen.Days) {
			a = dialog.NewChosenWeatherAlert(lang, h, place, dayNo, d, tr.Chosen.Tier, tr.Chosen.Days[dayNo-1])
		}
		reply := dialog.Reply{Kind: dialog.ReplyText, Text: a.Text, Choices: a.Choices}
		if _, err := store.AddMessage(ctx, tx, conv.ID, "bot", reply.Text, store.MessageBody{Kind: reply.Kind, Choices: reply.Choices}); err != nil {
			return err
		}
		if w.Pipeline != nil && w.Pipeline.Outbox != nil {
			if err := w.Pipeline.Outbox.WriteReplies(ctx, tx, &conv, travellerID, []dialog.Reply{reply}); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
		}
		return store.NotifyAfterCommit(ctx, tx, store.ConversationChannel, strconv.FormatInt(conv.ID, 10))
	})
	return sent, err
}
