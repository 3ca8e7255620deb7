package service_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// disruptionFixture is a partnership with a reporting structure (a region,
// a force, two districts of two wards each, with residents), a police force
// and a council, users in the roles disruption recording depends on, and
// two groups: an open one and one restricted to the police.
type disruptionFixture struct {
	st         *store.Store
	ds         *service.Disruptions
	perf       *service.PerformanceService
	reg        *service.Register
	actors     map[string]domain.Actor // analyst, panel (police); officer, board (council); policeboard
	police     domain.Agency
	council    domain.Agency
	units      map[string]domain.OrgUnit // by code
	open, hush domain.OCG
	clk        *clock
}

func newDisruptionFixture(t *testing.T, e storetest.Engine) *disruptionFixture {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	st := storetest.Open(t, e, store.Options{Now: clk.Now})
	alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))
	f := &disruptionFixture{st: st, ds: service.NewDisruptions(st, nil, alog), perf: service.NewPerformance(st, alog, 0), reg: service.NewRegister(st, nil, alog),
		actors: map[string]domain.Actor{}, units: map[string]domain.OrgUnit{}, clk: clk}
	p := domain.Partnership{Slug: "dis", Name: "Disruption test", Programme: "Programme", RegionCode: "E12000003"}
	ags := []domain.Agency{{Name: "Test Police", ShortName: "TP", Type: domain.AgencyPolice}, {Name: "Test Council", ShortName: "TC", Type: domain.AgencyLocalAuthority}}
	specs := []struct {
		key   string
		agent int
		role  domain.Role
	}{{"analyst", 0, domain.RoleAnalyst}, {"panel", 0, domain.RolePanelMember}, {"officer", 1, domain.RolePartnerOfficer},
		{"board", 1, domain.RoleBoardViewer}, {"policeboard", 0, domain.RoleBoardViewer}}
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
		ids := map[string]string{}
		var rows []store.OrgUnitRow
		for _, u := range []struct {
			level        domain.OrgLevel
			code, parent string
			population   int64
		}{{domain.LevelRegion, "E12000003", "", 0}, {domain.LevelForce, "E23000009", "E12000003", 0},
			{domain.LevelDistrict, "E07000163", "E23000009", 0}, {domain.LevelDistrict, "E07000164", "E23000009", 0},
			{domain.LevelWard, "E05006101", "E07000163", 4000}, {domain.LevelWard, "E05006102", "E07000163", 6000},
			{domain.LevelWard, "E05006201", "E07000164", 5000}, {domain.LevelWard, "E05006202", "E07000164", 5000}} {
			ids[u.code] = st.NewID()
			rows = append(rows, store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: ids[u.code], PartnershipID: p.ID, ParentID: ids[u.parent], Level: u.level,
				Code: u.code, Name: "Unit " + u.code, Population: u.population}})
		}
		if err := st.InsertOrgUnits(ctx, tx, rows); err != nil {
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
	f.police, f.council = ags[0], ags[1]
	units, err := st.OrgUnits(ctx, p.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		f.units[u.Code] = u
	}
	for _, s := range specs {
		c, err := st.CredentialsByEmail(ctx, st.Reader(), s.key+"@example.test")
		if err != nil {
			t.Fatal(err)
		}
		f.actors[s.key] = domain.Actor{Kind: domain.ActorUser, UserID: c.User.ID, Email: c.User.Email, DisplayName: c.User.DisplayName,
			PartnershipID: p.ID, AgencyID: c.User.AgencyID, AgencyType: c.AgencyType, Roles: c.User.Roles}
	}
	for _, g := range []struct {
		o          *domain.OCG
		restricted bool
	}{{&f.open, false}, {&f.hush, true}} {
		o, err := f.reg.Propose(ctx, f.actors["analyst"], domain.OCGInput{Name: fmt.Sprintf("Group %v", g.restricted), Ownership: "local", PrimaryThreat: "drugs",
			Marking: domain.MarkingInput{Classification: "OFFICIAL", Handling: "P", Restricted: g.restricted}})
		if err != nil {
			t.Fatal(err)
		}
		*g.o = o
	}
	return f
}

// put stores validated disruptions directly (the aggregation tests do not
// need the workflow), each OFFICIAL, handled P, led by the police.
func (f *disruptionFixture) put(t *testing.T, list ...domain.Disruption) {
	t.Helper()
	for i := range list {
		d := &list[i]
		d.Marking = domain.Marking{PartnershipID: f.actors["analyst"].PartnershipID, OriginAgencyID: f.police.ID, Classification: domain.Official, Handling: domain.HandlingP}
		if d.Subject == "" {
			d.Subject, d.OCGID = domain.SubjectOCG, f.open.ID
		}
		if d.FourP == "" {
			d.FourP, d.Impact = domain.Pursue, domain.ImpactMinor
		}
		if d.Status == "" {
			d.Status = domain.DisruptionValidated
		}
		if d.Status == domain.DisruptionValidated && d.ValidatedFourP == "" {
			d.ValidatedFourP, d.ValidatedImpact = d.FourP, d.Impact
		}
		if d.LeadAgencyID == "" {
			d.LeadAgencyID = f.police.ID
		}
		if len(d.Threats) == 0 {
			d.Threats = []string{"drugs"}
		}
		if d.UnitID == "" {
			d.UnitID = f.units["E05006101"].ID
		}
		d.Rationale, d.CreatedBy = "Test", f.actors["analyst"].UserID
	}
	if err := f.st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error { return f.st.InsertDisruptions(ctx, tx, list) }); err != nil {
		t.Fatal(err)
	}
}

