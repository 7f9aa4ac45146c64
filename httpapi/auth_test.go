package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/notices"
	"xingqu/pipeline"
	"xingqu/providers/geo"
	"xingqu/store"
	"xingqu/store/storetest"
)

func init() { auth.PasswordCost = bcrypt.MinCost }

// webEnv is one server on a fresh database, reached over real HTTP. cfg is what the
// server was made from; pipe and log are its pipeline and log, url its database's.
type webEnv struct {
	t    *testing.T
	db   *store.DB
	srv  *Server
	ts   *httptest.Server
	cfg  Config
	pipe *pipeline.Pipeline
	log  *slog.Logger
	url  string
}

// newWebEnv starts a server whose configuration opts change from the tests' defaults.
func newWebEnv(t *testing.T, opts ...func(*Config)) *webEnv {
	t.Helper()
	url := storetest.URL(t)
	db, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newWebEnvOn(t, db, url, opts...)
}

// newWebEnvOn starts an instance on an existing database, as a second instance would.
func newWebEnvOn(t *testing.T, db *store.DB, url string, opts ...func(*Config)) *webEnv {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts := httptest.NewUnstartedServer(nil)
	board := &notices.NoticeBoard{DB: db, Log: log}
	cfg := Config{DB: db, Log: log, Version: "test", LoginFailDelay: time.Millisecond,
		Pipeline: &pipeline.Pipeline{DB: db, Engine: &dialog.Engine{Now: func() time.Time { return testNow }, Notices: board.Notices, Places: geo.Places{}}, Log: log, Notices: board}}
	cfg.Web.WidgetOrigins = []string{"http://" + ts.Listener.Addr().String()}
	listener := store.NewListener(url, log)
	t.Cleanup(listener.Close)
	cfg.Web.Listener = listener
	for _, o := range opts {
		o(&cfg)
	}
	s := New(cfg)
	ts.Config.Handler = s.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	t.Cleanup(s.Close)
	return &webEnv{t: t, db: db, srv: s, ts: ts, cfg: cfg, pipe: cfg.Pipeline, log: cfg.Log, url: url}
}

