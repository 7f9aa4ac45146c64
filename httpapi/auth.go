package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/store"
)

var (
	errNoToken  = errors.New("no bearer token")
	errBadToken = errors.New("token invalid or expired")
)

// accounts is the accounts area: logging in, refreshing and ending sessions, the
// authentication middleware every other area is mounted behind (requireRole), and the
// admins' management of accounts (users.go).
type accounts struct {
	errorLog
	DB      *store.DB
	proxies api.Proxies
	// ttl and failWait are the access tokens' lifetime and the pause before a failed login
	// is answered; 0: auth.AccessTTL and 400ms.
	ttl, failWait time.Duration
	auth          authState
}

func (s *accounts) clientIP(r *http.Request) string { return s.proxies.ClientIP(r) }

// authState caches what authentication reads once: the signing key, and a hash to compare
// against when a username is unknown, so that the answer takes as long as for a known one.
// checks bounds the password comparisons running at once: each costs tens of milliseconds
// of a core, and a burst of logins must not take every core from the service.
type authState struct {
	mu  sync.Mutex
	key []byte

	dummy  func() []byte
	checks chan struct{}

	compares atomic.Int64 // password checks run, for tests

	sessions widgetSessions
}

// widgetSessions keeps the widget sessions this instance has read for a minute (or until
// they expire, if sooner): a session is never changed once made, so a visitor's requests
// within the minute (a message, a history page, an event stream each) are authenticated
// without a statement. Only a traveller's erasure deletes a live session; the minute
// bounds how long another instance still accepts it. Bounded: past maxWidgetSessions
// the expired ones go, then all.
type widgetSessions struct {
	mu   sync.Mutex
	byID map[string]store.WidgetSession // by token hash; ExpiresAt is when it is read again
}

const (
	maxWidgetSessions = 100_000
	widgetSessionKept = time.Minute
)

func (w *widgetSessions) get(hash []byte, now time.Time) (store.WidgetSession, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ws, ok := w.byID[string(hash)]
	if ok && !now.Before(ws.ExpiresAt) {
		delete(w.byID, string(hash))
		return ws, false
	}
	return ws, ok
}

func (w *widgetSessions) put(hash []byte, ws store.WidgetSession, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.byID) >= maxWidgetSessions {
		for k, v := range w.byID {
			if !now.Before(v.ExpiresAt) {
				delete(w.byID, k)
			}
		}
		if len(w.byID) >= maxWidgetSessions {
			clear(w.byID)
		}
	}
	if w.byID == nil {
		w.byID = map[string]store.WidgetSession{}
	}
	if kept := now.Add(widgetSessionKept); kept.Before(ws.ExpiresAt) {
		ws.ExpiresAt = kept
	}
	w.byID[string(hash)] = ws
}

// newAuthState starts computing the dummy hash at once, in the background, so that
// neither start-up nor the first login with an unknown name waits for all of it.
func newAuthState() authState {
	cost := auth.PasswordCost // read now: the hash is made in the background
	dummy := sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("no such account, same work"), cost)
		return h
	})
	go dummy()
	return authState{dummy: dummy, checks: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
}

func (s *accounts) signingKey(ctx context.Context) ([]byte, error) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	if s.auth.key != nil {
		return s.auth.key, nil
	}
	k, err := store.SigningKey(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	s.auth.key = k
	return k, nil
}

// checkPassword compares pw with hash, waiting for a free slot first.
func (s *accounts) checkPassword(ctx context.Context, hash []byte, pw string) (bool, error) {
	select {
	case s.auth.checks <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.auth.checks }()
	s.auth.compares.Add(1)
	return bcrypt.CompareHashAndPassword(hash, []byte(pw)) == nil, nil
}

type accessClaims struct {
	Kind string `json:"kind"`
	Role string `json:"role"`
	Name string `json:"name"`
	// Ver is the account's token version when the token was issued.
	Ver int `json:"ver"`
	jwt.RegisteredClaims
}

func (s *accounts) issueAccess(ctx context.Context, a store.Account) (string, error) {
	key, err := s.signingKey(ctx)
	if err != nil {
		return "", err
	}
	now := time.Now()
	c := accessClaims{Kind: "access", Role: a.Role, Name: a.Username, Ver: a.TokenVersion, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: "xingqu", Subject: strconv.FormatInt(a.ID, 10), ID: uuid.NewString(),
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(s.accessTTL())),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
}