func dayOf(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func (f *disruptionFixture) compute(t *testing.T, who string, in service.PerformanceInput) service.Performance {
	t.Helper()
	p, err := f.perf.Compute(context.Background(), f.actors[who], in)
	if err != nil {
		t.Fatalf("%s %+v: %v", who, in, err)
	}
	return p
}

func (f *disruptionFixture) input() service.DisruptionInput {
	return service.DisruptionInput{Subject: "ocg", OCGID: f.open.ID, FourP: "pursue", Impact: "moderate", Rationale: "Principal charged and remanded",
		On: "14/10/2026", UnitID: f.units["E05006101"].ID, LeadAgency: f.police.ID, Agencies: []string{f.council.ID}, Tactics: []string{"arrest", "closure_order"},
		Threats: []string{"drugs"}, Marking: domain.MarkingInput{Classification: "OFFICIAL", Handling: "P"},
		Outcomes: []service.OutcomeInput{{Type: "arrests", Quantity: "3"}, {Type: "seizure", SeizureType: "cash_pace", Quantity: "1", Value: "£1,250.50"},
			{Type: "custodial_sentence", Years: "2", Months: "6"}, {}}}
}

func TestDisruptionValidation(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			ctx := context.Background()
			tests := []struct {
				name  string
				edit  func(in *service.DisruptionInput)
				field string
			}{
				{"no 4P", func(in *service.DisruptionInput) { in.FourP = "" }, "four_p"},
				{"two 4Ps", func(in *service.DisruptionInput) { in.FourP = "pursue,prevent" }, "four_p"},
				{"no impact", func(in *service.DisruptionInput) { in.Impact = "huge" }, "impact"},
				{"no rationale", func(in *service.DisruptionInput) { in.Rationale = "  " }, "rationale"},
				{"no date", func(in *service.DisruptionInput) { in.On = "" }, "disrupted_on"},
				{"not a date", func(in *service.DisruptionInput) { in.On = "31/02/2026" }, "disrupted_on"},
				{"future", func(in *service.DisruptionInput) { in.On = "02/11/2026" }, "disrupted_on"},
				{"no unit", func(in *service.DisruptionInput) { in.UnitID = "" }, "unit"},
				{"no lead agency", func(in *service.DisruptionInput) { in.LeadAgency = "x" }, "lead_agency"},
				{"group subject without a group", func(in *service.DisruptionInput) { in.OCGID = "" }, "ocg"},
				{"a group the recorder cannot see", func(in *service.DisruptionInput) { in.OCGID = f.st.NewID() }, "ocg"},
				{"individual without a person", func(in *service.DisruptionInput) { in.Subject = "individual" }, "entity"},
				{"theme without a theme", func(in *service.DisruptionInput) { in.Subject, in.OCGID = "theme", "" }, "theme"},
				{"unknown tactic", func(in *service.DisruptionInput) { in.Tactics = []string{"arrest", "magic"} }, "tactics"},
				{"no threat", func(in *service.DisruptionInput) { in.Threats = nil }, "threats"},
				{"only blank threats", func(in *service.DisruptionInput) { in.Threats = []string{"", "  "} }, "threats"},
				{"unknown threat", func(in *service.DisruptionInput) { in.Threats = []string{"vibes"} }, "threats"},
				{"bad money", func(in *service.DisruptionInput) { in.Outcomes[1].Value = "£12.345" }, "outcome-2-value"},
				{"negative count", func(in *service.DisruptionInput) { in.Outcomes[0].Quantity = "-1" }, "outcome-1-quantity"},
				{"no seizure type", func(in *service.DisruptionInput) { in.Outcomes[1].SeizureType = "" }, "outcome-2-seizure_type"},
				{"empty sentence", func(in *service.DisruptionInput) { in.Outcomes[2].Years, in.Outcomes[2].Months = "", "0" }, "outcome-3-years"},
				{"unknown outcome", func(in *service.DisruptionInput) { in.Outcomes[3].Type = "vibes" }, "outcome-4-type"},
				{"a line with only a note", func(in *service.DisruptionInput) { in.Outcomes[3].Note = "forgot the kind" }, "outcome-4-type"},
				{"a seizure of nothing", func(in *service.DisruptionInput) { in.Outcomes[1].Quantity = "0" }, "outcome-2-quantity"},
				{"a sentence of centuries", func(in *service.DisruptionInput) { in.Outcomes[2].Years = "999999999" }, "outcome-3-years"},
				{"a closed or unseen activity", func(in *service.DisruptionInput) { in.ActivityID = f.st.NewID() }, "activity"},
				// Plausibility, at each bound (the accepted side is below).
				{"dated 1900", func(in *service.DisruptionInput) { in.On = "01/01/1900" }, "disrupted_on"},
				{"the day before the earliest", func(in *service.DisruptionInput) { in.On = "31/03/2010" }, "disrupted_on"},
				{"2 years 15 months", func(in *service.DisruptionInput) { in.Outcomes[2].Months = "15" }, "outcome-3-months"},
				{"12 months", func(in *service.DisruptionInput) { in.Outcomes[2].Months = "12" }, "outcome-3-months"},
				{"a theme of 201 characters", func(in *service.DisruptionInput) {
					in.Subject, in.OCGID, in.Theme = "theme", "", strings.Repeat("é", 201)
				}, "theme"},
				{"a theme of 10,000 characters", func(in *service.DisruptionInput) {
					in.Subject, in.OCGID, in.Theme = "theme", "", strings.Repeat("x", 10000)
				}, "theme"},
				{"a rationale of 2,001 characters", func(in *service.DisruptionInput) { in.Rationale = strings.Repeat("r", 2001) }, "rationale"},
				{"a narrative of 10,001 characters", func(in *service.DisruptionInput) { in.Narrative = strings.Repeat("n", 10001) }, "narrative"},
				{"an APMIS reference of 51 characters", func(in *service.DisruptionInput) { in.APMISRef = strings.Repeat("A", 51) }, "apmis_ref"},
				{"a note of 501 characters", func(in *service.DisruptionInput) { in.Outcomes[0].Note = strings.Repeat("o", 501) }, "outcome-1-note"},
				{"501 arrests unconfirmed", func(in *service.DisruptionInput) { in.Outcomes[0].Quantity = "501" }, "outcome-1-quantity"},
				{"1,000,000 firearms unconfirmed", func(in *service.DisruptionInput) {
					in.Outcomes[0].Type, in.Outcomes[0].Quantity = "firearms", "1,000,000"
				}, "confirm_unusual"},
				{"10,001 items seized unconfirmed", func(in *service.DisruptionInput) { in.Outcomes[1].Quantity = "10001" }, "outcome-2-quantity"},
				{"£1,000,000.01 seized unconfirmed", func(in *service.DisruptionInput) { in.Outcomes[1].Value = "£1,000,000.01" }, "outcome-2-value"},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					in := f.input()
					tc.edit(&in)
					_, err := f.ds.Record(ctx, f.actors["officer"], in)
					var verr *domain.ValidationError
					if !errors.As(err, &verr) || !verr.Has(tc.field) {
						t.Fatalf("got %v, want a problem with %s", err, tc.field)
					}
					var n int
					if err := f.st.Reader().QueryRow(`SELECT count(*) FROM disruption`).Scan(&n); err != nil || n != 0 {
						t.Errorf("got %d disruptions stored (%v), want none", n, err)
					}
				})
			}
			// The accepted side of each bound, and unusual figures confirmed.
			accepted := []struct {
				name string
				edit func(in *service.DisruptionInput)
			}{
				{"the earliest day", func(in *service.DisruptionInput) { in.On = "01/04/2010" }},
				{"11 months", func(in *service.DisruptionInput) { in.Outcomes[2].Months = "11" }},
				{"a theme of 200 characters", func(in *service.DisruptionInput) {
					in.Subject, in.OCGID, in.Theme = "theme", "", strings.Repeat("é", 200)
				}},
				{"500 arrests", func(in *service.DisruptionInput) { in.Outcomes[0].Quantity = "500" }},
				{"£1,000,000 seized", func(in *service.DisruptionInput) { in.Outcomes[1].Value = "£1,000,000" }},
				{"1,000,000 firearms confirmed", func(in *service.DisruptionInput) {
					in.Outcomes[0].Type, in.Outcomes[0].Quantity, in.ConfirmUnusual = "firearms", "1,000,000", true
				}},
			}
			for i, tc := range accepted {
				t.Run(tc.name, func(t *testing.T) {
					in := f.input()
					tc.edit(&in)
					if _, err := f.ds.Record(ctx, f.actors["officer"], in); err != nil {
						t.Fatalf("got %v, want it stored", err)
					}
					var n int
					if err := f.st.Reader().QueryRow(`SELECT count(*) FROM disruption`).Scan(&n); err != nil || n != i+1 {
						t.Errorf("got %d disruptions stored (%v), want %d", n, err, i+1)
					}
				})
			}
			if _, err := f.ds.Record(ctx, f.actors["board"], f.input()); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("board member recording: got %v, want ErrForbidden", err)
			}
			d, err := f.ds.Record(ctx, f.actors["officer"], f.input())
			if err != nil {
				t.Fatal(err)
			}
			v, err := f.ds.Disruption(ctx, f.actors["officer"], d.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := v.Disruption
			months := 0
			for _, o := range got.Outcomes {
				months += o.Months
			}
			if got.Status != domain.DisruptionDraft || len(got.Outcomes) != 3 || months != 30 || len(got.Agencies) != 1 || len(got.Tactics) != 2 {
				t.Errorf("got %+v, want a draft with 3 outcomes (a 30-month sentence), 1 contributing agency and 2 tactics", got)
			}
			for _, o := range got.Outcomes {
				if o.Type == "seizure" && o.ValuePence != 125050 {
					t.Errorf("got seizure value %d pence, want 125050", o.ValuePence)
				}
			}
		})
	}
}

