package xingqu_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"xingqu/api"
)

// This file checks the layout described in docs/architecture.md: which package may import
// which, and that SQL is written in one place.

const module = "xingqu"

// pkg is what the rules need of `go list -deps -json`.
type pkg struct {
	ImportPath string
	Deps       []string
	Standard   bool
}

// importRule is one rule of the layout: a package matching from must not depend, directly
// or through others, on a package of the project that allowed refuses.
type importRule struct {
	name    string
	from    func(path string) bool
	allowed func(dep string) bool
}

func under(root string) func(string) bool {
	return func(p string) bool { return p == root || strings.HasPrefix(p, root+"/") }
}

func oneOf(fs ...func(string) bool) func(string) bool {
	return func(p string) bool {
		for _, f := range fs {
			if f(p) {
				return true
			}
		}
		return false
	}
}

func not(f func(string) bool) func(string) bool { return func(p string) bool { return !f(p) } }

var (
	channels  = under(module + "/channel")
	httpLayer = under(module + "/httpapi")
	webChan   = under(module + "/channel/web")
)

// sameChannel is true of p when p is in the channel dep is in, or not in a channel at all.
func sameChannel(p string) func(string) bool {
	return func(dep string) bool {
		if !channels(dep) {
			return true
		}
		rest := strings.TrimPrefix(p, module+"/channel/")
		return under(module + "/channel/" + strings.SplitN(rest, "/", 2)[0])(dep)
	}
}

var importRules = []importRule{
	{"dialog imports no other package of the project", under(module + "/dialog"), under(module + "/dialog")},
	{"store imports only dialog and the migrations", under(module + "/store"),
		oneOf(under(module+"/store"), under(module+"/dialog"), under(module+"/migrations"))},
	{"a channel does not import the HTTP layer", channels, not(httpLayer)},
	// The HTTP layer mounts the web channel's handlers and shares its event streams with
	// the agents' console; the Telegram webhook reaches it as an http.Handler from cmd.
	{"the HTTP layer imports no channel but the web's", httpLayer, oneOf(not(channels), webChan)},
	{"the pipeline imports no channel and not the HTTP layer", under(module + "/pipeline"), not(oneOf(channels, httpLayer))},
	{"api and auth import no other package of the project", oneOf(under(module+"/api"), under(module+"/auth")),
		oneOf(under(module+"/api"), under(module+"/auth"))},
	{"nothing imports cmd", not(under(module + "/cmd")), not(under(module + "/cmd"))},
}

// violations lists every dependency that breaks a rule, as "rule: package -> dependency".
func violations(pkgs []pkg, rules []importRule) []string {
	var out []string
	for _, p := range pkgs {
		if !under(module)(p.ImportPath) {
			continue
		}
		if channels(p.ImportPath) {
			rules = append(rules[:len(rules):len(rules)], importRule{"a channel does not import another channel", channels, sameChannel(p.ImportPath)})
		}
		for _, r := range rules {
			if !r.from(p.ImportPath) {
				continue
			}
			for _, d := range p.Deps {
				if under(module)(d) && !r.allowed(d) {
					out = append(out, r.name+": "+p.ImportPath+" -> "+d)
				}
			}
		}
	}
	return out
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages; it did not run over the module", len(pkgs))
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	for _, v := range violations(listPackages(t), importRules) {
		t.Error(v)
	}
}

