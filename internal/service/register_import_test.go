package service_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// importFixture is a partnership with a police force and a council, a
// ward, and users in the roles imports depend on.
type importFixture struct {
	st     *store.Store
	im     *service.Importer
	actors map[string]domain.Actor // analyst (police), lro (council), officer (council partner officer), approver (police analyst)
}

func newImportFixture(t testing.TB, e storetest.Engine) *importFixture {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	st := storetest.Open(t, e, store.Options{Now: func() time.Time { return now }})
	alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))
	f := &importFixture{st: st, im: service.NewImporter(st, nil, alog), actors: map[string]domain.Actor{}}
	p := domain.Partnership{Slug: "imp", Name: "Import test", Programme: "Programme", RegionCode: "E12000003"}
	ags := []domain.Agency{{Name: "Test Police", ShortName: "TP", Type: domain.AgencyPolice}, {Name: "Test Council", ShortName: "TC", Type: domain.AgencyLocalAuthority}}
	specs := []struct {
		key   string
		agent int
		role  domain.Role
	}{{"analyst", 0, domain.RoleAnalyst}, {"approver", 0, domain.RoleAnalyst}, {"lro", 1, domain.RoleLRO}, {"officer", 1, domain.RolePartnerOfficer}}
	err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := st.InsertPartnership(ctx, tx, &p); err != nil {
			return err
		}
		for i := range ags {
			ags[i].PartnershipID = p.ID
		}
		if err := st.InsertAgencies(ctx, tx, ags); err != nil {
			return err
		}
		if err := st.InsertOrgUnits(ctx, tx, []store.OrgUnitRow{{OrgUnit: domain.OrgUnit{PartnershipID: p.ID, Level: domain.LevelWard,
			Code: "E05001411", Name: "Adel and Wharfedale"}}}); err != nil {
			return err
		}
		var users []domain.User
		for _, s := range specs {
			users = append(users, domain.User{PartnershipID: p.ID, AgencyID: ags[s.agent].ID, Email: s.key + "@example.test", DisplayName: s.key, Active: true, Roles: []domain.Role{s.role}})
		}
		return st.InsertUsers(ctx, tx, users)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		a, err := f.im.ActorByEmail(ctx, "imp", s.key+"@example.test")
		if err != nil {
			t.Fatal(err)
		}
		f.actors[s.key] = a
	}
	return f
}

var official = domain.MarkingInput{Classification: "OFFICIAL-SENSITIVE", Handling: "P"}

func (f *importFixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := f.st.Reader().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// counts snapshots the register's tables.
func (f *importFixture) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"ocg", "ocg_threat", "ocg_transition", "entity", "entity_alias", "entity_flag", "link", "search_key", "audit_event", "record_counter"} {
		out[tb] = f.count(t, tb)
	}
	return out
}

func (f *importFixture) imp(t *testing.T, who string, kind importexport.RegisterKind, body string, dry bool) (service.RegisterImportResult, error) {
	t.Helper()
	return f.im.Import(context.Background(), f.actors[who], kind, importexport.CSV, strings.NewReader(body),
		service.ImportOptions{DryRun: dry, Marking: official, FileName: "test.csv"})
}

const groupsCSV = "Reference,Name,Operation_Name,Primary_Threat,Threats,Ownership_Level,Status,Home_Area,Lead_Agency,Summary\n" +
	"NICHE-1,Ravensworth network,Operation Kestrel,county_lines,drugs;firearms,local,,E05001411,TP,Supplies crack cocaine\n" +
	",Harbour crew,,drugs,,regional,under_assessment,,Test Council,\n"

