package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/providers/llm"
	"xingqu/store"
)

// recommendations is the recommendations area (seed 004 section 6): a plan made on
// request, read back and edited (recommendation_edits.go), with limits of its own.
type recommendations struct {
	errorLog
	DB *store.DB
	// Recommend makes a plan, synchronously; who is the caller and their address, whose
	// daily model budgets it is charged to. The report says whether the plan is a draft
	// because a budget was spent.
	Recommend func(ctx context.Context, trip dialog.TripRequest, lang string, who llm.Spender) (dialog.Plan, llm.Report, error)
	// EditRecommendation makes an edit of a recommendation's plan; nil makes it offline.
	EditRecommendation EditRecommendationFunc
	proxies            api.Proxies
	// callerRate and addrRate are the plans one caller, and one client address, may ask
	// for a minute; 0: 6 and 30. Each plan can cost thousands of tokens, so these are far
	// below the chat's rates.
	callerRate, addrRate int
	limits               api.Limiters
}

// RecommendationRequest is the seed's request (seed 004 section 6), field for field.
type RecommendationRequest struct {
	Destination      string          `json:"destination"`
	StartDate        string          `json:"startDate"`
	EndDate          string          `json:"endDate"`
	Budget           json.RawMessage `json:"budget"`
	Accessibility    *bool           `json:"accessibility"`
	KidFriendly      *bool           `json:"kidFriendly"`
	PetFriendly      *bool           `json:"petFriendly"`
	NaturalLandscape string          `json:"naturalLandscape,omitempty"`
	SocialLandscape  string          `json:"socialLandscape,omitempty"`
	Cuisine          string          `json:"cuisine,omitempty"`
	OtherNeeds       string          `json:"otherNeeds,omitempty"`
}

// Recommendation is one option of the seed's response, plus the day-by-day detail.
type Recommendation struct {
	Destination      string           `json:"destination"`
	StartDate        string           `json:"startDate"`
	EndDate          string           `json:"endDate"`
	Budget           int              `json:"budget"`
	Accessibility    bool             `json:"accessibility"`
	KidFriendly      bool             `json:"kidFriendly"`
	PetFriendly      bool             `json:"petFriendly"`
	NaturalLandscape string           `json:"naturalLandscape"`
	SocialLandscape  string           `json:"socialLandscape"`
	Cuisine          string           `json:"cuisine"`
	OtherNeeds       string           `json:"otherNeeds"` // the option's name, as in the seed
	Itinerary        string           `json:"itinerary"`
	BudgetRange      string           `json:"budgetRange"`
	Tier             dialog.Tier      `json:"tier"`
	Days             []dialog.DayPlan `json:"days"`
}

// RecommendationResponse is the seed's response envelope.
type RecommendationResponse struct {
	Status   int              `json:"status"`
	Message  string           `json:"message"`
	Data     []Recommendation `json:"data"`
	Metadata struct {
		RequestID string `json:"requestId"`
		Timestamp string `json:"timestamp"`
	} `json:"metadata"`
	Links struct {
		Self string `json:"self"`
	} `json:"links"`
}

// FieldError names one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// validationError is the 400 body: the first problem in the usual error fields, all of
// them in errors.
type validationError struct {
	api.Error
	Errors []FieldError `json:"errors"`
}

func writeValidation(w http.ResponseWriter, errs []FieldError) {
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Field+": "+e.Message)
	}
	api.WriteJSON(w, http.StatusBadRequest, validationError{
		Error:  api.Error{Code: api.BadRequest, Message: strings.Join(msgs, "; "), Field: errs[0].Field},
		Errors: errs,
	})
}

