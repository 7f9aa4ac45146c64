package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// conversationFor makes a traveller with one conversation and returns its id.
func conversationFor(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	ctx := context.Background()
	tr, err := store.EnsureTraveller(ctx, db, "web", "ext-"+name, name, "en", "")
	if err != nil {
		t.Fatal(err)
	}
	id, err := store.CurrentConversation(ctx, db, tr.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func agentAccount(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	a, err := store.CreateAccount(context.Background(), db, name, "x", "agent")
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// The life of an emergency case: opened, acknowledged, noted, the traveller safe (still
// open), resolved; the traveller's view of it at each step.
func TestCaseLifeCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")
	mei := agentAccount(t, db, "mei")

	if _, err := store.ConversationCase(ctx, db, conv); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("status before any case: err = %v, want ErrNotFound", err)
	}
	c, created, err := store.OpenCase(ctx, db, store.NewCase{ConversationID: conv, Kind: store.CaseEmergency,
		Category: "injury", Summary: "I was hit by a car", Country: "PT"})
	if err != nil || !created {
		t.Fatalf("open: created=%v err=%v", created, err)
	}
	if c.Status != store.CaseOpen || c.Priority != store.CaseUrgent || c.Category != "injury" || c.Country != "PT" || c.AgentID.Valid {
		t.Fatalf("opened case = %+v", c)
	}
	st := mustStatus(t, db, conv)
	if st.Status != store.CaseOpen || st.AgentName != "" || st.LastNote != "I was hit by a car" {
		t.Fatalf("status when open = %+v", st)
	}

	c, err = store.AcknowledgeCase(ctx, db, c.ID, mei)
	if err != nil || c.Status != store.CaseAcknowledged || c.AgentID.Int64 != mei || !c.AcknowledgedAt.Valid {
		t.Fatalf("acknowledge: %+v, %v", c, err)
	}
	if st := mustStatus(t, db, conv); st.Status != store.CaseAcknowledged || st.AgentName != "mei" {
		t.Fatalf("status when acknowledged = %+v", st)
	}

	if _, err := store.AddCaseNote(ctx, db, c.ID, store.NoteAgent, mei, "Ambulance called, on its way"); err != nil {
		t.Fatal(err)
	}
	// The traveller's later words do not hide the agent's last note from them.
	if _, err := store.MarkCaseSafe(ctx, db, c.ID, "I'm safe now"); err != nil {
		t.Fatal(err)
	}
	st = mustStatus(t, db, conv)
	if st.Status != store.CaseAcknowledged || !st.SafeAt.Valid || st.LastNote != "Ambulance called, on its way" {
		t.Fatalf("status after 'I'm safe now' = %+v (the case must stay open)", st)
	}

	c, err = store.ResolveCase(ctx, db, c.ID, mei, "Treated at Hospital de Santa Maria, all fine")
	if err != nil || c.Status != store.CaseResolved || !c.ResolvedAt.Valid {
		t.Fatalf("resolve: %+v, %v", c, err)
	}
	if st := mustStatus(t, db, conv); st.Status != store.CaseResolved || st.LastNote != "Treated at Hospital de Santa Maria, all fine" {
		t.Fatalf("status when resolved = %+v", st)
	}
	for name, f := range map[string]func() error{
		"acknowledge": func() error { _, err := store.AcknowledgeCase(ctx, db, c.ID, mei); return err },
		"assign":      func() error { _, err := store.AssignCase(ctx, db, c.ID, mei); return err },
		"resolve":     func() error { _, err := store.ResolveCase(ctx, db, c.ID, mei, ""); return err },
		"safe":        func() error { _, err := store.MarkCaseSafe(ctx, db, c.ID, ""); return err },
	} {
		if err := f(); !errors.Is(err, store.ErrCaseResolved) {
			t.Errorf("%s after resolve: err = %v, want ErrCaseResolved", name, err)
		}
	}
	if _, err := store.AcknowledgeCase(ctx, db, 999999, mei); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("acknowledge a missing case: %v", err)
	}
	notes, err := store.CaseNotes(ctx, db, c.ID)
	if err != nil || len(notes) != 4 {
		t.Fatalf("notes = %d, %v; want 4", len(notes), err)
	}
	if notes[0].Author != store.NoteTraveller || notes[1].Author != store.NoteAgent || notes[1].AgentID.Int64 != mei {
		t.Errorf("notes = %+v", notes)
	}

	// A new emergency after the first was resolved opens a second case, which the
	// traveller now sees.
	c2, created, err := store.OpenCase(ctx, db, store.NewCase{ConversationID: conv, Kind: store.CaseEmergency, Category: "documents", Summary: "lost my passport"})
	if err != nil || !created || c2.ID == c.ID {
		t.Fatalf("second case: %+v created=%v err=%v", c2, created, err)
	}
	if st := mustStatus(t, db, conv); st.ID != c2.ID {
		t.Errorf("status shows case %d, want the open one %d", st.ID, c2.ID)
	}
}