func TestImportGroups(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			before := f.counts(t)
			res, err := f.imp(t, "analyst", importexport.KindGroups, groupsCSV, true)
			if err != nil {
				t.Fatalf("dry run: %v (%v)", err, res.Problems)
			}
			if res.Rows != 2 || res.Stored != 0 || !res.DryRun {
				t.Errorf("got dry run %+v, want 2 rows and nothing stored", res)
			}
			if got := f.counts(t); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("got counts %v after a dry run, want %v", got, before)
			}
			res, err = f.imp(t, "analyst", importexport.KindGroups, groupsCSV, false)
			if err != nil {
				t.Fatalf("import: %v (%v)", err, res.Problems)
			}
			if res.Stored != 2 {
				t.Errorf("got %d stored, want 2", res.Stored)
			}
			for _, c := range []struct {
				table string
				want  int
			}{{"ocg", 2}, {"ocg_threat", 4}, {"ocg_transition", 3}, {"audit_event", before["audit_event"] + 1}} {
				if got := f.count(t, c.table); got != c.want {
					t.Errorf("got %d rows in %s, want %d", got, c.table, c.want)
				}
			}
			var ref, status, home string
			err = f.st.Reader().QueryRow(`SELECT o.reference, o.status, u.code FROM ocg o JOIN org_unit u ON u.id = o.home_unit_id WHERE o.name = 'Ravensworth network'`).Scan(&ref, &status, &home)
			if err != nil || ref != "NICHE-1" || status != "proposed" || home != "E05001411" {
				t.Errorf("got %q %q %q (%v), want NICHE-1 proposed E05001411", ref, status, home, err)
			}
			// The same file again: its reference is taken now.
			res, err = f.imp(t, "analyst", importexport.KindGroups, groupsCSV, false)
			if !errors.Is(err, service.ErrImportProblems) || len(res.Problems) == 0 || res.Problems[0].Field != "row 2, column reference" {
				t.Errorf("got %v %v, want a problem with row 2's reference", err, res.Problems)
			}
			if got := f.count(t, "ocg"); got != 2 {
				t.Errorf("got %d groups after a refused import, want 2", got)
			}
		})
	}
}

func TestImportReportsEveryBadRow(t *testing.T) {
	tests := []struct {
		name string
		kind importexport.RegisterKind
		body string
		want []string // problem fields, in order
	}{
		{"bad fields", importexport.KindPeople, "name,dob,gender,flags\nAnn Smith,31/02/1990,female,\n,01/01/1990,x,vulnerable\nBob Jones,01/01/1990,,flying\n",
			[]string{"row 2, column dob", "row 3, column name", "row 3, column gender", "row 4, column flags"}},
		{"duplicate within the file", importexport.KindPeople, "reference,name\nX-1,Ann\nX-1,Bob\n", []string{"row 3, column reference"}},
		{"reserved reference", importexport.KindPeople, "reference,name\nP-000001,Ann\n", []string{"row 2, column reference"}},
		{"unknown group", importexport.KindPeople, "name,ocg_reference,role,source_ref,confidence\nAnn,OCG-2026-9999,principal,IR-1,high\n", []string{"row 2, column ocg_reference"}},
		{"membership needs role", importexport.KindPeople, "name,ocg_reference,source_ref,confidence\nAnn,OCG-2026-9999,IR-1,high\n", []string{"row 2, column role", "row 2, column ocg_reference"}},
		{"unknown threat, area and agency", importexport.KindGroups, "name,primary_threat,ownership_level,home_area,lead_agency\nA,ufo,local,E05009999,Nobody\n",
			[]string{"row 2, column primary_threat", "row 2, column home_area", "row 2, column lead_agency"}},
		{"imported status", importexport.KindGroups, "name,primary_threat,ownership_level,status\nA,drugs,local,adopted\n", []string{"row 2, column status"}},
		{"handling C without conditions", importexport.KindGroups, "name,primary_threat,ownership_level,handling_code\nA,drugs,local,C\n", []string{"row 2, column handling_code"}},
		{"links to unknown records", importexport.KindLinks, "from_reference,to_reference,type,source_ref,confidence\nX-1,X-2,associate,IR-1,high\nX-1,X-1,family,IR-1,high\n",
			[]string{"row 3, column to_reference", "row 2, column from_reference", "row 2, column to_reference"}},
		{"blank lines keep their numbers", importexport.KindPeople, "name,dob\n\nAnn,soon\n", []string{"row 3, column dob"}},
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					before := f.counts(t)
					for _, dry := range []bool{true, false} {
						res, err := f.imp(t, "analyst", tc.kind, tc.body, dry)
						if !errors.Is(err, service.ErrImportProblems) {
							t.Fatalf("dry run %v: got %v, want ErrImportProblems", dry, err)
						}
						var got []string
						for _, p := range res.Problems {
							got = append(got, p.Field)
						}
						if fmt.Sprint(got) != fmt.Sprint(tc.want) {
							t.Errorf("dry run %v: got problems %v, want %v", dry, res.Problems, tc.want)
						}
						if res.Stored != 0 {
							t.Errorf("got %d stored, want 0", res.Stored)
						}
					}
					if got := f.counts(t); fmt.Sprint(got) != fmt.Sprint(before) {
						t.Errorf("got counts %v, want %v", got, before)
					}
				})
			}
		})
	}
}

