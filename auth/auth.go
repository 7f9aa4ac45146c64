// Package auth holds who may act and how they prove it, apart from HTTP: principals and
// their roles, token lifetimes and password hashing. The HTTP layer authenticates
// requests with it; `xingqu user` hashes passwords with it.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Principal is who a request acts for: an agent or admin with an access token, or a
// widget visitor with a session token.
type Principal struct {
	Kind           string // "agent" | "admin" | "widget"
	UserID         int64
	Username       string
	Role           string
	SessionID      string
	ConversationID int64
	// MustChangePassword: the account has a temporary password, and may only replace it.
	MustChangePassword bool
}

// Roles and principal kinds.
const (
	RoleAgent  = "agent"
	RoleAdmin  = "admin"
	KindWidget = "widget"
)

// Token lifetimes. Access tokens are short so that a stolen one is worth little; refresh
// tokens rotate on every use.
const (
	AccessTTL  = 15 * time.Minute
	RefreshTTL = 30 * 24 * time.Hour
	SessionTTL = 30 * 24 * time.Hour
)

// PasswordCost is bcrypt's work factor for new hashes; tests lower it to keep the race
// detector's run short.
var PasswordCost = 12

// MinPasswordLen is the shortest password an account may have.
const MinPasswordLen = 10

// HashPassword hashes a password for storage.
func HashPassword(pw string) (string, error) {
	if len(pw) < MinPasswordLen {
		return "", fmt.Errorf("password: at least %d characters", MinPasswordLen)
	}
	if len(pw) > 72 {
		return "", errors.New("password: at most 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), PasswordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// MaxUsernameLen is the longest username an account may have.
const MaxUsernameLen = 64

type principalKey struct{}

// WithPrincipal returns ctx carrying the principal authentication found for a request.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalOf returns the principal the authentication middleware put in the request's
// context; the zero Principal when none did.
func PrincipalOf(r *http.Request) Principal {
	p, _ := r.Context().Value(principalKey{}).(Principal)
	return p
}

// WidgetTokenPrefix starts every widget session token, so that one is told from an
// access token without parsing it.
const WidgetTokenPrefix = "xqw_"

// NewOpaqueToken returns a random token with a prefix saying what it is, and its hash.
func NewOpaqueToken(prefix string) (string, []byte) {
	var b [32]byte
	rand.Read(b[:])
	tok := prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return tok, HashToken(tok)
}

// HashToken is how an opaque token is stored and looked up: never the token itself.
func HashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}
