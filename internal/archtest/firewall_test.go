package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A firewall keeps one capability's code out of reach of the others. The
// service and store packages are flat (decision 0022): a capability's code
// lives in files named after it (prevention.go, prevention_referral.go), so
// the firewall is a rule about names: what the capability's files declare
// at package level (functions, types, variables, constants, and methods,
// including methods on shared types such as *store.Store) may be named only
// by files of the capabilities in usedBy, and by the wiring files that build
// and route it without reading its records. Everything else reaches it only
// through the policy (package authz), which decides per record and per
// actor.
type firewall struct {
	capability string
	packages   []string // module packages holding its code
	usedBy     []string // capabilities (file name prefixes) that may name its code
	wiring     []string // module packages or files (path inside the module) that may name it
}

// firewalls is the list the architecture keeps. Prevention and safeguarding
// referrals (issue 18) are walled off from intelligence code.
var firewalls = []firewall{{
	capability: "prevention",
	packages:   []string{"internal/store", "internal/service", "internal/web", "internal/api"},
	usedBy:     []string{"prevention"},
	wiring:     []string{"internal/app", "internal/web/routes.go", "internal/api/routes.go", "internal/service/service.go"},
}}

// capabilityOf is a file's capability: its name up to the first underscore
// or dot ("register_group.go" → "register").
func capabilityOf(file string) string {
	base := path.Base(file)
	if i := strings.IndexAny(base, "_."); i >= 0 {
		return base[:i]
	}
	return base
}

// goFile is one parsed non-test file of the module.
type goFile struct {
	rel  string // path inside the module
	pkg  string // its directory inside the module
	file *ast.File
}

