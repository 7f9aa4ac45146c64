package httpapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"xingqu/dialog"
	"xingqu/notices"
	"xingqu/store"
)

// ChangelogFeed is the latest completed updates for /changelog in chat, read from
// PostgreSQL at most once per TTL: a turn does no I/O of its own, and the list changes
// only when an admin completes an update.
type ChangelogFeed struct {
	DB  *store.DB
	TTL time.Duration // how stale the list may be; default 30 s
	Log *slog.Logger

	mu     sync.Mutex
	loaded time.Time
	past   []store.Announcement
}

// changelogInChat is how many updates the feed keeps; the page lists the rest.
const changelogInChat = 6

// Entries lists the latest completed updates in lang, newest first. It fits
// dialog.Engine.Changelog, which has no context: the read is bounded by its own.
func (f *ChangelogFeed) Entries(lang string) []dialog.ChangeEntry {
	past := f.read()
	out := make([]dialog.ChangeEntry, 0, len(past))
	for _, a := range past {
		out = append(out, dialog.ChangeEntry{When: changelogDate(a), Type: a.Type, Title: notices.WordsOf(a, lang).Title})
	}
	return out
}

func (f *ChangelogFeed) read() []store.Announcement {
	ttl := f.TTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.loaded.IsZero() && time.Since(f.loaded) < ttl {
		return f.past
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	past, err := store.PastAnnouncements(ctx, f.DB, changelogTypes, changelogInChat)
	f.loaded = time.Now()
	if err != nil {
		if f.Log != nil {
			f.Log.Warn("changelog: keeping the last list", "err", err)
		}
		return f.past
	}
	f.past = past
	return past
}

// changelogDate is when an update happened: when it was completed, else the end of its
// window.
func changelogDate(a store.Announcement) time.Time {
	switch {
	case a.ClosedAt.Valid:
		return a.ClosedAt.Time
	case a.EndsAt.Valid:
		return a.EndsAt.Time
	}
	return a.StartsAt
}
