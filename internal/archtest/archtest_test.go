// Package archtest keeps the architecture's import rules as an allow-list:
// every package in the module names the packages of the module it may
// import, and a package without an entry fails. The layers, from the bottom:
//
//	domain                          (standard library only)
//	authz, match, importexport,     (pure: rules, matching, file formats,
//	eligibility,                     programmes' rules;
//	observe, router, web/view,       no SQL, no I/O beyond what they format)
//	store/dialect, store/txhook,
//	migrations, config, loadtest
//	store                           (all SQL; the only road to the database)
//	audit                           (hashing, signing, verifying; writes through store)
//	auth, service, generate, demo   (the work; service is the one road to protected data)
//	web, api                        (transports: speak HTTP, call services)
//	app                             (builds everything once: app.Build)
//	cli                             (parses commands, runs what app built)
//	cmd/alliance                    (main: calls cli)
//
// Test files may import more (a test may open a store to check what a
// service did); the rule is about what ships.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "alliance/"

// allowed maps each package of the module (its path inside the module) to
// the packages of the module it may import. Imports outside the module are
// not listed here, except that domain may import only the standard library.
var allowed = map[string][]string{
	"cmd/alliance": {"internal/cli"},

	"internal/domain":        {},
	"internal/authz":         {"internal/domain"},
	"internal/match":         {},
	"internal/eligibility":   {},
	"internal/importexport":  {"internal/domain"},
	"internal/observe":       {},
	"internal/router":        {"internal/domain", "internal/observe"},
	"internal/web/view":      {"internal/domain"},
	"internal/store/dialect": {},
	"internal/store/txhook":  {},
	"internal/migrations":    {},
	"internal/config":        {},
	"internal/loadtest":      {},
	"internal/archtest":      {},

	"internal/store": {"internal/domain", "internal/authz", "internal/match", "internal/migrations",
		"internal/store/dialect", "internal/store/txhook"},
	"internal/store/storetest": {"internal/store"},

	"internal/audit": {"internal/domain", "internal/observe", "internal/store", "internal/store/dialect", "internal/store/txhook"},

	"internal/auth": {},
	"internal/service": {"internal/domain", "internal/authz", "internal/audit", "internal/auth", "internal/eligibility",
		"internal/importexport", "internal/match", "internal/observe", "internal/store", "internal/store/dialect"},
	"internal/generate": {"internal/domain", "internal/audit", "internal/match", "internal/store"},
	"internal/demo":     {"internal/domain", "internal/audit", "internal/auth", "internal/eligibility", "internal/match", "internal/store"},

	"internal/web": {"internal/domain", "internal/authz", "internal/audit", "internal/eligibility", "internal/importexport",
		"internal/observe", "internal/router", "internal/service", "internal/web/view"},
	"internal/api": {"internal/domain", "internal/observe", "internal/router", "internal/service"},

	"internal/app": {"internal/api", "internal/audit", "internal/auth", "internal/config", "internal/demo", "internal/generate", "internal/observe", "internal/router",
		"internal/service", "internal/store", "internal/web"},
	"internal/cli": {"internal/app", "internal/config", "internal/demo", "internal/domain",
		"internal/generate", "internal/importexport", "internal/loadtest", "internal/observe", "internal/service"},

	// e2e holds only tests.
	"e2e": {},
}

