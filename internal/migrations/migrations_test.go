package migrations

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

var dialects = []string{"sqlite", "postgres"}

var versionName = regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)

func rendered(t *testing.T, dialect string) fs.FS {
	t.Helper()
	fsys, err := FS(dialect)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func versions(t *testing.T, dialect string) []string {
	t.Helper()
	entries, err := fs.ReadDir(rendered(t, dialect), ".")
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

// TestDialectsHaveSameVersions keeps the two engines aligned: version N must
// be the same logical change, under the same name, in both, with no gaps.
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

// TestRenderedFS checks the in-memory file system against io/fs's rules,
// which goose relies on (Glob, ReadDir, Open).
func TestRenderedFS(t *testing.T) {
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) {
			if err := fstest.TestFS(rendered(t, d), versions(t, d)...); err != nil {
				t.Error(err)
			}
		})
	}
}

// released holds the SHA-256 of every rendered migration. A migration that
// has run on someone's database must never change: goose records only its
// version, so an edit would reach new databases and not old ones. The
// checksums of 00001–00015 are those of the per-engine files committed
// before the migrations were rendered from one source (decision 21), which
// proves the rendering gives the same SQL, byte for byte.
func released() map[[2]string]string {
	sums := map[[2]string]string{}
	for _, r := range [][3]string{
		{"sqlite", "00001_reference.sql", "4bade0d46816a45815188ab5382eecba84acde35f71808ca07be1240e58aa0d6"},
		{"sqlite", "00002_identity.sql", "1e65a3b414a8389e50eabe1ff5d5c3b4dfe009f4bd9c0cabf19870e92220736d"},
		{"sqlite", "00003_audit.sql", "b23e31093621d6b9dd1c59c4c76416d30955c7a28ad3a88eda76cf6a7e0f687a"},
		{"sqlite", "00004_sharing.sql", "00b6081afe17f80b990901fab2eba58dfdb9315e9aaa93b62b12c0f02bd35ad0"},
		{"sqlite", "00005_counters.sql", "751e4fbcddf40cc179880c37895d15d0ce989b764ca6d962acc5753d7b945b3f"},
		{"sqlite", "00006_ocg.sql", "6c100dcc2f61dad539c44d3c26daf28c36b15252fe785b3edfba3698e4be0f50"},
		{"sqlite", "00007_search.sql", "20f8126adb609a19a988b0df3c205a9ca145cf622a50b6a15d9ad2793d202291"},
		{"sqlite", "00008_search_pending.sql", "3e0526b713942f35fece61ecef52d2cb1634d8ca93d772cc87697817dc09421e"},
		{"sqlite", "00009_disruption.sql", "d76ff041ead61324a48b6634edb2ea546f8642737097dc2525b4c1e10e88be1b"},
		{"sqlite", "00010_performance_rollup.sql", "f25616ae75c236775ce0393c314484f95be869b4153b87bc36ffd426fa619063"},
		{"sqlite", "00011_token_purpose.sql", "14126c602bf3a03d85e56d556fa23009231fc061f0c627f521db5646bce34ee9"},
		{"sqlite", "00012_audit_head_signature.sql", "dabb08799a4bb107d0efe33f6d26525038591518094d8856c725aea891da1c47"},
		{"sqlite", "00013_register_references_memberships.sql", "37b67cc688da7bc647a5b9662540fdf1a1149c7c05cf7aa4e9ae35a701d9db67"},
		{"sqlite", "00014_job.sql", "6b3ea2eb4a07f3bca0be3a2cf491a77e2555cbf4c56edf4ff6b1729fca981793"},
		{"sqlite", "00015_job_output.sql", "6dde25a36a866b5defd03a4c32d15e4876c65a80e6b301e8990c81f09a172d4b"},
		{"sqlite", "00016_rules_version.sql", "17dfb3e1e62b4216243916018d788af64a76e4d7ad4c16ab798783f744dce7e6"},
		{"sqlite", "00017_count_permission.sql", "3ae7e0444bd0f793e0edcf68b679e3d316409d6d8736219a8411314ab7093237"},
		{"sqlite", "00018_performance_rollup_by_period.sql", "e33fcfe4c0e9104fac7470fb51bd0df74dc833d0fe5698081d78f703020ec8dc"},
		{"sqlite", "00019_submission.sql", "2bb8c1284659ec49d5372a220a7b18a5244463f4e15f3f0b40c25945be577378"},
		{"sqlite", "00020_sanitised_reports.sql", "a709e4207d24b0f3b8e1a144738e030ec261b4875a62b9d030c00572259eecbd"},
		{"sqlite", "00021_report_link.sql", "3541bc6cd3f937f146cd3b2680104f6c6e50b70b6c9a1b732f2cc293932b2bcf"},
		{"sqlite", "00022_submission_read.sql", "8da31bd7f645400fafef9be3b3f6ce3f235c44c71e9e0f76d6ba8a3a2703cbfb"},
		{"sqlite", "00023_report_grading_and_text.sql", "8bf94b228e2194b2d94c77b50311e8ef6935548b72c64a9c465f5dae7d92807d"},
		{"sqlite", "00024_programme.sql", "844a795bf923c6379c22a72353eda5e7ca78f02a901569acbbb3922e06ee61ac"},
		{"sqlite", "00025_referral.sql", "76876bc0f91d3c508b7fb0167aaf842804fd53801bba90a2e357e40c0d0008dc"},
		{"sqlite", "00026_nrm.sql", "cbfe26441c389b2a0a572e8ea007d3bf294e546f48c203b87a9b5d093debe517"},
		{"postgres", "00001_reference.sql", "9cc31e88dbb12a34b557aa57d53b7e0fb857b60d4e1491b46e69515d5a90ba6d"},
		{"postgres", "00002_identity.sql", "d33e8c8735b6c45efa852e6571f72a6af24dd3fbc8ecd2a326f4a3b1dc3abfd3"},
		{"postgres", "00003_audit.sql", "8f3fd8ba1ec930fe944412f051818a751200bd1997fb6e2a436690f9c6ef197e"},
		{"postgres", "00004_sharing.sql", "a7d5e786cffce52659468d45d7e982627ed85768859b676e661c457ec7bec5ac"},
		{"postgres", "00005_counters.sql", "0fa91f2f9cff86fc76a0a3879d0ad2f005fc9aee863f69e6d03fe9f6873a167e"},
		{"postgres", "00006_ocg.sql", "17507d7a02a6c74a2ff1f717cad562652eeca27686145205a34dec307c4e4d46"},
		{"postgres", "00007_search.sql", "555781ea5fe0c020034fa93fbcb7dd4ca279b13d4a114935cf107c7b5380baf7"},
		{"postgres", "00008_search_pending.sql", "517f571bc23048472b18e01a0873aaa12b07f696711b64ac3f796bdd16e33d95"},
		{"postgres", "00009_disruption.sql", "274b0120ac47e938010fa65c18cdf0efff159da58b4ba5ebef1d8c0ede5dda4f"},
		{"postgres", "00010_performance_rollup.sql", "fa7667481a8be956213e56e99f62afd105839700436171edc48a507b3eaf3aab"},
		{"postgres", "00011_token_purpose.sql", "8fd87c60d519224babf667c3fe06424a0a7827f97160d86f12cb0af6956e5081"},
		{"postgres", "00012_audit_head_signature.sql", "dabb08799a4bb107d0efe33f6d26525038591518094d8856c725aea891da1c47"},
		{"postgres", "00013_register_references_memberships.sql", "a5b1377e8762e0402d9a43a0476a0bb15a2ede3696e644015b7afa4861dd8427"},
		{"postgres", "00014_job.sql", "caa370008858cc2a7cb7591fa42e05918bb1270295bb88488c56de016f30c51c"},
		{"postgres", "00015_job_output.sql", "6428b7dd2c2d3ac871d9a6add7744fabcbd0cd23bcc3e02ca09beaa36b0fb28d"},
		{"postgres", "00016_rules_version.sql", "f664fb55f964718b8b5dbcf183c2beddd0a555d75d14be2c0de08210ba34bc5d"},
		{"postgres", "00017_count_permission.sql", "a09beeac164d9f0beea60e98c0d7811fd23891a1fb35068d6e21045da52dada8"},
		{"postgres", "00018_performance_rollup_by_period.sql", "d0068c6635e4fffa30ac99e7f1426ecf0651a00bf74c4d87add167a9188174b8"},
		{"postgres", "00019_submission.sql", "08595e7dc3e6ebe21c54d48c76c2384e93744976dfd65f6485863b61569892d5"},
		{"postgres", "00020_sanitised_reports.sql", "02ece916cfb39236325c007077186142ca59ab983b622f6de45337a7b3c8e6c0"},
		{"postgres", "00021_report_link.sql", "415621f07e656444807d8710328c9250e62b5efc177b9717cd149edd19bea632"},
		{"postgres", "00022_submission_read.sql", "8da31bd7f645400fafef9be3b3f6ce3f235c44c71e9e0f76d6ba8a3a2703cbfb"},
		{"postgres", "00023_report_grading_and_text.sql", "1f17ad321b1fe1fbd9caf3e9152c1e84eb9924dfb0ff7008548dac6b97f4d9ac"},
		{"postgres", "00024_programme.sql", "1ac0e4aa947603060e60b28464908ffe408b0dcf77fb5c3cfe02171e065bfae1"},
		{"postgres", "00025_referral.sql", "1de758a894fbdb1e9526b791deb1fcb1c10b85e72cb5ee88c69a747c55eeefc6"},
		{"postgres", "00026_nrm.sql", "5335aea57cc65dfc64ee703ae38480c75f0eb3c8d6e927e020f2e79614739ab7"},
	} {
		sums[[2]string{r[0], r[1]}] = r[2]
	}
	return sums
}

