package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/store"
)

// RecommendationEdit is the body of POST /api/recommendations/{id}/edits.
type RecommendationEdit struct {
	Text string `json:"text"`
}

// EditRecommendationFunc makes an edit of a recommendation's plan, with a model where one
// helps; nil on the server makes it offline.
type EditRecommendationFunc func(ctx context.Context, base dialog.Plan, e dialog.PlanEdit, lang string) (dialog.Plan, error)

// handleEditRecommendation makes an edit in words of a plan made through the
// recommendations API and answers with the new version in the recommendation's shape.
// An edit that cannot be made leaves the plan as it was: 422 with E-808 and why.
func (s *recommendations) handleEditRecommendation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		var body RecommendationEdit
		if !api.DecodeJSON(w, r, &body) {
			return
		}
		rec, err := store.GetRecommendation(r.Context(), s.DB, id)
		p := auth.PrincipalOf(r)
		if errors.Is(err, store.ErrNotFound) || (err == nil && rec.Owner != owner(p) && p.Kind == auth.KindWidget) {
			api.WriteError(w, http.StatusNotFound, api.NotFound, "no such recommendation", "")
			return
		}
		if err != nil {
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not read the plan; please retry", "")
			return
		}
		lang := dialog.LangZH
		if al := r.Header.Get("Accept-Language"); al != "" && !strings.HasPrefix(al, "zh") {
			lang = dialog.LangEN
		}
		e, ok := dialog.ReadEdit(body.Text)
		if !ok || e.Versioning() {
			api.WriteError(w, http.StatusBadRequest, api.EditFailed,
				"not a change this API can make; try e.g. \"第二天换成博物馆\" or \"move it all one day later\"", "text")
			return
		}
		var req RecommendationRequest
		if err := json.Unmarshal(rec.Request, &req); err != nil {
			api.WriteError(w, http.StatusInternalServerError, api.Network, "stored plan unreadable", "")
			return
		}
		base, err := store.LatestRecommendationPlan(r.Context(), s.DB, id)
		if err != nil {
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not read the plan; please retry", "")
			return
		}
		edit := s.EditRecommendation
		if edit == nil {
			edit = func(_ context.Context, base dialog.Plan, e dialog.PlanEdit, lang string) (dialog.Plan, error) {
				p, _, err := dialog.ApplyEdit(base, "", e, lang)
				return p, err
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), 45*time.Second)
		defer cancel()
		next, err := edit(ctx, base, e, lang)
		if err != nil {
			s.Log.Info("recommendation edit not made", "request_id", id, "edit", e.Kind, "err", err)
			api.WriteError(w, http.StatusUnprocessableEntity, api.EditFailed, editFailedMessage(err), "text")
			return
		}
		next.Edit, next.Base = &e, base.Version
		next.Changes = strings.Join(dialog.DiffPlans(base, next, "", lang), "\n")
		next.CreatedAt = time.Now()
		err = s.DB.InTx(r.Context(), func(tx *sqlx.Tx) error {
			next.Version, err = store.AddRecommendationEdit(r.Context(), tx, id, next)
			return err
		})
		if err != nil {
			s.Log.Error("store recommendation edit", "request_id", id, "err", err)
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not store the plan; please retry", "")
			return
		}
		resp := EditedRecommendation{RecommendationResponse: recommendationResponse(id, req, next, next.CreatedAt),
			Version: next.Version, Changes: next.Changes}
		resp.Message = fmt.Sprintf("行程已更新（第%d版）", next.Version)
		api.WriteJSON(w, http.StatusOK, resp)
	})
}

// EditedRecommendation is a recommendation after an edit: its version and what changed.
type EditedRecommendation struct {
	RecommendationResponse
	Version int    `json:"version"`
	Changes string `json:"changes"`
}

// editFailedMessage says why an edit was not made, in the seed's words for E-808 when
// nothing more specific applies.
func editFailedMessage(err error) string {
	switch {
	case errors.Is(err, dialog.ErrNotInPlan):
		return "the plan does not include that place; nothing changed"
	case errors.Is(err, dialog.ErrEditRange):
		return "that change goes outside the trip (1 to 30 days); nothing changed"
	}
	return "行程更新失败，请重试或检查您的网络连接 / the itinerary update failed; please retry"
}