// trip validates a request and turns it into a trip. The API plans past dates too (the
// seed's own example is in 2024); the chat refuses them.
func (req RecommendationRequest) trip() (dialog.TripRequest, []FieldError) {
	var errs []FieldError
	bad := func(field, msg string) { errs = append(errs, FieldError{field, msg}) }
	var t dialog.TripRequest
	t.Destination = strings.TrimSpace(req.Destination)
	switch {
	case t.Destination == "":
		bad("destination", "required: the place to travel to, e.g. 福建省福州市鼓楼区")
	case utf8.RuneCountInString(t.Destination) > 100:
		bad("destination", "at most 100 characters")
	}
	var start, end dialog.Date
	var err error
	if req.StartDate == "" {
		bad("startDate", "required: a date such as 2024/10/25 or 2024-10-25")
	} else if start, err = dialog.ParseISODate(req.StartDate); err != nil {
		bad("startDate", "not a date: use 2024/10/25 or 2024-10-25")
	}
	if req.EndDate == "" {
		bad("endDate", "required: a date such as 2024/11/04 or 2024-11-04")
	} else if end, err = dialog.ParseISODate(req.EndDate); err != nil {
		bad("endDate", "not a date: use 2024/11/04 or 2024-11-04")
	}
	if !start.IsZero() && !end.IsZero() {
		switch {
		case end.Before(start):
			bad("endDate", "must not be before startDate")
		case start.DaysUntil(end)+1 > dialog.MaxTripDays:
			bad("endDate", fmt.Sprintf("the trip may last at most %d days", dialog.MaxTripDays))
		default:
			t.StartDate, t.EndDate = &start, &end
		}
	}
	var budget float64
	if len(req.Budget) == 0 || string(req.Budget) == "null" {
		bad("budget", "required: a number per person")
	} else if err := json.Unmarshal(req.Budget, &budget); err != nil || math.IsNaN(budget) {
		bad("budget", "must be a number")
	} else if budget <= 0 {
		bad("budget", "must be greater than 0")
	} else {
		t.Budget = &budget
		t.Currency = "CNY"
	}
	for _, b := range []struct {
		name string
		v    *bool
	}{{"accessibility", req.Accessibility}, {"kidFriendly", req.KidFriendly}, {"petFriendly", req.PetFriendly}} {
		if b.v == nil {
			bad(b.name, "required: true or false")
		}
	}
	t.Accessibility, t.KidFriendly, t.PetFriendly = req.Accessibility, req.KidFriendly, req.PetFriendly
	for _, s := range []struct {
		name string
		v    string
		dst  *string
	}{{"naturalLandscape", req.NaturalLandscape, &t.NaturalLandscape}, {"socialLandscape", req.SocialLandscape, &t.SocialLandscape},
		{"cuisine", req.Cuisine, &t.Cuisine}, {"otherNeeds", req.OtherNeeds, &t.OtherNeeds}} {
		if utf8.RuneCountInString(s.v) > 500 {
			bad(s.name, "at most 500 characters")
		}
		*s.dst = s.v
	}
	return t, errs
}

// owner names whoever asked, so that only they (or an agent) can read the answer again.
func owner(p auth.Principal) string {
	if p.Kind == auth.KindWidget {
		return "widget:" + p.SessionID
	}
	return fmt.Sprint("user:", p.UserID)
}

func (s *recommendations) handleCreateRecommendation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req RecommendationRequest
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		trip, errs := req.trip()
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		if s.Recommend == nil {
			api.WriteError(w, http.StatusServiceUnavailable, api.LLMUnavailable, "planning is not available", "")
			return
		}
		caller, addr := owner(auth.PrincipalOf(r)), api.LimitKey(s.proxies.ClientIP(r))
		if !s.allowRecommendation(w, caller, addr) {
			return
		}
		lang := dialog.LangZH
		if r.Header.Get("Accept-Language") != "" && !strings.HasPrefix(r.Header.Get("Accept-Language"), "zh") {
			lang = dialog.LangEN
		}
		ctx, cancel := context.WithTimeout(r.Context(), 45*time.Second)
		defer cancel()
		plan, rep, err := s.Recommend(ctx, trip, lang, llm.Spender{Traveller: caller, Address: addr})
		if err != nil {
			s.Log.Warn("recommendation failed", "request_id", api.RequestID(r.Context()), "err", err)
			api.WriteError(w, http.StatusGatewayTimeout, api.LLMTimeout, "planning took too long; please retry", "")
			return
		}
		var b [8]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		if err := store.AddRecommendation(r.Context(), s.DB, id, owner(auth.PrincipalOf(r)), req, plan); err != nil {
			s.Log.Error("store recommendation", "err", err)
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not store the plan; please retry", "")
			return
		}
		resp := recommendationResponse(id, req, plan, time.Now())
		if rep.Offline == llm.OfflineBudget {
			resp.Message = budgetDraftMessage
		}
		api.WriteJSON(w, http.StatusOK, resp)
	})
}

// budgetDraftMessage says plainly why the answer is a draft, with the seed's code, and
// where to get help.
const budgetDraftMessage = "LLM-105: 今日的智能规划额度已用完，以下为离线草案，可在对话中转人工获得帮助 / " +
	"today's planning allowance is spent, so this is an offline draft; ask for a human in the chat for help"

