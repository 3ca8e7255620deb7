package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// demoActor signs nobody in: it builds the actor for a demo account.
func demoActor(t *testing.T, s *store.Store, email string) domain.Actor {
	t.Helper()
	c, err := s.CredentialsByEmail(context.Background(), s.Reader(), email)
	if err != nil {
		t.Fatalf("%s: %v", email, err)
	}
	return domain.Actor{Kind: domain.ActorUser, UserID: c.User.ID, Email: email, DisplayName: c.User.DisplayName, PartnershipID: c.User.PartnershipID,
		AgencyID: c.User.AgencyID, AgencyType: c.AgencyType, Roles: c.User.Roles}
}

func breakdown(list []service.PictureCount) string {
	var parts []string
	for _, c := range list {
		parts = append(parts, fmt.Sprintf("%d %s", c.Count, c.Code))
	}
	return strings.Join(parts, ", ")
}

// TestDemoOCGPicture: the demo partnership's register gives the seed
// slide's OCG picture for 2023/24, computed from its records, and a partner
// officer at the council sees fewer groups.
func TestDemoOCGPicture(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alog := audit.NewLog(s.Now, s.NewID, audit.SigningKey([]byte("test")))
		start := time.Now()
		if _, err := demo.Load(ctx, s, demo.Options{Audit: alog}); err != nil {
			t.Fatal(err)
		}
		t.Logf("demo loaded in %s", time.Since(start).Round(time.Millisecond))
		pics := service.NewPictures(s, nil, alog)
		analyst := demoActor(t, s, "analyst@nyp.example")
		pic, err := pics.Picture(ctx, analyst, "2023/24")
		if err != nil {
			t.Fatal(err)
		}
		checks := []struct{ what, got, want string }{
			{"mapped", fmt.Sprint(pic.Mapped.Total), "28"},
			{"mapped by group", breakdown(pic.Mapped.ByGroup), "24 Drugs or county lines, 2 Modern slavery and human trafficking, 1 Burglary, 1 Fraud"},
			{"mapped by threat", breakdown(pic.Mapped.ByThreat), "15 drugs, 9 county_lines, 2 modern_slavery, 1 burglary, 1 fraud"},
			{"dismantled", fmt.Sprint(pic.Dismantled.Total), "19"},
			{"dismantled by threat", breakdown(pic.Dismantled.ByThreat), "9 county_lines, 7 drugs, 1 burglary, 1 fraud, 1 money_laundering"},
			{"dismantled summary", pic.Dismantled.ThreatSummary(), "9 county lines, 7 illegal drugs, 1 burglary, 1 fraud, 1 money laundering"},
			{"period", pic.Period.Label, "2023/24"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("analyst, 2023/24, %s: got %q, want %q", c.what, c.got, c.want)
			}
		}
		// The year before: the group dismantled in 2022/23, not this year's 19.
		prev, err := pics.Picture(ctx, analyst, "2022-23")
		if err != nil {
			t.Fatal(err)
		}
		if prev.Dismantled.Total != 1 {
			t.Errorf("2022/23 dismantled: got %d, want 1", prev.Dismantled.Total)
		}
		// Today: the 28, less none (all still active), plus the group mapped since.
		now, err := pics.Picture(ctx, analyst, "")
		if err != nil {
			t.Fatal(err)
		}
		if now.Mapped.Total != 29 || len(now.Ranked) != 29 || now.Dismantled.Total != 1 {
			t.Errorf("today: got %d mapped, %d ranked, %d dismantled; want 29, 29 and 1", now.Mapped.Total, len(now.Ranked), now.Dismantled.Total)
		}
		for i := 1; i < len(now.Ranked); i++ {
			if now.Ranked[i].Score == nil || *now.Ranked[i].Score > *now.Ranked[i-1].Score {
				t.Errorf("ranked: %s (%v) after %s, want highest score first", now.Ranked[i].Reference, now.Ranked[i].Score, now.Ranked[i-1].Reference)
			}
		}
		reasons := map[service.AttentionReason]int{}
		for _, x := range now.NeedsAttention {
			for _, r := range x.Reasons {
				reasons[r]++
			}
		}
		for _, r := range []service.AttentionReason{service.ReasonNoLRO, service.ReasonNoPlan, service.ReasonPlanReviewOverdue, service.ReasonReviewOverdue} {
			if reasons[r] == 0 {
				t.Errorf("needs attention: got no group for %q, want some (got %v)", r, reasons)
			}
		}

		// A partner officer at the council sees neither the restricted group
		// nor the OFFICIAL-SENSITIVE ones not shared with councils.
		officer := demoActor(t, s, "officer@nyc.example")
		op, err := pics.Picture(ctx, officer, "2023/24")
		if err != nil {
			t.Fatal(err)
		}
		if op.Mapped.Total >= 28 || op.Mapped.Total < 15 || op.Dismantled.Total >= 19 {
			t.Errorf("council officer: got %d mapped and %d dismantled, want fewer than the police see", op.Mapped.Total, op.Dismantled.Total)
		}
		grants, err := s.RoleGrants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		policy := authz.New(grants)
		restricted, err := s.NewOCGQuery(policy, analyst, authz.List).Where("o.restricted").List(ctx, 0, 0)
		if err != nil || len(restricted) == 0 {
			t.Fatalf("restricted groups: got %d, %v; want at least one", len(restricted), err)
		}
		if n, err := s.NewOCGQuery(policy, officer, authz.List).WithID(restricted[0].ID).Count(ctx); err != nil || n != 0 {
			t.Errorf("restricted group: the council officer counts %d, want 0", n)
		}

		// Every scored group has a real assessment; every group 8 to 12
		// members, one or two principals and three or four significant.
		all, err := s.NewOCGQuery(policy, analyst, authz.List).List(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range all {
			if o.Score != nil {
				as, err := s.Assessments(ctx, o.ID)
				if err != nil || len(as) == 0 || as[0].ModelID == "" || len(as[0].Inputs.Values) == 0 || as[0].Result.Score != *o.Score {
					t.Errorf("%s: score %v without a matching assessment (%d, %v)", o.Reference, *o.Score, len(as), err)
				}
			}
			ms, err := s.Members(ctx, policy, analyst, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			roles := map[domain.MemberRole]int{}
			for _, m := range ms {
				roles[m.Link.Role]++
			}
			if len(ms) < 8 || len(ms) > 12 || roles[domain.RolePrincipal] < 1 || roles[domain.RolePrincipal] > 2 ||
				roles[domain.RoleSignificant] < 3 || roles[domain.RoleSignificant] > 4 {
				t.Errorf("%s: got %d members %v, want 8 to 12 with 1–2 principals and 3–4 significant", o.Reference, len(ms), roles)
			}
		}
	})
}
