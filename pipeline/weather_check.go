package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// JobWeather is the kind of jobs that fetch a planned trip's forecast again, for a
// traveller who asks for the weather under a plan that came without one (E-303).
const JobWeather = "weather"

// WeatherJob is the payload of a forecast check.
type WeatherJob struct {
	ConversationID int64              `json:"conversationId"`
	Trip           dialog.TripRequest `json:"trip"`
	Lang           string             `json:"lang"`
}

// WeatherFunc fetches the forecast of a trip's dates at its destination. It runs with no
// transaction open; an error means no service could say.
type WeatherFunc func(ctx context.Context, trip dialog.TripRequest, lang string) ([]dialog.DayWeather, error)

// weatherCheckTimeout bounds one check: the traveller was told it is being checked, and a
// late "no forecast" is better than none.
const weatherCheckTimeout = 10 * time.Second

// checkWeather answers a forecast check once: what the services say, or that they still
// cannot say. It is not retried: the traveller can ask again.
func (w *PlanWorker) checkWeather(ctx context.Context, job *store.Job) {
	var wj WeatherJob
	if err := json.Unmarshal(job.Payload, &wj); err != nil {
		dropJob(ctx, w.Pipeline.DB, w.Log, job, "forecast check", err)
		return
	}
	wctx, cancel := context.WithTimeout(ctx, weatherCheckTimeout)
	days, err := w.Weather(wctx, wj.Trip, wj.Lang)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			// Shutting down: the check runs again, here or elsewhere, when its lease ends.
			return
		}
		w.Log.Info("forecast still unavailable", "conversation", wj.ConversationID, "err", err)
		days = nil
	}
	bg := context.WithoutCancel(ctx)
	err = w.Pipeline.DB.InTx(bg, func(tx *sqlx.Tx) error {
		if _, _, err := store.LockConversation(bg, tx, wj.ConversationID); err != nil {
			return err
		}
		if first, err := store.CompleteJob(bg, tx, job.ID); err != nil {
			return err
		} else if !first {
			return errDone
		}
		return w.Pipeline.EventTx(bg, tx, wj.ConversationID, dialog.Inbound{Event: dialog.EventWeather, Forecast: days})
	})
	if err != nil && !errors.Is(err, errDone) {
		w.Log.Error("deliver forecast", "job", job.ID, "conversation", wj.ConversationID, "err", err)
		releaseJob(bg, w.Pipeline.DB, w.Log, job, "forecast check", err, time.Now().Add(w.retryAfter()))
	}
}
