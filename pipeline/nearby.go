package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/providers/geo"
	"xingqu/store"
)

// JobNearby is the kind of the jobs that look up help near a traveller in trouble.
const JobNearby = "nearby"

// NearbyJob is the payload of a JobNearby job.
type NearbyJob struct {
	ConversationID int64   `json:"conversationId"`
	Category       string  `json:"category"`
	Lat            float64 `json:"lat"`
	Lon            float64 `json:"lon"`
	Lang           string  `json:"lang"`
}

// nearbyJob queues the look-up a turn asked for, when the emergency needs a place nearby.
func nearbyJob(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, e dialog.Effect) error {
	if e.Place == nil {
		return nil
	}
	if _, ok := geo.FacilityFor(dialog.EmergencyCategory(e.Category)); !ok {
		return nil
	}
	_, err := store.EnqueueJob(ctx, tx, JobNearby, conv.ID, NearbyJob{ConversationID: conv.ID, Category: e.Category,
		Lat: e.Place.Lat, Lon: e.Place.Lon, Lang: e.Lang}, time.Time{})
	return err
}

// FacilityFinder finds hospitals or police stations near a point (geo.Resolver).
type FacilityFinder interface {
	Nearby(ctx context.Context, lat, lon float64, kind, lang string) ([]geo.Facility, error)
}

// NearbyWorker answers a traveller in trouble who shared where they are with the nearest
// hospitals or police stations, outside the turn that queued the question: the geocoder
// is a network call. Without an answer the traveller is told to ask locally.
type NearbyWorker struct {
	Pipeline *Pipeline
	Finder   FacilityFinder
	Poll     time.Duration // 0: 250 ms
	Log      *slog.Logger
}

// Run takes nearby jobs until ctx ends.
func (w *NearbyWorker) Run(ctx context.Context) {
	poll := w.Poll
	if poll == 0 {
		poll = 250 * time.Millisecond
	}
	for ctx.Err() == nil {
		job, err := store.ClaimJob(ctx, w.Pipeline.DB, []string{JobNearby}, time.Minute)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("claim nearby job", "err", err)
		}
		if job == nil {
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
			continue
		}
		if err := w.process(ctx, job); err != nil && ctx.Err() == nil {
			w.Log.Warn("nearby job", "job", job.ID, "err", err)
			releaseJob(ctx, w.Pipeline.DB, w.Log, job, "nearby job", err, time.Now().Add(5*time.Second))
		}
	}
}

func (w *NearbyWorker) process(ctx context.Context, job *store.Job) error {
	var nj NearbyJob
	if err := json.Unmarshal(job.Payload, &nj); err != nil {
		dropJob(ctx, w.Pipeline.DB, w.Log, job, "nearby job", err)
		return nil
	}
	kind, _ := geo.FacilityFor(dialog.EmergencyCategory(nj.Category))
	var found []geo.Facility
	var err error
	if w.Finder != nil {
		fctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		found, err = w.Finder.Nearby(fctx, nj.Lat, nj.Lon, kind, nj.Lang)
		cancel()
	}
	if err != nil && !errors.Is(err, geo.ErrNoNearbyService) {
		w.Log.Info("nearby look-up failed; the traveller is told to ask locally", "conversation", nj.ConversationID, "err", err)
	}
	return w.Pipeline.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		conv, travellerID, err := store.LockConversation(ctx, tx, nj.ConversationID)
		if err != nil {
			return err
		}
		text := nearbyText(conv.Lang, kind, found)
		if _, err := store.AddMessage(ctx, tx, conv.ID, "bot", text, store.MessageBody{Kind: dialog.ReplyText}); err != nil {
			return err
		}
		if w.Pipeline.Outbox != nil {
			if err := w.Pipeline.Outbox.WriteReplies(ctx, tx, &conv, travellerID, []dialog.Reply{{Kind: dialog.ReplyText, Text: text}}); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
		}
		if _, err := store.CompleteJob(ctx, tx, job.ID); err != nil {
			return err
		}
		return w.Pipeline.notify(ctx, tx, conv.ID)
	})
}

// nearbyText lists the facilities found, nearest first, or says to ask locally.
func nearbyText(lang, kind string, found []geo.Facility) string {
	if len(found) == 0 {
		return dialog.T(lang, "nearby_none")
	}
	lines := []string{dialog.T(lang, "nearby_"+kind)}
	for i, f := range found {
		dist := fmt.Sprintf("%.0f m", f.DistanceM)
		if f.DistanceM >= 1000 {
			dist = fmt.Sprintf("%.1f km", f.DistanceM/1000)
		}
		line := fmt.Sprintf("%d. %s (%s)", i+1, f.Name, dist)
		if f.Address != "" && f.Address != f.Name {
			line += " — " + f.Address
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
