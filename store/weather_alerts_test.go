package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"xingqu/dialog"
	"xingqu/store"
	"xingqu/store/storetest"
)

// Two instances checking the same forecast at once, and a second check the same day,
// claim one warning between them; a claim rolled back with its transaction is not spent.
func TestClaimWeatherAlertOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "wx")
	day2 := dialog.Date{Year: 2026, Month: 10, Day: 26}

	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := store.ClaimWeatherAlert(ctx, tx, conv, day2, dialog.HazardStorm); !ok || err != nil {
		t.Fatalf("claim in a transaction: %v %v", ok, err)
	}
	tx.Rollback() // the message could not be queued: the warning is still to send

	var won atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := db.BeginTxx(ctx, nil)
			if err != nil {
				t.Error(err)
				return
			}
			defer tx.Rollback()
			ok, err := store.ClaimWeatherAlert(ctx, tx, conv, day2, dialog.HazardStorm)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				won.Add(1)
			}
			if err := tx.Commit(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d instances claimed the warning, want 1", won.Load())
	}
	if ok, _ := store.ClaimWeatherAlert(ctx, db, conv, day2, dialog.HazardStorm); ok {
		t.Error("a second check the same day claimed it again")
	}
	// Another hazard, or another day, is another warning.
	if ok, _ := store.ClaimWeatherAlert(ctx, db, conv, day2, dialog.HazardHeavyRain); !ok {
		t.Error("heavy rain on the same day was refused")
	}
	if ok, _ := store.ClaimWeatherAlert(ctx, db, conv, day2.AddDays(1), dialog.HazardStorm); !ok {
		t.Error("a storm on the next day was refused")
	}
	sent, err := store.WeatherAlertsSent(ctx, db, conv)
	if err != nil || len(sent) != 3 || sent[0].Hazard != "storm" || sent[0].Day.Format("2006-01-02") != "2026-10-26" {
		t.Fatalf("sent = %+v, %v", sent, err)
	}
}

func TestClaimDailyRunOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	today := dialog.Date{Year: 2026, Month: 10, Day: 24}
	var won atomic.Int32
	var wg sync.WaitGroup
	for _, inst := range []string{"a", "b", "c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := store.ClaimDailyRun(ctx, db, "weather-alerts", today, inst)
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d instances ran today's check, want 1", won.Load())
	}
	if ok, _ := store.ClaimDailyRun(ctx, db, "weather-alerts", today.AddDays(1), "a"); !ok {
		t.Error("tomorrow's run refused")
	}
	if ok, _ := store.ClaimDailyRun(ctx, db, "backup", today, "a"); !ok {
		t.Error("another job's run refused")
	}
}

func TestWeatherAlertsSwitch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	tr, err := store.EnsureTraveller(ctx, db, "telegram", "42", "Li", "zh", "")
	if err != nil {
		t.Fatal(err)
	}
	if on, err := store.WeatherAlertsOn(ctx, db, tr.ID); !on || err != nil {
		t.Fatalf("default: %v %v, want on", on, err)
	}
	if err := store.SetWeatherAlerts(ctx, db, tr.ID, false); err != nil {
		t.Fatal(err)
	}
	if on, _ := store.WeatherAlertsOn(ctx, db, tr.ID); on {
		t.Error("still on after turning off")
	}
	if err := store.SetWeatherAlerts(ctx, db, 999999, true); err != store.ErrNotFound {
		t.Errorf("unknown traveller: %v", err)
	}
}
