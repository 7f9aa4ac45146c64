package store

import (
	"context"
	"fmt"
	"time"
)

// RateCount is what counting one event under a limit found.
type RateCount struct {
	Allowed bool
	// First is true for the first event refused in its window, so that whoever is
	// refused hears about it once, not once per event.
	First      bool
	RetryAfter time.Duration // until the window ends
}

// CountRate counts an event under key in a fixed window of the given length, in the
// database so that the limit holds across instances, and says whether it is within limit.
func CountRate(ctx context.Context, q Queryer, key string, limit int, window time.Duration) (RateCount, error) {
	var r struct {
		Count int     `db:"count"`
		Left  float64 `db:"left"`
	}
	err := q.GetContext(ctx, &r, `
INSERT INTO rate_counts AS r (key, window_start, count) VALUES ($1, now(), 1)
ON CONFLICT (key) DO UPDATE SET
    count        = CASE WHEN r.window_start <= now() - $2 * interval '1 millisecond' THEN 1 ELSE r.count + 1 END,
    window_start = CASE WHEN r.window_start <= now() - $2 * interval '1 millisecond' THEN now() ELSE r.window_start END
RETURNING count, extract(epoch FROM window_start + $2 * interval '1 millisecond' - now())::float8 AS left`,
		key, window.Milliseconds())
	if err != nil {
		return RateCount{}, fmt.Errorf("rate %s: %w", key, err)
	}
	return rateCount(r.Count, r.Left, limit), nil
}

// rateCount reads a count and the seconds left in its window.
func rateCount(count int, left float64, limit int) RateCount {
	return RateCount{Allowed: count <= limit, First: count == limit+1,
		RetryAfter: max(time.Duration(left*float64(time.Second)), 0)}
}

// MessageRateKey names the count of one traveller's messages under XINGQU_MESSAGE_RATE.
func MessageRateKey(channel, externalID string) string {
	return "msg:" + channel + ":" + externalID
}
