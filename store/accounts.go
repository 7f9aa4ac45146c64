package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Account is an agent or admin of the console.
type Account struct {
	ID           int64     `db:"id" json:"id"`
	Username     string    `db:"username" json:"username"`
	PasswordHash string    `db:"password_hash" json:"-"`
	Role         string    `db:"role" json:"role"`
	Disabled     bool      `db:"disabled" json:"disabled"`
	CreatedAt    time.Time `db:"created_at" json:"createdAt"`
	// MustChangePassword is set while the account has a temporary password from an admin.
	MustChangePassword bool `db:"must_change_password" json:"mustChangePassword"`
	// TokenVersion is carried in access tokens; one with another version is refused.
	TokenVersion int `db:"token_version" json:"-"`
}

// Account errors callers branch on.
var (
	ErrExists       = errors.New("already exists")
	ErrTokenReused  = errors.New("refresh token reused")
	ErrTokenInvalid = errors.New("refresh token invalid or expired")
)

// NormalizeUsername is how usernames are compared: case and surrounding space do not count.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CreateAccount adds an account; ErrExists when the name is taken.
func CreateAccount(ctx context.Context, q Queryer, username, hash, role string) (Account, error) {
	var a Account
	err := q.GetContext(ctx, &a, `INSERT INTO accounts (username, password_hash, role) VALUES ($1, $2, $3)
RETURNING id, username, password_hash, role, disabled, created_at, must_change_password, token_version`, NormalizeUsername(username), hash, role)
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" {
		return Account{}, fmt.Errorf("account %q: %w", username, ErrExists)
	}
	if err != nil {
		return Account{}, fmt.Errorf("create account: %w", err)
	}
	return a, nil
}

// AccountByName finds an account by username.
func AccountByName(ctx context.Context, q Queryer, username string) (Account, error) {
	return accountWhere(ctx, q, "username = $1", NormalizeUsername(username))
}

// AccountByID finds an account by id.
func AccountByID(ctx context.Context, q Queryer, id int64) (Account, error) {
	return accountWhere(ctx, q, "id = $1", id)
}

func accountWhere(ctx context.Context, q Queryer, where string, arg any) (Account, error) {
	var a Account
	err := q.GetContext(ctx, &a, `SELECT id, username, password_hash, role, disabled, created_at, must_change_password, token_version FROM accounts WHERE `+where, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("account: %w", ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("account: %w", err)
	}
	return a, nil
}

// Accounts lists every account by name.
func Accounts(ctx context.Context, q Queryer) ([]Account, error) {
	var as []Account
	err := q.SelectContext(ctx, &as, `SELECT id, username, password_hash, role, disabled, created_at, must_change_password, token_version FROM accounts ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return as, nil
}

// SetPassword replaces an account's password hash and revokes its refresh and access
// tokens, so a changed password ends every session.
func SetPassword(ctx context.Context, db *DB, username, hash string) error {
	return db.InTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `UPDATE accounts SET password_hash = $2, token_version = token_version + 1, updated_at = now() WHERE username = $1 RETURNING id`,
			NormalizeUsername(username), hash)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("account %q: %w", username, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL`, id)
		return err
	})
}

// SetTemporaryPassword gives an account a password its owner must replace at the next
// login (MustChangePassword), and revokes its refresh tokens.
func SetTemporaryPassword(ctx context.Context, db *DB, id int64, hash string) (Account, error) {
	return setPasswordByID(ctx, db, id, hash, true)
}

// ChangeOwnPassword replaces the password of an account whose owner chose it, clearing
// MustChangePassword, and revokes its refresh tokens.
func ChangeOwnPassword(ctx context.Context, db *DB, id int64, hash string) (Account, error) {
	return setPasswordByID(ctx, db, id, hash, false)
}

func setPasswordByID(ctx context.Context, db *DB, id int64, hash string, temporary bool) (Account, error) {
	var a Account
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &a, `UPDATE accounts SET password_hash = $2, must_change_password = $3, token_version = token_version + 1, updated_at = now()
WHERE id = $1 RETURNING id, username, password_hash, role, disabled, created_at, must_change_password, token_version`, id, hash, temporary)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("account %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL`, id)
		return err
	})
	return a, err
}

// DisableAccount stops an account logging in and revokes its refresh and access tokens.
func DisableAccount(ctx context.Context, db *DB, username string) error {
	return db.InTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `UPDATE accounts SET disabled = true, token_version = token_version + 1, updated_at = now() WHERE username = $1 RETURNING id`,
			NormalizeUsername(username))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("account %q: %w", username, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("disable account: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL`, id)
		return err
	})
}

// SigningKey returns the secret that signs access tokens, creating it on first use; every
// instance on the database gets the same one.
func SigningKey(ctx context.Context, q Queryer) ([]byte, error) {
	secret := make([]byte, 32)
	rand.Read(secret)
	if _, err := q.ExecContext(ctx, `INSERT INTO signing_keys (id, secret) VALUES (1, $1) ON CONFLICT DO NOTHING`, secret); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	var got []byte
	if err := q.GetContext(ctx, &got, `SELECT secret FROM signing_keys WHERE id = 1`); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return got, nil
}

