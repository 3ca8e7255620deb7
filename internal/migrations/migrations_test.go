package migrations

import (
	"io/fs"
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var versionName = regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)

func versions(t *testing.T, dialect string) []string {
	t.Helper()
	fsys, err := FS(dialect)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !versionName.MatchString(e.Name()) {
			t.Errorf("%s/%s: got a file name that is not NNNNN_name.sql", dialect, e.Name())
			continue
		}
		out = append(out, e.Name())
	}
	return out
}

// TestDialectsHaveSameVersions keeps the two migration directories aligned:
// version N must be the same logical change, under the same name, in both.
func TestDialectsHaveSameVersions(t *testing.T) {
	sq, pg := versions(t, "sqlite"), versions(t, "postgres")
	if len(sq) == 0 {
		t.Fatal("got no migrations, want at least one")
	}
	if diff := cmp.Diff(sq, pg); diff != "" {
		t.Errorf("sqlite and postgres migrations differ (-sqlite +postgres):\n%s", diff)
	}
	for i, name := range sq {
		if want := i + 1; name[:5] != padded(want) {
			t.Errorf("got migration %s at position %d, want version %s (no gaps)", name, i+1, padded(want))
		}
	}
}

func padded(n int) string {
	s := "00000" + strconv.Itoa(n)
	return s[len(s)-5:]
}

func TestUnknownDialect(t *testing.T) {
	if _, err := FS("mysql"); err == nil {
		t.Error("FS(mysql): got nil error, want one")
	}
}
