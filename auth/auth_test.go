package auth

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashPassword(t *testing.T) {
	PasswordCost = bcrypt.MinCost
	for _, c := range []struct {
		pw string
		ok bool
	}{
		{strings.Repeat("a", MinPasswordLen-1), false},
		{strings.Repeat("a", MinPasswordLen), true},
		{strings.Repeat("a", 72), true},
		{strings.Repeat("a", 73), false}, // bcrypt ignores what is past 72 bytes
	} {
		h, err := HashPassword(c.pw)
		if (err == nil) != c.ok {
			t.Errorf("%d bytes: err %v, want ok %v", len(c.pw), err, c.ok)
			continue
		}
		if c.ok && bcrypt.CompareHashAndPassword([]byte(h), []byte(c.pw)) != nil {
			t.Errorf("%d bytes: the hash does not match the password", len(c.pw))
		}
	}
}
