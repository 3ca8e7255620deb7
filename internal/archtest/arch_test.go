// Package archtest keeps the architecture's import rules: imports flow
// downward (cli → app → web/api → service → store/… → domain), domain imports
// only the standard library, and nothing but app imports web or api.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "alliance/"

// forbidden maps a package (relative to internal/) to the internal packages
// it must not import, directly.
var forbidden = map[string][]string{
	"domain":        {"*"},
	"store":         {"service", "web", "api", "app", "cli", "demo", "generate"},
	"store/dialect": {"store", "service", "web", "api", "app", "cli"},
	"store/txhook":  {"*"},
	"service":       {"web", "api", "app", "cli"},
	"importexport":  {"store", "service", "web", "api", "app", "cli"},
	"demo":          {"service", "web", "api", "app", "cli"},
	"generate":      {"service", "web", "api", "app", "cli"},
	"router":        {"store", "service", "web", "api", "app", "cli"},
	"observe":       {"store", "service", "web", "api", "app", "cli", "router"},
	"web":           {"api", "app", "cli", "store"},
	"api":           {"web", "app", "cli", "store"},
	"app":           {"cli"},
	"config":        {"store", "service", "web", "api", "app", "cli"},
	"loadtest":      {"*"},
}

func TestImportDirection(t *testing.T) {
	root := filepath.Join("..")
	imports := map[string]map[string]bool{} // package → internal imports
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if imports[rel] == nil {
			imports[rel] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if rest, ok := strings.CutPrefix(p, module+"internal/"); ok {
				imports[rel][rest] = true
			} else if rel == "domain" && strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
				t.Errorf("domain imports %s: domain may import only the standard library", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 10 {
		t.Fatalf("found %d packages, want the whole tree", len(imports))
	}
	for pkg, deps := range imports {
		rules := forbidden[pkg]
		for dep := range deps {
			for _, bad := range rules {
				if bad == "*" || dep == bad || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("internal/%s imports internal/%s, which the architecture forbids", pkg, dep)
				}
			}
			if (dep == "web" || dep == "api" || strings.HasPrefix(dep, "web/")) && pkg != "app" && !strings.HasPrefix(pkg, "web") {
				t.Errorf("internal/%s imports internal/%s: only app wires the transports", pkg, dep)
			}
		}
	}
	// cmd/alliance imports only cli.
	b, err := os.ReadFile(filepath.Join("..", "..", "cmd", "alliance", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"`+module+"internal/") && !strings.Contains(line, `"`+module+`internal/cli"`) {
			t.Errorf("cmd/alliance imports %s: main parses the command line and nothing else", strings.TrimSpace(line))
		}
	}
}