func TestDisruptionWorkflow(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			ctx := context.Background()
			fy := service.PerformanceInput{FY: "2026/27"}
			count := func() int64 { return f.compute(t, "analyst", fy).Disruptions.N }
			in := f.input()
			d, err := f.ds.Record(ctx, f.actors["officer"], in)
			if err != nil {
				t.Fatal(err)
			}
			step := func(who string, to domain.DisruptionStatus, fp, imp, reason string) error {
				_, err := f.ds.Decide(ctx, f.actors[who], d.ID, service.DecisionInput{To: to, FourP: fp, Impact: imp, Reason: reason})
				return err
			}
			if n := count(); n != 0 {
				t.Errorf("a draft counts: got %d, want 0", n)
			}
			if err := step("panel", domain.DisruptionValidated, "", "", ""); !errors.Is(err, domain.ErrConflict) {
				t.Errorf("validating a draft: got %v, want ErrConflict", err)
			}
			if err := step("officer", domain.DisruptionSubmitted, "", "", ""); err != nil {
				t.Fatal(err)
			}
			if n := count(); n != 0 {
				t.Errorf("a submitted disruption counts: got %d, want 0", n)
			}
			if err := step("officer", domain.DisruptionValidated, "", "", ""); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("the recorder validating: got %v, want ErrNotFound", err)
			}
			if err := step("board", domain.DisruptionValidated, "", "", ""); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("a board member validating: got %v, want ErrNotFound", err)
			}
			if err := step("panel", domain.DisruptionReturned, "", "", ""); !fieldErr(err, "reason") {
				t.Errorf("returning without a reason: got %v, want a problem with reason", err)
			}
			if err := step("panel", domain.DisruptionReturned, "", "", "Add the custody record"); err != nil {
				t.Fatal(err)
			}
			if err := step("officer", domain.DisruptionSubmitted, "", "", ""); err != nil {
				t.Fatal(err)
			}
			if err := step("panel", domain.DisruptionValidated, "protect", "major", ""); !fieldErr(err, "reason") {
				t.Errorf("regrading without a reason: got %v, want a problem with reason", err)
			}
			if err := step("panel", domain.DisruptionValidated, "protect", "minor", "Safeguarding was the main effect"); err != nil {
				t.Fatal(err)
			}
			p := f.compute(t, "analyst", fy)
			if p.Disruptions.N != 1 || p.ByFourP[2].Key != "protect" || p.ByFourP[2].Cell.N != 1 || p.ByImpact[2].Key != "minor" || p.ByImpact[2].Cell.N != 1 {
				t.Errorf("after validation got %d disruptions, 4P %+v, impact %+v; want 1, counted as validated (protect, minor)", p.Disruptions.N, p.ByFourP, p.ByImpact)
			}
			if err := step("officer", domain.DisruptionWithdrawn, "", "", "dup"); !errors.Is(err, domain.ErrConflict) {
				t.Errorf("withdrawing a validated disruption: got %v, want ErrConflict", err)
			}
			v, err := f.ds.Disruption(ctx, f.actors["panel"], d.ID)
			if err != nil {
				t.Fatal(err)
			}
			var steps []string
			for _, x := range v.Decisions {
				steps = append(steps, fmt.Sprintf("%s>%s %s/%s %q", x.From, x.To, x.FourP, x.Impact, x.Reason))
			}
			want := `[draft>submitted / "" submitted>returned / "Add the custody record" returned>submitted / "" submitted>validated protect/minor "Safeguarding was the main effect"]`
			if fmt.Sprint(steps) != want {
				t.Errorf("got decisions %v, want %s", steps, want)
			}
			if v.Disruption.FourP != domain.Pursue || v.Disruption.Impact != domain.ImpactModerate {
				t.Errorf("the proposed grading was lost: got %s/%s, want pursue/moderate", v.Disruption.FourP, v.Disruption.Impact)
			}
			// Withdrawing a fresh one.
			d2, err := f.ds.Record(ctx, f.actors["officer"], in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.ds.Decide(ctx, f.actors["analyst"], d2.ID, service.DecisionInput{To: domain.DisruptionWithdrawn}); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("another agency withdrawing: got %v, want ErrNotFound", err)
			}
			if _, err := f.ds.Decide(ctx, f.actors["officer"], d2.ID, service.DecisionInput{To: domain.DisruptionWithdrawn}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPerformancePeriods(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			var list []domain.Disruption
			for _, day := range []string{"2023-03-31", "2023-04-01", "2023-06-30", "2023-07-01", "2024-02-29", "2024-03-31", "2024-04-01", "2020-02-29"} {
				list = append(list, domain.Disruption{On: dayOf(day)})
			}
			f.put(t, list...)
			tests := []struct {
				fy, quarter string
				want        int64
			}{
				{"2022/23", "", 1}, // 31 March 2023
				{"2023/24", "", 5}, // 1 April 2023 … 31 March 2024, leap day included
				{"2023/24", "Q1", 2},
				{"2023/24", "Q2", 1},
				{"2023/24", "Q3", 0},
				{"2023/24", "Q4", 2}, // 29 February and 31 March 2024
				{"2024/25", "Q1", 1},
				{"2019/20", "Q4", 1}, // 29 February 2020
			}
			for _, tc := range tests {
				t.Run(tc.fy+" "+tc.quarter, func(t *testing.T) {
					p := f.compute(t, "analyst", service.PerformanceInput{FY: tc.fy, Quarter: tc.quarter})
					if p.Disruptions.N != tc.want {
						t.Errorf("got %d disruptions, want %d", p.Disruptions.N, tc.want)
					}
				})
			}
			p := f.compute(t, "analyst", service.PerformanceInput{FY: "2023/24"})
			if len(p.ByMonth) != 12 || p.ByMonth[0].Label != "Apr 2023" || p.ByMonth[0].This.N != 1 || p.ByMonth[10].Label != "Feb 2024" || p.ByMonth[10].This.N != 1 ||
				p.ByMonth[11].LastYear.N != 1 {
				t.Errorf("got months %+v, want April to March with the previous year's March", p.ByMonth)
			}
			for _, bad := range []struct {
				in    service.PerformanceInput
				field string
			}{
				{service.PerformanceInput{FY: "2023/25"}, "fy"}, {service.PerformanceInput{Quarter: "Q5"}, "quarter"},
				{service.PerformanceInput{Unit: "E05999999"}, "unit"}, {service.PerformanceInput{Threat: "vibes"}, "threat"},
				{service.PerformanceInput{Agency: "Nope"}, "agency"},
			} {
				if _, err := f.perf.Compute(context.Background(), f.actors["analyst"], bad.in); !fieldErr(err, bad.field) {
					t.Errorf("%+v: got %v, want a problem with %s", bad.in, err, bad.field)
				}
			}
		})
	}
}

