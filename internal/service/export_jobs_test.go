package service_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// exportJobFixture is an import fixture with a job runner, and two people:
// one any exporter may see, and one restricted to the analyst by name.
func exportJobFixture(t *testing.T, e storetest.Engine) (*importFixture, *service.Jobs) {
	t.Helper()
	f := newImportFixture(t, e)
	if res, err := f.imp(t, "analyst", importexport.KindPeople, "name,aliases\nPat Open,Patty\n", false); err != nil {
		t.Fatalf("import: %v %v", err, res.Problems)
	}
	cond := domain.MarkingInput{Classification: "OFFICIAL-SENSITIVE", Handling: "P", Restricted: true, NamedUsers: []string{"analyst@example.test"}}
	res, err := f.im.Import(context.Background(), f.actors["analyst"], importexport.KindPeople, importexport.CSV,
		strings.NewReader("name\nRita Restricted\n"), service.ImportOptions{Marking: cond, FileName: "c.csv"})
	if err != nil {
		t.Fatalf("import the restricted person: %v %v", err, res.Problems)
	}
	return f, service.NewJobs(f.st, f.im, nil, nil)
}

var exportDisclosure = service.Disclosure{Purpose: "Tasking meeting", Recipients: "Test Council", AdHoc: true,
	Justification: "Crime and Disorder Act 1998 s.115", ApproverEmail: "approver@example.test"}