func (s *accounts) accessTTL() time.Duration {
	if s.ttl != 0 {
		return s.ttl
	}
	return auth.AccessTTL
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate reads the bearer token of r: an agent's or admin's access token, or a
// widget session token.
func (s *accounts) authenticate(r *http.Request) (auth.Principal, error) {
	tok := bearer(r)
	if tok == "" {
		return auth.Principal{}, errNoToken
	}
	ctx := r.Context()
	if strings.HasPrefix(tok, auth.WidgetTokenPrefix) {
		hash := auth.HashToken(tok)
		ws, ok := s.auth.sessions.get(hash, time.Now())
		if !ok {
			var err error
			ws, err = store.WidgetSessionByToken(ctx, s.DB, hash)
			if errors.Is(err, store.ErrNotFound) {
				return auth.Principal{}, errBadToken
			}
			if err != nil {
				return auth.Principal{}, err
			}
			s.auth.sessions.put(hash, ws, time.Now())
		}
		return auth.Principal{Kind: auth.KindWidget, SessionID: ws.ID, ConversationID: ws.ConversationID}, nil
	}
	key, err := s.signingKey(ctx)
	if err != nil {
		return auth.Principal{}, err
	}
	var c accessClaims
	_, err = jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("xingqu"), jwt.WithExpirationRequired())
	if err != nil || c.Kind != "access" {
		return auth.Principal{}, errBadToken
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil {
		return auth.Principal{}, errBadToken
	}
	// The account is read again so that disabling it, changing its role or ending its
	// sessions (a logout, a new password, a leaked refresh token) takes effect at once.
	a, err := store.AccountByID(ctx, s.DB, id)
	if errors.Is(err, store.ErrNotFound) {
		return auth.Principal{}, errBadToken
	}
	if err != nil {
		return auth.Principal{}, err
	}
	if a.Disabled || a.TokenVersion != c.Ver {
		return auth.Principal{}, errBadToken
	}
	return auth.Principal{Kind: a.Role, UserID: a.ID, Username: a.Username, Role: a.Role, MustChangePassword: a.MustChangePassword}, nil
}

// requireRole admits requests whose principal is one of roles ("agent", "admin",
// "widget"): 401 without a valid token, 403 with one of another role.
func (s *accounts) requireRole(roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := s.authenticate(r)
			if err != nil {
				if !errors.Is(err, errNoToken) && !errors.Is(err, errBadToken) {
					s.Log.Error("authenticate", "err", err, "request_id", api.RequestID(r.Context()))
					api.WriteError(w, http.StatusServiceUnavailable, api.Network, "service temporarily unavailable, try again", "")
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="xingqu"`)
				api.WriteError(w, http.StatusUnauthorized, api.Unauthorized, "missing, expired or invalid token", "")
				return
			}
			if p.MustChangePassword && !slices.Contains(roles, passwordChange) {
				api.WriteError(w, http.StatusForbidden, api.Forbidden, "change your temporary password first (POST /api/account/password)", "password")
				return
			}
			for _, role := range roles {
				if p.Kind == role {
					next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
					return
				}
			}
			api.WriteError(w, http.StatusForbidden, api.Forbidden, "this account may not do that", "")
		})
	}
}

// Login throttling, counted in the database so that it holds across instances: per
// account name (existing or not, so that locking reveals nothing) and client address
// together, per client address, and per account name from everywhere with a higher
// threshold, so that one attacker cannot lock an agent out from every address.
var (
	pairThrottle = store.Throttle{Max: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute}
	ipThrottle   = store.Throttle{Max: 20, Window: 15 * time.Minute, Lock: 15 * time.Minute}
	userThrottle = store.Throttle{Max: 50, Window: 15 * time.Minute, Lock: 15 * time.Minute}
)

// loginFailed is the seed's E-505 text; the same for an unknown user and a wrong password.
const loginFailed = "登录失败，请检查您的账户和密码 / Login failed: check your username and password"

// LoginResponse is the seed's login answer (seed 004 section 6), field names exactly.
type LoginResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	TokenType    string `json:"token_type"`
	UserID       string `json:"user_id"`
	Message      string `json:"message"`
}

func (s *accounts) failDelay() time.Duration {
	if s.failWait > 0 {
		return s.failWait
	}
	return 400 * time.Millisecond
}

func (s *accounts) handleLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}
		if !api.DecodeJSON(w, r, &req) {
			return
		}
		if strings.TrimSpace(req.Username) == "" {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "username is required", "username")
			return
		}
		if req.Password == "" {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, "password is required", "password")
			return
		}
		if len(req.Username) > auth.MaxUsernameLen {
			api.WriteError(w, http.StatusBadRequest, api.BadRequest, fmt.Sprintf("username: at most %d bytes", auth.MaxUsernameLen), "username")
			return
		}
		ctx := r.Context()
		name, ip := store.NormalizeUsername(req.Username), api.LimitKey(s.clientIP(r))
		pairKey, ipKey, userKey := "pair:"+name+"@"+ip, "ip:"+ip, "user:"+name
		// Each attempt is counted before the password is checked, most specific key first;
		// an attempt refused by one key is not counted against the next.
		for _, k := range []struct {
			key string
			t   store.Throttle
		}{{pairKey, pairThrottle}, {ipKey, ipThrottle}, {userKey, userThrottle}} {
			until, allowed, err := store.ReserveLoginAttempt(ctx, s.DB, k.key, k.t)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			if !allowed {
				time.Sleep(s.failDelay())
				mins := int(time.Until(until).Minutes()) + 1
				w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(until).Seconds())+1))
				api.WriteError(w, http.StatusTooManyRequests, api.Login,
					fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试 / Too many failed logins: try again in %d minutes", mins, mins), "")
				return
			}
		}
		a, err := store.AccountByName(ctx, s.DB, req.Username)
		hash := []byte(a.PasswordHash)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				s.serverError(w, r, err)
				return
			}
			hash = s.auth.dummy()
		}
		match, cerr := s.checkPassword(ctx, hash, req.Password)
		if cerr != nil {
			return // the client went away while waiting
		}
		if !match || err != nil || a.Disabled {
			s.Log.Info("login failed", "ip", s.clientIP(r), "request_id", api.RequestID(ctx))
			time.Sleep(s.failDelay())
			api.WriteError(w, http.StatusUnauthorized, api.Login, loginFailed, "")
			return
		}
		for _, k := range []string{pairKey, userKey} {
			if err := store.ClearLoginFailures(ctx, s.DB, k); err != nil {
				s.Log.Error("login throttle", "err", err)
			}
		}
		if err := store.RefundLoginAttempt(ctx, s.DB, ipKey); err != nil {
			s.Log.Error("login throttle", "err", err)
		}
		resp, err := s.issueTokens(ctx, a, uuid.Nil)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if a.MustChangePassword {
			resp.Message = passwordChangeNeeded
		}
		s.Log.Info("login", "user_id", a.ID, "role", a.Role)
		api.WriteJSON(w, http.StatusOK, resp)
	})
}

func (s *accounts) issueTokens(ctx context.Context, a store.Account, family uuid.UUID) (LoginResponse, error) {
	access, err := s.issueAccess(ctx, a)
	if err != nil {
		return LoginResponse{}, err
	}
	refresh, h := auth.NewOpaqueToken("xqr_")
	if err := store.IssueRefresh(ctx, s.DB, a.ID, family, h, auth.RefreshTTL); err != nil {
		return LoginResponse{}, err
	}
	return LoginResponse{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(s.accessTTL().Seconds()),
		TokenType: "Bearer", UserID: strconv.FormatInt(a.ID, 10), Message: "登录成功 / Logged in"}, nil
}

func (s *accounts) handleRefresh() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := refreshTokenOf(w, r)
		if !ok {
			return
		}
		ctx := r.Context()
		id, family, err := store.UseRefresh(ctx, s.DB, auth.HashToken(token))
		switch {
		case errors.Is(err, store.ErrTokenReused):
			s.Log.Warn("refresh token reused: family revoked", "user_id", id)
			api.WriteError(w, http.StatusUnauthorized, api.Unauthorized, "refresh token already used: every session of this login is signed out, log in again", "refresh_token")
			return
		case errors.Is(err, store.ErrTokenInvalid):
			api.WriteError(w, http.StatusUnauthorized, api.Unauthorized, "refresh token invalid or expired, log in again", "refresh_token")
			return
		case err != nil:
			s.serverError(w, r, err)
			return
		}
		a, err := store.AccountByID(ctx, s.DB, id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		resp, err := s.issueTokens(ctx, a, family)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		resp.Message = "令牌已刷新 / Token refreshed"
		api.WriteJSON(w, http.StatusOK, resp)
	})
}

func (s *accounts) handleLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := refreshTokenOf(w, r)
		if !ok {
			return
		}
		p := auth.PrincipalOf(r)
		if _, err := store.RevokeRefresh(r.Context(), s.DB, p.UserID, auth.HashToken(token)); err != nil {
			s.serverError(w, r, err)
			return
		}
		api.WriteJSON(w, http.StatusOK, map[string]string{"message": "已退出 / Logged out"})
	})
}

// refreshTokenOf reads the {"refresh_token"} body of refresh and logout, answering 400
// itself when it is missing.
func refreshTokenOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if !api.DecodeJSON(w, r, &req) {
		return "", false
	}
	if req.RefreshToken == "" {
		api.WriteError(w, http.StatusBadRequest, api.BadRequest, "refresh_token is required", "refresh_token")
		return "", false
	}
	return req.RefreshToken, true
}
