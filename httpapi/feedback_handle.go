package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/store"
)

// handleFeedbackReply answers POST /api/admin/feedback/{id}/handle {"reply"}: an agent or
// admin marks feedback handled, and the traveller is sent the reply in the same
// transaction (seed 001: 向用户反馈处理结果). Handled twice is 409.
func (s *agents) handleFeedbackReply() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			api.WriteError(w, http.StatusNotFound, api.NotFound, "no such feedback", "id")
			return
		}
		var req struct {
			Reply string `json:"reply"`
		}
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		req.Reply = strings.TrimSpace(req.Reply)
		if req.Reply == "" {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "reply is required", "reply")
			return
		}
		if !api.MessageFits(w, "reply", "reply", req.Reply) {
			return
		}
		p := auth.PrincipalOf(r)
		ctx := r.Context()
		var item store.FeedbackItem
		err = s.DB.InTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			if item, err = store.HandleFeedback(ctx, tx, id, p.UserID, req.Reply); err != nil {
				return err
			}
			conv, travellerID, err := store.LockConversation(ctx, tx, item.ConversationID)
			if err != nil {
				return err
			}
			_, err = s.sayToTraveller(ctx, tx, &conv, travellerID, "agent", p.Username, dialog.T(conv.Lang, "feedback_reply", feedbackGist(item), req.Reply))
			return err
		})
		switch {
		case errors.Is(err, store.ErrNotFound):
			api.WriteError(w, http.StatusNotFound, api.NotFound, "no such feedback", "id")
		case errors.Is(err, store.ErrFeedbackHandled):
			api.WriteError(w, http.StatusConflict, api.Conflict, "the feedback is already handled", "")
		case err != nil:
			s.serverError(w, r, err)
		default:
			s.Log.Info("feedback handled", "feedback", id, "user_id", p.UserID)
			api.WriteJSON(w, http.StatusOK, item)
		}
	})
}

// feedbackGist is the traveller's own words the reply answers, shortened.
func feedbackGist(f store.FeedbackItem) string {
	s := f.Opening
	if s == "" {
		s = f.Comment
	}
	if s == "" && f.Rating != nil {
		s = strings.Repeat("⭐", *f.Rating)
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}