func (e *webEnv) addUser(name, pw, role string) store.Account {
	e.t.Helper()
	h, err := auth.HashPassword(pw)
	if err != nil {
		e.t.Fatal(err)
	}
	a, err := store.CreateAccount(context.Background(), e.db, name, h, role)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// do sends a JSON request and decodes a JSON answer into out (when not nil).
func (e *webEnv) do(method, path, token string, body any, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			j, _ := json.Marshal(b)
			rd = bytes.NewReader(j)
		}
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func (e *webEnv) login(name, pw string) LoginResponse {
	e.t.Helper()
	var lr LoginResponse
	if code := e.do("POST", "/api/login", "", map[string]string{"username": name, "password": pw}, &lr); code != 200 {
		e.t.Fatalf("login %s: status %d", name, code)
	}
	return lr
}

func TestLoginSeedFields(t *testing.T) {
	e := newWebEnv(t)
	a := e.addUser("Alice", "correct horse battery", auth.RoleAgent)
	var raw map[string]any
	if code := e.do("POST", "/api/login", "", map[string]string{"username": "alice", "password": "correct horse battery"}, &raw); code != 200 {
		t.Fatalf("status %d: %v", code, raw)
	}
	for _, k := range []string{"access_token", "refresh_token", "expires_in", "token_type", "user_id", "message"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("login answer lacks %q: %v", k, raw)
		}
	}
	if raw["token_type"] != "Bearer" || raw["user_id"] != "1" && raw["user_id"] != json.Number("1") && raw["user_id"] != itoa(a.ID) {
		t.Errorf("token_type/user_id: %v", raw)
	}
	if raw["expires_in"].(float64) != auth.AccessTTL.Seconds() {
		t.Errorf("expires_in = %v, want %v", raw["expires_in"], auth.AccessTTL.Seconds())
	}
	// The access token opens agent routes.
	if code := e.do("GET", "/api/agent/conversations?status=all", raw["access_token"].(string), nil, nil); code != 200 {
		t.Errorf("agent route with fresh token: %d", code)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestLoginFailureSameAnswer(t *testing.T) {
	// A real work factor, so that skipping the comparison for unknown names would show.
	auth.PasswordCost = 8
	t.Cleanup(func() { auth.PasswordCost = bcrypt.MinCost })
	e := newWebEnv(t)
	const tries = 5 // one per account: the lockout comes at the fifth failure
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	for i := range tries {
		if _, err := store.CreateAccount(context.Background(), e.db, fmt.Sprint("bob", i), h, auth.RoleAgent); err != nil {
			t.Fatal(err)
		}
	}
	var unknown, wrong api.Error
	timed := func(name, pw string, out *api.Error) (int, time.Duration) {
		t0 := time.Now()
		code := e.do("POST", "/api/login", "", map[string]string{"username": name, "password": pw}, out)
		return code, time.Since(t0)
	}
	// The same work for both: one password comparison each, against a hash of the same
	// cost. (Timing them would say the same on a quiet machine and nothing on a busy one.)
	var du, dw []time.Duration
	for i := range tries {
		before := e.srv.accounts.auth.compares.Load()
		c1, d1 := timed(fmt.Sprint("nobody", i), "whatever12345", &unknown)
		mid := e.srv.accounts.auth.compares.Load()
		c2, d2 := timed(fmt.Sprint("bob", i), "wrong password!", &wrong)
		after := e.srv.accounts.auth.compares.Load()
		if c1 != 401 || c2 != 401 || unknown != wrong || unknown.Code != "E-505" {
			t.Fatalf("unknown user %d %+v, wrong password %d %+v: want the same 401 E-505", c1, unknown, c2, wrong)
		}
		if mid-before != 1 || after-mid != 1 {
			t.Errorf("password comparisons: unknown user %d, wrong password %d; want one each", mid-before, after-mid)
		}
		du, dw = append(du, d1), append(dw, d2)
	}
	if got, err := bcrypt.Cost(e.srv.accounts.auth.dummy()); err != nil || got != auth.PasswordCost {
		t.Errorf("the unknown user's hash costs %d (%v), want %d like a real one", got, err, auth.PasswordCost)
	}
	t.Logf("median unknown user %v, wrong password %v", median(du), median(dw))
	var missing api.Error
	if code := e.do("POST", "/api/login", "", map[string]string{"username": "bob0"}, &missing); code != 400 || missing.Field != "password" {
		t.Errorf("missing password: %d %+v", code, missing)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func TestLoginLockout(t *testing.T) {
	e := newWebEnv(t)
	e.addUser("carol", "correct horse battery", auth.RoleAgent)
	for i := 0; i < pairThrottle.Max; i++ {
		if code := e.do("POST", "/api/login", "", map[string]string{"username": "carol", "password": "bad password"}, nil); code != 401 {
			t.Fatalf("failure %d: status %d", i+1, code)
		}
	}
	var locked api.Error
	if code := e.do("POST", "/api/login", "", map[string]string{"username": "carol", "password": "correct horse battery"}, &locked); code != 429 || locked.Code != "E-505" {
		t.Fatalf("right password on a locked account: %d %+v, want 429 E-505", code, locked)
	}
	// An unknown name locks the same way, so locking says nothing about who exists.
	for i := 0; i < pairThrottle.Max; i++ {
		e.do("POST", "/api/login", "", map[string]string{"username": "ghost", "password": "bad password"}, nil)
	}
	if code := e.do("POST", "/api/login", "", map[string]string{"username": "ghost", "password": "bad password"}, nil); code != 429 {
		t.Errorf("unknown name after %d failures: %d, want 429", pairThrottle.Max, code)
	}
	// Per address: many names from one IP lock the address too.
	e.addUser("dave", "correct horse battery", auth.RoleAgent)
	for i := 0; i < ipThrottle.Max; i++ {
		e.do("POST", "/api/login", "", map[string]string{"username": "spray" + itoa(int64(i)), "password": "bad password"}, nil)
	}
	if code := e.do("POST", "/api/login", "", map[string]string{"username": "dave", "password": "correct horse battery"}, nil); code != 429 {
		t.Errorf("good login from a locked address: %d, want 429", code)
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	e := newWebEnv(t)
	e.addUser("erin", "correct horse battery", auth.RoleAdmin)
	first := e.login("erin", "correct horse battery")
	var second LoginResponse
	if code := e.do("POST", "/api/token/refresh", "", map[string]string{"refresh_token": first.RefreshToken}, &second); code != 200 {
		t.Fatalf("refresh: %d", code)
	}
	if second.RefreshToken == first.RefreshToken || second.AccessToken == "" || second.TokenType != "Bearer" {
		t.Fatalf("refresh did not rotate: %+v", second)
	}
	// Reusing the spent token revokes the family: the newest token stops working too.
	var reuse api.Error
	if code := e.do("POST", "/api/token/refresh", "", map[string]string{"refresh_token": first.RefreshToken}, &reuse); code != 401 {
		t.Fatalf("reuse: %d, want 401", code)
	}
	if code := e.do("POST", "/api/token/refresh", "", map[string]string{"refresh_token": second.RefreshToken}, nil); code != 401 {
		t.Fatalf("token of a revoked family: %d, want 401", code)
	}
	// Logout revokes.
	third := e.login("erin", "correct horse battery")
	if code := e.do("POST", "/api/logout", "", map[string]string{"refresh_token": third.RefreshToken}, nil); code != 401 {
		t.Errorf("logout without access token: %d, want 401", code)
	}
	if code := e.do("POST", "/api/logout", third.AccessToken, map[string]string{"refresh_token": third.RefreshToken}, nil); code != 200 {
		t.Fatalf("logout: %d", code)
	}
	if code := e.do("POST", "/api/token/refresh", "", map[string]string{"refresh_token": third.RefreshToken}, nil); code != 401 {
		t.Errorf("refresh after logout: %d, want 401", code)
	}
}

func TestTokensRejected(t *testing.T) {
	e := newWebEnv(t)
	e.addUser("frank", "correct horse battery", auth.RoleAgent)
	lr := e.login("frank", "correct horse battery")
	// Each forgery decodes cleanly, so only the signature check can refuse it.
	parts := strings.Split(lr.AccessToken, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	claims["role"] = auth.RoleAdmin
	raised, _ := json.Marshal(claims)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(raised) + "." + parts[2]
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	otherKey, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(claims)).SignedString([]byte("not the server's key"))
	if err != nil {
		t.Fatal(err)
	}
	e.srv.accounts.ttl = -time.Minute // issued already expired
	expired := e.login("frank", "correct horse battery").AccessToken
	e.srv.accounts.ttl = 0
	for name, tok := range map[string]string{"tampered": tampered, "alg none": unsigned, "another key": otherKey, "expired": expired, "garbage": "abc", "none": "", "unknown widget": "xqw_nope"} {
		var ae api.Error
		if code := e.do("GET", "/api/agent/conversations?status=all", tok, nil, &ae); code != 401 || ae.Code != "E-401" {
			t.Errorf("%s token: %d %+v, want 401 E-401", name, code, ae)
		}
	}
	// A disabled account's live token stops working at once.
	if err := store.DisableAccount(context.Background(), e.db, "frank"); err != nil {
		t.Fatal(err)
	}
	if code := e.do("GET", "/api/agent/conversations?status=all", lr.AccessToken, nil, nil); code != 401 {
		t.Errorf("disabled account's token: %d, want 401", code)
	}
}

func TestAgentCannotCallAdminRoute(t *testing.T) {
	e := newWebEnv(t)
	e.addUser("gina", "correct horse battery", auth.RoleAgent)
	e.addUser("hank", "correct horse battery", auth.RoleAdmin)
	agent := e.login("gina", "correct horse battery")
	admin := e.login("hank", "correct horse battery")
	var ae api.Error
	if code := e.do("GET", "/api/admin/users", agent.AccessToken, nil, &ae); code != 403 || ae.Code != "E-403" {
		t.Errorf("agent on admin route: %d %+v, want 403", code, ae)
	}
	var users struct {
		Users []store.Account `json:"users"`
	}
	if code := e.do("GET", "/api/admin/users", admin.AccessToken, nil, &users); code != 200 || len(users.Users) != 2 {
		t.Errorf("admin on admin route: %d %+v", code, users)
	}
	if strings.Contains(mustJSON(users), "$2a$") {
		t.Error("password hashes leak in the user list")
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// loginFrom sends a login as if from the client address ip, through a trusted proxy.
func (e *webEnv) loginFrom(ip, name, pw string) int {
	e.t.Helper()
	j, _ := json.Marshal(map[string]string{"username": name, "password": pw})
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/login", bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Error(err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestLoginLockoutUnderConcurrency(t *testing.T) {
	e := newWebEnv(t, func(c *Config) { c.Web.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	e.addUser("ivan", "correct horse battery", auth.RoleAgent)
	const attempts = 40
	codes := make(chan int, attempts)
	var wg sync.WaitGroup
	for range attempts {
		wg.Add(1)
		go func() { defer wg.Done(); codes <- e.loginFrom("203.0.113.7", "ivan", "wrong password!") }()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	t.Logf("%d parallel wrong passwords: %d password checks, answers %v", attempts, e.srv.accounts.auth.compares.Load(), got)
	if n := e.srv.accounts.auth.compares.Load(); n > int64(pairThrottle.Max) {
		t.Errorf("%d password checks ran for %d parallel attempts, want at most %d", n, attempts, pairThrottle.Max)
	}
	if got[401] > pairThrottle.Max || got[401]+got[429] != attempts {
		t.Errorf("answers %v: want at most %d 401 and the rest 429", got, pairThrottle.Max)
	}
	// The attacker's address is locked out, the agent's own is not.
	if code := e.loginFrom("203.0.113.7", "ivan", "correct horse battery"); code != 429 {
		t.Errorf("right password from the locked address: %d, want 429", code)
	}
	if code := e.loginFrom("198.51.100.20", "ivan", "correct horse battery"); code != 200 {
		t.Errorf("right password from another address: %d, want 200", code)
	}
}

func TestLoginLockoutPerAccountAcrossAddresses(t *testing.T) {
	e := newWebEnv(t, func(c *Config) { c.Web.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	e.addUser("judy", "correct horse battery", auth.RoleAgent)
	// Many addresses, each below its own limit, still lock the account everywhere.
	for i := 0; i < userThrottle.Max; i++ {
		ip := fmt.Sprintf("192.0.2.%d", i/(pairThrottle.Max-1)+1)
		if code := e.loginFrom(ip, "judy", "wrong password!"); code != 401 {
			t.Fatalf("failure %d from %s: %d, want 401", i+1, ip, code)
		}
	}
	if code := e.loginFrom("198.51.100.20", "judy", "correct horse battery"); code != 429 {
		t.Errorf("right password after %d failures from many addresses: %d, want 429", userThrottle.Max, code)
	}
}

func TestAccessTokensEndWithTheirSessions(t *testing.T) {
	e := newWebEnv(t)
	e.addUser("kate", "correct horse battery", auth.RoleAgent)
	works := func(tok string) bool {
		return e.do("GET", "/api/agent/conversations?status=all", tok, nil, nil) == 200
	}
	// Logout.
	lr := e.login("kate", "correct horse battery")
	if code := e.do("POST", "/api/logout", lr.AccessToken, map[string]string{"refresh_token": lr.RefreshToken}, nil); code != 200 {
		t.Fatalf("logout: %d", code)
	}
	if works(lr.AccessToken) {
		t.Error("access token still works after logout")
	}
	// Refresh-token reuse: a stolen token was used, so every access token must end.
	first := e.login("kate", "correct horse battery")
	var second LoginResponse
	if code := e.do("POST", "/api/token/refresh", "", map[string]string{"refresh_token": first.RefreshToken}, &second); code != 200 {
		t.Fatalf("refresh: %d", code)
	}
	if !works(second.AccessToken) {
		t.Fatal("fresh access token refused")
	}
	e.do("POST", "/api/token/refresh", "", map[string]string{"refresh_token": first.RefreshToken}, nil)
	if works(first.AccessToken) || works(second.AccessToken) {
		t.Error("access tokens still work after refresh-token reuse")
	}
	// A password change.
	lr = e.login("kate", "correct horse battery")
	h, err := auth.HashPassword("another horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetPassword(context.Background(), e.db, "kate", h); err != nil {
		t.Fatal(err)
	}
	if works(lr.AccessToken) {
		t.Error("access token still works after a password change")
	}
	if lr = e.login("kate", "another horse battery"); !works(lr.AccessToken) {
		t.Error("a token issued after the change is refused")
	}
	// Disabling, then enabling again, does not bring old tokens back.
	if err := store.DisableAccount(context.Background(), e.db, "kate"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(`UPDATE accounts SET disabled = false WHERE username = 'kate'`); err != nil {
		t.Fatal(err)
	}
	if works(lr.AccessToken) {
		t.Error("access token issued before a disable works again after re-enabling")
	}
}