// TestImportAllOrNothing puts one bad row after several batches' worth of
// good ones: the batches already written must be rolled back.
func TestImportAllOrNothing(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			var b strings.Builder
			b.WriteString("name,aliases,dob\n")
			n := 2*store.BulkBatch + 10
			for i := range n {
				dob := "14/03/1994"
				if i == n-3 {
					dob = "not a date"
				}
				fmt.Fprintf(&b, "Person %d,Alias %d;Other,%s\n", i, i, dob)
			}
			before := f.counts(t)
			res, err := f.imp(t, "analyst", importexport.KindPeople, b.String(), false)
			if !errors.Is(err, service.ErrImportProblems) || len(res.Problems) != 1 || res.Problems[0].Field != fmt.Sprintf("row %d, column dob", n-1) {
				t.Fatalf("got %v %v, want one problem on row %d", err, res.Problems, n-1)
			}
			if res.Rows != n {
				t.Errorf("got %d rows read, want %d", res.Rows, n)
			}
			if got := f.counts(t); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("got counts %v after a bad file, want %v", got, before)
			}
			good := strings.Replace(b.String(), "not a date", "", 1)
			res, err = f.imp(t, "analyst", importexport.KindPeople, good, false)
			if err != nil {
				t.Fatalf("good file: %v %v", err, res.Problems)
			}
			if got := f.count(t, "entity"); got != n || res.Stored != n {
				t.Errorf("got %d people (%d stored), want %d", got, res.Stored, n)
			}
			if got := f.count(t, "entity_alias"); got != 2*n {
				t.Errorf("got %d aliases, want %d", got, 2*n)
			}
			// One audit entry per batch, not per row.
			if got, want := f.count(t, "audit_event")-before["audit_event"], (n+store.BulkBatch-1)/store.BulkBatch; got != want {
				t.Errorf("got %d audit entries, want %d", got, want)
			}
		})
	}
}