// IssueRefresh stores a refresh token's hash in a family (a new one when family is zero).
func IssueRefresh(ctx context.Context, q Queryer, accountID int64, family uuid.UUID, hash []byte, ttl time.Duration) error {
	if family == uuid.Nil {
		family = uuid.New()
	}
	_, err := q.ExecContext(ctx, `INSERT INTO refresh_tokens (account_id, family, token_hash, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 second')`,
		accountID, family, hash, int64(ttl.Seconds()))
	if err != nil {
		return fmt.Errorf("issue refresh token: %w", err)
	}
	return nil
}

// UseRefresh spends a refresh token and returns its account and family. A token already
// spent means it leaked: it revokes its family and the account's access tokens and returns
// ErrTokenReused; the revocation commits even so.
func UseRefresh(ctx context.Context, db *DB, hash []byte) (accountID int64, family uuid.UUID, err error) {
	var reused bool
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		var r struct {
			AccountID int64        `db:"account_id"`
			Family    uuid.UUID    `db:"family"`
			Expired   bool         `db:"expired"`
			Used      sql.NullTime `db:"used_at"`
			Revoked   sql.NullTime `db:"revoked_at"`
			Disabled  bool         `db:"disabled"`
		}
		err := tx.GetContext(ctx, &r, `
SELECT t.account_id, t.family, t.expires_at < now() AS expired, t.used_at, t.revoked_at, a.disabled
FROM refresh_tokens t JOIN accounts a ON a.id = t.account_id
WHERE t.token_hash = $1 FOR UPDATE OF t`, hash)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrTokenInvalid
		}
		if err != nil {
			return fmt.Errorf("refresh token: %w", err)
		}
		accountID, family = r.AccountID, r.Family
		if r.Used.Valid {
			reused = true
			if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL`, r.Family); err != nil {
				return err
			}
			return bumpTokenVersion(ctx, tx, r.AccountID)
		}
		if r.Revoked.Valid || r.Expired || r.Disabled {
			return ErrTokenInvalid
		}
		_, err = tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1`, hash)
		return err
	})
	if err != nil {
		return 0, uuid.Nil, err
	}
	if reused {
		return accountID, family, ErrTokenReused
	}
	return accountID, family, nil
}

// RevokeRefresh revokes the family of the account's refresh token and the account's
// access tokens (a logout).
func RevokeRefresh(ctx context.Context, db *DB, accountID int64, hash []byte) (bool, error) {
	var n int64
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = now()
WHERE revoked_at IS NULL AND family = (SELECT family FROM refresh_tokens WHERE token_hash = $1 AND account_id = $2)`, hash, accountID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return bumpTokenVersion(ctx, tx, accountID)
	})
	if err != nil {
		return false, fmt.Errorf("revoke refresh token: %w", err)
	}
	return n > 0, nil
}

func bumpTokenVersion(ctx context.Context, q Queryer, accountID int64) error {
	_, err := q.ExecContext(ctx, `UPDATE accounts SET token_version = token_version + 1 WHERE id = $1`, accountID)
	return err
}

// Throttle is the policy for failed logins under one key.
type Throttle struct {
	Max    int           // failures within Window before the key is locked
	Window time.Duration // failures older than this are forgotten
	Lock   time.Duration // how long a lock lasts
}

// ReserveLoginAttempt counts an attempt under key before the password is checked, so
// that attempts racing each other cannot all slip in under the limit: one statement
// increments the count and locks the key once it passes t.Max. allowed is false while the
// key is locked, until then. A refused attempt leaves the count as it is.
func ReserveLoginAttempt(ctx context.Context, q Queryer, key string, t Throttle) (until time.Time, allowed bool, err error) {
	var r struct {
		Failures int          `db:"failures"`
		Until    sql.NullTime `db:"locked_until"`
	}
	// A lock that has run out starts a fresh window, as does a window that has.
	err = q.GetContext(ctx, &r, `
INSERT INTO login_throttle AS l (key, failures, window_start) VALUES ($1, 1, now())
ON CONFLICT (key) DO UPDATE SET
    failures = CASE
        WHEN l.locked_until > now() THEN l.failures
        WHEN l.locked_until IS NOT NULL OR l.window_start < now() - $2 * interval '1 millisecond' THEN 1
        ELSE l.failures + 1 END,
    window_start = CASE
        WHEN l.locked_until > now() THEN l.window_start
        WHEN l.locked_until IS NOT NULL OR l.window_start < now() - $2 * interval '1 millisecond' THEN now()
        ELSE l.window_start END,
    locked_until = CASE
        WHEN l.locked_until > now() THEN l.locked_until
        WHEN l.locked_until IS NULL AND l.window_start >= now() - $2 * interval '1 millisecond' AND l.failures + 1 > $3
            THEN now() + $4 * interval '1 millisecond'
        ELSE NULL END
RETURNING failures, locked_until`, key, t.Window.Milliseconds(), t.Max, t.Lock.Milliseconds())
	if err != nil {
		return time.Time{}, false, fmt.Errorf("login throttle: %w", err)
	}
	if r.Until.Valid {
		return r.Until.Time, false, nil
	}
	return time.Time{}, true, nil
}

// RefundLoginAttempt takes back an attempt reserved under key that turned out to be a
// successful login, so that an address's own good logins do not lock it.
func RefundLoginAttempt(ctx context.Context, q Queryer, key string) error {
	_, err := q.ExecContext(ctx, `UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $1 AND locked_until IS NULL`, key)
	if err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets a key's failures after a successful login.
func ClearLoginFailures(ctx context.Context, q Queryer, key string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, key)
	return err
}
