package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	_ "github.com/lib/pq" // the "postgres" driver
)

// Format names the archive layout in every manifest.
const Format = "xingqu-backup/1"

const (
	dumpEntry     = "xingqu.dump"
	manifestEntry = "manifest.json"
	ageMagic      = "age-encryption.org/v1"
)

// Errors a caller (and an operator reading its message) tells apart.
var (
	ErrDamaged   = errors.New("backup is damaged or incomplete")
	ErrWrongKey  = errors.New("backup does not open with this key")
	ErrKeyNeeded = errors.New("backup is encrypted")
	ErrMismatch  = errors.New("restored rows differ from the backup's manifest")
	ErrNotEmpty  = errors.New("database is not empty")
)

// Manifest describes a backup; it is the last entry of the archive.
type Manifest struct {
	Format        string           `json:"format"`
	CreatedAt     time.Time        `json:"createdAt"`
	Version       string           `json:"version"` // of the xingqu that made it
	Database      string           `json:"database"`
	ServerVersion string           `json:"serverVersion"`
	Migration     int64            `json:"migration"`
	Tables        map[string]int64 `json:"tables"` // rows per table, in the dump's snapshot
	DumpBytes     int64            `json:"dumpBytes"`
	DumpSHA256    string           `json:"dumpSha256"`
	Encrypted     bool             `json:"encrypted"`
}

