// Package migrations holds the numbered SQL files that build the schema, embedded so the
// binary carries them.
package migrations

import "embed"

// FS holds the migration files, applied in order of their number.
//
//go:embed *.sql
var FS embed.FS