func TestReleasedMigrationsUnchanged(t *testing.T) {
	sums := released()
	seen := map[[2]string]bool{}
	for _, d := range dialects {
		fsys := rendered(t, d)
		for _, name := range versions(t, d) {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			got := hex.EncodeToString(sum[:])
			key := [2]string{d, name}
			seen[key] = true
			want, ok := sums[key]
			switch {
			case !ok:
				t.Errorf("%s %s: got no checksum; a new migration adds its own to released():\n\t\t{%q, %q, %q},", d, name, d, name, got)
			case got != want:
				t.Errorf("%s %s: got checksum %s, want %s: a released migration never changes; write a new one", d, name, got, want)
			}
		}
	}
	for key := range sums {
		if !seen[key] {
			t.Errorf("%s %s: got a checksum for a migration that is not there", key[0], key[1])
		}
	}
}

// TestPerEngineFilesDiffer keeps per-engine files for real differences: a
// pair that is equal once the placeholders' values are taken as equal
// should have been one shared file with placeholders.
func TestPerEngineFilesDiffer(t *testing.T) {
	byName, err := group(sourcesDir(t))
	if err != nil {
		t.Fatal(err)
	}
	sq, pg := rendered(t, "sqlite"), rendered(t, "postgres")
	for name, v := range byName {
		if v.shared != "" {
			continue
		}
		a, err := fs.ReadFile(sq, name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fs.ReadFile(pg, name)
		if err != nil {
			t.Fatal(err)
		}
		if sameModuloTypes(string(a), string(b)) {
			t.Errorf("%s and %s differ only in placeholder types: write one schema/%s with placeholders", v.sqlite, v.postgres, name)
		}
	}
}

// sameModuloTypes reports whether a and b are the same SQL once each
// placeholder's SQLite and PostgreSQL values count as one.
func sameModuloTypes(a, b string) bool {
	ps := placeholders()
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].postgres) > len(ps[j].postgres) })
	for _, p := range ps {
		if p.postgres == "" {
			a = strings.ReplaceAll(a, p.sqlite, "")
			continue
		}
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(p.postgres) + `\b`)
		a = re.ReplaceAllString(a, p.sqlite)
		b = re.ReplaceAllString(b, p.sqlite)
	}
	return a == b
}