// parseModule parses every non-test Go file under root.
func parseModule(t *testing.T, root string) []goFile {
	t.Helper()
	var out []goFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (name == "testdata" || name == "tools" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		out = append(out, goFile{rel: rel, pkg: path.Dir(rel), file: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// declared lists the package-level names a file declares, methods included.
func declared(f *ast.File) []string {
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			names = append(names, d.Name.Name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names = append(names, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}

// breaches returns one message for each place a file that may not reach
// fw's capability names something its files declare, and for each name that
// is declared both inside and outside the capability (which would make the
// rule blind to it).
func breaches(files []goFile, fw firewall) []string {
	inside := map[string]map[string]bool{}  // package → names declared by the capability
	outside := map[string]map[string]bool{} // package → names declared by other files
	for _, f := range files {
		if !contains(fw.packages, f.pkg) || f.file.Name.Name == "main" {
			continue
		}
		m := outside
		if capabilityOf(f.rel) == fw.capability {
			m = inside
		}
		if m[f.pkg] == nil {
			m[f.pkg] = map[string]bool{}
		}
		for _, n := range declared(f.file) {
			if n != "_" && n != "init" {
				m[f.pkg][n] = true
			}
		}
	}
	var msgs []string
	for pkg, names := range inside {
		for n := range names {
			if outside[pkg][n] {
				msgs = append(msgs, pkg+": "+n+" is declared by "+fw.capability+" files and by others: give the "+fw.capability+" one its own name, so the firewall can see who uses it")
			}
		}
	}
	for _, f := range files {
		c := capabilityOf(f.rel)
		if contains(fw.usedBy, c) || contains(fw.wiring, f.rel) || contains(fw.wiring, f.pkg) {
			continue
		}
		imported := map[string]string{} // local name → module package
		for _, imp := range f.file.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if rest, ok := strings.CutPrefix(p, module); ok {
				name := path.Base(rest)
				if imp.Name != nil {
					name = imp.Name.Name
				}
				imported[name] = rest
			}
		}
		ast.Inspect(f.file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				// pkg.Name from another package, or x.Method on any value.
				if x, ok := n.X.(*ast.Ident); ok {
					if pkg, ok := imported[x.Name]; ok {
						if inside[pkg][n.Sel.Name] {
							msgs = append(msgs, f.rel+" names "+pkg+"."+n.Sel.Name+", which belongs to "+fw.capability+": reach it through the policy, not its code")
						}
						return false
					}
				}
				for pkg, names := range inside {
					if names[n.Sel.Name] && (pkg == f.pkg || !isFunc(pkg, n.Sel.Name, files)) {
						msgs = append(msgs, f.rel+" calls ."+n.Sel.Name+", which belongs to "+fw.capability+" ("+pkg+"): reach it through the policy, not its code")
					}
				}
			case *ast.Ident:
				if inside[f.pkg][n.Name] && !declaresHere(f.file, n) {
					msgs = append(msgs, f.rel+" names "+n.Name+", which belongs to "+fw.capability+": reach it through the policy, not its code")
				}
			}
			return true
		})
	}
	sort.Strings(msgs)
	return dedupe(msgs)
}

// isFunc reports whether name is a plain function (not a method) declared
// in pkg: such a function can be named from another package only as
// pkg.Name, which the import check sees.
func isFunc(pkg, name string, files []goFile) bool {
	for _, f := range files {
		if f.pkg != pkg {
			continue
		}
		for _, d := range f.file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
				return true
			}
		}
	}
	return false
}

// declaresHere reports whether id is the name in one of f's own
// package-level declarations (not a use).
func declaresHere(f *ast.File, id *ast.Ident) bool {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name == id {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dedupe(s []string) []string {
	var out []string
	for i, m := range s {
		if i == 0 || m != s[i-1] {
			out = append(out, m)
		}
	}
	return out
}

func TestFirewalls(t *testing.T) {
	files := parseModule(t, filepath.Join("..", ".."))
	for _, fw := range firewalls {
		for _, msg := range breaches(files, fw) {
			t.Error(msg)
		}
	}
}

// TestFirewallCatchesABreach runs the rule over a small made-up module: an
// intelligence file that calls the prevention store method, names its type
// or calls its service function must be caught; prevention's own files and
// the wiring must not be.
func TestFirewallCatchesABreach(t *testing.T) {
	src := map[string]string{
		"internal/store/prevention_referral.go": `package store
type Referral struct{}
func (s *Store) PreventionReferrals() []Referral { return nil }`,
		"internal/store/store.go": `package store
type Store struct{}
func (s *Store) Groups() {}`,
		"internal/service/prevention.go": `package service
import "alliance/internal/store"
type Prevention struct{ st *store.Store }
func NewPrevention(st *store.Store) *Prevention { return &Prevention{st} }
func (p *Prevention) Referrals() []store.Referral { return p.st.PreventionReferrals() }`,
		"internal/service/intel_report.go": `package service
import "alliance/internal/store"
type Intel struct{ st *store.Store; p *Prevention }
func (i *Intel) Leak() { _ = i.st.PreventionReferrals(); var _ store.Referral; _ = NewPrevention(i.st) }
func (i *Intel) Fine() { i.st.Groups() }`,
		"internal/app/app.go": `package app
import ("alliance/internal/service"; "alliance/internal/store")
func build(st *store.Store) { _ = service.NewPrevention(st) }`,
	}
	var files []goFile
	fset := token.NewFileSet()
	for rel, s := range src {
		f, err := parser.ParseFile(fset, rel, s, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, goFile{rel: rel, pkg: path.Dir(rel), file: f})
	}
	got := breaches(files, firewalls[0])
	want := []string{
		"internal/service/intel_report.go calls .PreventionReferrals",
		"internal/service/intel_report.go names NewPrevention",
		"internal/service/intel_report.go names Prevention,",
		"internal/service/intel_report.go names internal/store.Referral",
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		if !found {
			t.Errorf("got %q, want a message starting %q", got, w)
		}
	}
	for _, g := range got {
		if strings.HasPrefix(g, "internal/app/") || strings.HasPrefix(g, "internal/service/prevention") || strings.Contains(g, "Groups") {
			t.Errorf("got %q: prevention's own files, the wiring and other capabilities' names must pass", g)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d messages %q, want %d", len(got), got, len(want))
	}
}