func TestImportPeopleAndLinks(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			if _, err := f.imp(t, "analyst", importexport.KindGroups, groupsCSV, false); err != nil {
				t.Fatal(err)
			}
			people := "\ufeffreference,name,aliases,nicknames,dob,gender,flags,ocg_reference,role,source_ref,confidence\n" +
				"NICHE-P1,Jordan Matthews,JJ Matthews,Jay,14/03/1994,m,weapons;violence,NICHE-1,principal,IR-2026-000001,high\n" +
				"NICHE-P2,Kyle Brennan,,,1999-07-01,,,,,,\n"
			res, err := f.imp(t, "analyst", importexport.KindPeople, people, false)
			if err != nil {
				t.Fatalf("people: %v %v", err, res.Problems)
			}
			if res.Stored != 2 || res.Members != 1 {
				t.Errorf("got %+v, want 2 people and 1 membership", res)
			}
			links := "from_reference,to_reference,type,role,valid_from,valid_to,source_ref,confidence,note\n" +
				"niche-p2,NICHE-1,member_of,peripheral,01/01/2025,,IR-3,medium,\n" +
				"NICHE-P1,NICHE-P2,associate,,,,IR-4,low,Seen together\n"
			res, err = f.imp(t, "analyst", importexport.KindLinks, links, false)
			if err != nil {
				t.Fatalf("links: %v %v", err, res.Problems)
			}
			if got := f.count(t, "link"); got != 3 {
				t.Errorf("got %d links, want 3", got)
			}
			// The people are searchable the moment the import commits:
			// their search entries were written in its transaction, and
			// nothing is left for the indexer.
			var keys int
			if err := f.st.Reader().QueryRow(`SELECT count(*) FROM search_key k JOIN entity e ON e.id = k.record_id WHERE e.reference = 'NICHE-P1'`).Scan(&keys); err != nil {
				t.Fatal(err)
			}
			if keys < 5 {
				t.Errorf("got %d search keys for NICHE-P1, want several", keys)
			}
			search := service.NewSearch(f.st, nil, audit.NewLog(f.st.Now, f.st.NewID, audit.SigningKey([]byte("test"))))
			page, err := search.Search(context.Background(), f.actors["analyst"], service.SearchInput{Text: "Jordon Mathews"}, 1)
			if err != nil {
				t.Fatalf("search: %v", err)
			}
			if page.Unindexed != 0 || len(page.Items) == 0 || page.Items[0].Reference != "NICHE-P1" {
				t.Errorf("after the import got %+v, want NICHE-P1 first and nothing unindexed", page)
			}
			if n, err := service.NewSearchIndexer(f.st, nil).Drain(context.Background()); err != nil || n != 0 {
				t.Errorf("got %d left for the indexer, %v, want 0", n, err)
			}
			// The council's LRO may import people, but cannot add members
			// to the police's group.
			res, err = f.imp(t, "lro", importexport.KindPeople, "name,ocg_reference,role,source_ref,confidence\nAnn,NICHE-1,peripheral,IR-5,low\n", false)
			if !errors.Is(err, service.ErrImportProblems) || len(res.Problems) != 1 || res.Problems[0].Field != "row 2, column ocg_reference" {
				t.Errorf("got %v %v, want a problem with the group", err, res.Problems)
			}
			// Nor link a person to a group they can see but not keep.
			open := service.ImportOptions{Marking: domain.MarkingInput{Classification: "OFFICIAL", Handling: "P"}, FileName: "open.csv"}
			for _, in := range []struct {
				kind importexport.RegisterKind
				body string
			}{{importexport.KindGroups, "reference,name,primary_threat,ownership_level\nOPEN-G1,Open crew,drugs,local\n"},
				{importexport.KindPeople, "reference,name\nOPEN-P1,Dean Open\n"}} {
				if res, err := f.im.Import(context.Background(), f.actors["analyst"], in.kind, importexport.CSV, strings.NewReader(in.body), open); err != nil {
					t.Fatalf("%s: %v %v", in.kind, err, res.Problems)
				}
			}
			res, err = f.imp(t, "lro", importexport.KindLinks, "from_reference,to_reference,type,source_ref,confidence\nOPEN-P1,OPEN-G1,associate,IR-6,low\n", false)
			if !errors.Is(err, service.ErrImportProblems) || len(res.Problems) != 1 || res.Problems[0].Field != "row 2, column to_reference" ||
				!strings.Contains(res.Problems[0].Message, "cannot link records to") {
				t.Errorf("got %v %v, want a problem with the group", err, res.Problems)
			}
			if got := f.count(t, "link"); got != 3 {
				t.Errorf("got %d links after the refused import, want 3", got)
			}
		})
	}
}

func TestImportNeedsCreatePermission(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			before := f.counts(t)
			for _, kind := range []importexport.RegisterKind{importexport.KindGroups, importexport.KindPeople, importexport.KindLinks} {
				for _, dry := range []bool{true, false} {
					_, err := f.imp(t, "officer", kind, "name\nAnn\n", dry)
					if !errors.Is(err, domain.ErrForbidden) {
						t.Errorf("%s dry run %v: got %v, want forbidden", kind, dry, err)
					}
				}
			}
			if f.im.MayImport(context.Background(), f.actors["officer"], importexport.KindPeople) {
				t.Error("got MayImport true for a partner officer, want false")
			}
			if got := f.counts(t); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("got counts %v, want %v", got, before)
			}
		})
	}
}

