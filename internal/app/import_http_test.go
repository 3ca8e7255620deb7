package app_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"alliance/internal/app"
	"alliance/internal/config"
	"alliance/internal/store/storetest"
	"alliance/internal/web"
)

// upload builds a multipart POST /import with fields and a file, as a
// browser sends it (fields first, the file last).
func upload(t *testing.T, cookie string, fields map[string]string, name, body string) *http.Request {
	t.Helper()
	return uploadWith(t, cookie, fields, name, body, nil)
}

// uploadWith is upload with after, fields sent after the file.
func uploadWith(t *testing.T, cookie string, fields map[string]string, name, body string, after map[string]string) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(fw, body)
	for k, v := range after {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
	return req
}

// importJob posts an upload, which must answer with a redirect to a job
// page, runs the job and returns the job page's address and body.
func importJob(t *testing.T, a *app.App, cookie string, req *http.Request) (string, *httptest.ResponseRecorder) {
	t.Helper()
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("POST /import: got %d to %q, want 303 to a job page: %.300s", rec.Code, loc, rec.Body.String())
	}
	if ran, err := a.Jobs().RunOnce(context.Background()); err != nil || !ran {
		t.Fatalf("run the job: got %v, %v, want it run", ran, err)
	}
	return loc, getPage(a, cookie, loc)
}

func getPage(a *app.App, cookie, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	return rec
}

func TestImportPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, func(c *config.Config) {})
			h := a.Handler()
			analyst := signIn(t, a, "analyst@nyp.example")
			officer := signIn(t, a, "officer@dwp.example")
			get := func(cookie, path string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			if rec := get(analyst, "/import"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `enctype="multipart/form-data"`) {
				t.Errorf("GET /import: got %d, want the upload form", rec.Code)
			}
			if rec := get(officer, "/import"); rec.Code != http.StatusNotFound {
				t.Errorf("GET /import as a partner officer: got %d, want 404", rec.Code)
			}
			if rec := get(analyst, "/export/register"); rec.Code != http.StatusOK {
				t.Errorf("GET /export/register: got %d, want 200", rec.Code)
			}
			tests := []struct {
				name       string
				cookie     string
				fields     map[string]string
				file, body string
				want       int // the upload's answer; 303 runs the job and checks its page
				contains   []string
				lacks      []string
			}{
				{"dry run", analyst, map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE", "handling": "P", "dry_run": "1"}, "p.csv",
					"name,dob\nAnn Smith,14/03/1994\nBob Jones,\n", http.StatusSeeOther, []string{"2 rows checked, nothing stored (dry run)", "p.csv", "Finished"},
					[]string{"http-equiv=\"refresh\"", "Import complete"}},
				{"bad rows", analyst, map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE", "handling": "P"}, "p.csv",
					"name,dob\nAnn Smith,31/02/1994\n,\nBob,=cmd\n", http.StatusSeeOther,
					[]string{"govuk-error-summary", "row 2, column dob", "row 4, column dob", "nothing was stored", "Failed"}, []string{"Import complete"}},
				{"one bad row", analyst, map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE", "handling": "P"}, "p.csv",
					"name,dob\nAnn Smith,31/02/1994\n", http.StatusSeeOther,
					[]string{"1 problem in the file: nothing was stored", "1 row checked. Nothing was stored", "row 2, column dob"}, []string{"1 problems", "1 rows", "in 1 rows"}},
				{"stored", analyst, map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE", "handling": "P"}, "p.csv",
					"name,aliases\nAnn Smith,Annie\n", http.StatusSeeOther, []string{"1 person stored", "Finished"},
					[]string{"http-equiv=\"refresh\"", "problems", "1 people", "not yet", "once they are added to the search index"}},
				{"bad marking", analyst, map[string]string{"kind": "people", "classification": "SECRET", "handling": "P"}, "p.csv",
					"name\nAnn\n", http.StatusSeeOther, []string{"classification", "Nothing was stored", "Failed"}, []string{"Import complete"}},
				{"not a spreadsheet", analyst, map[string]string{"kind": "people", "classification": "OFFICIAL", "handling": "P"}, "p.txt",
					"name\nAnn\n", http.StatusUnprocessableEntity, []string{"must be a CSV or XLSX file"}, nil},
				{"too large", analyst, map[string]string{"kind": "people", "classification": "OFFICIAL", "handling": "P"}, "p.csv",
					"name\n" + strings.Repeat(strings.Repeat("x", 1<<20)+"\n", web.DefaultImportMaxBytes>>20+1), http.StatusRequestEntityTooLarge,
					[]string{"must be smaller than 50 MB"}, nil},
				{"partner officer", officer, map[string]string{"kind": "people", "classification": "OFFICIAL", "handling": "P"}, "p.csv",
					"name\nAnn\n", http.StatusNotFound, nil, nil},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					var body string
					if tc.want == http.StatusSeeOther {
						_, rec := importJob(t, a, tc.cookie, upload(t, tc.cookie, tc.fields, tc.file, tc.body))
						if rec.Code != http.StatusOK {
							t.Fatalf("job page: got %d, want 200", rec.Code)
						}
						body = rec.Body.String()
					} else {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, upload(t, tc.cookie, tc.fields, tc.file, tc.body))
						if rec.Code != tc.want {
							t.Fatalf("got %d, want %d: %s", rec.Code, tc.want, rec.Body.String())
						}
						body = rec.Body.String()
					}
					for _, s := range tc.contains {
						if !strings.Contains(body, s) {
							t.Errorf("got a page without %q", s)
						}
					}
					for _, s := range tc.lacks {
						if strings.Contains(body, s) {
							t.Errorf("got a page with %q, which must not appear", s)
						}
					}
				})
			}
			// The imported person is searchable as soon as the import has
			// committed: no warning, and the search finds her.
			if body := get(analyst, "/search?q=Annie+Smith").Body.String(); strings.Contains(body, "not yet in the search index") || !strings.Contains(body, "Ann Smith") {
				t.Errorf("search after the import: want Ann Smith and no warning, got %.300q", body)
			}
			form := url.Values{"kind": {"people"}, "format": {"csv"}, "purpose": {"Tasking"}, "recipients": {"NYC"}, "isa": {"adhoc"},
				"justification": {"s.115"}, "approver": {"analyst2@nyp.example"}}
			_, rec := exportJob(t, a, analyst, form)
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "OFFICIAL") || !strings.Contains(rec.Body.String(), "Ann Smith") {
				t.Errorf("the register export's download: got %d %.200q, want a marked CSV with the imported person", rec.Code, rec.Body.String())
			}
			marking, _, _ := strings.Cut(rec.Body.String(), "\n")
			marking = strings.TrimSpace(marking)
			if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "-"+marking+"-") || rec.Header().Get("X-Protective-Marking") != marking {
				t.Errorf("export file name %q, marking header %q: want both to carry %q", cd, rec.Header().Get("X-Protective-Marking"), marking)
			}
		})
	}
}