func TestPerformanceRollUp(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			on := dayOf("2023-10-10")
			var list []domain.Disruption
			for code, n := range map[string]int{"E05006101": 3, "E05006102": 2, "E07000163": 4, "E05006201": 6, "E23000009": 1} {
				for range n {
					list = append(list, domain.Disruption{On: on, UnitID: f.units[code].ID, Threats: []string{"drugs"}})
				}
			}
			// One multi-agency disruption: police lead, council contributing.
			list[0].Agencies = []string{f.council.ID}
			list[0].Outcomes = []domain.Outcome{{Type: "seizure", SeizureType: "cash_pace", AgencyID: f.council.ID, Quantity: 2, ValuePence: 5000}}
			f.put(t, list...)
			fy := "2023/24"
			all := f.compute(t, "analyst", service.PerformanceInput{FY: fy})
			if all.Disruptions.N != 16 {
				t.Errorf("got %d in the partnership, want 16 (each counted once)", all.Disruptions.N)
			}
			// The partnership's rows are its districts plus what was
			// reported at the force itself.
			byUnit := map[string]int64{}
			for _, u := range all.ByUnit {
				byUnit[u.Unit.Code] = u.Cell.N
			}
			if byUnit["E07000163"] != 9 || byUnit["E07000164"] != 6 || byUnit[""] != 1 {
				t.Errorf("got by unit %v, want E07000163 9, E07000164 6, not assigned 1", byUnit)
			}
			d := f.compute(t, "analyst", service.PerformanceInput{FY: fy, Unit: "E07000163"})
			var wards int64
			for _, u := range d.ByUnit {
				wards += u.Cell.N
			}
			if d.Disruptions.N != 9 || wards != 9 || d.ByUnit[len(d.ByUnit)-1].Unit.ID != "" || d.ByUnit[len(d.ByUnit)-1].Cell.N != 4 {
				t.Errorf("district: got %d, rows adding to %d (%+v), want 9 = 3 + 2 + 4 not assigned to a ward", d.Disruptions.N, wards, d.ByUnit)
			}
			if d.Rate == nil || fmt.Sprintf("%.2f", *d.Rate) != "0.90" {
				t.Errorf("district rate: got %v, want 0.90 per 1,000 (9 for 10,000 residents)", d.Rate)
			}
			w := f.compute(t, "analyst", service.PerformanceInput{FY: fy, Unit: "E05006101"})
			if w.Disruptions.N != 3 {
				t.Errorf("ward: got %d, want 3", w.Disruptions.N)
			}
			c := f.compute(t, "analyst", service.PerformanceInput{FY: fy, Agency: "TC"})
			if c.Disruptions.N != 1 || len(c.Seizures) != 1 || c.Seizures[0].Agency != "Test Council" || c.Seizures[0].Count.N != 2 {
				t.Errorf("council filter: got %d disruptions, seizures %+v; want the one multi-agency disruption and the council's seizure", c.Disruptions.N, c.Seizures)
			}
			if got := f.compute(t, "analyst", service.PerformanceInput{FY: fy, Threat: "fraud"}).Disruptions.N; got != 0 {
				t.Errorf("fraud filter: got %d, want 0", got)
			}
		})
	}
}

