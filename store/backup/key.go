package backup

import (
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
)

// MinPassphrase is the shortest passphrase accepted as a key. A backup leaves the machine,
// so its passphrase must hold out against an offline search: scrypt slows each guess, it
// cannot make a short passphrase long.
const MinPassphrase = 16

// scryptWorkFactor is log2 of scrypt's cost for passphrases: age's default, about a second
// and 256 MiB per backup on a server. Tests lower it.
var scryptWorkFactor = 18

// Key is what XINGQU_BACKUP_KEY holds, in one of three forms:
//
//   - an age public key ("age1…"): backups are encrypted to it, and only the matching
//     secret key, kept away from the servers, can restore them. A stolen server then
//     cannot read old backups. Restoring needs the secret key.
//   - an age secret key ("AGE-SECRET-KEY-1…"): encrypts to its own public key and
//     decrypts; for the machine that restores.
//   - anything else is a passphrase (at least MinPassphrase characters), stretched with
//     scrypt; the same value encrypts and decrypts.
//
// The zero Key means no encryption.
type Key struct {
	kind      string // "", "public", "secret", "passphrase"
	recipient age.Recipient
	identity  age.Identity
}

// ParseKey reads a key in any of the forms Key describes; "" is no key.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Key{}, nil
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return Key{}, errors.New("not a valid age public key")
		}
		return Key{kind: "public", recipient: r}, nil
	case strings.HasPrefix(strings.ToUpper(s), "AGE-SECRET-KEY-"):
		id, err := age.ParseX25519Identity(s)
		if err != nil {
			// The parser's message would quote the key.
			return Key{}, errors.New("not a valid age secret key")
		}
		return Key{kind: "secret", recipient: id.Recipient(), identity: id}, nil
	}
	if n := len([]rune(s)); n < MinPassphrase {
		return Key{}, fmt.Errorf("a passphrase must have at least %d characters (this one has %d), or give an age key", MinPassphrase, n)
	}
	r, err := age.NewScryptRecipient(s)
	if err != nil {
		return Key{}, err
	}
	r.SetWorkFactor(scryptWorkFactor)
	id, err := age.NewScryptIdentity(s)
	if err != nil {
		return Key{}, err
	}
	return Key{kind: "passphrase", recipient: r, identity: id}, nil
}

// Encrypts reports whether backups made with k are encrypted.
func (k Key) Encrypts() bool { return k.recipient != nil }

// String names the kind of key, never the key.
func (k Key) String() string {
	switch k.kind {
	case "public":
		return "age public key"
	case "secret":
		return "age secret key"
	case "passphrase":
		return "passphrase"
	}
	return "none"
}

// NewIdentity makes a fresh age key pair for XINGQU_BACKUP_KEY: the servers get the public
// key, the secret key is kept where restores are done.
func NewIdentity() (secret, public string, err error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", "", err
	}
	return id.String(), id.Recipient().String(), nil
}