func TestSameModuloTypes(t *testing.T) {
	sq := "CREATE TABLE t (id text PRIMARY KEY, at timestamp, n integer, b blob, k integer) WITHOUT ROWID;"
	pg := "CREATE TABLE t (id uuid PRIMARY KEY, at timestamptz, n bigint, b bytea, k bigint GENERATED BY DEFAULT AS IDENTITY);"
	if !sameModuloTypes(sq, pg) {
		t.Error("got different, want the same modulo types")
	}
	if sameModuloTypes("SELECT replace(x, char(9), ' ')", "SELECT translate(x, E'\\t', ' ')") {
		t.Error("got the same, want different")
	}
}

// engineTypes are the types a shared source must not write literally
// (matched in lower case): each is one engine's spelling, which a
// placeholder stands for.
var engineTypes = regexp.MustCompile(`\b(uuid|timestamptz|timestamp|bytea|blob|without rowid|generated by default as identity)\b`)

// plainTimestamp lists the released shared migrations that write a literal
// timestamp, which PostgreSQL reads as timestamp without time zone. They ran
// that way and must not change; a new migration writes {{timestamptz}}.
var plainTimestamp = map[string]bool{"00014_job.sql": true, "00015_job_output.sql": true}

// TestSharedSourcesUsePlaceholders keeps one engine's type names out of the
// shared files (comments aside): a literal uuid or timestamp there would be
// wrong on the other engine.
func TestSharedSourcesUsePlaceholders(t *testing.T) {
	src := sourcesDir(t)
	byName, err := group(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range byName {
		if v.shared == "" {
			continue
		}
		b, err := fs.ReadFile(src, v.shared)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			code, _, _ := strings.Cut(line, "--")
			code = strings.ToLower(unresolved.ReplaceAllString(code, ""))
			for _, m := range engineTypes.FindAllString(code, -1) {
				if m == "timestamp" && plainTimestamp[v.shared] {
					continue
				}
				t.Errorf("%s:%d: got %q, want its placeholder (%s)", v.shared, i+1, m, knownPlaceholders())
			}
		}
	}
}

