package app_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestEveryServiceMethodLogs calls each service method that touches
// personal data and checks the entry it wrote: operation, record, fields,
// justification, recipients, agreement, and the acting user and agency.
func TestEveryServiceMethodLogs(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			ctx := context.Background()
			actor := func(email string) service.Session {
				s, err := a.Identity().Authenticate(ctx, signIn(t, a, email))
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			analyst, officer, admin, dpo := actor("analyst@nyp.example"), actor("analyst@rocu.example"), actor("admin@nyp.example"), actor("dpo@nyp.example")
			pid := analyst.Actor.PartnershipID
			latest := func() audit.Event {
				t.Helper()
				evs, err := a.Store().SearchAudit(ctx, pid, store.AuditFilter{Limit: 1})
				if err != nil || len(evs) == 0 {
					t.Fatalf("latest entry: %v", err)
				}
				return evs[0]
			}
			check := func(name string, want audit.Event) {
				t.Helper()
				got := latest()
				if got.Operation != want.Operation || got.RecordType != want.RecordType || got.ActorID != want.ActorID ||
					(want.RecordIDs != nil && !slices.Equal(got.RecordIDs, want.RecordIDs)) ||
					(want.Fields != nil && !slices.Equal(got.Fields, want.Fields)) ||
					!strings.Contains(got.Justification, want.Justification) || got.Recipients != want.Recipients || got.ISAID != want.ISAID {
					t.Errorf("%s: got %+v, want %+v", name, got, want)
				}
				if got.AgencyName == "" && want.ActorID != "system" {
					t.Errorf("%s: got no agency on the entry", name)
				}
			}

			rep, err := a.Reports().Create(ctx, analyst.Actor, service.ReportInput{Title: "Logged", Body: "Text", SourceGrade: "1", IntelGrade: "A",
				Classification: "OFFICIAL", Handling: "P"})
			if err != nil {
				t.Fatal(err)
			}
			check("create report", audit.Event{Operation: audit.Collection, RecordType: "info_report", ActorID: analyst.Actor.UserID, RecordIDs: []string{rep.ID}})

			if _, err := a.Reports().View(ctx, officer.Actor, rep.ID); err == nil {
				t.Fatal("view without a purpose: got the report")
			}
			if latest().RecordType == "info_report" && latest().ActorID == officer.Actor.UserID {
				t.Error("a refused view was logged as a consultation")
			}
			if err := a.Reports().GivePurpose(ctx, officer.Actor, rep.ID, "investigation", "Op Ember"); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Reports().View(ctx, officer.Actor, rep.ID); err != nil {
				t.Fatal(err)
			}
			check("view report", audit.Event{Operation: audit.Consultation, RecordType: "info_report", ActorID: officer.Actor.UserID, RecordIDs: []string{rep.ID},
				Justification: "Investigation or enquiry: Op Ember"})

			if _, err := a.Reports().List(ctx, officer.Actor, "", 1, 25); err != nil {
				t.Fatal(err)
			}
			check("list reports", audit.Event{Operation: audit.Consultation, RecordType: "info_report", ActorID: officer.Actor.UserID, Justification: "List of information reports"})

			isas, _ := a.Store().ISAs(ctx, pid)
			var buf bytes.Buffer
			if _, err := a.Reports().Export(ctx, analyst.Actor, "", service.Disclosure{Purpose: "Board pack", Recipients: "SOC Board", ISAID: isas[0].ID}, &buf, time.Now()); err != nil {
				t.Fatal(err)
			}
			check("export reports", audit.Event{Operation: audit.Disclosure, RecordType: "info_report", ActorID: analyst.Actor.UserID, Justification: "Board pack",
				Recipients: "SOC Board", ISAID: isas[0].ID})

			ags, _ := a.Store().Agencies(ctx, pid)
			u, err := a.Admin().CreateUser(ctx, admin.Actor, service.NewUser{Email: "logged.user@nyp.example", Name: "Logged User", AgencyID: ags[0].ID, Roles: []string{"lro"}})
			if err != nil {
				t.Fatal(err)
			}
			check("create user", audit.Event{Operation: audit.Collection, RecordType: "user", ActorID: admin.Actor.UserID, RecordIDs: []string{u.ID}})
			if err := a.Admin().SetRoles(ctx, admin.Actor, u.ID, []string{"lro", "intelligence_analyst"}); err != nil {
				t.Fatal(err)
			}
			check("set roles", audit.Event{Operation: audit.Alteration, RecordType: "user", ActorID: admin.Actor.UserID, RecordIDs: []string{u.ID}, Fields: []string{"roles"}})
			if err := a.Admin().SetActive(ctx, admin.Actor, u.ID, false); err != nil {
				t.Fatal(err)
			}
			check("deactivate", audit.Event{Operation: audit.Alteration, RecordType: "user", ActorID: admin.Actor.UserID, RecordIDs: []string{u.ID}, Fields: []string{"active"}})
			if _, _, err := a.Admin().IssueReset(ctx, admin.Actor, u.ID); err != nil {
				t.Fatal(err)
			}
			check("reset link", audit.Event{Operation: audit.Alteration, RecordType: "user", ActorID: admin.Actor.UserID, RecordIDs: []string{u.ID}, Fields: []string{"password_reset_link"}})

			if err := a.Sharing().SetStatus(ctx, admin.Actor, isas[1].ID, "withdrawn"); err != nil {
				t.Fatal(err)
			}
			check("withdraw agreement", audit.Event{Operation: audit.Alteration, RecordType: "isa", ActorID: admin.Actor.UserID, RecordIDs: []string{isas[1].ID}, Fields: []string{"status"}})

			if _, err := a.Auditing().Search(ctx, dpo.Actor, service.AuditQuery{RecordID: rep.ID}); err != nil {
				t.Fatal(err)
			}
			check("read the log", audit.Event{Operation: audit.Consultation, RecordType: "audit_log", ActorID: dpo.Actor.UserID, RecordIDs: []string{rep.ID}, Justification: "Audit"})

			if _, err := a.Auditing().Search(ctx, analyst.Actor, service.AuditQuery{}); err == nil {
				t.Error("an analyst searched the audit log")
			}
		})
	}
}
