package store

import (
	"context"
	"encoding/json"
	"fmt"

	"xingqu/dialog"
)

// WatchedTrip is a trip whose weather is watched for its traveller.
type WatchedTrip struct {
	ConversationID int64
	TravellerID    int64
	Lang           string
	Trip           dialog.TripRequest
}

// LatestPlanTrips returns the trip of each conversation's latest plan, for travellers who
// want weather warnings, when the trip starts within ahead days of today or is under
// way. Plans made more than a year ago are not read.
func LatestPlanTrips(ctx context.Context, q Queryer, today dialog.Date, ahead int) ([]WatchedTrip, error) {
	var rows []struct {
		ConversationID int64  `db:"conversation_id"`
		TravellerID    int64  `db:"traveller_id"`
		Lang           string `db:"lang"`
		Trip           []byte `db:"trip"`
	}
	err := q.SelectContext(ctx, &rows, `
SELECT DISTINCT ON (p.conversation_id) p.conversation_id, c.traveller_id, c.lang, p.plan->'trip' AS trip
FROM plans p
JOIN conversations c ON c.id = p.conversation_id
JOIN travellers t ON t.id = c.traveller_id
WHERE t.weather_alerts AND p.created_at > now() - interval '1 year'
ORDER BY p.conversation_id, p.version DESC`)
	if err != nil {
		return nil, fmt.Errorf("latest plans' trips: %w", err)
	}
	var out []WatchedTrip
	for _, r := range rows {
		var tr dialog.TripRequest
		if err := json.Unmarshal(r.Trip, &tr); err != nil || tr.StartDate == nil {
			continue
		}
		end := *tr.StartDate
		if tr.EndDate != nil {
			end = *tr.EndDate
		}
		if !dialog.WatchWeather(today, *tr.StartDate, end) || today.DaysUntil(*tr.StartDate) > ahead {
			continue
		}
		out = append(out, WatchedTrip{ConversationID: r.ConversationID, TravellerID: r.TravellerID, Lang: r.Lang, Trip: tr})
	}
	return out, nil
}
