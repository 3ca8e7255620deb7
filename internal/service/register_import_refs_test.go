package service_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// TestImportHiddenReferenceLooksFree: a reference held by a record the
// importer may not see gives the importer exactly what a free reference
// gives (the same answer to a dry run, and the record stored), whether the
// hidden record is another agency's or a restricted record of the
// importer's own agency, a group or a person. A reference held by a record
// of the importer's agency that they can see is still refused, naming it;
// one held by another agency's visible record is that agency's, not a
// clash (decision 17).
func TestImportHiddenReferenceLooksFree(t *testing.T) {
	restricted := domain.MarkingInput{Classification: "OFFICIAL-SENSITIVE", Handling: "P", Restricted: true}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			ctx := context.Background()
			hold := func(who string, kind importexport.RegisterKind, ref string, m domain.MarkingInput) {
				t.Helper()
				body := "reference,name,primary_threat,ownership_level\n" + ref + ",Holder of " + ref + ",drugs,local\n"
				if kind == importexport.KindPeople {
					body = "reference,name\n" + ref + ",Holder of " + ref + "\n"
				}
				res, err := f.im.Import(ctx, f.actors[who], kind, importexport.CSV, strings.NewReader(body), service.ImportOptions{Marking: m})
				if err != nil || res.Stored != 1 {
					t.Fatalf("holding %s: got %+v, %v, want one record stored", ref, res, err)
				}
			}
			// The council's restricted group and person, and the police
			// approver's restricted group: none of them can the police
			// analyst see. The approver's open group and the council's open
			// group the analyst can see.
			hold("lro", importexport.KindGroups, "HID-COUNCIL", restricted)
			hold("lro", importexport.KindPeople, "HID-PERSON", restricted)
			hold("approver", importexport.KindGroups, "HID-OWN", restricted)
			hold("approver", importexport.KindGroups, "SEEN-OWN", official)
			hold("lro", importexport.KindGroups, "SEEN-COUNCIL", official)

			type outcome struct {
				err      string
				problems string
				stored   int
			}
			run := func(ref string, dry bool) outcome {
				t.Helper()
				body := "reference,name,primary_threat,ownership_level\n" + ref + ",Imported,drugs,local\n"
				res, err := f.im.Import(ctx, f.actors["analyst"], importexport.KindGroups, importexport.CSV, strings.NewReader(body),
					service.ImportOptions{DryRun: dry, Marking: official})
				o := outcome{stored: res.Stored, problems: strings.ReplaceAll(fmt.Sprint(res.Problems), ref, "REF")}
				if err != nil {
					o.err = strings.ReplaceAll(err.Error(), ref, "REF")
				}
				return o
			}
			free := run("FREE-1", true)
			if free.err != "" || free.problems != "[]" {
				t.Fatalf("free reference: got %+v, want no problems", free)
			}
			for _, tc := range []struct {
				name, ref   string
				wantRefused string // "" when the reference must behave as a free one
			}{
				{"another agency's hidden group", "HID-COUNCIL", ""},
				{"another agency's hidden person", "HID-PERSON", ""},
				{"own agency's restricted group the importer may not see", "HID-OWN", ""},
				{"another agency's visible group", "SEEN-COUNCIL", ""},
				{"own agency's visible group", "SEEN-OWN", "SEEN-OWN is already the reference of a group your agency recorded"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					dry := run(tc.ref, true)
					if tc.wantRefused == "" {
						if dry != free {
							t.Errorf("dry run: got %+v, want the same as for a free reference %+v", dry, free)
						}
						if got := run(tc.ref, false); got.err != "" || got.stored != 1 {
							t.Errorf("import: got %+v, want the group stored as a free reference's would be", got)
						}
						return
					}
					want := strings.ReplaceAll(tc.wantRefused, tc.ref, "REF")
					if !strings.Contains(dry.problems, want) || !strings.Contains(dry.err, service.ErrImportProblems.Error()) {
						t.Errorf("dry run: got %+v, want the problem %q", dry, want)
					}
					if got := run(tc.ref, false); got.stored != 0 || !strings.Contains(got.problems, want) {
						t.Errorf("import: got %+v, want nothing stored and the problem %q", got, want)
					}
				})
			}
			// The visible record the analyst now shares a reference with is
			// not theirs to be confused with: a links file naming the
			// reference means the analyst's own agency's group.
			own, err := f.im.Import(ctx, f.actors["analyst"], importexport.KindPeople, importexport.CSV,
				strings.NewReader("reference,name,ocg_reference,role,source_ref,confidence\nP-LINK,Linked person,SEEN-COUNCIL,peripheral,IR-1,high\n"),
				service.ImportOptions{Marking: official})
			if err != nil || own.Members != 1 {
				t.Fatalf("member of SEEN-COUNCIL: got %+v, %v, want one membership of the analyst's own group", own, err)
			}
			if n := f.count(t, "link l JOIN ocg o ON o.id = l.to_id WHERE o.reference = 'SEEN-COUNCIL' AND o.origin_agency_id = '"+
				f.actors["analyst"].AgencyID+"'"); n != 1 {
				t.Errorf("got %d memberships of the analyst's own SEEN-COUNCIL, want 1", n)
			}
			// Two restricted council groups named to the police share a
			// reference: neither is the analyst's, so a row naming it is
			// refused, not guessed.
			named := domain.MarkingInput{Classification: "OFFICIAL-SENSITIVE", Handling: "P", Restricted: true,
				NamedAgencies: []string{f.actors["analyst"].AgencyID}}
			hold("lro", importexport.KindGroups, "DUP-1", named)
			// The second is a council officer's, whom the LRO's restricted
			// group was hidden from (stored directly: officers do not import).
			officer := f.actors["officer"]
			if err := f.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				return f.st.InsertOCG(ctx, tx, &domain.OCG{Reference: "DUP-1", Name: "Second DUP-1", Status: domain.StatusProposed, Ownership: domain.OwnLocal,
					PrimaryThreat: "drugs", CreatedBy: officer.UserID, Marking: domain.Marking{PartnershipID: officer.PartnershipID,
						OriginAgencyID: officer.AgencyID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP, Restricted: true,
						NamedAgencies: []string{f.actors["analyst"].AgencyID}, NamedUsers: []string{officer.UserID}}})
			}); err != nil {
				t.Fatal(err)
			}
			dup, err := f.im.Import(ctx, f.actors["analyst"], importexport.KindPeople, importexport.CSV,
				strings.NewReader("name,ocg_reference,role,source_ref,confidence\nDup person,DUP-1,peripheral,IR-1,high\n"),
				service.ImportOptions{DryRun: true, Marking: official})
			if !errors.Is(err, service.ErrImportProblems) || !strings.Contains(fmt.Sprint(dup.Problems), "more than one record you can see has the reference DUP-1") {
				t.Errorf("ambiguous group: got %+v, %v, want the row refused as ambiguous", dup.Problems, err)
			}

			// A reference typed into a form means the same record.
			ref, err := service.NewRegister(f.st, nil, nil).Resolve(ctx, f.actors["analyst"], "seen-council")
			if err != nil || ref.Kind != domain.NodeOCG {
				t.Fatalf("resolve SEEN-COUNCIL: got %+v, %v, want the analyst's own group", ref, err)
			}
			var origin string
			if err := f.st.Reader().QueryRow(`SELECT origin_agency_id FROM ocg WHERE id = $1`, ref.ID).Scan(&origin); err != nil || origin != f.actors["analyst"].AgencyID {
				t.Errorf("resolve SEEN-COUNCIL: got the group of agency %s, want the analyst's own (%s)", origin, f.actors["analyst"].AgencyID)
			}
		})
	}
}