func TestPerformanceSuppressionAndPolicy(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			on := dayOf("2023-10-10")
			var list []domain.Disruption
			for i := range 7 {
				d := domain.Disruption{On: on, FourP: domain.Pursue, Impact: domain.ImpactMinor}
				if i < 2 {
					d.FourP = domain.Protect
					d.Outcomes = []domain.Outcome{{Type: "children_safeguarded", Quantity: 1}}
				}
				list = append(list, d)
			}
			// Three about the restricted group: the council may not see it.
			for range 3 {
				list = append(list, domain.Disruption{On: on, Subject: domain.SubjectOCG, OCGID: f.hush.ID})
			}
			f.put(t, list...)
			in := service.PerformanceInput{FY: "2023/24"}
			analyst := f.compute(t, "analyst", in)
			board := f.compute(t, "board", in)
			policeBoard := f.compute(t, "policeboard", in)
			tests := []struct {
				name      string
				got, want string
			}{
				{"analyst total", fmt.Sprint(analyst.Disruptions), "{10 false false}"},
				{"analyst protect", fmt.Sprint(analyst.ByFourP[2].Cell), "{2 false false}"},
				{"analyst children", fmt.Sprint(analyst.ChildrenSafeguarded), "{2 false false}"},
				{"council board total (restricted group left out)", fmt.Sprint(board.Disruptions), "{7 false false}"},
				{"council board protect suppressed", fmt.Sprint(board.ByFourP[2].Cell), "{0 true false}"},
				// Otherwise Protect would be 7 - 5 - 0 - 0.
				{"council board pursue suppressed second", fmt.Sprint(board.ByFourP[0].Cell), "{0 true true}"},
				{"council board children suppressed", board.ChildrenSafeguarded.Text(board.Threshold), "fewer than 5"},
				{"council board prepare (0 is not suppressed)", fmt.Sprint(board.ByFourP[3].Cell), "{0 false false}"},
				// The restricted group names only its author: another
				// police user does not count its disruptions either.
				{"police board total", fmt.Sprint(policeBoard.Disruptions), "{7 false false}"},
			}
			for _, tc := range tests {
				if tc.got != tc.want {
					t.Errorf("%s: got %s, want %s", tc.name, tc.got, tc.want)
				}
			}
			// Drilling into the district gives the council no more than the
			// partnership view did.
			d := f.compute(t, "board", service.PerformanceInput{FY: "2023/24", Unit: "E07000163"})
			if d.Disruptions.N != 7 {
				t.Errorf("council board district: got %d, want 7", d.Disruptions.N)
			}
			// Lists and pages hide the restricted group's disruptions too.
			ds, err := f.ds.Queue(context.Background(), f.actors["officer"], domain.DisruptionValidated, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 7 {
				t.Errorf("council officer's list: got %d, want 7", len(ds))
			}
			for _, x := range ds {
				if x.OCGID == f.hush.ID {
					t.Errorf("council officer's list shows a disruption of the restricted group")
				}
			}
			// The group's own page: its validated disruptions by year.
			g, err := f.ds.ForGroup(context.Background(), f.actors["analyst"], f.open.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Years) != 1 || g.Years[0].FY != 2023 || g.Years[0].Disruptions != 7 || g.Years[0].Safeguarded != 2 || len(g.Latest) != 7 {
				t.Errorf("group performance: got %+v, want 2023/24 with 7 disruptions and 2 safeguarded", g)
			}
			if g, err := f.ds.ForGroup(context.Background(), f.actors["board"], f.open.ID); err != nil || len(g.Latest) != 0 {
				t.Errorf("group performance for the board: got %+v, %v; want nothing", g, err)
			}
			if g, err := f.ds.ForGroup(context.Background(), f.actors["officer"], f.open.ID); err != nil || len(g.Years) != 0 || len(g.Latest) != 7 {
				t.Errorf("group performance for a partner officer: got %d years, %d latest, %v; want the list without the exact yearly figures", len(g.Years), len(g.Latest), err)
			}
		})
	}
}

