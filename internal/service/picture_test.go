package service_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// pictureWorld is a partnership with a police force and a council, whose
// groups are written straight to the store with back-dated histories (the
// register service dates every step today or later).
type pictureWorld struct {
	st      *store.Store
	pics    *service.Pictures
	pid     string
	actors  map[string]domain.Actor // analyst (police), officer (council partner officer), auditor (police)
	police  string
	modelID string
}

func newPictureWorld(t *testing.T, e storetest.Engine) *pictureWorld {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	st := storetest.Open(t, e, store.Options{Now: func() time.Time { return now }})
	w := &pictureWorld{st: st, pics: service.NewPictures(st, nil, audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))),
		actors: map[string]domain.Actor{}}
	err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		p := domain.Partnership{Slug: "pic", Name: "Picture", Programme: "Programme", RegionCode: "E12000003"}
		if err := st.InsertPartnership(ctx, tx, &p); err != nil {
			return err
		}
		w.pid = p.ID
		ags := []domain.Agency{{PartnershipID: p.ID, Name: "Police", ShortName: "P", Type: domain.AgencyPolice},
			{PartnershipID: p.ID, Name: "Council", ShortName: "C", Type: domain.AgencyLocalAuthority}}
		if err := st.InsertAgencies(ctx, tx, ags); err != nil {
			return err
		}
		w.police = ags[0].ID
		specs := []struct {
			key  string
			ag   domain.Agency
			role domain.Role
		}{{"analyst", ags[0], domain.RoleAnalyst}, {"officer", ags[1], domain.RolePartnerOfficer}, {"auditor", ags[0], domain.RoleAuditor},
			{"board", ags[0], domain.RoleBoardViewer}}
		for _, s := range specs {
			u := domain.User{PartnershipID: p.ID, AgencyID: s.ag.ID, Email: s.key + "@pic.example", DisplayName: s.key, Active: true, Roles: []domain.Role{s.role}}
			if err := st.InsertUsers(ctx, tx, []domain.User{u}); err != nil {
				return err
			}
			c, err := st.CredentialsByEmail(ctx, tx, u.Email)
			if err != nil {
				return err
			}
			w.actors[s.key] = domain.Actor{Kind: domain.ActorUser, UserID: c.User.ID, DisplayName: s.key, PartnershipID: p.ID, AgencyID: s.ag.ID,
				AgencyName: s.ag.Name, AgencyType: s.ag.Type, Roles: c.User.Roles}
		}
		w.modelID = st.NewID()
		_, err := tx.ExecContext(ctx, `INSERT INTO scoring_model (id, method, version, name, definition, is_default, current, created_at)
			VALUES ($1, 'ocgm', 9999, 'Picture test model', '{}', FALSE, FALSE, $2)`, w.modelID, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// group writes a group with primary threat, whose lifecycle went through
// steps ("status@ISO day"), assessed on the first mapped day, archived for
// reason when its last step archives it.
func (w *pictureWorld) group(t *testing.T, name, threat string, class domain.Classification, reason domain.ArchiveReason, score float64, steps ...string) domain.OCG {
	t.Helper()
	analyst := w.actors["analyst"]
	o := domain.OCG{Name: name, Ownership: domain.OwnLocal, PrimaryThreat: threat, CreatedBy: analyst.UserID, LROUserID: analyst.UserID,
		Marking: domain.Marking{PartnershipID: w.pid, OriginAgencyID: w.police, Classification: class, Handling: domain.HandlingP}}
	err := w.st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		var from domain.OCGStatus
		var trs []domain.Transition
		var mappedOn string
		for i, s := range steps {
			to, on, _ := strings.Cut(s, "@")
			d, _ := time.Parse(time.DateOnly, on)
			trs = append(trs, domain.Transition{From: from, To: domain.OCGStatus(to), DecidedOn: d, ActorID: analyst.UserID, At: d.Add(time.Duration(i) * time.Second)})
			from = domain.OCGStatus(to)
			if to == "mapped" && mappedOn == "" {
				mappedOn = on
			}
		}
		o.Status = from
		if from == domain.StatusArchived {
			o.ArchiveReason = reason
		}
		if mappedOn != "" {
			d, _ := time.Parse(time.DateOnly, mappedOn)
			o.Score, o.ScoredOn, o.Band = &score, &d, "B"
		}
		if err := w.st.InsertOCG(ctx, tx, &o); err != nil {
			return err
		}
		for i := range trs {
			trs[i].OCGID = o.ID
			if err := w.st.InsertTransition(ctx, tx, w.pid, &trs[i]); err != nil {
				return err
			}
		}
		if mappedOn != "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO ocg_assessment (id, partnership_id, ocg_id, method, model_id, assessed_on, inputs, result, score,
				confidence, assessed_by, created_at) VALUES ($1, $2, $3, 'ocgm', $4, $5, '{}', '{}', $6, 2, $7, $8)`,
				w.st.NewID(), w.pid, o.ID, w.modelID, mappedOn, score, analyst.UserID, w.st.Now())
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestPicture(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newPictureWorld(t, e)
			os, off := domain.OfficialSensitive, domain.Official
			adopted := []string{"proposed@2022-01-05", "under_assessment@2022-01-10", "mapped@2022-02-01", "adopted@2022-03-01"}
			top := w.group(t, "Top", "drugs", off, "", 180, adopted...)
			w.group(t, "Line", "county_lines", off, "", 150, adopted...)
			w.group(t, "Slavery", "modern_slavery", os, "", 120, adopted...)
			w.group(t, "Fraudsters", "fraud", off, "", 90, "proposed@2023-05-01", "under_assessment@2023-05-02", "mapped@2023-06-01")
			w.group(t, "Later", "burglary", off, "", 60, "proposed@2024-05-01", "under_assessment@2024-05-02", "mapped@2024-06-01")
			w.group(t, "Proposed", "drugs", off, "", 0, "proposed@2023-05-01")
			dismantled := func(on string) []string { return append(slices.Clone(adopted[:3]), "archived@"+on) }
			w.group(t, "Gone CL", "county_lines", off, domain.ArchiveDismantled, 100, dismantled("2023-06-01")...)
			w.group(t, "Gone CL 2", "county_lines", off, domain.ArchiveDismantled, 100, dismantled("2024-03-31")...)
			w.group(t, "Gone drugs", "drugs", off, domain.ArchiveDismantled, 100, dismantled("2023-04-01")...)
			w.group(t, "Gone ML", "money_laundering", os, domain.ArchiveDismantled, 100, dismantled("2023-12-01")...)
			w.group(t, "Gone 2022/23", "drugs", off, domain.ArchiveDismantled, 100, dismantled("2023-03-31")...)
			w.group(t, "Merged", "drugs", off, domain.ArchiveMerged, 100, dismantled("2023-09-01")...)
			w.group(t, "Gone recently", "fraud", off, domain.ArchiveDismantled, 100, dismantled("2026-01-10")...)

			cases := []struct {
				actor, fy                                string
				mapped, mappedThreats, dismantled, label string
				mappedTotal, dismantledTotal             int
			}{
				// Dismantled on 1 April 2023 and 31 March 2024 count; on 31 March
				// 2023, later, or merged do not.
				// "Gone recently" was still mapped at 31 March 2024.
				{"analyst", "2023/24", "2 drugs or county lines, 2 fraud, 1 modern slavery and human trafficking", "2 fraud, 1 illegal drugs, 1 county lines, 1 modern slavery and human trafficking",
					"2 county lines, 1 illegal drugs, 1 money laundering", "2023/24", 5, 4},
				{"analyst", "2023-24", "2 drugs or county lines, 2 fraud, 1 modern slavery and human trafficking", "2 fraud, 1 illegal drugs, 1 county lines, 1 modern slavery and human trafficking",
					"2 county lines, 1 illegal drugs, 1 money laundering", "2023/24", 5, 4},
				// The council sees no OFFICIAL-SENSITIVE group.
				{"officer", "2023/24", "2 drugs or county lines, 2 fraud", "2 fraud, 1 illegal drugs, 1 county lines",
					"2 county lines, 1 illegal drugs", "2023/24", 4, 3},
				// At 31 March 2023 the later-dismantled groups were still mapped.
				{"analyst", "2022/23", "6 drugs or county lines, 1 modern slavery and human trafficking, 1 fraud, 1 money laundering",
					"3 illegal drugs, 3 county lines, 1 modern slavery and human trafficking, 1 fraud, 1 money laundering", "1 illegal drugs", "2022/23", 9, 1},
				{"board", "", "2 drugs or county lines, 1 modern slavery and human trafficking, 1 burglary, 1 fraud", "1 illegal drugs, 1 county lines, 1 modern slavery and human trafficking, 1 burglary, 1 fraud",
					"1 fraud", "the 12 months to 22 November 2026", 5, 1},
			}
			for _, c := range cases {
				pic, err := w.pics.Picture(ctx, w.actors[c.actor], c.fy)
				if err != nil {
					t.Fatalf("%s %s: %v", c.actor, c.fy, err)
				}
				if got := pic.Mapped.Summary(); got != c.mapped || pic.Mapped.Total != c.mappedTotal {
					t.Errorf("%s %s: mapped got %d: %q, want %d: %q", c.actor, c.fy, pic.Mapped.Total, got, c.mappedTotal, c.mapped)
				}
				if got := pic.Mapped.ThreatSummary(); got != c.mappedThreats {
					t.Errorf("%s %s: mapped by threat got %q, want %q", c.actor, c.fy, got, c.mappedThreats)
				}
				if got := pic.Dismantled.ThreatSummary(); got != c.dismantled || pic.Dismantled.Total != c.dismantledTotal {
					t.Errorf("%s %s: dismantled got %d: %q, want %d: %q", c.actor, c.fy, pic.Dismantled.Total, got, c.dismantledTotal, c.dismantled)
				}
				if pic.Period.Label != c.label {
					t.Errorf("%s %s: period got %q, want %q", c.actor, c.fy, pic.Period.Label, c.label)
				}
			}

			// The ranked list: active groups today, highest score first, the
			// officer's without the OFFICIAL-SENSITIVE one.
			for actor, want := range map[string][]string{"analyst": {"Top", "Line", "Slavery", "Fraudsters", "Later"}, "officer": {"Top", "Line", "Fraudsters", "Later"}} {
				pic, err := w.pics.Picture(ctx, w.actors[actor], "")
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, o := range pic.Ranked {
					got = append(got, o.Name)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s ranked: got %q, want %q", actor, got, want)
				}
				if pic.Year != nil || pic.PeriodParam() != "" || !pic.AsAt.Equal(pic.Today) {
					t.Errorf("%s: got year %v, param %q, as at %s; want the last twelve months as at today", actor, pic.Year, pic.PeriodParam(), pic.AsAt)
				}
			}
			pic, err := w.pics.Picture(ctx, w.actors["analyst"], "2023-24")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := pic.PeriodParam(), "2023-24"; got != want {
				t.Errorf("param: got %q, want %q", got, want)
			}
			if got, want := pic.AsAt.Format(time.DateOnly), "2024-03-31"; got != want {
				t.Errorf("as at: got %s, want %s", got, want)
			}
			if len(pic.Years) == 0 || pic.Years[0] != 2025 || pic.Years[len(pic.Years)-1] != 2021 {
				t.Errorf("years: got %v, want 2025/26 down to 2021/22", pic.Years)
			}
			// The trend: each year as that year's own picture counts it,
			// oldest first, for the analyst and (without what it may not
			// see) the council officer.
			for _, actor := range []string{"analyst", "officer"} {
				pic, err := w.pics.Picture(ctx, w.actors[actor], "")
				if err != nil {
					t.Fatal(err)
				}
				var years []string
				for _, y := range pic.Trend {
					years = append(years, y.Year.String())
					one, err := w.pics.Picture(ctx, w.actors[actor], y.Year.String())
					if err != nil {
						t.Fatal(err)
					}
					if y.Mapped.Total != one.Mapped.Total || y.Dismantled.Total != one.Dismantled.Total || y.Mapped.Summary() != one.Mapped.Summary() {
						t.Errorf("%s trend %s: got %d mapped (%s), %d dismantled; want %d (%s), %d as the year's picture counts",
							actor, y.Year, y.Mapped.Total, y.Mapped.Summary(), y.Dismantled.Total, one.Mapped.Total, one.Mapped.Summary(), one.Dismantled.Total)
					}
				}
				if want := []string{"2021/22", "2022/23", "2023/24", "2024/25", "2025/26"}; !slices.Equal(years, want) {
					t.Errorf("%s trend years: got %q, want %q", actor, years, want)
				}
				if got := pic.TrendGroups(); len(got) == 0 || got[0] != "Drugs or county lines" {
					t.Errorf("%s trend groups: got %q, want drugs or county lines first", actor, got)
				}
			}
			officerPic, err := w.pics.Picture(ctx, w.actors["officer"], "")
			if err != nil {
				t.Fatal(err)
			}
			for _, y := range officerPic.Trend {
				if y.Year == 2023 && (y.Mapped.Total != 4 || y.Dismantled.Total != 3) {
					t.Errorf("officer trend 2023/24: got %d mapped, %d dismantled; want 4 and 3 (no OFFICIAL-SENSITIVE group)", y.Mapped.Total, y.Dismantled.Total)
				}
			}

			// The lists' groups are logged as one consultation; counts are not.
			evs, err := w.st.SearchAudit(ctx, w.pid, store.AuditFilter{RecordID: top.ID, Operation: string(audit.Consultation), Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 || !strings.HasPrefix(evs[0].Label, "OCG picture") || len(evs[0].RecordIDs) < 4 {
				t.Errorf("consultation: got %+v, want the picture's lists logged", evs)
			}
		})
	}
}

func TestPictureRefusals(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newPictureWorld(t, e)
			for _, fy := range []string{"2023/25", "2023", "last year", "23/24"} {
				_, err := w.pics.Picture(ctx, w.actors["analyst"], fy)
				var verr *domain.ValidationError
				if !errors.As(err, &verr) || !verr.Has("fy") {
					t.Errorf("fy %q: got %v, want a validation error naming fy", fy, err)
				}
			}
			if _, err := w.pics.Picture(ctx, w.actors["auditor"], ""); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("auditor: got %v, want forbidden", err)
			}
			// An empty register: zero figures, nothing logged.
			pic, err := w.pics.Picture(ctx, w.actors["analyst"], "")
			if err != nil || pic.Mapped.Total != 0 || pic.Dismantled.Total != 0 || len(pic.Ranked) != 0 {
				t.Errorf("empty register: got %+v, %v; want zeros", pic, err)
			}
			if n, _ := w.st.AuditEntries(ctx, w.pid); n != 0 {
				t.Errorf("empty register: got %d audit entries, want none", n)
			}
		})
	}
}

func TestAttentionReasons(t *testing.T) {
	today := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	past, future := today.AddDate(0, 0, -1), today.AddDate(0, 0, 1)
	score := 100.0
	cases := []struct {
		name string
		row  store.AttentionRow
		want []service.AttentionReason
	}{
		{"adopted, all in order", store.AttentionRow{OCG: domain.OCG{Status: domain.StatusAdopted, LROUserID: "u", Score: &score, ReviewDue: &future}, HasPlan: true, PlanReviewDue: &future}, nil},
		{"due today is not overdue", store.AttentionRow{OCG: domain.OCG{Status: domain.StatusManaged, LROUserID: "u", Score: &score, ReviewDue: &today}, HasPlan: true, PlanReviewDue: &today}, nil},
		{"adopted, bare", store.AttentionRow{OCG: domain.OCG{Status: domain.StatusAdopted}},
			[]service.AttentionReason{service.ReasonNoLRO, service.ReasonNoPlan, service.ReasonNoScore}},
		{"mapped needs no LRO or plan", store.AttentionRow{OCG: domain.OCG{Status: domain.StatusMapped, Score: &score}}, nil},
		{"overdue reviews", store.AttentionRow{OCG: domain.OCG{Status: domain.StatusManaged, LROUserID: "u", Score: &score, ReviewDue: &past}, HasPlan: true, PlanReviewDue: &past},
			[]service.AttentionReason{service.ReasonPlanReviewOverdue, service.ReasonReviewOverdue}},
		{"archived never", store.AttentionRow{OCG: domain.OCG{Status: domain.StatusArchived}}, nil},
	}
	for _, c := range cases {
		if got := service.AttentionReasons(c.row, today); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
