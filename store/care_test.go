package store_test

import (
	"context"
	"errors"
	"testing"

	"xingqu/store"
	"xingqu/store/storetest"
)

// GetCase and OpenCaseOf find a case by id and a conversation's open one; a request for
// a human is withdrawn with a note, an emergency never is.
func TestOpenCaseOfAndWithdraw(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")
	other := conversationFor(t, db, "bo")

	if _, err := store.OpenCaseOf(ctx, db, conv); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("open case before any: %v", err)
	}
	if closed, err := store.WithdrawCase(ctx, db, conv, "no longer needed"); closed || err != nil {
		t.Fatalf("withdraw without a case: %v %v", closed, err)
	}
	c, _, err := store.OpenCase(ctx, db, store.NewCase{ConversationID: conv, Kind: store.CaseHuman, Summary: "talk to a person"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := store.GetCase(ctx, db, c.ID); err != nil || got.ID != c.ID || got.ConversationID != conv || got.Kind != store.CaseHuman {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, err := store.GetCase(ctx, db, c.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing case: %v", err)
	}
	if got, err := store.OpenCaseOf(ctx, db, conv); err != nil || got.ID != c.ID {
		t.Fatalf("open case = %+v, %v", got, err)
	}
	if _, err := store.OpenCaseOf(ctx, db, other); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another conversation's open case: %v", err)
	}

	if closed, err := store.WithdrawCase(ctx, db, conv, "no longer needed"); !closed || err != nil {
		t.Fatalf("withdraw: %v %v", closed, err)
	}
	if got, _ := store.GetCase(ctx, db, c.ID); got.Status != store.CaseResolved || !got.ResolvedAt.Valid {
		t.Errorf("withdrawn case = %+v", got)
	}
	notes, err := store.CaseNotes(ctx, db, c.ID)
	if err != nil || len(notes) != 2 || notes[1].Author != store.NoteSystem || notes[1].Text != "no longer needed" {
		t.Errorf("notes = %+v, %v", notes, err)
	}
	if _, err := store.OpenCaseOf(ctx, db, conv); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("open case after withdrawal: %v", err)
	}

	e, _, err := store.OpenCase(ctx, db, store.NewCase{ConversationID: conv, Kind: store.CaseEmergency, Category: "injury", Summary: "hurt"})
	if err != nil {
		t.Fatal(err)
	}
	if closed, err := store.WithdrawCase(ctx, db, conv, "never mind"); closed || err != nil {
		t.Errorf("withdraw an emergency: %v %v; want nothing closed", closed, err)
	}
	if got, _ := store.GetCase(ctx, db, e.ID); got.Status == store.CaseResolved {
		t.Error("an emergency was withdrawn")
	}
}

// A complaint stored when said is completed by the rating and comment that follow; other
// feedback makes new items.
func TestSaveFeedback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")
	other := conversationFor(t, db, "bo")
	save := func(f store.NewFeedback) int64 {
		t.Helper()
		id, err := store.SaveFeedback(ctx, db, f)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	complaint := save(store.NewFeedback{ConversationID: conv, Opening: "the hotel was awful"})
	otherComplaint := save(store.NewFeedback{ConversationID: other, Opening: "the hotel was awful"})
	completed := save(store.NewFeedback{ConversationID: conv, Opening: "the hotel was awful", Rating: 2, Comment: "dirty room", Category: "hotel", Priority: "high"})
	if completed != complaint {
		t.Fatalf("the rating made item %d, want the complaint %d completed", completed, complaint)
	}
	var r struct {
		Rating   *int   `db:"rating"`
		Comment  string `db:"comment"`
		Category string `db:"category"`
	}
	if err := db.GetContext(ctx, &r, `SELECT rating, comment, category FROM feedback WHERE id = $1`, complaint); err != nil {
		t.Fatal(err)
	}
	if r.Rating == nil || *r.Rating != 2 || r.Comment != "dirty room" || r.Category != "hotel" {
		t.Errorf("completed complaint = %+v", r)
	}
	// Completed once: a second rating of the same words is a new item.
	if again := save(store.NewFeedback{ConversationID: conv, Opening: "the hotel was awful", Rating: 4}); again == complaint {
		t.Error("a completed complaint was completed again")
	}
	if plain := save(store.NewFeedback{ConversationID: conv, Rating: 5}); plain == complaint {
		t.Error("a rating without an opening completed the complaint")
	}
	if n := count(t, db, `SELECT count(*) FROM feedback WHERE id = $1 AND rating IS NULL AND comment = ''`, otherComplaint); n != 1 {
		t.Error("another conversation's complaint was completed")
	}
	if n := count(t, db, `SELECT count(*) FROM feedback WHERE conversation_id = $1`, conv); n != 3 {
		t.Errorf("%d items, want 3", n)
	}
}
