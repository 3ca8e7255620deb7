package service_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// scoringWorld is the demo partnership with one group proposed by North
// Yorkshire Police (OFFICIAL-SENSITIVE, handled C for North Yorkshire
// Council and the ROCU) whose LRO is a council officer, and the scoring
// service with its defaults stored.
type scoringWorld struct {
	st  *store.Store
	svc *service.Scoring
	ocg domain.OCG
}

func newScoringWorld(t *testing.T, st *store.Store) *scoringWorld {
	t.Helper()
	ctx := context.Background()
	alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))
	if _, err := demo.Load(ctx, st, demo.Options{Audit: alog}); err != nil {
		t.Fatal(err)
	}
	w := &scoringWorld{st: st, svc: service.NewScoring(st, nil, alog)}
	if err := w.svc.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	analyst := w.actor(t, "analyst@nyp.example")
	lro := w.actor(t, "lro@nyc.example")
	w.ocg = w.group(t, analyst, lro.UserID, lro.AgencyID, w.actor(t, "analyst@rocu.example").AgencyID)
	return w
}

func (w *scoringWorld) group(t *testing.T, by domain.Actor, lro string, shareWith ...string) domain.OCG {
	t.Helper()
	o := domain.OCG{Name: "Harbour Street group", Status: domain.StatusUnderAssessment, Ownership: domain.OwnLocal, PrimaryThreat: "county_lines",
		LROUserID: lro, CreatedBy: by.UserID, HandlingNote: "Partners on the OCG management meeting",
		Marking: domain.Marking{PartnershipID: by.PartnershipID, OriginAgencyID: by.AgencyID, Classification: domain.OfficialSensitive,
			Handling: domain.HandlingC, ConditionAgencies: shareWith}}
	if err := w.st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error { return w.st.InsertOCG(ctx, tx, &o) }); err != nil {
		t.Fatal(err)
	}
	return o
}

func (w *scoringWorld) actor(t *testing.T, email string) domain.Actor {
	t.Helper()
	ctx := context.Background()
	c, err := w.st.CredentialsByEmail(ctx, w.st.Reader(), email)
	if err != nil {
		t.Fatalf("%s: %v", email, err)
	}
	ags, err := w.st.Agencies(ctx, c.User.PartnershipID)
	if err != nil {
		t.Fatal(err)
	}
	a := domain.Actor{Kind: domain.ActorUser, UserID: c.User.ID, Email: email, DisplayName: c.User.DisplayName, PartnershipID: c.User.PartnershipID,
		AgencyID: c.User.AgencyID, Roles: c.User.Roles, SessionID: "00000000-0000-7000-8000-0000000000ff"}
	for _, ag := range ags {
		if ag.ID == a.AgencyID {
			a.AgencyType, a.AgencyName = ag.Type, ag.Name
		}
	}
	return a
}

func (w *scoringWorld) mirror(t *testing.T) domain.OCG {
	t.Helper()
	var o domain.OCG
	var score sql.NullFloat64
	var on sql.NullString
	err := w.st.Reader().QueryRowContext(context.Background(), `SELECT score, band, priority, scored_on FROM ocg WHERE id = $1`, w.ocg.ID).
		Scan(&score, &o.Band, &o.Priority, &on)
	if err != nil {
		t.Fatal(err)
	}
	if score.Valid {
		o.Score = &score.Float64
	}
	if on.Valid {
		d, _ := time.Parse("2006-01-02", on.String[:10])
		o.ScoredOn = &d
	}
	return o
}

func (w *scoringWorld) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := w.st.Reader().QueryRowContext(context.Background(), `SELECT count(*) FROM ocg_assessment WHERE ocg_id = $1`, w.ocg.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// choose answers every field of method's current model with the lowest or
// highest value.
func (w *scoringWorld) choose(t *testing.T, method domain.ScoringMethod, top bool) map[string]string {
	t.Helper()
	m, err := w.svc.CurrentModel(context.Background(), method)
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]string{}
	for _, f := range m.Def.Fields() {
		o := f.Options[0]
		if top {
			o = f.Options[len(f.Options)-1]
		}
		vals[f.Code] = o.Code
	}
	return vals
}