func TestImportHeaderProblems(t *testing.T) {
	tests := []struct {
		name, body string
		want       string // in the problem, when set
	}{
		{"empty", "", ""},
		{"missing required", "aliases\nx\n", ""},
		{"unknown column", "name,colour\nAnn,red\n", ""},
		{"repeated column", "name,NAME\nAnn,Ann\n", ""},
		{"an image named .csv", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "This file is not a CSV file: it looks like an image (PNG)"},
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			for _, tc := range tests {
				_, err := f.imp(t, "analyst", importexport.KindPeople, tc.body, false)
				var verr *domain.ValidationError
				if !errors.As(err, &verr) {
					t.Errorf("%s: got %v, want a validation error", tc.name, err)
					continue
				}
				if tc.want != "" && (!strings.Contains(verr.Error(), tc.want) || strings.Contains(verr.Error(), "missing column")) {
					t.Errorf("%s: got %q, want %q and no talk of columns", tc.name, verr.Error(), tc.want)
				}
			}
			_, err := f.im.Import(context.Background(), f.actors["analyst"], importexport.KindPeople, importexport.CSV, strings.NewReader("name\nAnn\n"),
				service.ImportOptions{Marking: domain.MarkingInput{Classification: "SECRET", Handling: "P"}})
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || !verr.Has("classification") {
				t.Errorf("got %v, want a classification problem", err)
			}
		})
	}
}

func TestImportXLSX(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			x := excelize.NewFile()
			rows := [][]any{{"Name", "DOB", "Aliases"}, {"Ann Smith", 34407, "Annie"}, {"Bob Jones", "14/03/1994", ""}}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := x.Write(&buf); err != nil {
				t.Fatal(err)
			}
			res, err := f.im.Import(context.Background(), f.actors["analyst"], importexport.KindPeople, importexport.XLSX, &buf, service.ImportOptions{Marking: official})
			if err != nil || res.Stored != 2 {
				t.Fatalf("got %+v %v, want 2 stored", res, err)
			}
			var dob string
			if err := f.st.Reader().QueryRow(`SELECT dob FROM entity WHERE name = 'Ann Smith'`).Scan(&dob); err != nil || dob != "1994-03-14" {
				t.Errorf("got dob %q (%v), want 1994-03-14 from the Excel serial 34407", dob, err)
			}
		})
	}
}

// FuzzImportPeople runs arbitrary people files through the importer on
// SQLite: either every row is stored, or nothing is and the problems say
// why.
func FuzzImportPeople(f *testing.F) {
	f.Add("name,aliases,dob\nAnn Smith,Annie,14/03/1994\n")
	f.Add("reference,name,ocg_reference,role,source_ref,confidence\nX-1,Ann,NICHE-1,principal,IR-1,high\nX-1,Bob,,,,\n")
	f.Add("name,dob\n\"Ann\n,31/02/1994")
	e := storetest.Engines(f)[0]
	fx := newImportFixture(f, e)
	f.Fuzz(func(t *testing.T, in string) {
		before := fx.count(t, "entity")
		res, err := fx.im.Import(context.Background(), fx.actors["analyst"], importexport.KindPeople, importexport.CSV, strings.NewReader(in),
			service.ImportOptions{Marking: official, MaxProblems: 50})
		after := fx.count(t, "entity")
		var verr *domain.ValidationError
		switch {
		case err == nil:
			if after-before != res.Stored || res.Stored != res.Rows || !res.OK() {
				t.Fatalf("got %+v with %d new people, want every row stored", res, after-before)
			}
		case errors.Is(err, service.ErrImportProblems), errors.As(err, &verr):
			if after != before || res.Stored != 0 {
				t.Fatalf("got %d new people after %v, want none", after-before, err)
			}
			if errors.Is(err, service.ErrImportProblems) && len(res.Problems) == 0 {
				t.Fatal("got ErrImportProblems without problems")
			}
		default:
			t.Fatalf("got unexpected error %v", err)
		}
	})
}