// Create dumps the database at dbURL into the archive out (and out.sha256), encrypted
// when key is set. The rows are counted in the snapshot pg_dump is given, so the
// manifest describes exactly what the dump holds while the service keeps writing.
func Create(ctx context.Context, dbURL, out string, key Key, version string) (Manifest, error) {
	tools, err := FindTools()
	if err != nil {
		return Manifest{}, err
	}
	dbname, env, err := connArgs(dbURL)
	if err != nil {
		return Manifest{}, err
	}
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return Manifest{}, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	defer tx.Rollback()
	m := Manifest{Format: Format, CreatedAt: time.Now().UTC(), Version: version, Encrypted: key.Encrypts()}
	var snapshot string
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot(), current_database(), current_setting('server_version')`).
		Scan(&snapshot, &m.Database, &m.ServerVersion); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	if m.Tables, err = countRows(ctx, tx); err != nil {
		return Manifest{}, err
	}
	if m.Migration, err = migrationVersion(ctx, tx); err != nil {
		return Manifest{}, err
	}

	dir := filepath.Dir(out)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Manifest{}, err
	}
	dump, err := os.CreateTemp(dir, ".xingqu-dump-*")
	if err != nil {
		return Manifest{}, err
	}
	dump.Close()
	defer os.Remove(dump.Name())
	if err := runTool(ctx, tools.Dump, env, "--format=custom", "--snapshot="+snapshot,
		"--file="+dump.Name(), "--dbname="+dbname); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	tx.Rollback() // the snapshot is no longer needed

	m.DumpSHA256, m.DumpBytes, err = hashFile(dump.Name())
	if err != nil {
		return Manifest{}, err
	}
	if err := writeArchive(out, dump.Name(), m, key); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// writeArchive writes out atomically: under a temporary name, synced, then renamed, with
// the checksum file written last.
func writeArchive(out, dumpPath string, m Manifest, key Key) (err error) {
	partial := out + ".partial"
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(partial)
		}
	}()
	sum := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, sum), 1<<16)
	var w io.Writer = bw
	var enc io.WriteCloser
	if key.Encrypts() {
		if enc, err = age.Encrypt(bw, key.recipient); err != nil {
			return fmt.Errorf("encrypt: %w", err)
		}
		w = enc
	}
	tw := tar.NewWriter(w)
	src, err := os.Open(dumpPath)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := tw.WriteHeader(&tar.Header{Name: dumpEntry, Mode: 0o600, Size: m.DumpBytes, ModTime: m.CreatedAt}); err != nil {
		return err
	}
	if _, err := io.Copy(tw, src); err != nil {
		return err
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestEntry, Mode: 0o600, Size: int64(len(mj)), ModTime: m.CreatedAt}); err != nil {
		return err
	}
	if _, err := tw.Write(mj); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(partial, out); err != nil {
		return err
	}
	line := hex.EncodeToString(sum.Sum(nil)) + "  " + filepath.Base(out) + "\n"
	return os.WriteFile(out+".sha256", []byte(line), 0o600)
}

// unpack checks the archive at path and extracts its dump into dir. It fails, before
// anything is restored, on a checksum that does not match, a key that does not open
// the archive, a truncated or altered archive, and a dump that does not match the
// manifest.
func unpack(path string, key Key, dir string) (Manifest, string, error) {
	if err := checkSumFile(path); err != nil {
		return Manifest{}, "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return Manifest{}, "", err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var r io.Reader = br
	if head, _ := br.Peek(len(ageMagic)); string(head) == ageMagic {
		switch {
		case key.kind == "":
			return Manifest{}, "", fmt.Errorf("%w: set XINGQU_BACKUP_KEY to the secret key or passphrase it was made with", ErrKeyNeeded)
		case key.identity == nil:
			return Manifest{}, "", fmt.Errorf("%w: XINGQU_BACKUP_KEY holds a public key (age1…); restoring needs the matching secret key (AGE-SECRET-KEY-1…)", ErrKeyNeeded)
		}
		r, err = age.Decrypt(br, key.identity)
		var noMatch *age.NoIdentityMatchError
		switch {
		case errors.As(err, &noMatch):
			return Manifest{}, "", fmt.Errorf("%w: XINGQU_BACKUP_KEY (%s) is not the key it was encrypted with", ErrWrongKey, key)
		case err != nil:
			return Manifest{}, "", fmt.Errorf("%w: %v", ErrDamaged, err)
		}
	}
	var m Manifest
	var haveManifest bool
	dumpPath := filepath.Join(dir, dumpEntry)
	var dumpSum string
	var dumpBytes int64
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Manifest{}, "", fmt.Errorf("%w: %v", ErrDamaged, err)
		}
		switch h.Name {
		case dumpEntry:
			out, err := os.OpenFile(dumpPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
			if err != nil {
				return Manifest{}, "", err
			}
			sum := sha256.New()
			dumpBytes, err = io.Copy(io.MultiWriter(out, sum), tr)
			out.Close()
			if err != nil {
				return Manifest{}, "", fmt.Errorf("%w: reading the dump: %v", ErrDamaged, err)
			}
			dumpSum = hex.EncodeToString(sum.Sum(nil))
		case manifestEntry:
			b, err := io.ReadAll(io.LimitReader(tr, 1<<20))
			if err != nil {
				return Manifest{}, "", fmt.Errorf("%w: reading the manifest: %v", ErrDamaged, err)
			}
			if err := json.Unmarshal(b, &m); err != nil {
				return Manifest{}, "", fmt.Errorf("%w: manifest: %v", ErrDamaged, err)
			}
			haveManifest = true
		}
	}
	switch {
	case dumpSum == "":
		return Manifest{}, "", fmt.Errorf("%w: it holds no database dump (is it a xingqu backup?)", ErrDamaged)
	case !haveManifest:
		return Manifest{}, "", fmt.Errorf("%w: its manifest is missing: the file ends early", ErrDamaged)
	case m.Format != Format:
		return Manifest{}, "", fmt.Errorf("%w: format %q, this build reads %q", ErrDamaged, m.Format, Format)
	case dumpSum != m.DumpSHA256 || dumpBytes != m.DumpBytes:
		return Manifest{}, "", fmt.Errorf("%w: the dump (%d bytes) does not match its manifest (%d bytes)", ErrDamaged, dumpBytes, m.DumpBytes)
	}
	return m, dumpPath, nil
}

// checkSumFile compares the archive with path.sha256 when that file exists: a copy cut
// short in transfer fails here, with a message saying so, before any decryption.
func checkSumFile(path string) error {
	b, err := os.ReadFile(path + ".sha256")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	want, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	got, _, err := hashFile(path)
	if err != nil {
		return err
	}
	if !strings.EqualFold(got, want) {
		return fmt.Errorf("%w: %s does not match its checksum in %s.sha256 (cut short or altered in transfer?)", ErrDamaged, filepath.Base(path), filepath.Base(path))
	}
	return nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ReadManifest returns an archive's manifest after the same checks a restore makes.
func ReadManifest(path string, key Key) (Manifest, error) {
	dir, err := os.MkdirTemp("", "xingqu-backup-")
	if err != nil {
		return Manifest{}, err
	}
	defer os.RemoveAll(dir)
	m, _, err := unpack(path, key, dir)
	return m, err
}

// diffCounts lists, one per line, every table whose rows differ from want.
func diffCounts(want, got map[string]int64) string {
	var b bytes.Buffer
	for _, t := range sortedKeys(want) {
		if g, ok := got[t]; !ok {
			fmt.Fprintf(&b, "  %s: missing after restore (backup has %d rows)\n", t, want[t])
		} else if g != want[t] {
			fmt.Fprintf(&b, "  %s: %d rows, backup has %d\n", t, g, want[t])
		}
	}
	for _, t := range sortedKeys(got) {
		if _, ok := want[t]; !ok {
			fmt.Fprintf(&b, "  %s: not in the backup (%d rows)\n", t, got[t])
		}
	}
	return b.String()
}

// FileName is the name a backup made at t gets: names sort by time, and an encrypted
// backup says so.
func FileName(t time.Time, encrypted bool) string {
	name := "xingqu-" + t.UTC().Format("20060102T150405Z") + ".tar"
	if encrypted {
		name += ".age"
	}
	return name
}