func mustStatus(t *testing.T, db *store.DB, conv int64) store.CaseStatus {
	t.Helper()
	st, err := store.ConversationCase(context.Background(), db, conv)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A request for a human and then an emergency in the same conversation are one case,
// which becomes urgent; a second request adds a note, not a case.
func TestOpenCaseAddsToTheOpenOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "bo")
	h, created, err := store.OpenCase(ctx, db, store.NewCase{ConversationID: conv, Kind: store.CaseHuman, Summary: "can I talk to someone?"})
	if err != nil || !created || h.Priority != store.CaseNormal {
		t.Fatalf("human case: %+v %v %v", h, created, err)
	}
	e, created, err := store.OpenCase(ctx, db, store.NewCase{ConversationID: conv, Kind: store.CaseEmergency, Category: "crime", Summary: "I was robbed", Country: "JP"})
	if err != nil || created || e.ID != h.ID {
		t.Fatalf("emergency on an open case: %+v created=%v err=%v", e, created, err)
	}
	if e.Kind != store.CaseEmergency || e.Priority != store.CaseUrgent || e.Category != "crime" || e.Country != "JP" {
		t.Fatalf("upgraded case = %+v", e)
	}
	again, created, err := store.OpenCase(ctx, db, store.NewCase{ConversationID: conv, Kind: store.CaseHuman, Summary: "hello?"})
	if err != nil || created || again.Priority != store.CaseUrgent || again.Kind != store.CaseEmergency {
		t.Fatalf("a request for a human must not downgrade: %+v %v %v", again, created, err)
	}
	notes, _ := store.CaseNotes(ctx, db, h.ID)
	if len(notes) != 3 {
		t.Errorf("notes = %d, want 3", len(notes))
	}
}

func TestAssignCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "cy")
	mei, li := agentAccount(t, db, "mei"), agentAccount(t, db, "li")
	c, _, err := store.OpenCase(ctx, db, store.NewCase{ConversationID: conv, Kind: store.CaseEmergency, Category: "medical"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = store.AcknowledgeCase(ctx, db, c.ID, mei); err != nil {
		t.Fatal(err)
	}
	// A second acknowledgement does not take the case from the agent who holds it.
	if c, err = store.AcknowledgeCase(ctx, db, c.ID, li); err != nil || c.AgentID.Int64 != mei {
		t.Fatalf("second acknowledgement: %+v %v", c, err)
	}
	c, err = store.AssignCase(ctx, db, c.ID, li)
	if err != nil || c.Status != store.CaseInProgress || c.AgentID.Int64 != li {
		t.Fatalf("assign: %+v %v", c, err)
	}
	if st := mustStatus(t, db, conv); st.AgentName != "li" || st.Status != store.CaseInProgress {
		t.Fatalf("status = %+v", st)
	}
}

// The agents' queue: open cases only, urgent first, then the longest waiting.
func TestCaseQueueUrgentFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	mei := agentAccount(t, db, "mei")
	open := func(name, kind string) store.Case {
		c, _, err := store.OpenCase(ctx, db, store.NewCase{ConversationID: conversationFor(t, db, name), Kind: kind, Summary: name + " needs help"})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct creation times
		return c
	}
	h1 := open("h1", store.CaseHuman)
	e1 := open("e1", store.CaseEmergency)
	h2 := open("h2", store.CaseHuman)
	done := open("done", store.CaseEmergency)
	e2 := open("e2", store.CaseEmergency)
	if _, err := store.ResolveCase(ctx, db, done.ID, mei, "sorted"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AcknowledgeCase(ctx, db, e2.ID, mei); err != nil {
		t.Fatal(err)
	}
	q, err := store.CaseQueue(ctx, db, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []int64
	for _, c := range q {
		got = append(got, c.ID)
	}
	want = []int64{e1.ID, e2.ID, h1.ID, h2.ID}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queue = %v, want %v", got, want)
	}
	if q[0].TravellerName != "e1" || q[0].Channel != "web" || q[0].LastNote != "e1 needs help" || q[1].AgentName != "mei" {
		t.Errorf("queue rows = %+v", q[:2])
	}
	if q, _ := store.CaseQueue(ctx, db, 2); len(q) != 2 {
		t.Errorf("limit 2 gave %d", len(q))
	}
}
