package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"alliance/internal/audit"
	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestPerformanceHTTP checks the dashboard, its exports and its API on both
// engines against the demo partnership (the seed slide's 2023/24 figures),
// and the whole road of one disruption: recorded and submitted by a council
// officer, validated by the panel, and counted on the dashboard after.
func TestPerformanceHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			board := signIn(t, a, "board@nyp.example")
			dpo := signIn(t, a, "dpo@nyp.example")
			fig := func(id, v string) string {
				return `id="card-` + id + `"><span class="app-figure__value">` + v + `</span>`
			}
			for _, sc := range []scenario{
				{name: "dashboard 2023/24", path: "/performance?fy=2023%2F24", cookie: board, wantStatus: 200,
					wantContains: []string{fig("disruptions", "257"), fig("adults", "111"), fig("children", "23"), fig("open-activities", "5"),
						fig("warrants", "136"), fig("sentence", "52"), "Cash Seizure (Non-POCA)", "£68,765", "Other Seizures – Cash (PACE)", "£118,741",
						`data-chart="line"`, "Apr 2023", `<option value="2023/24" selected>2023/24</option>`},
					// A board viewer may not export: no link to a page that is not found.
					wantNotContains: []string{"Download as", "/performance/export", ">Hidden<"}},
				// A seizure's value beside a count of fewer than 5 is hidden,
				// written as the other hidden cells and the export write it.
				{name: "a hidden seizure value", path: "/performance?fy=2023%2F24", cookie: board, wantStatus: 200,
					wantContains: []string{`Cash Seizure (POCA)</td><td class="govuk-table__cell govuk-table__cell--numeric">fewer than 5</td><td class="govuk-table__cell govuk-table__cell--numeric">hidden</td>`}},
				{name: "a quarter", path: "/performance?fy=2023%2F24&quarter=Q4", cookie: board, wantStatus: 200, wantContains: []string{"Performance Q4 2023/24", "Jan 2024"},
					wantNotContains: []string{"Apr 2023"}},
				{name: "bad year", path: "/performance?fy=2023%2F25", cookie: board, wantStatus: 400, wantContains: []string{"There is a problem", `href="#fy"`}},
				{name: "bad area", path: "/performance?unit=E05999999", cookie: board, wantStatus: 400, wantContains: []string{`href="#unit"`}},
				{name: "auditor", path: "/performance", cookie: dpo, wantStatus: 404, wantNotContains: []string{"app-figure__value"}},
				{name: "signed out", path: "/performance", wantStatus: 303},
				{name: "board cannot list disruptions", path: "/disruptions", cookie: board, wantStatus: 404},
			} {
				sc.run(t, h)
			}
			scenario{name: "nav", path: "/", cookie: board, wantStatus: 200, wantContains: []string{`href="/performance"`}, wantNotContains: []string{`href="/disruptions"`}}.run(t, h)

			exporter := signIn(t, a, "panel@nyp.example")
			scenario{name: "board may not export", path: "/performance/export?format=csv&fy=2023/24", cookie: board, wantStatus: 404}.run(t, h)
			scenario{name: "board may not post an export", method: "POST", path: "/performance/export", cookie: board,
				body: "format=csv&fy=2023%2F24&purpose=x&recipients=y&isa=adhoc", wantStatus: 404, wantNotContains: []string{"OFFICIAL-SENSITIVE\n"}}.run(t, h)
			scenario{name: "officer may not export", path: "/performance/export?format=csv&fy=2023/24", cookie: signIn(t, a, "officer@york.example"), wantStatus: 404}.run(t, h)
			// The download links keep the view's filters and lead to the
			// disclosure form, which keeps them too.
			scenario{name: "export links", path: "/performance?fy=2023%2F24&quarter=Q4&threat=drugs", cookie: exporter, wantStatus: 200,
				wantContains: []string{`href="/performance/export?format=csv&amp;fy=2023%2F24&amp;quarter=Q4&amp;threat=drugs"`, "Download as XLSX"}}.run(t, h)
			scenario{name: "export form", path: "/performance/export?format=xlsx&fy=2023%2F24&quarter=Q4&threat=drugs", cookie: exporter, wantStatus: 200,
				wantType: "text/html", wantContains: []string{"Export performance figures", `<input type="hidden" name="fy" value="2023/24">`,
					`<input type="hidden" name="quarter" value="Q4">`, `<input type="hidden" name="threat" value="drugs">`, `value="xlsx" checked`,
					`name="purpose"`, `name="recipients"`, `name="isa"`, "PA-ISA-001", `name="approver"`, "Q4 2023/24"},
				wantNotContains: []string{`value="csv" checked`}}.run(t, h)
			ctx := context.Background()
			st := a.Store()
			panelCred, err := st.CredentialsByEmail(ctx, st.Reader(), "panel@nyp.example")
			if err != nil {
				t.Fatal(err)
			}
			pid := panelCred.User.PartnershipID
			isas, err := st.ISAs(ctx, pid)
			if err != nil {
				t.Fatal(err)
			}
			var isa string
			for _, i := range isas {
				if ok, _ := i.Usable(st.Now()); ok && i.HasParty(panelCred.User.AgencyID) && isa == "" {
					isa = i.ID
				}
			}
			if isa == "" {
				t.Fatal("no sharing agreement the panel's agency may rely on")
			}
			latest := func() audit.Event {
				t.Helper()
				evs, err := st.SearchAudit(ctx, pid, store.AuditFilter{Limit: 1})
				if err != nil || len(evs) == 0 {
					t.Fatalf("latest audit entry: %v", err)
				}
				return evs[0]
			}
			disclosures := func() int {
				t.Helper()
				var n int
				if err := st.Reader().QueryRow(`SELECT COUNT(*) FROM disclosure WHERE partnership_id = $1`, pid).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before, last := disclosures(), latest()
			for _, sc := range []scenario{
				{name: "export without purpose, recipients or agreement", body: "format=csv&fy=2023%2F24",
					wantContains: []string{"There is a problem", `href="#purpose"`, `href="#recipients"`, `href="#isa"`, `<input type="hidden" name="fy" value="2023/24">`}},
				{name: "export without an agreement", body: "format=csv&fy=2023%2F24&purpose=Board+pack&recipients=SOC+Board",
					wantContains: []string{`href="#isa"`, `value="Board pack"`}, wantNotContains: []string{`href="#purpose"`, `href="#recipients"`}},
				{name: "ad hoc without approval", body: "format=csv&fy=2023%2F24&purpose=Board+pack&recipients=SOC+Board&isa=adhoc",
					wantContains: []string{`href="#justification"`, `href="#approver"`}},
				{name: "bad format", body: "format=pdf&fy=2023%2F24&purpose=Board+pack&recipients=SOC+Board&isa=" + isa,
					wantContains: []string{`href="#format"`}},
			} {
				sc.method, sc.path, sc.cookie, sc.wantStatus, sc.wantType = "POST", "/performance/export", exporter, 422, "text/html"
				sc.wantNotContains = append(sc.wantNotContains, "Disruptions,257", "attachment")
				rec := sc.run(t, h)
				if got := rec.Header().Get("Content-Disposition"); got != "" {
					t.Errorf("%s: got Content-Disposition %q, want no file", sc.name, got)
				}
			}
			scenario{name: "tampered filters", method: "POST", path: "/performance/export", cookie: exporter,
				body: "format=csv&fy=2023%2F25&purpose=Board+pack&recipients=SOC+Board&isa=" + isa, wantStatus: 404}.run(t, h)
			if got := disclosures(); got != before {
				t.Errorf("refused exports: got %d disclosure records, want %d (none added)", got, before)
			}
			if got := latest(); got.ID != last.ID {
				t.Errorf("refused exports: got a new audit entry %+v, want none", got)
			}
			rec := scenario{name: "csv", method: "POST", path: "/performance/export", cookie: exporter,
				body: "format=csv&fy=2023%2F24&purpose=Board+pack+for+March&recipients=SOC+Board+members&isa=" + isa, wantStatus: 200, wantType: "text/csv"}.run(t, h)
			body := rec.Body.String()
			if !strings.HasPrefix(body, "OFFICIAL-SENSITIVE") || !strings.HasSuffix(strings.TrimSpace(body), "OFFICIAL-SENSITIVE") ||
				!strings.Contains(body, "Disruptions,257\n") || !strings.Contains(body, "Warrants,136\n") ||
				!strings.Contains(body, "for: Board pack for March. Recipients: SOC Board members. Relies on: information sharing agreement") {
				t.Errorf("CSV export: got %.400q…, want marked first and last, saying why and to whom, with the figures", body)
			}
			if got := rec.Header().Get("X-Protective-Marking"); got != "OFFICIAL-SENSITIVE" || !strings.Contains(rec.Header().Get("Content-Disposition"), "OFFICIAL-SENSITIVE") {
				t.Errorf("CSV export headers: marking %q, disposition %q", got, rec.Header().Get("Content-Disposition"))
			}
			if got := disclosures(); got != before+1 {
				t.Errorf("after the export: got %d disclosure records, want %d", got, before+1)
			}
			if got := latest(); got.Operation != audit.Disclosure || got.RecordType != "disruption" || got.ActorID != panelCred.User.ID ||
				got.Justification != "Board pack for March" || got.Recipients != "SOC Board members" || got.ISAID != isa {
				t.Errorf("the export's audit entry: got %+v, want a disclosure of disruptions for \"Board pack for March\" to \"SOC Board members\" under %s", got, isa)
			}
			rec = scenario{name: "xlsx", method: "POST", path: "/performance/export", cookie: exporter,
				body: "format=xlsx&fy=2023%2F24&purpose=Board+pack&recipients=SOC+Board&isa=" + isa, wantStatus: 200,
				wantType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}.run(t, h)
			x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := x.GetRows("Performance")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range rows {
				if len(r) >= 2 {
					got[r[0]] = r[1]
				}
			}
			if rows[0][0] != "OFFICIAL-SENSITIVE" || rows[len(rows)-1][0] != "OFFICIAL-SENSITIVE" || got["Disruptions"] != "257" || got["Children safeguarded"] != "23" {
				t.Errorf("XLSX export: first %v, last %v, disruptions %q, children %q", rows[0], rows[len(rows)-1], got["Disruptions"], got["Children safeguarded"])
			}
			if got := latest(); got.Operation != audit.Disclosure || got.Justification != "Board pack" || got.ISAID != isa {
				t.Errorf("the XLSX export's audit entry: got %+v, want a disclosure for \"Board pack\" under %s", got, isa)
			}

			token := tokenFor(t, a, "analyst@nyp.example", "read")
			rec = scenario{name: "api", path: "/api/v1/performance?fy=2023/24", header: map[string]string{"Authorization": "Bearer " + token}, wantStatus: 200,
				wantType: "application/json"}.run(t, h)
			var api struct {
				Disruptions struct {
					Value *int64 `json:"value"`
				} `json:"disruptions"`
				SentenceYears *float64 `json:"sentence_years"`
				ByFourP       []struct {
					Key string `json:"key"`
				} `json:"by_4p"`
				Marking string `json:"marking"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil {
				t.Fatal(err)
			}
			if api.Disruptions.Value == nil || *api.Disruptions.Value != 257 || api.SentenceYears == nil || *api.SentenceYears != 52 || len(api.ByFourP) != 4 || api.Marking != "OFFICIAL-SENSITIVE" {
				t.Errorf("API: got %+v, want 257 disruptions, 52 years, four Ps, marked", api)
			}
			scenario{name: "api bad quarter", path: "/api/v1/performance?quarter=Q9", header: map[string]string{"Authorization": "Bearer " + token}, wantStatus: 400,
				wantContains: []string{`"quarter"`}}.run(t, h)

			// A group's page shows its disruptions over time to those who
			// work with disruptions, not to the board.
			var groupID string
			if err := a.Store().Reader().QueryRow(`SELECT CAST(d.ocg_id AS text) FROM disruption d JOIN ocg o ON o.id = d.ocg_id
				WHERE d.status = 'validated' AND NOT o.restricted AND o.classification = 'OFFICIAL-SENSITIVE' ORDER BY d.reference LIMIT 1`).Scan(&groupID); err != nil {
				t.Fatal(err)
			}
			analyst := signIn(t, a, "analyst@nyp.example")
			scenario{name: "group disruptions", path: "/ocgs/" + groupID, cookie: analyst, wantStatus: 200,
				wantContains: []string{`id="disruption-years"`, `id="disruption-latest"`, "Record a disruption against this group"}}.run(t, h)
			scenario{name: "group page for the board", path: "/ocgs/" + groupID, cookie: board, wantStatus: 200,
				wantNotContains: []string{`id="disruption-years"`, `id="disruption-latest"`}}.run(t, h)

			// One disruption, recorded by a council officer, validated by the panel.
			part, err := st.PartnershipBySlug(ctx, demo.Slug)
			if err != nil {
				t.Fatal(err)
			}
			wards, err := st.OrgUnits(ctx, part.ID, domain.LevelWard)
			if err != nil || len(wards) == 0 {
				t.Fatalf("wards: %v", err)
			}
			ward := wards[0]
			officer := signIn(t, a, "officer@nyc.example")
			var nyc string
			ags, _ := st.Agencies(ctx, part.ID)
			for _, ag := range ags {
				if ag.ShortName == "NYC" {
					nyc = ag.ID
				}
			}
			panel := signIn(t, a, "panel@nyp.example")
			count := func() string {
				body := scenario{name: "dashboard now", path: "/performance", cookie: panel, wantStatus: 200}.run(t, h).Body.String()
				m := regexp.MustCompile(`id="card-disruptions"><span class="app-figure__value">([0-9,]+)</span>`).FindStringSubmatch(body)
				if m == nil {
					t.Fatal("no disruptions card")
				}
				return m[1]
			}
			beforeCount := count()
			today := st.Now().Format("02/01/2006")
			form := url.Values{"subject": {"theme"}, "theme": {"Cuckooed flats on Castle Road"}, "four_p": {"protect"}, "impact": {"moderate"},
				"rationale": {"Three vulnerable adults safeguarded and the flats closed"}, "disrupted_on": {today}, "unit": {ward.ID}, "lead_agency": {nyc},
				"tactics": {"closure_order", "safeguarding_visit"}, "threats": {"county_lines"}, "classification": {"OFFICIAL"}, "handling": {"P"}, "restricted": {"no"},
				"outcome-1-type": {"adults_safeguarded"}, "outcome-1-quantity": {"3"}, "action": {"submit"}}
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Del("rationale")
			scenario{name: "record without rationale", method: "POST", path: "/disruptions", cookie: officer, body: bad.Encode(), wantStatus: 422,
				wantContains: []string{"There is a problem", `href="#rationale"`}}.run(t, h)
			rec = scenario{name: "record", method: "POST", path: "/disruptions", cookie: officer, body: form.Encode(), wantStatus: 303}.run(t, h)
			loc := rec.Header().Get("Location")
			if !strings.HasPrefix(loc, "/disruptions/") {
				t.Fatalf("got Location %q", loc)
			}
			scenario{name: "recorded", path: loc, cookie: officer, wantStatus: 200, wantContains: []string{"Submitted", "Cuckooed flats on Castle Road", "Closure order"},
				wantNotContains: []string{`id="panel"`}}.run(t, h)
			scenario{name: "queue", path: "/disruptions", cookie: panel, wantStatus: 200, wantContains: []string{loc}}.run(t, h)
			if got := count(); got != beforeCount {
				t.Errorf("a submitted disruption counts: got %s, want %s", got, beforeCount)
			}
			scenario{name: "officer cannot validate", method: "POST", path: loc + "/decision", cookie: officer, body: "to=validated", wantStatus: 404}.run(t, h)
			scenario{name: "regrade without reason", method: "POST", path: loc + "/decision", cookie: panel, body: "to=validated&four_p=protect&impact=major", wantStatus: 422,
				wantContains: []string{`href="#reason"`}}.run(t, h)
			scenario{name: "validate", method: "POST", path: loc + "/decision", cookie: panel, body: "to=validated&four_p=protect&impact=moderate", wantStatus: 303}.run(t, h)
			scenario{name: "validated", path: loc, cookie: officer, wantStatus: 200, wantContains: []string{`id="validated"`, "Protect, Moderate", `id="apmis-form"`}}.run(t, h)
			scenario{name: "APMIS without a reference", method: "POST", path: loc + "/apmis", cookie: officer, body: "apmis_status=submitted", wantStatus: 422,
				wantContains: []string{`href="#apmis_ref"`}}.run(t, h)
			scenario{name: "APMIS by another agency", method: "POST", path: loc + "/apmis", cookie: panel, body: "apmis_status=submitted&apmis_ref=X", wantStatus: 404}.run(t, h)
			scenario{name: "APMIS", method: "POST", path: loc + "/apmis", cookie: officer, body: "apmis_status=submitted&apmis_ref=NY%2F2026%2F00042", wantStatus: 303}.run(t, h)
			scenario{name: "APMIS shown", path: loc, cookie: officer, wantStatus: 200, wantContains: []string{"Submitted to APMIS: NY/2026/00042"}}.run(t, h)
			n, err := strconv.Atoi(strings.ReplaceAll(beforeCount, ",", ""))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ReplaceAll(count(), ",", ""); got != strconv.Itoa(n+1) {
				t.Errorf("after validation the dashboard shows %s, want %d", got, n+1)
			}
		})
	}
}

// TestActivitiesHTTP: an analyst opens an activity, the dashboard's count
// of open activity records goes up, a disruption can hang off it, and
// closing it needs a date on or after it opened.
func TestActivitiesHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			analyst := signIn(t, a, "analyst@nyp.example")
			open := func() string {
				body := scenario{name: "dashboard", path: "/performance", cookie: analyst, wantStatus: 200}.run(t, h).Body.String()
				m := regexp.MustCompile(`id="card-open-activities"><span class="app-figure__value">([0-9,]+)</span>`).FindStringSubmatch(body)
				if m == nil {
					t.Fatal("no open activities card")
				}
				return m[1]
			}
			before := open()
			scenario{name: "page", path: "/activities", cookie: analyst, wantStatus: 200, wantContains: []string{"Open an activity", "Operation"}}.run(t, h)
			scenario{name: "board", path: "/activities", cookie: signIn(t, a, "board@nyp.example"), wantStatus: 404}.run(t, h)
			today := a.Store().Now().Format("02/01/2006")
			form := url.Values{"title": {"Operation Whinchat"}, "kind": {"operation"}, "lead_agency": {""}, "opened_on": {today},
				"classification": {"OFFICIAL"}, "handling": {"P"}, "restricted": {"no"}}
			scenario{name: "no lead agency", method: "POST", path: "/activities", cookie: analyst, body: form.Encode(), wantStatus: 422,
				wantContains: []string{`href="#lead_agency"`}}.run(t, h)
			ctx := context.Background()
			part, _ := a.Store().PartnershipBySlug(ctx, demo.Slug)
			ags, _ := a.Store().Agencies(ctx, part.ID)
			for _, ag := range ags {
				if ag.ShortName == "NYP" {
					form.Set("lead_agency", ag.ID)
				}
			}
			scenario{name: "open", method: "POST", path: "/activities", cookie: analyst, body: form.Encode(), wantStatus: 303}.run(t, h)
			n, _ := strconv.Atoi(before)
			if got := open(); got != strconv.Itoa(n+1) {
				t.Errorf("open activity records: got %s, want %d", got, n+1)
			}
			var id string
			if err := a.Store().Reader().QueryRow(`SELECT CAST(id AS text) FROM activity WHERE title = 'Operation Whinchat'`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			scenario{name: "offered on the form", path: "/disruptions/new", cookie: analyst, wantStatus: 200, wantContains: []string{"Operation Whinchat"}}.run(t, h)
			scenario{name: "close before it opened", method: "POST", path: "/activities/" + id + "/close", cookie: analyst, body: "closed_on=01/01/2020", wantStatus: 422,
				wantContains: []string{"cannot close before it opened", `href="#activities"`}}.run(t, h)
			scenario{name: "another agency cannot close it", method: "POST", path: "/activities/" + id + "/close", cookie: signIn(t, a, "officer@nyc.example"),
				body: "closed_on=" + url.QueryEscape(today), wantStatus: 404}.run(t, h)
			scenario{name: "close", method: "POST", path: "/activities/" + id + "/close", cookie: analyst, body: "closed_on=" + url.QueryEscape(today), wantStatus: 303}.run(t, h)
			if got := open(); got != before {
				t.Errorf("after closing: got %s open, want %s", got, before)
			}
		})
	}
}

// TestReferenceDataHTTP: an administrator adds a tactic, which the form
// then offers; renames and stops offering it; others may not.
func TestReferenceDataHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			admin := signIn(t, a, "admin@nyp.example")
			analyst := signIn(t, a, "analyst@nyp.example")
			scenario{name: "page", path: "/admin/reference-data", cookie: admin, wantStatus: 200, wantContains: []string{"Cash Seizure (Non-POCA)", "Closure order", "sentence"}}.run(t, h)
			scenario{name: "analyst", path: "/admin/reference-data", cookie: analyst, wantStatus: 404}.run(t, h)
			scenario{name: "bad code", method: "POST", path: "/admin/reference-data", cookie: admin, body: "kind=tactic&code=Bad+Code&name=X&sort_order=5&active=yes", wantStatus: 422,
				wantContains: []string{`href="#code"`}}.run(t, h)
			scenario{name: "bad measure", method: "POST", path: "/admin/reference-data", cookie: admin, body: "kind=outcome_type&code=seizures_x&name=X&property=lots&sort_order=5&active=yes",
				wantStatus: 422, wantContains: []string{`href="#property"`}}.run(t, h)
			scenario{name: "add", method: "POST", path: "/admin/reference-data", cookie: admin, body: "kind=tactic&code=licence_revocation&name=Licence+revocation&property=yes&sort_order=105&active=yes",
				wantStatus: 303}.run(t, h)
			scenario{name: "offered", path: "/disruptions/new", cookie: analyst, wantStatus: 200, wantContains: []string{"Licence revocation (partner power)"}}.run(t, h)
			scenario{name: "not offered", method: "POST", path: "/admin/reference-data", cookie: admin, body: "kind=tactic&code=licence_revocation&name=Licence+revoked&sort_order=105&active=no",
				wantStatus: 303}.run(t, h)
			scenario{name: "gone from the form", path: "/disruptions/new", cookie: analyst, wantStatus: 200, wantNotContains: []string{"Licence revocation", "Licence revoked"}}.run(t, h)
			scenario{name: "analyst cannot save", method: "POST", path: "/admin/reference-data", cookie: analyst, body: "kind=tactic&code=x1&name=X&sort_order=1&active=yes", wantStatus: 404}.run(t, h)
		})
	}
}