// TestDisruptionSubjectsAndRestriction: a disruption about a person, and an
// activity about a group, that a viewer may not see are neither shown nor
// counted; a restricted disruption's own agency can still submit it.
func TestDisruptionSubjectsAndRestriction(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			ctx := context.Background()
			person, err := f.reg.AddEntity(ctx, f.actors["analyst"], service.PersonInput{Kind: "person", Name: "Hidden Person",
				Marking: domain.MarkingInput{Classification: "OFFICIAL", Handling: "P", Restricted: true}})
			if err != nil {
				t.Fatal(err)
			}
			f.put(t, domain.Disruption{On: dayOf("2023-10-10"), Subject: domain.SubjectIndividual, EntityID: person.ID})
			if n := f.compute(t, "analyst", service.PerformanceInput{FY: "2023/24"}).Disruptions.N; n != 1 {
				t.Errorf("the analyst who may see the person counts %d, want 1", n)
			}
			if n := f.compute(t, "board", service.PerformanceInput{FY: "2023/24"}).Disruptions.N; n != 0 {
				t.Errorf("the council board counts %d disruptions about a person it may not see, want 0", n)
			}
			if list, err := f.ds.Queue(ctx, f.actors["officer"], "", 100); err != nil || len(list) != 0 {
				t.Errorf("the council officer lists %d (%v), want none", len(list), err)
			}
			act, err := f.ds.OpenActivity(ctx, f.actors["analyst"], service.ActivityInput{Title: "Op against the hidden group", Kind: "operation", OCGID: f.hush.ID,
				LeadAgency: f.police.ID, OpenedOn: "01/10/2026", Marking: domain.MarkingInput{Classification: "OFFICIAL", Handling: "P"}})
			if err != nil {
				t.Fatal(err)
			}
			if list, err := f.ds.Activities(ctx, f.actors["officer"], false); err != nil || len(list) != 0 {
				t.Errorf("the council officer sees %d activities (%v), want none: the group is restricted", len(list), err)
			}
			if n := f.compute(t, "board", service.PerformanceInput{}).OpenActivities; n.N != 0 || n.Suppressed {
				t.Errorf("the council board counts %+v open activities, want 0", n)
			}
			if n := f.compute(t, "analyst", service.PerformanceInput{}).OpenActivities.N; n != 1 {
				t.Errorf("the analyst counts %d open activities, want 1", n)
			}
			// The restricted group's activity may still be closed by its agency.
			if err := f.ds.CloseActivity(ctx, f.actors["analyst"], act.ID, "02/10/2026"); err != nil {
				t.Errorf("closing the activity: %v", err)
			}
			// A restricted draft: its own agency submits it.
			in := f.input()
			in.Marking.Restricted = true
			d, err := f.ds.Record(ctx, f.actors["officer"], in)
			if err != nil {
				t.Fatal(err)
			}
			if v, err := f.ds.Disruption(ctx, f.actors["officer"], d.ID); err != nil || !v.MaySubmit {
				t.Errorf("the restricted draft's page for its recorder: may submit %v, %v; want true", v.MaySubmit, err)
			}
			if _, err := f.ds.Decide(ctx, f.actors["officer"], d.ID, service.DecisionInput{To: domain.DisruptionSubmitted}); err != nil {
				t.Errorf("submitting the restricted draft: %v", err)
			}
		})
	}
}