// TestSQLOnlyInSchema catches a migration written in the old layout
// (sqlite/ and postgres/ directories), which would not be embedded and so
// would silently never run.
func TestSQLOnlyInSchema(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".sql") && filepath.Dir(path) != "schema" {
			t.Errorf("%s: got a migration outside schema/, want schema/NNNNN_name.sql (or .sqlite.sql and .postgres.sql)", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRenderRefuses(t *testing.T) {
	ok := &fstest.MapFile{Data: []byte("-- +goose Up\nCREATE TABLE t (id {{uuid}});\n")}
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"unknown placeholder", fstest.MapFS{"00001_a.sql": {Data: []byte("-- +goose Up\nCREATE TABLE t (\n id {{guid}});\n")}}, "00001_a.sql:3: unknown placeholder {{guid}}"},
		{"unclosed placeholder", fstest.MapFS{"00001_a.sql": {Data: []byte("CREATE TABLE t (id {{uuid);\n")}}, "unknown placeholder {{uuid);"},
		{"shared and per-engine", fstest.MapFS{"00001_a.sql": ok, "00001_a.sqlite.sql": ok, "00001_a.postgres.sql": ok}, "a shared file and a per-engine file"},
		{"sqlite only", fstest.MapFS{"00001_a.sqlite.sql": ok}, "no PostgreSQL file"},
		{"postgres only", fstest.MapFS{"00001_a.postgres.sql": ok}, "no SQLite file"},
		{"names differ", fstest.MapFS{"00001_a.sqlite.sql": ok, "00001_b.postgres.sql": ok}, "no"},
		{"misnamed", fstest.MapFS{"1_a.sql": ok}, "want NNNNN_name.sql"},
		{"other engine", fstest.MapFS{"00001_a.mysql.sql": ok}, "want NNNNN_name.sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, d := range dialects {
				_, err := render(tc.files, d)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: got error %v, want one containing %q", d, err, tc.want)
				}
			}
		})
	}
}

func TestRenderSubstitutes(t *testing.T) {
	src := fstest.MapFS{
		"00001_a.sql":          {Data: []byte("CREATE TABLE t (id {{uuid}} PRIMARY KEY, at {{timestamptz}}, k {{bigint_identity}}){{without_rowid}};\n")},
		"00002_b.sqlite.sql":   {Data: []byte("-- sqlite\n")},
		"00002_b.postgres.sql": {Data: []byte("-- postgres\n")},
	}
	want := map[string]map[string]string{
		"sqlite": {
			"00001_a.sql": "CREATE TABLE t (id text PRIMARY KEY, at timestamp, k integer) WITHOUT ROWID;\n",
			"00002_b.sql": "-- sqlite\n",
		},
		"postgres": {
			"00001_a.sql": "CREATE TABLE t (id uuid PRIMARY KEY, at timestamptz, k bigint GENERATED BY DEFAULT AS IDENTITY);\n",
			"00002_b.sql": "-- postgres\n",
		},
	}
	for _, d := range dialects {
		files, err := render(src, d)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for name, b := range files {
			got[name] = string(b)
		}
		if diff := cmp.Diff(want[d], got); diff != "" {
			t.Errorf("%s: rendered files differ (-want +got):\n%s", d, diff)
		}
	}
}

func sourcesDir(t *testing.T) fs.FS {
	t.Helper()
	return os.DirFS("schema")
}