// TestImportUploadLimitIsConfigured: ALLIANCE_IMPORT_MAX_MB sets the most
// a web upload may be.
func TestImportUploadLimitIsConfigured(t *testing.T) {
	a := newApp(t, storetest.Engines(t)[0], func(c *config.Config) { c.ImportMaxMB = 1 })
	h := a.Handler()
	analyst := signIn(t, a, "analyst@nyp.example")
	fields := map[string]string{"kind": "people", "classification": "OFFICIAL", "handling": "P", "dry_run": "1"}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, upload(t, analyst, fields, "p.csv", "name\n"+strings.Repeat(strings.Repeat("x", 1000)+"\n", 1200)))
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "must be smaller than 1 MB") {
		t.Errorf("1.2 MB under a 1 MB limit: got %d, want 413 naming the limit", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, upload(t, analyst, fields, "p.csv", "name\nAnn Smith\n"))
	if rec.Code != http.StatusSeeOther {
		t.Errorf("a small file under a 1 MB limit: got %d, want 303 to its job", rec.Code)
	}
}

// TestImportReadsFieldsAfterTheFile: the import form is read whole before
// anything is done, so a field sent after the file counts: a dry run
// asked for last stores nothing.
func TestImportReadsFieldsAfterTheFile(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			analyst := signIn(t, a, "analyst@nyp.example")
			req := uploadWith(t, analyst, map[string]string{"kind": "people", "classification": "OFFICIAL-SENSITIVE"}, "late.csv",
				"name\nDora Lateflag\n", map[string]string{"handling": "P", "dry_run": "1"})
			_, rec := importJob(t, a, analyst, req)
			checkPage(t, rec, http.StatusOK, []string{"1 row checked, nothing stored (dry run)", "A dry run"}, []string{"Import complete", "people stored", "1 rows"})
			if got := entitiesNamed(t, a, "Dora Lateflag"); got != 0 {
				t.Errorf("a dry run sent after the file: got %d people stored, want 0", got)
			}
		})
	}
}
