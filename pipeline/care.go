package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// careEffect records what a turn says about a traveller's safety and satisfaction: an
// emergency opens (or adds to) the conversation's case, a request for a human opens one
// too, "I'm safe now" is noted on the case without closing it, and feedback is stored
// classified, with the complaint that started it.
func (p *Pipeline) careEffect(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, e dialog.Effect) error {
	switch e.Kind {
	case dialog.EffectEmergency:
		if err := store.RecordEmergency(ctx, tx, conv.ID, e.Text); err != nil {
			return err
		}
		_, _, err := store.OpenCase(ctx, tx, store.NewCase{ConversationID: conv.ID, Kind: store.CaseEmergency,
			Category: e.Category, Summary: e.Text, Country: e.Country})
		return err
	case dialog.EffectCallHuman:
		_, _, err := store.OpenCase(ctx, tx, store.NewCase{ConversationID: conv.ID, Kind: store.CaseHuman, Summary: e.Text})
		return err
	case dialog.EffectCancelHuman:
		_, err := store.WithdrawCase(ctx, tx, conv.ID, "the traveller no longer needs a person")
		return err
	case dialog.EffectSafe:
		c, err := store.OpenCaseOf(ctx, tx, conv.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil // an agent closed it already
		}
		if err != nil {
			return err
		}
		words := e.Text
		if words == "" {
			words = dialog.T(conv.Lang, "btn_safe")
		}
		_, err = store.MarkCaseSafe(ctx, tx, c.ID, words)
		return err
	case dialog.EffectFeedback:
		cat, prio := dialog.ClassifyFeedback(e.Rating, feedbackWords(e))
		_, err := store.SaveFeedback(ctx, tx, store.NewFeedback{ConversationID: conv.ID, Rating: e.Rating, Comment: e.Text,
			Opening: e.Opening, Category: string(cat), Priority: string(prio)})
		return err
	}
	return fmt.Errorf("not a care effect: %q", e.Kind)
}

// feedbackWords is what a piece of feedback is classified by: the complaint that started
// it and the comment after the rating.
func feedbackWords(e dialog.Effect) string {
	switch {
	case e.Opening == "":
		return e.Text
	case e.Text == "":
		return e.Opening
	}
	return e.Opening + "\n" + e.Text
}

// caseView is what the traveller may know of their conversation's case, for "/case";
// nil when there has never been one.
func caseView(ctx context.Context, q store.Queryer, convID int64) (*dialog.CaseView, error) {
	st, err := store.ConversationCase(ctx, q, convID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return CaseViewOf(st), nil
}

// CaseViewOf is what the traveller may know of a case, as the dialog shows it.
func CaseViewOf(st store.CaseStatus) *dialog.CaseView {
	return &dialog.CaseView{Number: st.ID, Kind: st.Kind, Status: st.Status, Agent: st.AgentName,
		LastNote: st.LastNote, Safe: st.SafeAt.Valid}
}
