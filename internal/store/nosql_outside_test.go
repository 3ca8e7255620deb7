package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sqlStatement matches a string that starts like an SQL statement.
var sqlStatement = regexp.MustCompile(`(?is)^\s*(SELECT\s.*\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|` +
	`CREATE\s+(UNIQUE\s+)?(TABLE|INDEX|SCHEMA|VIEW|TRIGGER)\s|DROP\s+(TABLE|INDEX|SCHEMA|VIEW|TRIGGER)\s|ALTER\s+TABLE\s|PRAGMA\s|WITH\s+\w+.*\sAS\s*\()`)

// sqlCalls are the database/sql methods that run SQL text.
var sqlCalls = map[string]bool{"ExecContext": true, "QueryContext": true, "QueryRowContext": true, "PrepareContext": true, "BeginTx": true}

// TestNoSQLOutsideStore keeps the store the only road to the database:
// no Go file outside internal/store (and its subpackages) but tests runs
// SQL (calls ExecContext, QueryContext, QueryRowContext, PrepareContext
// or BeginTx) or holds a string that reads as an SQL statement. Services
// may pass a *sql.Tx on; they may not use it themselves. The migrations'
// SQL lives in .sql files, which this does not read.
func TestNoSQLOutsideStore(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	storeDir := filepath.Join(root, "internal", "store")
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path == storeDir || (path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules" || name == "tools")) {
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
		checked++
		rel, _ := filepath.Rel(root, path)
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sqlCalls[sel.Sel.Name] {
					t.Errorf("%s:%d: calls %s: SQL belongs in internal/store; add a store method", rel, fset.Position(x.Pos()).Line, sel.Sel.Name)
				}
			case *ast.BasicLit:
				if x.Kind != token.STRING {
					return true
				}
				if s, err := strconv.Unquote(x.Value); err == nil && sqlStatement.MatchString(s) {
					t.Errorf("%s:%d: holds SQL text %.40q: SQL belongs in internal/store; add a store method", rel, fset.Position(x.Pos()).Line, s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Errorf("checked %d files outside internal/store, want the whole module: is the walk rooted right?", checked)
	}
}
