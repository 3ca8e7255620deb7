package app_test

import (
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"alliance/internal/store/storetest"
)

// publicPost sends the public reporting form from addr, with no cookie.
func publicPost(h http.Handler, addr, body string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/report-crime", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr + ":50000"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// tableHolds reports which tables of db hold needle in any text column.
func tableHolds(t *testing.T, db *sql.DB, engine, needle string) []string {
	t.Helper()
	var tables []string
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	if engine == "sqlite" {
		q = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var found []string
	for _, tb := range tables {
		// Every column, as text, concatenated: a row that holds the needle
		// anywhere matches.
		var cols []string
		cq := `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
		if engine == "sqlite" {
			cq = `SELECT name FROM pragma_table_info($1)`
		}
		crows, err := db.Query(cq, tb)
		if err != nil {
			t.Fatal(err)
		}
		for crows.Next() {
			var c string
			if err := crows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, `COALESCE(CAST("`+c+`" AS text), '')`)
		}
		if err := crows.Err(); err != nil {
			t.Fatal(err)
		}
		crows.Close()
		if len(cols) == 0 {
			continue
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "`+tb+`" WHERE (`+strings.Join(cols, " || ")+`) LIKE $1`, "%"+needle+"%").Scan(&n); err != nil {
			t.Fatalf("search %s: %v", tb, err)
		}
		if n > 0 {
			found = append(found, tb)
		}
	}
	return found
}

// TestPublicReport: the public page works without an account and sets no
// cookie; a report with only "what happened" is stored, OFFICIAL-SENSITIVE,
// in the triage queue, and answered with its reference and nothing else;
// no table and no log line holds the reporter's address or browser; markup
// is stored and shown as text; missing, over-long and oversized input is
// refused naming the field, with nothing stored; the honeypot and a flood
// from one address are refused.
func TestPublicReport(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			var logs syncBuffer
			a := newAppLogging(t, e, nil, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			h := a.Handler()
			db := a.Store().Reader()
			count := func() int {
				t.Helper()
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM submission`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			page := scenario{name: "the public page", path: "/report-crime", wantStatus: 200,
				wantContains: []string{"Report organised crime", "call 999", "101", `name="what"`, `name="website"`}}.run(t, h)
			if c := page.Header().Values("Set-Cookie"); len(c) > 0 {
				t.Errorf("the public page sets cookies %q", c)
			}
			const addr, agent = "203.0.113.77", "ReporterBrowser/9.1 (unique-agent-marker)"
			hostile := `<script>alert("x")</script> Dealing from the flat above the chip shop`
			rec := publicPost(h, addr, url.Values{"what": {hostile}, "where": {"<b>Castle Road</b>"}, "website": {""}}.Encode(),
				map[string]string{"User-Agent": agent, "X-Forwarded-For": addr})
			if rec.Code != 200 {
				t.Fatalf("send a report: got %d", rec.Code)
			}
			body := rec.Body.String()
			ref := regexp.MustCompile(`id="reference">(SUB-[0-9]{4}-[0-9]{6})<`).FindStringSubmatch(body)
			if ref == nil {
				t.Fatalf("no reference in the answer")
			}
			if strings.Contains(body, "Dealing from the flat") || len(rec.Header().Values("Set-Cookie")) > 0 {
				t.Errorf("the answer echoes the report or sets a cookie")
			}
			var class, status, source string
			if err := db.QueryRow(`SELECT classification, status, source FROM submission WHERE reference = $1`, ref[1]).Scan(&class, &status, &source); err != nil {
				t.Fatal(err)
			}
			if class != "OFFICIAL-SENSITIVE" || status != "new" || source != "public" {
				t.Errorf("got %s %s %s, want OFFICIAL-SENSITIVE new public", class, status, source)
			}
			for _, needle := range []string{addr, "unique-agent-marker"} {
				if got := tableHolds(t, db, e.Name, needle); len(got) > 0 {
					t.Errorf("tables %v hold the reporter's %q", got, needle)
				}
				if strings.Contains(logs.String(), needle) {
					t.Errorf("the process log holds the reporter's %q", needle)
				}
			}
			// The analyst sees it as text, never as markup.
			analyst := signIn(t, a, "analyst@nyp.example")
			var id string
			if err := db.QueryRow(`SELECT CAST(id AS text) FROM submission WHERE reference = $1`, ref[1]).Scan(&id); err != nil {
				t.Fatal(err)
			}
			scenario{name: "in triage", path: "/triage", cookie: analyst, wantStatus: 200, wantContains: []string{ref[1], "Public report"}}.run(t, h)
			scenario{name: "as text", path: "/submissions/" + id, cookie: analyst, wantStatus: 200,
				wantContains:    []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;b&gt;Castle Road&lt;/b&gt;"},
				wantNotContains: []string{`<script>alert("x")`, "<b>Castle Road</b>"}}.run(t, h)

			before := count()
			tests := []struct {
				name, addr, body string
				want             int
				wantText         string
			}{
				{"no form fields (a scripted post)", "198.51.100.1", "", 422, "Enter what happened"},
				{"only spaces", "198.51.100.2", "what=+++", 422, "Enter what happened"},
				{"too long", "198.51.100.3", url.Values{"what": {strings.Repeat("x", 5001)}}.Encode(), 422, "What happened must be 5,000 characters or fewer"},
				{"contact too long", "198.51.100.4", url.Values{"what": {"x"}, "contact": {strings.Repeat("y", 501)}}.Encode(), 422, "Contact details must be 500 characters or fewer"},
				{"a NUL", "198.51.100.5", "what=a%00b", 400, ""},
				{"the honeypot filled", "198.51.100.6", "what=buy+cheap&website=http%3A%2F%2Fspam.example", 422, "Leave this field empty"},
				{"over the size limit", "198.51.100.7", "what=" + strings.Repeat("z", 70<<10), 413, "too long to send"},
			}
			for _, tc := range tests {
				rec := publicPost(h, tc.addr, tc.body, nil)
				if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.wantText) {
					t.Errorf("%s: got %d, want %d with %q", tc.name, rec.Code, tc.want, tc.wantText)
				}
			}
			if got := count(); got != before {
				t.Errorf("bad input stored %d submissions", got-before)
			}
			// A flood from one address is refused after a handful.
			codes := map[int]int{}
			for range 20 {
				codes[publicPost(h, "192.0.2.200", "what=flood", nil).Code]++
			}
			if codes[429] < 10 || codes[200] > 6 {
				t.Errorf("a flood of 20 from one address: got %v, want most refused with 429", codes)
			}
		})
	}
}

// TestSubmissionTriage: a partner officer submits; the analyst finds it in
// triage (the most urgent first), asks a question, the officer answers it,
// the analyst grades it into a report in one step. The officer sees the
// status and the question but never the report or who decided; a council
// analyst does not see a public report; the API gives the queue and takes
// a partner system's submission.
func TestSubmissionTriage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			db := a.Store().Reader()
			officer := signIn(t, a, "officer@nyc.example")
			analyst := signIn(t, a, "analyst@nyp.example")
			idOf := func(ref string) string {
				t.Helper()
				var id string
				if err := db.QueryRow(`SELECT CAST(id AS text) FROM submission WHERE reference = $1`, ref).Scan(&id); err != nil {
					t.Fatal(err)
				}
				return id
			}
			location := func(rec *httptest.ResponseRecorder) string { return rec.Header().Get("Location") }

			scenario{name: "no what", method: "POST", path: "/submissions", cookie: officer, body: "what=&priority=routine", wantStatus: 422,
				wantContains: []string{`href="#what"`, "Enter what you saw"}}.run(t, h)
			scenario{name: "bad priority", method: "POST", path: "/submissions", cookie: officer, body: "what=x&priority=whenever", wantStatus: 422,
				wantContains: []string{`href="#priority"`}}.run(t, h)
			rec := scenario{name: "routine", method: "POST", path: "/submissions", cookie: officer, wantStatus: 303,
				body: url.Values{"what": {"Visited the flat: three young people not from the area, a new lock on the door"}, "where": {"14 Castle Road"}, "priority": {"routine"}}.Encode()}.run(t, h)
			routine := strings.TrimPrefix(location(rec), "/submissions/")
			rec = scenario{name: "urgent", method: "POST", path: "/submissions", cookie: officer, wantStatus: 303,
				body: url.Values{"what": {"A girl of about 14 seen going into the flat at night"}, "priority": {"child_at_risk"}}.Encode()}.run(t, h)
			urgent := strings.TrimPrefix(location(rec), "/submissions/")

			q := scenario{name: "triage", path: "/triage", cookie: analyst, wantStatus: 200}.run(t, h).Body.String()
			if iu, ir := strings.Index(q, urgent), strings.Index(q, routine); iu < 0 || ir < 0 || iu > ir {
				t.Errorf("the child at risk is not above the routine submission in triage")
			}
			scenario{name: "officers do not triage", path: "/triage", cookie: officer, wantStatus: 404}.run(t, h)
			// A police LRO submits and reads back their own, and only their own.
			lro := signIn(t, a, "lro@nyp.example")
			rec = scenario{name: "an LRO submits", method: "POST", path: "/submissions", cookie: lro, wantStatus: 303,
				body: url.Values{"what": {"Seen the principal at the gym with a new associate"}, "priority": {"routine"}}.Encode()}.run(t, h)
			scenario{name: "the LRO reads it back", path: location(rec), cookie: lro, wantStatus: 200,
				wantContains: []string{"Seen the principal at the gym", "Waiting for triage"}}.run(t, h)
			scenario{name: "but not the council's", path: "/submissions/" + routine, cookie: lro, wantStatus: 404}.run(t, h)
			scenario{name: "their list", path: "/submissions", cookie: lro, wantStatus: 200, wantNotContains: []string{routine}}.run(t, h)
			scenario{name: "nor decide", method: "POST", path: "/submissions/" + routine + "/decision", cookie: officer, body: "action=close&reason=x", wantStatus: 404}.run(t, h)
			scenario{name: "another officer may not see it", path: "/submissions/" + routine, cookie: signIn(t, a, "officer@hmrc.example"), wantStatus: 404}.run(t, h)

			scenario{name: "ask", method: "POST", path: "/submissions/" + routine + "/decision", cookie: analyst, wantStatus: 303,
				body: url.Values{"action": {"question"}, "question": {"Which floor is the flat on?"}}.Encode()}.run(t, h)
			scenario{name: "the officer sees the question", path: "/submissions/" + routine, cookie: officer, wantStatus: 200,
				wantContains: []string{"Question for you", "Which floor is the flat on?", `action="/submissions/` + routine + `/answer"`}}.run(t, h)
			scenario{name: "answer", method: "POST", path: "/submissions/" + routine + "/answer", cookie: officer, wantStatus: 303,
				body: "answer=The+second+floor"}.run(t, h)
			scenario{name: "no grades", method: "POST", path: "/submissions/" + routine + "/decision", cookie: analyst, wantStatus: 422,
				body:         url.Values{"action": {"grade"}, "title": {"Flat on Castle Road"}, "body": {"Second-floor flat used by the line"}}.Encode(),
				wantContains: []string{`href="#source_grade"`, `href="#intel_grade"`}}.run(t, h)
			var reports int
			if err := db.QueryRow(`SELECT count(*) FROM info_report WHERE title = 'Flat on Castle Road'`).Scan(&reports); err != nil || reports != 0 {
				t.Fatalf("a failed grading stored %d reports, %v", reports, err)
			}
			rec = scenario{name: "grade", method: "POST", path: "/submissions/" + routine + "/decision", cookie: analyst, wantStatus: 303,
				body: url.Values{"action": {"grade"}, "title": {"Flat on Castle Road"}, "body": {"Second-floor flat used by the line"}, "source_grade": {"2"},
					"intel_grade": {"B"}, "classification": {"OFFICIAL-SENSITIVE"}, "handling": {"P"}, "restricted": {"no"}}.Encode()}.run(t, h)
			if !strings.HasPrefix(location(rec), "/reports/") {
				t.Fatalf("grading went to %q, want the new report", location(rec))
			}
			var repRef, status string
			if err := db.QueryRow(`SELECT r.reference, x.status FROM submission x JOIN info_report r ON r.id = x.report_id WHERE x.id = $1`, routine).Scan(&repRef, &status); err != nil || status != "graded" {
				t.Fatalf("got %q %q, %v", repRef, status, err)
			}
			scenario{name: "the officer never sees what it became", path: "/submissions/" + routine, cookie: officer, wantStatus: 200,
				wantContains: []string{"Closed"}, wantNotContains: []string{repRef, "Graded", "/reports/", "Decided by", "Daniel Sutcliffe"}}.run(t, h)
			scenario{name: "nor in the list", path: "/submissions", cookie: officer, wantStatus: 200,
				wantContains: []string{"Closed"}, wantNotContains: []string{repRef, "Graded"}}.run(t, h)
			scenario{name: "a dealt-with submission", method: "POST", path: "/submissions/" + routine + "/decision", cookie: analyst, wantStatus: 422,
				body: "action=close&reason=again", wantContains: []string{"has been dealt with"}}.run(t, h)

			// A public report is OFFICIAL-SENSITIVE and P: a council analyst
			// (not law enforcement) does not see it.
			pub := publicPost(h, "203.0.113.9", "what=Cannabis+smell+from+the+garage", nil)
			ref := regexp.MustCompile(`SUB-[0-9]{4}-[0-9]{6}`).FindString(pub.Body.String())
			scenario{name: "a public report in police triage", path: "/triage", cookie: analyst, wantStatus: 200, wantContains: []string{ref}}.run(t, h)
			scenario{name: "a public report opens for the police analyst", path: "/submissions/" + idOf(ref), cookie: analyst, wantStatus: 200,
				wantContains: []string{"Cannabis smell from the garage", "A member of the public"}}.run(t, h)
			scenario{name: "no question to the public", method: "POST", path: "/submissions/" + idOf(ref) + "/decision", cookie: analyst, wantStatus: 422,
				body: "action=question&question=Who+are+you", wantContains: []string{"A public report has no account"}}.run(t, h)

			// The API.
			tok := tokenFor(t, a, "analyst@nyp.example", "read")
			res := getAs(a, "/api/v1/triage", true, "", tok)
			var tq struct {
				Items []struct {
					Reference, Priority string
					Waited              *int `json:"waited_minutes"`
				} `json:"items"`
				Total int `json:"total"`
			}
			if res.Code != 200 || json.Unmarshal(res.Body.Bytes(), &tq) != nil || tq.Total < 2 || tq.Items[0].Priority != "child_at_risk" || tq.Items[0].Waited == nil {
				t.Errorf("GET /api/v1/triage: got %d %s", res.Code, res.Body.String())
			}
			if res := getAs(a, "/api/v1/triage", true, "", tokenFor(t, a, "officer@nyc.example", "read")); res.Code != 403 {
				t.Errorf("an officer's token reads the queue: %d", res.Code)
			}
			wtok := tokenFor(t, a, "officer@nyc.example", "write")
			req := httptest.NewRequest(http.MethodPost, "/api/v1/submissions", strings.NewReader(`{"what": "Van unloading at 3am", "priority": "time_critical"}`))
			req.Header.Set("Authorization", "Bearer "+wtok)
			req.Header.Set("Content-Type", "application/json")
			api := httptest.NewRecorder()
			h.ServeHTTP(api, req)
			if api.Code != 201 || !strings.Contains(api.Body.String(), `"status":"new"`) {
				t.Errorf("POST /api/v1/submissions: got %d %s", api.Code, api.Body.String())
			}
			req = httptest.NewRequest(http.MethodPost, "/api/v1/submissions", strings.NewReader(`{"what": ""}`))
			req.Header.Set("Authorization", "Bearer "+wtok)
			req.Header.Set("Content-Type", "application/json")
			api = httptest.NewRecorder()
			h.ServeHTTP(api, req)
			if api.Code != 400 || !strings.Contains(api.Body.String(), `"field":"what"`) {
				t.Errorf("POST /api/v1/submissions without what: got %d %s", api.Code, api.Body.String())
			}
		})
	}
}

// TestTriageTargets: an administrator sets the partnership's triage
// targets; bad ones are refused naming the field with nothing stored; the
// queue then measures against them; no one else may set them.
func TestTriageTargets(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			admin := signIn(t, a, "admin@nyp.example")
			analyst := signIn(t, a, "analyst@nyp.example")
			stored := func() int {
				t.Helper()
				var n int
				if err := a.Store().Reader().QueryRow(`SELECT count(*) FROM triage_target`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			good := url.Values{"hours_threat_to_life": {"2"}, "hours_child_at_risk": {"6"}, "hours_time_critical": {"48"}, "hours_routine": {"240"}}
			scenario{name: "the form", path: "/admin/triage-targets", cookie: admin, wantStatus: 200,
				wantContains: []string{`name="hours_threat_to_life" type="text" value="1"`, `name="hours_routine" type="text" value="120"`}}.run(t, h)
			for _, tc := range []struct{ name, field, value, want string }{
				{"empty", "hours_routine", "", "Enter the target for routine, in hours"},
				{"not a number", "hours_time_critical", "soon", "must be a whole number of hours from 1 to 2,160"},
				{"zero", "hours_threat_to_life", "0", "must be a whole number of hours"},
				{"too long", "hours_routine", "2161", "must be a whole number of hours from 1 to 2,160"},
				{"out of order", "hours_child_at_risk", "1", "must not be shorter than for a more urgent priority"},
			} {
				bad := url.Values{}
				for k, v := range good {
					bad[k] = v
				}
				bad.Set(tc.field, tc.value)
				scenario{name: tc.name, method: "POST", path: "/admin/triage-targets", cookie: admin, body: bad.Encode(), wantStatus: 422,
					wantContains: []string{`href="#` + tc.field + `"`, tc.want}}.run(t, h)
			}
			if n := stored(); n != 0 {
				t.Fatalf("bad targets stored %d rows", n)
			}
			scenario{name: "an analyst may not", method: "POST", path: "/admin/triage-targets", cookie: analyst, body: good.Encode(), wantStatus: 404}.run(t, h)
			scenario{name: "save", method: "POST", path: "/admin/triage-targets", cookie: admin, body: good.Encode(), wantStatus: 303}.run(t, h)
			if n := stored(); n != 4 {
				t.Errorf("got %d targets stored, want 4", n)
			}
			scenario{name: "the queue uses them", path: "/triage", cookie: analyst, wantStatus: 200,
				wantContains: []string{"Threat to life: 2 hours", "Child at risk: 6 hours", "Time critical: 2 days", "Routine: 10 days"}}.run(t, h)
		})
	}
}