// TestDisruptionReopen: the panel reopens a validated disruption with a
// reason; it goes back to the panel's queue as submitted and counts in no
// figure (the dashboard's cells and the group's page) until the panel
// validates it again, when it counts once. Only the panel may, and only
// with a reason; the step is in its history and the audit log.
func TestDisruptionReopen(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			ctx := context.Background()
			in := f.input()
			in.Submit = true
			d, err := f.ds.Record(ctx, f.actors["officer"], in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.ds.Decide(ctx, f.actors["panel"], d.ID, service.DecisionInput{To: domain.DisruptionValidated, FourP: "protect", Impact: "minor",
				Reason: "Safeguarding was the main effect"}); err != nil {
				t.Fatal(err)
			}
			// figures is what the disruption adds to every view of it: the
			// dashboard (total, category, impact, threat, outcomes) and its
			// group's page.
			figures := func() string {
				t.Helper()
				p := f.compute(t, "analyst", service.PerformanceInput{FY: "2026/27"})
				drugs := f.compute(t, "analyst", service.PerformanceInput{FY: "2026/27", Threat: "drugs"})
				council := f.compute(t, "analyst", service.PerformanceInput{FY: "2026/27", Agency: "TC"})
				arrests := int64(0)
				for _, o := range p.Outcomes {
					if o.Key == "arrests" {
						arrests = o.Cell.N
					}
				}
				g, err := f.ds.ForGroup(ctx, f.actors["analyst"], f.open.ID)
				if err != nil {
					t.Fatal(err)
				}
				years := 0
				for _, y := range g.Years {
					years += y.Disruptions
				}
				return fmt.Sprintf("%d disruptions (protect %d, pursue %d, minor %d, moderate %d), drugs %d, with the council %d, arrests %d, sentence months %d, seizures %d, group %d",
					p.Disruptions.N, p.ByFourP[2].Cell.N, p.ByFourP[0].Cell.N, p.ByImpact[2].Cell.N, p.ByImpact[1].Cell.N, drugs.Disruptions.N, council.Disruptions.N,
					arrests, p.SentenceMonths, len(p.Seizures), years)
			}
			counted := "1 disruptions (protect 1, pursue 0, minor 1, moderate 0), drugs 1, with the council 1, arrests 3, sentence months 30, seizures 1, group 1"
			none := "0 disruptions (protect 0, pursue 0, minor 0, moderate 0), drugs 0, with the council 0, arrests 0, sentence months 0, seizures 0, group 0"
			if got := figures(); got != counted {
				t.Fatalf("validated: got %s, want %s", got, counted)
			}
			refusals := []struct {
				name, who, reason string
				check             func(error) bool
				want              string
			}{
				{"the recorder", "officer", "Wrong impact", func(err error) bool { return errors.Is(err, domain.ErrNotFound) }, "ErrNotFound"},
				{"an analyst", "analyst", "Wrong impact", func(err error) bool { return errors.Is(err, domain.ErrNotFound) }, "ErrNotFound"},
				{"a board member", "board", "Wrong impact", func(err error) bool { return errors.Is(err, domain.ErrNotFound) }, "ErrNotFound"},
				{"the panel without a reason", "panel", "  ", func(err error) bool { return fieldErr(err, "reason") }, "a problem with reason"},
			}
			for _, tc := range refusals {
				if _, err := f.ds.Reopen(ctx, f.actors[tc.who], d.ID, tc.reason); !tc.check(err) {
					t.Errorf("%s reopening: got %v, want %s", tc.name, err, tc.want)
				}
				if got := figures(); got != counted {
					t.Errorf("after %s tried to reopen: got %s, want %s", tc.name, got, counted)
				}
			}
			if _, err := f.ds.Reopen(ctx, f.actors["panel"], f.st.NewID(), "Wrong impact"); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("reopening a disruption that does not exist: got %v, want ErrNotFound", err)
			}
			const reason = "The safeguarding was recorded against another disruption"
			got, err := f.ds.Reopen(ctx, f.actors["panel"], d.ID, "  "+reason+" ")
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != domain.DisruptionSubmitted || got.ValidatedFourP != "" {
				t.Errorf("reopened: got status %s, validated %q, want submitted with no validated grading", got.Status, got.ValidatedFourP)
			}
			if got := figures(); got != none {
				t.Errorf("reopened: got %s, want %s", got, none)
			}
			if _, err := f.ds.Reopen(ctx, f.actors["panel"], d.ID, reason); !errors.Is(err, domain.ErrConflict) {
				t.Errorf("reopening a reopened disruption: got %v, want ErrConflict", err)
			}
			queue, err := f.ds.Queue(ctx, f.actors["panel"], domain.DisruptionSubmitted, 100)
			if err != nil || len(queue) != 1 || queue[0].ID != d.ID {
				t.Errorf("the panel's queue: got %d (%v), want the reopened disruption", len(queue), err)
			}
			v, err := f.ds.Disruption(ctx, f.actors["panel"], d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !v.MayDecide || v.MayReopen || v.Disruption.Status != domain.DisruptionSubmitted {
				t.Errorf("the reopened page for the panel: may decide %v, may reopen %v, status %s; want to decide a submitted disruption", v.MayDecide, v.MayReopen, v.Disruption.Status)
			}
			last := v.Decisions[len(v.Decisions)-1]
			if last.From != domain.DisruptionValidated || last.To != domain.DisruptionSubmitted || last.Reason != reason || last.Step() != "Reopened" ||
				last.ActorID != f.actors["panel"].UserID {
				t.Errorf("history: got last step %+v (%s), want the panel's reopening with its reason", last, last.Step())
			}
			var op, label, why string
			if err := f.st.Reader().QueryRow(`SELECT operation, record_label, justification FROM audit_event WHERE record_ids LIKE '%' || $1 || '%' AND actor_id = $2 AND operation = 'alteration'
				ORDER BY seq DESC LIMIT 1`, d.ID, f.actors["panel"].UserID).Scan(&op, &label, &why); err != nil {
				t.Fatal(err)
			}
			if op != "alteration" || label != d.Reference+": reopened" || why != reason {
				t.Errorf("audit: got %s %q %q, want an alteration %q with the reason", op, label, why, d.Reference+": reopened")
			}
			// Validated again, as proposed this time: counted once.
			if _, err := f.ds.Decide(ctx, f.actors["panel"], d.ID, service.DecisionInput{To: domain.DisruptionValidated}); err != nil {
				t.Fatal(err)
			}
			want := "1 disruptions (protect 0, pursue 1, minor 0, moderate 1), drugs 1, with the council 1, arrests 3, sentence months 30, seizures 1, group 1"
			if got := figures(); got != want {
				t.Errorf("validated again: got %s, want %s", got, want)
			}
			v, err = f.ds.Disruption(ctx, f.actors["panel"], d.ID)
			if err != nil {
				t.Fatal(err)
			}
			var steps []string
			for _, x := range v.Decisions {
				steps = append(steps, x.Step())
			}
			if fmt.Sprint(steps) != "[Submitted Validated Reopened Validated]" {
				t.Errorf("history: got %v, want [Submitted Validated Reopened Validated]", steps)
			}
		})
	}
}
