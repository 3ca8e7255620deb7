package app_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"alliance/internal/app"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
	"alliance/internal/web"
)

// postExport posts the register export form as cookie.
func postExport(a *app.App, cookie string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/export/register", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
	return httptestServe(a, req)
}

// exportJob posts the register export form, which must answer with a
// redirect to a job page, runs the job and returns the job page's address
// and the downloaded file.
func exportJob(t *testing.T, a *app.App, cookie string, form url.Values) (string, *httptest.ResponseRecorder) {
	t.Helper()
	rec := postExport(a, cookie, form)
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("POST /export/register: got %d to %q, want 303 to a job page: %.300s", rec.Code, loc, rec.Body.String())
	}
	if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || !ran {
		t.Fatalf("run the export job: got %v, %v, want it run", ran, err)
	}
	return loc, getPage(a, cookie, loc+"/download")
}

// countRows counts the rows a query finds.
func countRows(t *testing.T, a *app.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := a.Store().Reader().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRegisterExportJob: the register export checks its disclosure form
// in the request (a missing purpose re-renders the form naming the field,
// and queues and logs nothing), then runs as a job whose page offers the
// file to its owner only, marked in its name and rows, without the
// records hidden from the owner; the file goes once its time has passed.
func TestRegisterExportJob(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			analyst, analyst2 := signIn(t, a, "analyst@nyp.example"), signIn(t, a, "analyst2@nyp.example")
			propose(t, h, analyst, map[string]string{"name": "Zed Hidden Crew", "restricted": "yes", "named_users": "analyst@nyp.example"})
			form := func(approver string, change map[string]string) url.Values {
				v := url.Values{"kind": {"groups"}, "format": {"csv"}, "purpose": {"Tasking"}, "recipients": {"NYC"}, "isa": {"adhoc"},
					"justification": {"s.115"}, "approver": {approver}}
				for k, s := range change {
					v.Set(k, s)
				}
				return v
			}
			jobsBefore := countRows(t, a, `SELECT count(*) FROM job`)
			disclosuresBefore := countRows(t, a, `SELECT count(*) FROM audit_event WHERE operation = 'disclosure'`)
			refused := []struct {
				name   string
				change map[string]string
				want   string
			}{
				{"no purpose", map[string]string{"purpose": ""}, "Say why you are exporting these records"},
				{"no recipients", map[string]string{"recipients": " "}, "Say who will receive the export"},
				{"self-approved", map[string]string{"approver": "analyst2@nyp.example"}, "Someone other than you must approve"},
			}
			for _, tc := range refused {
				t.Run(tc.name, func(t *testing.T) {
					checkPage(t, postExport(a, analyst2, form("analyst@nyp.example", tc.change)), http.StatusUnprocessableEntity,
						[]string{"govuk-error-summary", tc.want}, []string{"/jobs/"})
				})
			}
			if got := countRows(t, a, `SELECT count(*) FROM job`); got != jobsBefore {
				t.Errorf("after refused forms: got %d jobs queued, want none", got-jobsBefore)
			}
			if got := countRows(t, a, `SELECT count(*) FROM audit_event WHERE operation = 'disclosure'`); got != disclosuresBefore {
				t.Errorf("after refused forms: got %d disclosures logged, want none", got-disclosuresBefore)
			}

			// analyst2 exports: queued, then run; only analyst2 sees the job.
			rec := postExport(a, analyst2, form("analyst@nyp.example", nil))
			loc := rec.Header().Get("Location")
			if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
				t.Fatalf("POST /export/register: got %d to %q, want 303 to a job page", rec.Code, loc)
			}
			id := strings.TrimPrefix(loc, "/jobs/")
			checkPage(t, getPage(a, analyst2, loc), http.StatusOK, []string{`http-equiv="refresh"`, "Waiting to start", "An export of groups as CSV"},
				[]string{`id="download"`})
			checkPage(t, getPage(a, analyst2, loc+"/download"), http.StatusNotFound, nil, []string{"Tasking"})
			if got := countRows(t, a, `SELECT count(*) FROM audit_event WHERE operation = 'disclosure'`); got != disclosuresBefore {
				t.Errorf("before the job ran: got %d disclosures logged, want none", got-disclosuresBefore)
			}
			if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || !ran {
				t.Fatalf("run the export job: got %v, %v", ran, err)
			}
			checkPage(t, getPage(a, analyst2, loc), http.StatusOK,
				[]string{"Export ready", `href="` + loc + `/download"`, "The file is deleted from Alliance on", "Finished"},
				[]string{`http-equiv="refresh"`, "Waiting to start", "Zed Hidden Crew"})
			file := getPage(a, analyst2, loc+"/download")
			body := file.Body.String()
			marking, _, _ := strings.Cut(body, "\n")
			marking = strings.TrimSpace(marking)
			if file.Code != http.StatusOK || marking != "OFFICIAL-SENSITIVE" || !strings.Contains(body, "Tasking") || !strings.HasPrefix(file.Header().Get("Content-Type"), "text/csv") {
				t.Errorf("download: got %d %q %.200q, want a marked CSV", file.Code, file.Header().Get("Content-Type"), body)
			}
			if strings.Contains(body, "Zed Hidden Crew") {
				t.Errorf("analyst2's export holds the group restricted to analyst")
			}
			if cd := file.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "-"+marking+"-") || file.Header().Get("X-Protective-Marking") != marking {
				t.Errorf("file name %q, marking header %q: want both to carry %q", cd, file.Header().Get("X-Protective-Marking"), marking)
			}
			for _, path := range []string{loc, loc + "/download"} {
				checkPage(t, getPage(a, analyst, path), http.StatusNotFound, []string{"Page not found"}, []string{"Tasking", "Export ready"})
			}
			if got := countRows(t, a, `SELECT count(*) FROM audit_event WHERE operation = 'disclosure' AND request_id <> ''`); got != disclosuresBefore+1 {
				t.Errorf("after the job ran: got %d disclosures logged with the request, want 1", got-disclosuresBefore)
			}

			// The analyst named on the restricted group finds it in hers.
			if _, file := exportJob(t, a, analyst, form("analyst2@nyp.example", nil)); file.Code != http.StatusOK || !strings.Contains(file.Body.String(), "Zed Hidden Crew") {
				t.Errorf("the analyst's export: got %d %.200q, want the group restricted to her in it", file.Code, file.Body.String())
			}

			// Once its time has passed the file is gone, and the page says so.
			err := a.Store().InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE job_output SET expires_at = $2 WHERE job_id = $1`, id, time.Now().UTC().Add(-time.Minute))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			checkPage(t, getPage(a, analyst2, loc), http.StatusOK, []string{"The file was deleted on", "Export again"}, []string{`id="download"`})
			checkPage(t, getPage(a, analyst2, loc+"/download"), http.StatusNotFound, nil, []string{"Tasking"})
			if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || ran {
				t.Errorf("sweep: got ran %v, %v, want no job run", ran, err)
			}
			if got := countRows(t, a, `SELECT count(*) FROM job_output WHERE job_id = $1`, id); got != 0 {
				t.Errorf("after the sweep: got %d files kept, want 0", got)
			}
		})
	}
}

// postAuditExport posts the audit log's export form as cookie.
func postAuditExport(a *app.App, cookie string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/audit/export", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
	return httptestServe(a, req)
}

// TestAuditExportJob: the audit log's export is a form on the log's page
// that queues a job (a bad search re-renders naming the field and queues
// nothing; anyone but an auditor gets 404), whose page offers the marked
// CSV to the auditor who asked only; making it is logged once, as a
// disclosure naming the request.
func TestAuditExportJob(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			dpo, otherDPO, analyst := signIn(t, a, "dpo@nyp.example"), signIn(t, a, "dpo@nyc.example"), signIn(t, a, "analyst@nyp.example")
			checkPage(t, getPage(a, dpo, "/audit?operation=consultation"), http.StatusOK,
				[]string{`action="/audit/export"`, `name="operation" value="consultation"`}, []string{"export.csv"})
			jobsBefore := countRows(t, a, `SELECT count(*) FROM job`)
			exportsBefore := countRows(t, a, `SELECT count(*) FROM audit_event WHERE operation = 'disclosure' AND record_type = 'audit_log'`)
			refused := []struct {
				name   string
				cookie string
				form   url.Values
				want   int
				shows  []string
			}{
				{"a bad date", dpo, url.Values{"from": {"31/02/2026"}}, http.StatusUnprocessableEntity, []string{"govuk-error-summary", "Enter a date"}},
				{"an end before the start", dpo, url.Values{"from": {"02/12/2026"}, "to": {"01/12/2026"}}, http.StatusUnprocessableEntity,
					[]string{"The end date must be on or after the start date"}},
				{"an analyst", analyst, url.Values{}, http.StatusNotFound, []string{"Page not found"}},
			}
			for _, tc := range refused {
				t.Run(tc.name, func(t *testing.T) {
					checkPage(t, postAuditExport(a, tc.cookie, tc.form), tc.want, tc.shows, []string{"/jobs/"})
				})
			}
			if got := countRows(t, a, `SELECT count(*) FROM job`); got != jobsBefore {
				t.Errorf("after refused forms: got %d jobs queued, want none", got-jobsBefore)
			}
			rec := postAuditExport(a, dpo, url.Values{"operation": {"consultation"}})
			loc := rec.Header().Get("Location")
			if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
				t.Fatalf("POST /audit/export: got %d to %q, want 303 to a job page", rec.Code, loc)
			}
			if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || !ran {
				t.Fatalf("run the export job: got %v, %v", ran, err)
			}
			checkPage(t, getPage(a, dpo, loc), http.StatusOK, []string{"Export ready", "audit log entries", `href="` + loc + `/download"`, `href="/audit"`}, nil)
			file := getPage(a, dpo, loc+"/download")
			body := file.Body.String()
			if file.Code != http.StatusOK || !strings.HasPrefix(body, "OFFICIAL-SENSITIVE") || !strings.Contains(body, "operation=consultation") ||
				!strings.Contains(body, ",consultation,") || strings.Contains(body, ",collection,") {
				t.Errorf("download: got %d %.300q, want a marked CSV of consultations only", file.Code, body)
			}
			if cd := file.Header().Get("Content-Disposition"); !strings.Contains(cd, "alliance-audit-log-OFFICIAL-SENSITIVE-") {
				t.Errorf("got file name %q, want the marking in it", cd)
			}
			for _, path := range []string{loc, loc + "/download"} {
				checkPage(t, getPage(a, otherDPO, path), http.StatusNotFound, nil, []string{"operation=consultation"})
			}
			if got := countRows(t, a, `SELECT count(*) FROM audit_event WHERE operation = 'disclosure' AND record_type = 'audit_log' AND request_id <> ''`); got != exportsBefore+1 {
				t.Errorf("got %d audit log exports logged, want 1", got-exportsBefore)
			}

			// A server takes the next export and dies; once its lease has
			// expired another runs it: one file, one disclosure.
			rec = postAuditExport(a, dpo, url.Values{"operation": {"disclosure"}})
			id := strings.TrimPrefix(rec.Header().Get("Location"), "/jobs/")
			if claimed, err := a.Store().ClaimJob(context.Background(), "dead-server", service.JobLease); err != nil || claimed.ID != id {
				t.Fatalf("the dead server's claim: got %q, %v, want %q", claimed.ID, err, id)
			}
			if err := storetest.ExpireJobLease(context.Background(), a.Store(), id); err != nil {
				t.Fatal(err)
			}
			if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || !ran {
				t.Fatalf("after the lease expired: got ran %v, %v, want the job run", ran, err)
			}
			if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || ran {
				t.Errorf("a further run: got %v, %v, want nothing left", ran, err)
			}
			if got := countRows(t, a, `SELECT count(*) FROM job_output WHERE job_id = $1`, id); got != 1 {
				t.Errorf("got %d files stored for the job run twice, want 1", got)
			}
			if got := countRows(t, a, `SELECT count(*) FROM audit_event WHERE operation = 'disclosure' AND record_type = 'audit_log'`); got != exportsBefore+2 {
				t.Errorf("got %d audit log exports logged in all, want 2", got-exportsBefore)
			}
			checkPage(t, getPage(a, dpo, "/jobs/"+id), http.StatusOK, []string{"Export ready"}, nil)
		})
	}
}