// allowRecommendation spends one request of the caller's and of the address's rate,
// answering 429 with the error body when either is spent.
func (s *recommendations) allowRecommendation(w http.ResponseWriter, caller, addr string) bool {
	perCaller, perAddr := s.callerRate, s.addrRate
	if perCaller <= 0 {
		perCaller = 6
	}
	if perAddr <= 0 {
		perAddr = 30
	}
	if ok, wait := s.limits.Allow("recommend:"+caller, rate.Every(time.Minute/time.Duration(perCaller)), perCaller); !ok {
		api.WriteTooMany(w, wait, "too many plans requested")
		return false
	}
	if ok, wait := s.limits.Allow("recommendip:"+addr, rate.Every(time.Minute/time.Duration(perAddr)), perAddr); !ok {
		api.WriteTooMany(w, wait, "too many plans requested from this address")
		return false
	}
	return true
}

func (s *recommendations) handleGetRecommendation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		rec, err := store.GetRecommendation(r.Context(), s.DB, id)
		p := auth.PrincipalOf(r)
		// Someone else's request is as unknown as a missing one.
		if errors.Is(err, store.ErrNotFound) || (err == nil && rec.Owner != owner(p) && p.Kind == auth.KindWidget) {
			api.WriteError(w, http.StatusNotFound, api.NotFound, "no such recommendation", "")
			return
		}
		if err != nil {
			api.WriteError(w, http.StatusInternalServerError, api.Network, "could not read the plan; please retry", "")
			return
		}
		var req RecommendationRequest
		var plan dialog.Plan
		if json.Unmarshal(rec.Request, &req) != nil || json.Unmarshal(rec.Plan, &plan) != nil {
			api.WriteError(w, http.StatusInternalServerError, api.Network, "stored plan unreadable", "")
			return
		}
		// The latest edit, when the plan was edited (POST .../edits).
		if latest, err := store.LatestRecommendationPlan(r.Context(), s.DB, id); err == nil {
			plan = latest
		}
		api.WriteJSON(w, http.StatusOK, recommendationResponse(id, req, plan, rec.CreatedAt))
	})
}

func recommendationResponse(id string, req RecommendationRequest, plan dialog.Plan, at time.Time) RecommendationResponse {
	var resp RecommendationResponse
	resp.Status, resp.Message = http.StatusOK, "旅游路线推荐成功"
	resp.Metadata.RequestID = id
	resp.Metadata.Timestamp = at.UTC().Format(time.RFC3339)
	resp.Links.Self = "/api/recommendations/" + id
	tr := plan.Trip
	for _, tier := range dialog.Tiers {
		for _, o := range plan.Options {
			if o.Tier != tier {
				continue
			}
			rec := Recommendation{
				Destination:      req.Destination,
				Budget:           int(math.Round((o.BudgetLow + o.BudgetHigh) / 2)),
				Accessibility:    tr.Accessibility != nil && *tr.Accessibility,
				KidFriendly:      tr.KidFriendly != nil && *tr.KidFriendly,
				PetFriendly:      tr.PetFriendly != nil && *tr.PetFriendly,
				NaturalLandscape: o.NaturalLandscape,
				SocialLandscape:  o.SocialLandscape,
				Cuisine:          o.Cuisine,
				OtherNeeds:       dialog.TierTitle(dialog.LangZH, tier),
				Itinerary:        itinerary(o),
				BudgetRange:      budgetRange(o),
				Tier:             tier,
				Days:             o.Days,
			}
			if tr.StartDate != nil {
				rec.StartDate = tr.StartDate.String()
			}
			if tr.EndDate != nil {
				rec.EndDate = tr.EndDate.String()
			}
			resp.Data = append(resp.Data, rec)
		}
	}
	return resp
}

// itinerary is the seed's one-line route: the option's highlights joined with arrows, or
// the first day's stops when the option names none.
func itinerary(o dialog.Option) string {
	var stops []string
	for _, s := range []string{o.NaturalLandscape, o.SocialLandscape, o.Cuisine} {
		if s = strings.TrimSpace(s); s != "" {
			stops = append(stops, s)
		}
	}
	if len(stops) == 0 && len(o.Days) > 0 {
		d := o.Days[0]
		stops = []string{d.Morning, d.Afternoon, d.Evening}
	}
	return strings.Join(stops, "→")
}

// budgetRange is "low-high元/人" in yuan, and "low-high CUR/person" otherwise.
func budgetRange(o dialog.Option) string {
	lo, hi := int(math.Round(o.BudgetLow)), int(math.Round(o.BudgetHigh))
	if o.Currency == "" || o.Currency == "CNY" {
		return fmt.Sprintf("%d-%d元/人", lo, hi)
	}
	return fmt.Sprintf("%d-%d %s/person", lo, hi, o.Currency)
}