func input(method domain.ScoringMethod, vals map[string]string, confidence, on string) service.AssessmentInput {
	return service.AssessmentInput{Method: string(method), Values: vals, Confidence: confidence, Rationale: "Three graded reports and a warrant", AssessedOn: on}
}

func TestEnsureDefaultsIsIdempotentAcrossServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))
		// Two servers starting at once, then a restart.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = service.NewScoring(st, nil, alog).EnsureDefaults(ctx) }()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("server %d: got %v", i, err)
			}
		}
		if err := service.NewScoring(st, nil, alog).EnsureDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		models, err := service.NewScoring(st, nil, alog).Models(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(models) != 2 {
			t.Fatalf("got %d models, want one per method", len(models))
		}
		for _, m := range models {
			if m.Version != 1 || !m.Current || !m.IsDefault || !strings.Contains(m.Definition, "not the national") {
				t.Errorf("%s: got version %d current %v default %v, want a labelled default version 1", m.Method, m.Version, m.Current, m.IsDefault)
			}
		}
	})
}

func TestAssessUpdatesTheGroupAndReproduces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newScoringWorld(t, st)
		analyst := w.actor(t, "analyst@nyp.example")
		as, err := w.svc.Assess(ctx, analyst, w.ocg.ID, input(domain.MethodOCGM, w.choose(t, domain.MethodOCGM, true), "2", "20/11/2026"))
		if err != nil {
			t.Fatal(err)
		}
		if as.Score != 72 || as.Band != "1A" || as.Priority != "P1" || as.ModelVersion != 1 || as.NeedsReview {
			t.Errorf("got %v %s %s v%d review %v, want 72 1A P1 v1 no review", as.Score, as.Band, as.Priority, as.ModelVersion, as.NeedsReview)
		}
		o := w.mirror(t)
		if o.Score == nil || *o.Score != 72 || o.Band != "1A" || o.Priority != "P1" || o.ScoredOn == nil || o.ScoredOn.Format("02/01/2006") != "20/11/2026" {
			t.Errorf("group mirror: got %+v, want 72 1A P1 scored 20/11/2026", o)
		}
		if _, err := w.svc.Reproduce(ctx, as.ID); err != nil {
			t.Errorf("reproduce: got %v", err)
		}
		events, err := st.SearchAudit(ctx, analyst.PartnershipID, store.AuditFilter{RecordID: w.ocg.ID, Operation: string(audit.Alteration), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || !strings.Contains(events[0].Label, "OCGM-style assessment (model version 1)") || !strings.Contains(strings.Join(events[0].Fields, ","), "score") {
			t.Errorf("audit: got %+v, want one alteration naming the assessment and the score", events)
		}

		// A back-dated OCGM assessment is kept but does not replace the
		// group's latest score; a MoRiLE one never touches it.
		if _, err := w.svc.Assess(ctx, analyst, w.ocg.ID, input(domain.MethodOCGM, w.choose(t, domain.MethodOCGM, false), "1", "01/10/2026")); err != nil {
			t.Fatal(err)
		}
		mor := w.choose(t, domain.MethodMoRiLE, true)
		if _, err := w.svc.Assess(ctx, analyst, w.ocg.ID, input(domain.MethodMoRiLE, mor, "3", "")); err != nil {
			t.Fatal(err)
		}
		if o := w.mirror(t); o.Score == nil || *o.Score != 72 || o.Band != "1A" {
			t.Errorf("after a back-dated OCGM and a MoRiLE assessment: got %v %s, want 72 1A kept", o.Score, o.Band)
		}
		v, err := w.svc.Assessments(ctx, analyst, w.ocg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Assessments) != 3 || v.Assessments[0].Method != domain.MethodMoRiLE || v.Assessments[2].AssessedOn.Format("02/01/2006") != "01/10/2026" || !v.CanAssess {
			t.Errorf("history: got %d, want 3 newest first and the analyst able to assess", len(v.Assessments))
		}
		for _, a := range v.Assessments {
			if _, err := w.svc.Reproduce(ctx, a.ID); err != nil {
				t.Errorf("reproduce %s: got %v", a.Method, err)
			}
		}

		// Tampering with a stored result is caught.
		err = st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE ocg_assessment SET score = 71 WHERE id = $1`, as.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Reproduce(ctx, as.ID); !errors.Is(err, service.ErrNotReproducible) {
			t.Errorf("reproduce after tampering: got %v, want ErrNotReproducible", err)
		}
	})
}

func TestWhoMayAssess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newScoringWorld(t, st)
		tests := []struct {
			name  string
			email string
			want  error // nil when allowed
		}{
			{"an analyst of the proposing agency", "analyst@nyp.example", nil},
			{"the group's LRO from a council", "lro@nyc.example", nil},
			{"an analyst of another agency who may see it", "analyst@rocu.example", domain.ErrForbidden},
			{"an LRO who is not this group's", "lro@york.example", domain.ErrNotFound},
			{"a partner officer of the LRO's council, read only", "officer@nyc.example", domain.ErrForbidden},
			{"a partner officer, who may not see it", "officer@hmrc.example", domain.ErrNotFound},
			{"a police board viewer, read only", "board@nyp.example", domain.ErrForbidden},
			{"an administrator", "admin@nyp.example", domain.ErrNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := w.count(t)
				_, err := w.svc.Assess(ctx, w.actor(t, tc.email), w.ocg.ID, input(domain.MethodOCGM, w.choose(t, domain.MethodOCGM, false), "2", ""))
				if tc.want == nil {
					if err != nil {
						t.Fatalf("got %v, want allowed", err)
					}
					if w.count(t) != before+1 {
						t.Errorf("got %d assessments, want %d", w.count(t), before+1)
					}
					return
				}
				if !errors.Is(err, tc.want) {
					t.Errorf("got %v, want %v", err, tc.want)
				}
				if w.count(t) != before {
					t.Errorf("a refused assessment was stored: got %d, want %d", w.count(t), before)
				}
			})
		}
		// The partner officer who cannot see the group cannot see its history either.
		if _, err := w.svc.Assessments(ctx, w.actor(t, "officer@hmrc.example"), w.ocg.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("history for someone who may not see the group: got %v, want not found", err)
		}
		if _, err := w.svc.Assessments(ctx, w.actor(t, "analyst@nyp.example"), "not-an-id"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("history of a malformed id: got %v, want not found", err)
		}
		// Someone else must give a purpose first, as on the group page.
		var need *service.PurposeNeeded
		if _, err := w.svc.Assessments(ctx, w.actor(t, "analyst@rocu.example"), w.ocg.ID); !errors.As(err, &need) {
			t.Errorf("history for a reader with no purpose this session: got %v, want *PurposeNeeded", err)
		}
	})
}

func TestArchivedGroupCannotBeScored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newScoringWorld(t, st)
		err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE ocg SET status = 'archived', archived_on = '2026-11-01', archive_reason = 'dismantled' WHERE id = $1`, w.ocg.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		analyst := w.actor(t, "analyst@nyp.example")
		_, err = w.svc.Assess(ctx, analyst, w.ocg.ID, input(domain.MethodOCGM, w.choose(t, domain.MethodOCGM, true), "2", ""))
		if !errors.Is(err, service.ErrGroupArchived) {
			t.Errorf("got %v, want ErrGroupArchived", err)
		}
		if n := w.count(t); n != 0 {
			t.Errorf("got %d assessments stored, want none", n)
		}
		if o := w.mirror(t); o.Score != nil {
			t.Errorf("got score %v on an archived group, want none", *o.Score)
		}
		v, err := w.svc.AssessForm(ctx, analyst, w.ocg.ID, "ocgm")
		if err != nil || !v.Archived {
			t.Errorf("form: got %+v, %v; want it to say the group is archived", v.Archived, err)
		}
	})
}