// The rules catch what they are meant to catch: each of these graphs breaks one.
func TestImportRulesCatchViolations(t *testing.T) {
	cases := []struct {
		name string
		p    pkg
	}{
		{"dialog imports store", pkg{ImportPath: "xingqu/dialog", Deps: []string{"xingqu/store"}}},
		{"dialog imports providers", pkg{ImportPath: "xingqu/dialog", Deps: []string{"xingqu/providers/llm"}}},
		{"store imports api", pkg{ImportPath: "xingqu/store", Deps: []string{"xingqu/dialog", "xingqu/api"}}},
		{"store imports providers", pkg{ImportPath: "xingqu/store/backup", Deps: []string{"xingqu/providers"}}},
		{"telegram imports the HTTP layer", pkg{ImportPath: "xingqu/channel/telegram", Deps: []string{"xingqu/httpapi"}}},
		{"the web channel imports the HTTP layer", pkg{ImportPath: "xingqu/channel/web", Deps: []string{"xingqu/httpapi"}}},
		{"telegram imports the web channel", pkg{ImportPath: "xingqu/channel/telegram", Deps: []string{"xingqu/channel/web"}}},
		{"the HTTP layer imports telegram", pkg{ImportPath: "xingqu/httpapi", Deps: []string{"xingqu/channel/web", "xingqu/channel/telegram"}}},
		{"the pipeline imports the HTTP layer", pkg{ImportPath: "xingqu/pipeline", Deps: []string{"xingqu/httpapi"}}},
		{"the pipeline imports a channel", pkg{ImportPath: "xingqu/pipeline", Deps: []string{"xingqu/channel/web"}}},
		{"api imports store", pkg{ImportPath: "xingqu/api", Deps: []string{"xingqu/store"}}},
		{"auth imports the HTTP layer", pkg{ImportPath: "xingqu/auth", Deps: []string{"xingqu/httpapi"}}},
		{"something imports cmd", pkg{ImportPath: "xingqu/store", Deps: []string{"xingqu/cmd/xingqu"}}},
		{"something imports cmd", pkg{ImportPath: "xingqu/providers/llm", Deps: []string{"xingqu/cmd/xingqu-load"}}},
	}
	for _, c := range cases {
		if v := violations([]pkg{c.p}, importRules); len(v) == 0 {
			t.Errorf("%s: no rule broken", c.name)
		}
	}
	for _, ok := range []pkg{
		{ImportPath: "xingqu/store", Deps: []string{"xingqu/dialog", "xingqu/migrations", "fmt"}},
		{ImportPath: "xingqu/httpapi", Deps: []string{"xingqu/channel/web", "xingqu/pipeline", "xingqu/auth", "xingqu/api"}},
		{ImportPath: "xingqu/channel/telegram/internal/x", Deps: []string{"xingqu/channel/telegram", "xingqu/pipeline"}},
	} {
		if v := violations([]pkg{ok}, importRules); len(v) != 0 {
			t.Errorf("%s: %v", ok.ImportPath, v)
		}
	}
}

// sqlWord finds SQL in a string literal.
var sqlWord = regexp.MustCompile(`\b(SELECT|INSERT|UPDATE|DELETE)\b`)

// goFiles calls found for each Go file under root that is not a test and not in the
// directories skip names, with its path (relative, slashed).
func goFiles(t *testing.T, root string, skip map[string]bool, found func(file string, fset *token.FileSet, f *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if skip[rel] || strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" || d.Name() == "node_modules" || d.Name() == "var" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		found(rel, fset, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// stringLiterals calls found for each string literal of the Go files goFiles finds, with
// its file and line.
func stringLiterals(t *testing.T, root string, skip map[string]bool, found func(file string, line int, s string)) {
	t.Helper()
	goFiles(t, root, skip, func(file string, fset *token.FileSet, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					found(file, fset.Position(lit.Pos()).Line, s)
				}
			}
			return true
		})
	})
}

var codeShape = regexp.MustCompile(`^(E|LLM)-[0-9]{3}$`)

// Error codes are written once, in api's table. dialog imports nothing of the project, so
// the one code it compares with is checked against the table here instead.
func TestErrorCodesOnlyInAPI(t *testing.T) {
	stringLiterals(t, ".", map[string]bool{"api": true}, func(file string, line int, s string) {
		if !codeShape.MatchString(s) {
			return
		}
		if _, known := api.Codes[api.Code(s)]; strings.HasPrefix(file, "dialog/") && known {
			return
		}
		t.Errorf("%s:%d: error code %q written out; use the api constant", file, line, s)
	})
}

// sqlOutsideStore lists the string literals holding SQL in the Go files under root that
// are not in store/ or migrations/ and are not tests, as "file:line".
func sqlOutsideStore(t *testing.T, root string) map[string][]int {
	t.Helper()
	found := map[string][]int{}
	stringLiterals(t, root, map[string]bool{"store": true, "migrations": true}, func(file string, line int, s string) {
		if sqlWord.MatchString(s) {
			found[file] = append(found[file], line)
		}
	})
	return found
}

func TestSQLOnlyInStore(t *testing.T) {
	for file, lines := range sqlOutsideStore(t, ".") {
		t.Errorf("%s: SQL in the string literals at lines %v; write it as a function in store", file, lines)
	}
}