// imports returns, for every directory of the module holding non-test Go
// files, the module packages those files import.
func imports(t *testing.T, root string) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || name == "tools" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if out[rel] == nil {
			out[rel] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if rest, ok := strings.CutPrefix(p, module); ok {
				out[rel][rest] = true
			} else if rel == "internal/domain" && strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
				out[rel]["(outside the standard library) "+p] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// violations checks found against the allow-list and returns one message per
// broken rule, sorted.
func violations(found map[string]map[string]bool, allow map[string][]string) []string {
	var msgs []string
	for pkg, deps := range found {
		ok, listed := allow[pkg]
		if !listed {
			msgs = append(msgs, pkg+" has no entry in archtest's allow-list: add one naming the packages it may import (and so its layer)")
			continue
		}
		for dep := range deps {
			if !slices.Contains(ok, dep) {
				msgs = append(msgs, pkg+" imports "+dep+", which its allow-list entry does not name: the architecture forbids it (see the layers in archtest's package comment)")
			}
		}
	}
	for pkg := range allow {
		if _, ok := found[pkg]; !ok && pkg != "e2e" && pkg != "internal/archtest" {
			msgs = append(msgs, pkg+" is in archtest's allow-list but holds no Go files: remove its entry")
		}
	}
	sort.Strings(msgs)
	return msgs
}

func TestImportAllowList(t *testing.T) {
	found := imports(t, filepath.Join("..", ".."))
	if len(found) < 20 {
		t.Fatalf("found %d packages, want the whole module", len(found))
	}
	for _, msg := range violations(found, allowed) {
		t.Error(msg)
	}
}

// TestAllowListCatchesWrongImports shows the rule at work on imports the
// architecture forbids: each must produce a message.
func TestAllowListCatchesWrongImports(t *testing.T) {
	cases := []struct {
		name, pkg, dep string
	}{
		{"web reaches the store", "internal/web", "internal/store"},
		{"auth reaches the store", "internal/auth", "internal/store"},
		{"cli reaches the store", "internal/cli", "internal/store"},
		{"cli builds its own audit log", "internal/cli", "internal/audit"},
		{"api writes audit entries", "internal/api", "internal/audit"},
		{"store imports the audit log upward", "internal/store", "internal/audit"},
		{"domain imports the store", "internal/domain", "internal/store"},
		{"a service imports the web", "internal/service", "internal/web"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := violations(map[string]map[string]bool{c.pkg: {c.dep: true}}, map[string][]string{c.pkg: allowed[c.pkg]})
			if len(got) != 1 || !strings.Contains(got[0], c.pkg+" imports "+c.dep) {
				t.Errorf("got %q, want one message that %s imports %s", got, c.pkg, c.dep)
			}
		})
	}
	t.Run("a new package without an entry", func(t *testing.T) {
		got := violations(map[string]map[string]bool{"internal/newthing": {}}, map[string][]string{})
		if len(got) != 1 || !strings.Contains(got[0], "no entry") {
			t.Errorf("got %q, want a message that internal/newthing has no entry", got)
		}
	})
}

// nonPortable lists SQL that only one engine understands.
var nonPortable = []struct {
	name string
	re   *regexp.Regexp
}{
	{"question-mark placeholder", regexp.MustCompile(`(=|,|\()\s*\?`)},
	{"PostgreSQL cast", regexp.MustCompile(`[a-z0-9_)]::[a-z]`)},
	{"ILIKE", regexp.MustCompile(`(?i)\bILIKE\b`)},
	{"now()", regexp.MustCompile(`[^.\w](now|NOW)\(\)`)},
	{"DISTINCT ON", regexp.MustCompile(`(?i)DISTINCT ON`)},
	{"ANY array", regexp.MustCompile(`=\s*ANY\s*\(|=\s*any\s*\(\s*\$`)},
	{"json operator", regexp.MustCompile(`->>`)},
	{"datetime()", regexp.MustCompile(`(?i)\bdatetime\(`)},
}

// firstNonPortable returns the name and byte offset of the first
// non-portable construct in src, or "" when there is none.
func firstNonPortable(src []byte) (string, int) {
	for _, rule := range nonPortable {
		if loc := rule.re.FindIndex(src); loc != nil {
			return rule.name, loc[0]
		}
	}
	return "", -1
}

func TestNonPortableRules(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"portable", "`SELECT id FROM ocg WHERE id = $1 AND created_at > $2`", ""},
		{"cast", "`SELECT id::text FROM ocg`", "PostgreSQL cast"},
		{"placeholder", "`SELECT id FROM ocg WHERE id = ?`", "question-mark placeholder"},
		{"ilike", "`WHERE name ILIKE $1`", "ILIKE"},
		{"now", "`SET at = now()`", "now()"},
		{"any", "`WHERE id = ANY($1)`", "ANY array"},
		{"Go any conversion", "v := any(x)", ""},
		{"json", "`data->>'x'`", "json operator"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, _ := firstNonPortable([]byte(c.src)); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestPortableSQL scans every non-test Go file of the module for SQL that
// only one engine understands. Real differences belong in package
// store/dialect (which is exempt) or in the migrations (which are not Go).
func TestPortableSQL(t *testing.T) {
	root := filepath.Join("..", "..")
	var scanned int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "internal/store/dialect" || rel == "tools" || d.Name() == "testdata" || (path != root && strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		if name, at := firstNonPortable(b); name != "" {
			line := 1 + strings.Count(string(b[:at]), "\n")
			t.Errorf("%s:%d: got %s, want portable SQL (see package store/dialect)", rel, line, name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 100 {
		t.Fatalf("scanned %d Go files, want the whole module", scanned)
	}
}
