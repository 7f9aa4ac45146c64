package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"xingqu/store"
	"xingqu/store/storetest"
)

// Accounts are found by a name compared without case or surrounding space, and by id;
// a taken name is ErrExists, a missing account ErrNotFound; the list is by name.
func TestAccountLookup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	mei, err := store.CreateAccount(ctx, db, "  Mei ", "h1", "agent")
	if err != nil || mei.Username != "mei" || mei.Role != "agent" || mei.Disabled || mei.MustChangePassword {
		t.Fatalf("create: %+v, %v", mei, err)
	}
	if _, err := store.CreateAccount(ctx, db, "MEI", "h2", "admin"); !errors.Is(err, store.ErrExists) {
		t.Fatalf("create a taken name: %v, want ErrExists", err)
	}
	if _, err := store.CreateAccount(ctx, db, "ada", "h3", "admin"); err != nil {
		t.Fatal(err)
	}

	a, err := store.AccountByName(ctx, db, " MEI")
	if err != nil || a.ID != mei.ID || a.PasswordHash != "h1" {
		t.Fatalf("by name: %+v, %v", a, err)
	}
	if a, err := store.AccountByID(ctx, db, mei.ID); err != nil || a.Username != "mei" {
		t.Fatalf("by id: %+v, %v", a, err)
	}
	if _, err := store.AccountByName(ctx, db, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing name: %v", err)
	}
	if _, err := store.AccountByID(ctx, db, mei.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing id: %v", err)
	}
	as, err := store.Accounts(ctx, db)
	if err != nil || len(as) != 2 || as[0].Username != "ada" || as[1].Username != "mei" {
		t.Errorf("accounts = %+v, %v; want ada, mei", as, err)
	}
}

// revoked says whether the refresh token of hash is revoked.
func revoked(t *testing.T, db *store.DB, hash []byte) bool {
	t.Helper()
	var r bool
	if err := db.GetContext(context.Background(), &r, `SELECT revoked_at IS NOT NULL FROM refresh_tokens WHERE token_hash = $1`, hash); err != nil {
		t.Fatal(err)
	}
	return r
}

// Every password change, and disabling, bumps the token version and revokes the
// account's refresh tokens, and only that account's; a temporary password must be
// changed, one the owner chose need not.
func TestPasswordChangesEndSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	mei, _ := store.CreateAccount(ctx, db, "mei", "h1", "agent")
	ada, _ := store.CreateAccount(ctx, db, "ada", "h1", "admin")
	adaToken := []byte("ada-token")
	if err := store.IssueRefresh(ctx, db, ada.ID, uuid.Nil, adaToken, time.Hour); err != nil {
		t.Fatal(err)
	}

	version := mei.TokenVersion
	for i, change := range []struct {
		name         string
		do           func() (store.Account, error)
		hash         string
		mustChange   bool
		wantDisabled bool
	}{
		{name: "SetPassword", hash: "h2", do: func() (store.Account, error) {
			err := store.SetPassword(ctx, db, "MEI", "h2")
			a, _ := store.AccountByID(ctx, db, mei.ID)
			return a, err
		}},
		{name: "SetTemporaryPassword", hash: "tmp", mustChange: true, do: func() (store.Account, error) {
			return store.SetTemporaryPassword(ctx, db, mei.ID, "tmp")
		}},
		{name: "ChangeOwnPassword", hash: "mine", mustChange: false, do: func() (store.Account, error) {
			return store.ChangeOwnPassword(ctx, db, mei.ID, "mine")
		}},
		{name: "DisableAccount", hash: "mine", wantDisabled: true, do: func() (store.Account, error) {
			err := store.DisableAccount(ctx, db, "mei")
			a, _ := store.AccountByID(ctx, db, mei.ID)
			return a, err
		}},
	} {
		tok := []byte{byte(i), 'm'}
		if err := store.IssueRefresh(ctx, db, mei.ID, uuid.Nil, tok, time.Hour); err != nil {
			t.Fatal(err)
		}
		a, err := change.do()
		if err != nil {
			t.Fatalf("%s: %v", change.name, err)
		}
		version++
		if a.TokenVersion != version || a.PasswordHash != change.hash || a.MustChangePassword != change.mustChange || a.Disabled != change.wantDisabled {
			t.Errorf("%s: account %+v; want version %d, hash %s, must change %v, disabled %v", change.name, a, version, change.hash, change.mustChange, change.wantDisabled)
		}
		if !revoked(t, db, tok) {
			t.Errorf("%s: refresh token not revoked", change.name)
		}
	}
	if revoked(t, db, adaToken) {
		t.Error("another account's token was revoked")
	}
	if a, _ := store.AccountByID(ctx, db, ada.ID); a.TokenVersion != ada.TokenVersion {
		t.Errorf("another account's token version moved")
	}

	if err := store.SetPassword(ctx, db, "nobody", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetPassword of a missing account: %v", err)
	}
	if _, err := store.SetTemporaryPassword(ctx, db, 999999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetTemporaryPassword of a missing account: %v", err)
	}
	if _, err := store.ChangeOwnPassword(ctx, db, 999999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ChangeOwnPassword of a missing account: %v", err)
	}
	if err := store.DisableAccount(ctx, db, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DisableAccount of a missing account: %v", err)
	}
}