func TestConfidenceNeverChangesTheScore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newScoringWorld(t, st)
		analyst := w.actor(t, "analyst@nyp.example")
		for _, method := range domain.ScoringMethods {
			vals := w.choose(t, method, true)
			var got []domain.Assessment
			for _, c := range []string{"1", "2", "3"} {
				as, err := w.svc.Assess(ctx, analyst, w.ocg.ID, input(method, vals, c, ""))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, as)
			}
			for i, as := range got {
				if as.Confidence != i+1 {
					t.Errorf("%s: got confidence %d, want %d recorded", method, as.Confidence, i+1)
				}
				if as.Score != got[0].Score || as.Priority != got[0].Priority || as.Band != got[0].Band {
					t.Errorf("%s confidence %d: got %v %s %s, want %v %s %s as with confidence 1", method, as.Confidence, as.Score, as.Band, as.Priority,
						got[0].Score, got[0].Band, got[0].Priority)
				}
			}
		}
	})
}

func TestAssessRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newScoringWorld(t, st)
		analyst := w.actor(t, "analyst@nyp.example")
		good := func() service.AssessmentInput {
			return input(domain.MethodOCGM, w.choose(t, domain.MethodOCGM, false), "2", "")
		}
		tests := []struct {
			name  string
			in    func() service.AssessmentInput
			field string
		}{
			{"no method", func() service.AssessmentInput { in := good(); in.Method = ""; return in }, "method"},
			{"a missing attribute", func() service.AssessmentInput { in := good(); delete(in.Values, "violence"); return in }, "violence"},
			{"an unknown value", func() service.AssessmentInput { in := good(); in.Values["violence"] = "armageddon"; return in }, "violence"},
			{"an unknown attribute", func() service.AssessmentInput { in := good(); in.Values["charisma"] = "high"; return in }, "charisma"},
			{"no confidence", func() service.AssessmentInput { in := good(); in.Confidence = ""; return in }, "confidence"},
			{"confidence out of range", func() service.AssessmentInput { in := good(); in.Confidence = "4"; return in }, "confidence"},
			{"no rationale", func() service.AssessmentInput { in := good(); in.Rationale = "  "; return in }, "rationale"},
			{"a date in the future", func() service.AssessmentInput { in := good(); in.AssessedOn = "01/01/2099"; return in }, "assessed_on"},
			{"not a date", func() service.AssessmentInput { in := good(); in.AssessedOn = "last Tuesday"; return in }, "assessed_on"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.svc.Assess(ctx, analyst, w.ocg.ID, tc.in())
				var verr *domain.ValidationError
				if !errors.As(err, &verr) || !verr.Has(tc.field) {
					t.Errorf("got %v, want a problem naming %s", err, tc.field)
				}
			})
		}
		if n := w.count(t); n != 0 {
			t.Errorf("got %d assessments stored from bad input, want none", n)
		}
	})
}

func TestDisagreementFlagsReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newScoringWorld(t, st)
		analyst := w.actor(t, "analyst@nyp.example")
		first, err := w.svc.Assess(ctx, analyst, w.ocg.ID, input(domain.MethodOCGM, w.choose(t, domain.MethodOCGM, true), "3", "10/11/2026"))
		if err != nil {
			t.Fatal(err)
		}
		if first.NeedsReview {
			t.Errorf("first assessment with nothing to compare: got needs review, want not")
		}
		// OCGM at its maximum (1.0) against MoRiLE at zero: far apart.
		far, err := w.svc.Assess(ctx, analyst, w.ocg.ID, input(domain.MethodMoRiLE, w.choose(t, domain.MethodMoRiLE, false), "2", ""))
		if err != nil {
			t.Fatal(err)
		}
		if !far.NeedsReview || !strings.Contains(far.ReviewNote, "OCGM-style") || !strings.Contains(far.ReviewNote, "10 November 2026") || !strings.Contains(far.ReviewNote, "0.35") {
			t.Errorf("far apart: got review %v %q, want flagged with a note naming the other method, its date and the threshold", far.NeedsReview, far.ReviewNote)
		}
		// MoRiLE at its maximum agrees with OCGM at its maximum.
		close, err := w.svc.Assess(ctx, analyst, w.ocg.ID, input(domain.MethodMoRiLE, w.choose(t, domain.MethodMoRiLE, true), "2", ""))
		if err != nil {
			t.Fatal(err)
		}
		if close.NeedsReview || close.ReviewNote != "" {
			t.Errorf("agreeing: got review %v %q, want not flagged", close.NeedsReview, close.ReviewNote)
		}
		v, err := w.svc.Assessments(ctx, analyst, w.ocg.ID)
		if err != nil {
			t.Fatal(err)
		}
		flagged := 0
		for _, a := range v.Assessments {
			if a.NeedsReview {
				flagged++
			}
		}
		if flagged != 1 {
			t.Errorf("got %d flagged in the history, want exactly the one that disagreed", flagged)
		}
	})
}

func TestSaveModelVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newScoringWorld(t, st)
		analyst, admin := w.actor(t, "analyst@nyp.example"), w.actor(t, "admin@nyp.example")
		old, err := w.svc.Assess(ctx, analyst, w.ocg.ID, input(domain.MethodOCGM, w.choose(t, domain.MethodOCGM, true), "2", ""))
		if err != nil {
			t.Fatal(err)
		}
		v1, err := w.svc.CurrentModel(ctx, domain.MethodOCGM)
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.Replace(v1.Definition, `"weight": 3,`, `"weight": 4,`, 1)

		refusals := []struct {
			name  string
			actor domain.Actor
			text  string
			want  error
			field string
		}{
			{"an analyst", analyst, edited, domain.ErrForbidden, ""},
			{"not JSON", admin, "{", nil, "definition"},
			{"an invalid weight", admin, strings.Replace(v1.Definition, `"weight": 3,`, `"weight": 0,`, 1), nil, "attributes[0].weight"},
			{"unchanged", admin, v1.Definition, nil, "definition"},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.svc.SaveModel(ctx, tc.actor, domain.MethodOCGM, tc.text)
				if tc.want != nil {
					if !errors.Is(err, tc.want) {
						t.Errorf("got %v, want %v", err, tc.want)
					}
					return
				}
				var verr *domain.ValidationError
				if !errors.As(err, &verr) || !verr.Has(tc.field) {
					t.Errorf("got %v, want a problem naming %s", err, tc.field)
				}
			})
		}
		if models, _ := w.svc.Models(ctx); len(models) != 2 {
			t.Fatalf("refused saves stored something: got %d models, want 2", len(models))
		}

		v2, err := w.svc.SaveModel(ctx, admin, domain.MethodOCGM, edited)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || !v2.Current || v2.IsDefault || v2.CreatedBy != admin.UserID {
			t.Errorf("saved: got version %d current %v default %v by %s, want version 2, current, not default, by the admin", v2.Version, v2.Current, v2.IsDefault, v2.CreatedBy)
		}
		models, _ := w.svc.Models(ctx)
		for _, m := range models {
			if m.ID == v1.ID && (m.Definition != v1.Definition || m.Current) {
				t.Errorf("version 1 after version 2: got current %v, definition changed %v; want unchanged and not current", m.Current, m.Definition != v1.Definition)
			}
		}
		events, err := st.SearchAudit(ctx, admin.PartnershipID, store.AuditFilter{RecordID: v2.ID, Limit: 10})
		if err != nil || len(events) != 1 || events[0].RecordType != "scoring_model" || events[0].Operation != audit.Alteration {
			t.Errorf("audit: got %+v, %v; want one scoring_model alteration", events, err)
		}

		// The old assessment still reproduces under version 1; a new one uses
		// version 2 and its heavier weight.
		if _, err := w.svc.Reproduce(ctx, old.ID); err != nil {
			t.Errorf("old assessment after a new version: got %v", err)
		}
		neu, err := w.svc.Assess(ctx, analyst, w.ocg.ID, input(domain.MethodOCGM, w.choose(t, domain.MethodOCGM, true), "2", ""))
		if err != nil {
			t.Fatal(err)
		}
		if neu.ModelVersion != 2 || neu.Score != 76 || old.Score != 72 {
			t.Errorf("got new v%d score %v and old score %v, want v2 76 and 72", neu.ModelVersion, neu.Score, old.Score)
		}
	})
}
