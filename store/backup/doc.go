// Package backup makes, checks and restores backups of the service's database.
//
// A backup is one tar archive, optionally encrypted with age as a whole: first the
// database in pg_dump's custom format, then a manifest (manifest.json) with the rows of
// every table counted in the same snapshot the dump was taken from, the migration
// version, and the dump's size and SHA-256. Beside it, FILE.sha256 holds the archive's
// own checksum in sha256sum's format, so a copy can be checked without the key.
//
// Restoring checks all of these before touching the target database, restores in one
// transaction, and counts the rows again: a backup is only as good as a restore of it.
package backup
