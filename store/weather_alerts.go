package store

import (
	"context"
	"fmt"
	"time"

	"xingqu/dialog"
)

// ClaimDailyRun claims today's run of a daily job for one instance: true for the first
// caller of the day, false for every other, on any instance. Claim it in the transaction
// that does the work when the work must not be lost with a crash.
func ClaimDailyRun(ctx context.Context, q Queryer, name string, day dialog.Date, instance string) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO daily_runs (name, day, instance) VALUES ($1, $2, $3)
ON CONFLICT (name, day) DO NOTHING`, name, day.String(), instance)
	if err != nil {
		return false, fmt.Errorf("claim daily run %s %s: %w", name, day, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ClaimWeatherAlert claims the warning about hazard on day for a conversation: true
// once, false ever after. Claim it in the transaction that queues the message, so that a
// message is queued exactly when the claim holds.
func ClaimWeatherAlert(ctx context.Context, q Queryer, conversationID int64, day dialog.Date, hazard dialog.WeatherHazard) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO weather_alerts (conversation_id, day, hazard) VALUES ($1, $2, $3)
ON CONFLICT (conversation_id, day, hazard) DO NOTHING`, conversationID, day.String(), string(hazard))
	if err != nil {
		return false, fmt.Errorf("claim weather alert %d %s %s: %w", conversationID, day, hazard, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// WeatherAlertSent is one warning already claimed.
type WeatherAlertSent struct {
	Day       time.Time `db:"day"`
	Hazard    string    `db:"hazard"`
	CreatedAt time.Time `db:"created_at"`
}

// WeatherAlertsSent lists a conversation's warnings, oldest first.
func WeatherAlertsSent(ctx context.Context, q Queryer, conversationID int64) ([]WeatherAlertSent, error) {
	var out []WeatherAlertSent
	err := q.SelectContext(ctx, &out, `SELECT day, hazard, created_at FROM weather_alerts
WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("weather alerts of %d: %w", conversationID, err)
	}
	return out, nil
}

// SetWeatherAlerts turns a traveller's weather warnings on or off.
func SetWeatherAlerts(ctx context.Context, q Queryer, travellerID int64, on bool) error {
	res, err := q.ExecContext(ctx, `UPDATE travellers SET weather_alerts = $2 WHERE id = $1`, travellerID, on)
	if err != nil {
		return fmt.Errorf("weather alerts of traveller %d: %w", travellerID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// WeatherAlertsOn reports whether a traveller wants weather warnings (the default).
func WeatherAlertsOn(ctx context.Context, q Queryer, travellerID int64) (bool, error) {
	var on bool
	if err := q.GetContext(ctx, &on, `SELECT weather_alerts FROM travellers WHERE id = $1`, travellerID); err != nil {
		return false, fmt.Errorf("weather alerts of traveller %d: %w", travellerID, err)
	}
	return on, nil
}