// The check sees SQL however the literal is written, and nothing else.
func TestSQLCheckCatchesSQL(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bot/a.go", "package bot\n\nconst q = `\n\tSELECT id\n\tFROM t`\n")
	write("bot/b.go", "package bot\n\nvar q = \"DELETE FROM t WHERE id = $1\"\n")
	write("bot/c.go", "package bot\n\nvar s = \"select a plan\" // prose, lower case\n")
	write("bot/c_test.go", "package bot\n\nvar q = `INSERT INTO t VALUES (1)`\n")
	write("store/d.go", "package store\n\nconst q = `UPDATE t SET a = 1`\n")
	write("migrations/e.go", "package migrations\n\nconst q = `UPDATE t SET a = 1`\n")
	found := sqlOutsideStore(t, dir)
	if len(found) != 2 || len(found["bot/a.go"]) != 1 || len(found["bot/b.go"]) != 1 {
		t.Errorf("got %v, want bot/a.go and bot/b.go only", found)
	}
}

// onlyIn is where one piece of the design is implemented: the selector (package.Name) may
// be used in that file's function and nowhere else outside tests.
type onlyIn struct {
	selector, file, fn, what string
}

var oneImplementation = []onlyIn{
	{"pq.NewListener", "store/notify.go", "run", "the LISTEN loop (store.Listener)"},
	{"store.LockHolder", "httpapi/agent.go", "hold", "the takeover/hand-back prologue (hold)"},
	{"store.SetHolder", "httpapi/agent.go", "", "taking over and handing back (agent.go)"},
}

// copies lists the uses of a onlyIn selector outside its place, and the comparisons of
// a message's length in characters with api.MaxMessageLen outside api.MessageFits, as
// "file:line: what".
func copies(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	goFiles(t, root, nil, func(file string, fset *token.FileSet, f *ast.File) {
		for _, d := range f.Decls {
			fn, _ := d.(*ast.FuncDecl)
			name := ""
			if fn != nil {
				name = fn.Name.Name
			}
			ast.Inspect(d, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					x, ok := n.X.(*ast.Ident)
					if !ok {
						return true
					}
					for _, o := range oneImplementation {
						if x.Name+"."+n.Sel.Name == o.selector && (file != o.file || o.fn != "" && name != o.fn) {
							out = append(out, fmt.Sprintf("%s:%d: %s outside %s", file, fset.Position(n.Pos()).Line, o.selector, o.what))
						}
					}
				case *ast.BinaryExpr:
					if isCall(n.X, "RuneCountInString") && mentions(n.Y, "MaxMessageLen") || isCall(n.Y, "RuneCountInString") && mentions(n.X, "MaxMessageLen") {
						if file != "api/api.go" || name != "MessageFits" {
							out = append(out, fmt.Sprintf("%s:%d: a message's length checked outside api.MessageFits", file, fset.Position(n.Pos()).Line))
						}
					}
				}
				return true
			})
		}
	})
	return out
}

func isCall(e ast.Expr, fn string) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == fn
}

func mentions(e ast.Expr, name string) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// Must-show: one LISTEN loop, one takeover/hand-back prologue, one message length check.
func TestNoCopies(t *testing.T) {
	for _, c := range copies(t, ".") {
		t.Error(c)
	}
}

func TestNoCopiesCatchesCopies(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("channel/web/hub.go", "package web\n\nfunc listen() { pq.NewListener(url, 0, 0, nil) }\n")
	write("httpapi/cases.go", "package httpapi\n\nfunc take() { store.LockHolder(ctx, tx, 1) }\n")
	write("httpapi/feedback.go", "package httpapi\n\nfunc fits(s string) bool { return utf8.RuneCountInString(s) > api.MaxMessageLen }\n")
	write("httpapi/agent.go", "package httpapi\n\nfunc hold() { store.LockHolder(ctx, tx, 1) }\n")
	write("api/api.go", "package api\n\nfunc MessageFits(s string) bool { return utf8.RuneCountInString(s) <= MaxMessageLen }\n")
	got := copies(t, dir)
	if len(got) != 3 {
		t.Errorf("got %q, want the listener in web, the prologue in cases.go and the check in feedback.go", got)
	}
}