// A refresh token is spent once; spending it again revokes its family and the account's
// access tokens, and that commits; expired, revoked, unknown tokens and those of a
// disabled account are invalid; a logout revokes the family only.
func TestRefreshTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	mei, _ := store.CreateAccount(ctx, db, "mei", "h", "agent")
	version := func() int {
		a, err := store.AccountByID(ctx, db, mei.ID)
		if err != nil {
			t.Fatal(err)
		}
		return a.TokenVersion
	}

	if err := store.IssueRefresh(ctx, db, mei.ID, uuid.Nil, []byte("t1"), time.Hour); err != nil {
		t.Fatal(err)
	}
	acc, fam, err := store.UseRefresh(ctx, db, []byte("t1"))
	if err != nil || acc != mei.ID || fam == uuid.Nil {
		t.Fatalf("use t1: %d %v %v", acc, fam, err)
	}
	// Rotated within the family; another login starts another family.
	if err := store.IssueRefresh(ctx, db, mei.ID, fam, []byte("t2"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := store.IssueRefresh(ctx, db, mei.ID, uuid.Nil, []byte("other"), time.Hour); err != nil {
		t.Fatal(err)
	}
	v := version()
	if _, got, err := store.UseRefresh(ctx, db, []byte("t1")); !errors.Is(err, store.ErrTokenReused) || got != fam {
		t.Fatalf("reuse of t1: family %v, %v; want ErrTokenReused", got, err)
	}
	if !revoked(t, db, []byte("t2")) || revoked(t, db, []byte("other")) || version() != v+1 {
		t.Errorf("after reuse: t2 revoked %v, other family revoked %v, version %d (was %d)",
			revoked(t, db, []byte("t2")), revoked(t, db, []byte("other")), version(), v)
	}
	if _, _, err := store.UseRefresh(ctx, db, []byte("t2")); !errors.Is(err, store.ErrTokenInvalid) {
		t.Errorf("use of a revoked token: %v", err)
	}
	if _, _, err := store.UseRefresh(ctx, db, []byte("never issued")); !errors.Is(err, store.ErrTokenInvalid) {
		t.Errorf("use of an unknown token: %v", err)
	}
	store.IssueRefresh(ctx, db, mei.ID, uuid.Nil, []byte("old"), time.Hour)
	db.ExecContext(ctx, `UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = 'old'`)
	if _, _, err := store.UseRefresh(ctx, db, []byte("old")); !errors.Is(err, store.ErrTokenInvalid) {
		t.Errorf("use of an expired token: %v", err)
	}

	// Logout: the family is revoked and access tokens too; a token of another account
	// revokes nothing.
	ada, _ := store.CreateAccount(ctx, db, "ada", "h", "admin")
	v = version()
	if ok, err := store.RevokeRefresh(ctx, db, ada.ID, []byte("other")); ok || err != nil {
		t.Errorf("revoke with another account's token: %v %v", ok, err)
	}
	if revoked(t, db, []byte("other")) {
		t.Fatal("another account's logout revoked the token")
	}
	if ok, err := store.RevokeRefresh(ctx, db, mei.ID, []byte("other")); !ok || err != nil {
		t.Errorf("revoke: %v %v", ok, err)
	}
	if !revoked(t, db, []byte("other")) || version() != v+1 {
		t.Errorf("after logout: revoked %v, version %d (was %d)", revoked(t, db, []byte("other")), version(), v)
	}

	store.IssueRefresh(ctx, db, mei.ID, uuid.Nil, []byte("last"), time.Hour)
	if err := store.DisableAccount(ctx, db, "mei"); err != nil {
		t.Fatal(err)
	}
	db.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = NULL WHERE token_hash = 'last'`)
	if _, _, err := store.UseRefresh(ctx, db, []byte("last")); !errors.Is(err, store.ErrTokenInvalid) {
		t.Errorf("use of a disabled account's token: %v", err)
	}
}

// One signing key per database, made on first use.
func TestSigningKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	k1, err := store.SigningKey(ctx, db)
	if err != nil || len(k1) != 32 {
		t.Fatalf("key: %d bytes, %v", len(k1), err)
	}
	k2, err := store.SigningKey(ctx, db)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Errorf("second call returned another key")
	}
}

// A key is locked once its attempts in a window pass the limit, and stays locked until
// the lock ends; refunded (successful) attempts do not count; clearing forgets the key.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	policy := store.Throttle{Max: 3, Window: time.Minute, Lock: time.Hour}
	reserve := func(key string) bool {
		t.Helper()
		until, ok, err := store.ReserveLoginAttempt(ctx, db, key, policy)
		if err != nil {
			t.Fatal(err)
		}
		if !ok && time.Until(until) < 50*time.Minute {
			t.Errorf("locked until %v, want about an hour", until)
		}
		return ok
	}
	for i := 1; i <= 3; i++ {
		if !reserve("ip:1") {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if reserve("ip:1") {
		t.Fatal("4th attempt allowed, over the limit of 3")
	}
	if reserve("ip:1") {
		t.Fatal("attempt while locked allowed")
	}
	// A refund does not lift a lock.
	if err := store.RefundLoginAttempt(ctx, db, "ip:1"); err != nil {
		t.Fatal(err)
	}
	if reserve("ip:1") {
		t.Fatal("attempt after a refund while locked allowed")
	}
	if !reserve("ip:2") {
		t.Fatal("another key was locked")
	}

	// Successful logins refunded never lock the key.
	for i := 0; i < 10; i++ {
		if !reserve("ip:3") {
			t.Fatalf("refunded attempt %d refused", i)
		}
		if err := store.RefundLoginAttempt(ctx, db, "ip:3"); err != nil {
			t.Fatal(err)
		}
	}

	// Once the lock ends, a fresh window begins.
	if _, err := db.ExecContext(ctx, `UPDATE login_throttle SET locked_until = now() - interval '1 second' WHERE key = 'ip:1'`); err != nil {
		t.Fatal(err)
	}
	if !reserve("ip:1") {
		t.Fatal("attempt after the lock ended refused")
	}
	if n := count(t, db, `SELECT failures FROM login_throttle WHERE key = 'ip:1'`); n != 1 {
		t.Errorf("failures after the lock = %d, want 1", n)
	}
	if err := store.ClearLoginFailures(ctx, db, "ip:1"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM login_throttle WHERE key = 'ip:1'`); n != 0 {
		t.Errorf("cleared key still counted")
	}
}

// CountRate allows up to the limit in a window, says First for the first refusal, and
// starts again in a new window.
func TestCountRate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	for i := 1; i <= 5; i++ {
		r, err := store.CountRate(ctx, db, "k", 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed != (i <= 3) || r.First != (i == 4) || r.RetryAfter <= 0 || r.RetryAfter > time.Minute {
			t.Errorf("event %d: %+v", i, r)
		}
	}
	if r, _ := store.CountRate(ctx, db, "other", 3, time.Minute); !r.Allowed {
		t.Errorf("another key counted with the first")
	}
	if _, err := db.ExecContext(ctx, `UPDATE rate_counts SET window_start = now() - interval '2 minutes' WHERE key = 'k'`); err != nil {
		t.Fatal(err)
	}
	if r, _ := store.CountRate(ctx, db, "k", 3, time.Minute); !r.Allowed || r.First {
		t.Errorf("first event of a new window: %+v", r)
	}
}
