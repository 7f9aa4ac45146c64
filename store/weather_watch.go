package store

import (
	"context"
	"encoding/json"
	"fmt"

	"xingqu/dialog"
)

// WatchedTrip is a trip whose weather is watched for its traveller: the option they chose
// of the conversation's latest plan version, or the whole plan before one is chosen.
type WatchedTrip struct {
	ConversationID int64
	TravellerID    int64
	Lang           string
	Version        int // the plan version watched
	Trip           dialog.TripRequest
	// Chosen is the option the traveller chose, nil before one is: then the three
	// options share the trip's dates and place, and a suggested change applies to all.
	Chosen *dialog.Option
}

// Start and End are the first and last days watched: the chosen option's days when they
// carry dates, else the trip's.
func (w WatchedTrip) Start() dialog.Date {
	if w.Chosen != nil && len(w.Chosen.Days) > 0 && !w.Chosen.Days[0].Date.IsZero() {
		return w.Chosen.Days[0].Date
	}
	return *w.Trip.StartDate
}

func (w WatchedTrip) End() dialog.Date {
	if w.Chosen != nil && len(w.Chosen.Days) > 0 && !w.Chosen.Days[len(w.Chosen.Days)-1].Date.IsZero() {
		return w.Chosen.Days[len(w.Chosen.Days)-1].Date
	}
	if w.Trip.EndDate != nil {
		return *w.Trip.EndDate
	}
	return *w.Trip.StartDate
}

// PlanTrips returns, for travellers who want weather warnings, the trip of each
// conversation's latest plan version with the option they chose of it, when the trip
// starts within ahead days of today or is under way. Plans made more than a year ago are
// not read.
func PlanTrips(ctx context.Context, q Queryer, today dialog.Date, ahead int) ([]WatchedTrip, error) {
	var rows []struct {
		ConversationID int64  `db:"conversation_id"`
		TravellerID    int64  `db:"traveller_id"`
		Lang           string `db:"lang"`
		Version        int    `db:"version"`
		Chosen         string `db:"chosen"`
		Trip           []byte `db:"trip"`
		Options        []byte `db:"options"`
	}
	err := q.SelectContext(ctx, &rows, `
SELECT DISTINCT ON (p.conversation_id) p.conversation_id, c.traveller_id, c.lang, p.version,
	COALESCE(c.data->>'chosen', '') AS chosen, p.plan->'trip' AS trip, COALESCE(p.plan->'options', '[]') AS options
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
		w := WatchedTrip{ConversationID: r.ConversationID, TravellerID: r.TravellerID, Lang: r.Lang, Version: r.Version}
		if err := json.Unmarshal(r.Trip, &w.Trip); err != nil || w.Trip.StartDate == nil {
			continue
		}
		if r.Chosen != "" {
			var opts []dialog.Option
			if err := json.Unmarshal(r.Options, &opts); err != nil {
				continue
			}
			for i := range opts {
				if string(opts[i].Tier) == r.Chosen {
					w.Chosen = &opts[i]
				}
			}
		}
		start, end := w.Start(), w.End()
		if !dialog.WatchWeather(today, start, end) || today.DaysUntil(start) > ahead {
			continue
		}
		out = append(out, w)
	}
	return out, nil
}