// disclosures counts the disclosure entries in the audit log.
func (f *importFixture) disclosures(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.st.Reader().QueryRow(`SELECT count(*) FROM audit_event WHERE operation = 'disclosure'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestExportJobMatchesTheSynchronousExport: an export run as a job makes,
// for each exporter, byte for byte the file the export in the request
// made (the clock is fixed), so records hidden from the exporter are
// absent from it too; the job's owner downloads it under its marking,
// nobody else can, and the disclosure is logged once.
func TestExportJobMatchesTheSynchronousExport(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			f, jobs := exportJobFixture(t, e)
			ctx := context.Background()
			tests := []struct {
				name         string
				who, other   string // other approves the disclosure, and may not see the job
				want, hidden []string
			}{
				{"the named analyst sees both", "analyst", "approver", []string{"Pat Open", "Rita Restricted"}, nil},
				{"another analyst sees only the open person", "approver", "analyst", []string{"Pat Open"}, []string{"Rita Restricted"}},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					a := f.actors[tc.who]
					d := exportDisclosure
					d.ApproverEmail = tc.other + "@example.test"
					var sync bytes.Buffer
					if _, err := f.im.Export(ctx, a, importexport.KindPeople, importexport.CSV, d, &sync, f.st.Now()); err != nil {
						t.Fatalf("synchronous export: %v", err)
					}
					before := f.disclosures(t)
					job, err := jobs.SubmitExport(ctx, a, service.ExportJobInput{Kind: importexport.KindPeople, Format: importexport.CSV, Disclosure: d})
					if err != nil {
						t.Fatalf("submit: %v", err)
					}
					if got := f.disclosures(t); got != before {
						t.Errorf("after submitting: got %d more disclosures, want none until the job runs", got-before)
					}
					if ran, err := jobs.RunOnce(ctx); err != nil || !ran {
						t.Fatalf("run: got %v, %v, want the job run", ran, err)
					}
					if got := f.disclosures(t); got != before+1 {
						t.Errorf("after the job ran: got %d more disclosures, want 1", got-before)
					}
					file, err := jobs.Download(ctx, a, job.ID)
					if err != nil {
						t.Fatalf("download: %v", err)
					}
					if got, want := string(file.Body), sync.String(); got != want {
						t.Errorf("got the job's file\n%s\nwant the synchronous export's\n%s", got, want)
					}
					body := string(file.Body)
					for _, s := range tc.want {
						if !strings.Contains(body, s) {
							t.Errorf("got a file without %q", s)
						}
					}
					for _, s := range tc.hidden {
						if strings.Contains(body, s) {
							t.Errorf("got a file with %q, hidden from %s", s, tc.who)
						}
					}
					if file.Marking != domain.OfficialSensitive || !strings.Contains(file.Name, "-OFFICIAL-SENSITIVE-") || !strings.HasPrefix(body, "OFFICIAL-SENSITIVE") {
						t.Errorf("got file %q marked %q, want OFFICIAL-SENSITIVE in its name and first row", file.Name, file.Marking)
					}
					// The owner, once their roles no longer allow the export,
					// gets the file no more.
					demoted := a
					demoted.Roles = []domain.Role{domain.RoleBoardViewer}
					if _, err := jobs.Download(ctx, demoted, job.ID); !errors.Is(err, domain.ErrNotFound) {
						t.Errorf("download by the owner without the export role: got %v, want not found", err)
					}
					if _, err := jobs.Download(ctx, f.actors[tc.other], job.ID); !errors.Is(err, domain.ErrNotFound) {
						t.Errorf("download by %s: got %v, want not found", tc.other, err)
					}
					if _, err := jobs.Job(ctx, f.actors[tc.other], job.ID); !errors.Is(err, domain.ErrNotFound) {
						t.Errorf("job page for %s: got %v, want not found", tc.other, err)
					}
				})
			}
		})
	}
}

// TestExportJobRunAgainAfterItsServerDied: a server claims an export job
// and dies. Once its lease has expired another server runs the job, which
// stores one file and logs one disclosure; the dead server can no longer
// end the job, and there is nothing left to run.
func TestExportJobRunAgainAfterItsServerDied(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			f, jobs := exportJobFixture(t, e)
			ctx := context.Background()
			before := f.disclosures(t)
			job, err := jobs.SubmitExport(ctx, f.actors["analyst"], service.ExportJobInput{Kind: importexport.KindPeople, Format: importexport.XLSX, Disclosure: exportDisclosure})
			if err != nil {
				t.Fatal(err)
			}
			claimed, err := f.st.ClaimJob(ctx, "dead-server", service.JobLease)
			if err != nil || claimed.ID != job.ID {
				t.Fatalf("the dead server's claim: got %q, %v, want %q", claimed.ID, err, job.ID)
			}
			if ran, err := jobs.RunOnce(ctx); err != nil || ran {
				t.Fatalf("while the lease holds: got ran %v, %v, want nothing to run", ran, err)
			}
			if err := storetest.ExpireJobLease(ctx, f.st, job.ID); err != nil {
				t.Fatal(err)
			}
			if ran, err := jobs.RunOnce(ctx); err != nil || !ran {
				t.Fatalf("after the lease expired: got ran %v, %v, want the job run", ran, err)
			}
			err = f.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				return f.st.FinishJob(ctx, tx, job.ID, "dead-server", domain.JobSucceeded, "", "")
			})
			if !store.ErrLeaseLost(err) {
				t.Errorf("the dead server ends the job: got %v, want lease lost", err)
			}
			if ran, err := jobs.RunOnce(ctx); err != nil || ran {
				t.Errorf("a further run: got %v, %v, want nothing left to run", ran, err)
			}
			if got := f.count(t, "job_output"); got != 1 {
				t.Errorf("got %d stored files, want 1", got)
			}
			if got := f.disclosures(t); got != before+1 {
				t.Errorf("got %d disclosures logged, want 1", got-before)
			}
			v, err := jobs.Job(ctx, f.actors["analyst"], job.ID)
			if err != nil || v.Status != domain.JobSucceeded || v.Attempts != 2 || !v.Downloadable || v.Export == nil ||
				!strings.HasSuffix(v.Export.FileName, ".xlsx") || !v.Export.ExpiresAt.Equal(f.st.Now().Add(service.JobOutputRetention)) {
				t.Errorf("got job %+v, %v, want succeeded on its second attempt with an XLSX file kept %s", v, err, service.JobOutputRetention)
			}
		})
	}
}

// TestExportJobRefusedDisclosureQueuesNothing: a disclosure the export
// would refuse (no purpose, no recipients, an approver who is the
// exporter) is refused when it is asked for, naming the field; no job is
// queued and nothing is logged. A user who may not export is forbidden.
func TestExportJobRefusedDisclosureQueuesNothing(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			f, jobs := exportJobFixture(t, e)
			ctx := context.Background()
			without := func(change func(*service.Disclosure)) service.Disclosure { d := exportDisclosure; change(&d); return d }
			tests := []struct {
				name  string
				who   string
				d     service.Disclosure
				field string // "" for forbidden
			}{
				{"no purpose", "analyst", without(func(d *service.Disclosure) { d.Purpose = "  " }), "purpose"},
				{"no recipients", "analyst", without(func(d *service.Disclosure) { d.Recipients = "" }), "recipients"},
				{"approved by the exporter", "analyst", without(func(d *service.Disclosure) { d.ApproverEmail = "analyst@example.test" }), "approver"},
				{"a partner officer", "officer", exportDisclosure, ""},
			}
			before := f.disclosures(t)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					_, err := jobs.SubmitExport(ctx, f.actors[tc.who], service.ExportJobInput{Kind: importexport.KindPeople, Format: importexport.CSV, Disclosure: tc.d})
					var verr *domain.ValidationError
					switch {
					case tc.field == "" && !errors.Is(err, domain.ErrForbidden):
						t.Errorf("got %v, want forbidden", err)
					case tc.field != "" && (!errors.As(err, &verr) || len(verr.Problems) != 1 || verr.Problems[0].Field != tc.field):
						t.Errorf("got %v, want one problem with %s", err, tc.field)
					}
				})
			}
			if got := f.count(t, "job"); got != 0 {
				t.Errorf("got %d jobs queued, want none", got)
			}
			if got := f.disclosures(t); got != before {
				t.Errorf("got %d disclosures logged, want none", got-before)
			}
		})
	}
}
