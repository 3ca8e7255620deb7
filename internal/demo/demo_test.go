package demo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

func TestLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		res, err := demo.Load(ctx, s, demo.Options{Audit: audit.NewLog(s.Now, s.NewID, audit.SigningKey([]byte("test")))})
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		p, err := s.PartnershipBySlug(ctx, demo.Slug)
		if err != nil || p.Name != "North Yorkshire: Project Alliance" {
			t.Fatalf("partnership: got %+v, %v", p, err)
		}
		ov, err := s.PartnershipOverview(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ov.Districts != 8 || ov.Wards != 195 {
			t.Errorf("got %d districts and %d wards, want the real 8 and 195", ov.Districts, ov.Wards)
		}
		if ov.Agencies != res.Agencies || ov.Users != len(res.Users) {
			t.Errorf("overview %+v disagrees with result %d agencies, %d users", ov, res.Agencies, len(res.Users))
		}
		// Real names and ONS codes: a sample of wards in several districts.
		for code, name := range map[string]string{
			"E05006189": "Aire Valley with Lothersdale", // Craven
			"E05001745": "Acomb",                        // York
			"E05006238": "Bilton",                       // Harrogate
			"E05006317": "Castle",                       // Scarborough
		} {
			u, err := s.OrgUnitByCode(ctx, s.Reader(), p.ID, code)
			if err != nil || u.Name != name || u.Level != domain.LevelWard || !u.HasBoundary {
				t.Errorf("ward %s: got %+v, %v; want %q with a boundary", code, u, err, name)
			}
		}
		// Every role has at least one user, and several agencies are represented.
		roles, err := s.Roles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		have := map[domain.Role]map[string]bool{}
		for _, u := range res.Users {
			for _, r := range u.Roles {
				if have[r] == nil {
					have[r] = map[string]bool{}
				}
				have[r][u.AgencyID] = true
			}
		}
		for _, r := range roles {
			if len(have[r.Code]) == 0 {
				t.Errorf("role %s: got no demo user, want at least one", r.Code)
			}
		}
		if len(have[domain.RolePartnerOfficer]) < 5 {
			t.Errorf("partner officers: got %d agencies, want several", len(have[domain.RolePartnerOfficer]))
		}

		// A year of intelligence, linked to the groups, with historic 5x5x5
		// reports kept as recorded, as the analyst sees it.
		grants, err := s.RoleGrants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var analyst domain.Actor
		for _, u := range res.Users {
			if u.Email == "analyst@nyp.example" {
				analyst = domain.Actor{Kind: domain.ActorUser, UserID: u.ID, PartnershipID: p.ID, AgencyID: u.AgencyID, AgencyType: domain.AgencyPolice, Roles: u.Roles}
			}
		}
		reps, err := s.NewInfoReportQuery(authz.New(grants), analyst, authz.List).List(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		legacy, oldest, newest := 0, time.Now(), time.Time{}
		for _, r := range reps {
			if r.Legacy() {
				legacy++
				continue
			}
			if r.CreatedAt.Before(oldest) {
				oldest = r.CreatedAt
			}
			if r.CreatedAt.After(newest) {
				newest = r.CreatedAt
			}
		}
		if len(reps) < 100 || legacy != 3 || newest.Sub(oldest) < 300*24*time.Hour {
			t.Errorf("demo reports: got %d (%d historic) from %s to %s, want 100 or more over a year and 3 historic", len(reps), legacy,
				oldest.Format(time.DateOnly), newest.Format(time.DateOnly))
		}
		if n, err := s.NewInfoReportQuery(authz.New(grants), analyst, authz.Search).WithSearch("cuckooing").Count(ctx); err != nil || n == 0 {
			t.Errorf("a search of the demo's reports for cuckooing: got %d, %v, want some", n, err)
		}

		if _, err := demo.Load(ctx, s, demo.Options{Audit: audit.NewLog(s.Now, s.NewID, audit.SigningKey([]byte("test")))}); !errors.Is(err, demo.ErrNotEmpty) {
			t.Errorf("second load: got %v, want ErrNotEmpty", err)
		}
		if n, _ := s.CountPartnerships(ctx, s.Reader()); n != 1 {
			t.Errorf("after second load: got %d partnerships, want 1", n)
		}
		if v, err := s.Meta(ctx, s.Reader(), demo.MetaKey); err != nil || v != demo.Version {
			t.Errorf("demo marker: got %q, %v; want %q", v, err, demo.Version)
		}
	})
}

func TestLoadIsDeterministic(t *testing.T) {
	e := storetest.Engines(t)[0]
	var names [2][]string
	for i := range names {
		s := storetest.Open(t, e, store.Options{})
		res, err := demo.Load(context.Background(), s, demo.Options{Audit: audit.NewLog(s.Now, s.NewID, audit.SigningKey([]byte("test")))})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range res.Users {
			names[i] = append(names[i], u.Email+"="+u.DisplayName)
		}
	}
	for i := range names[0] {
		if names[0][i] != names[1][i] {
			t.Errorf("user %d: got %s then %s, want the same each load", i, names[0][i], names[1][i])
		}
	}
}

func TestLoadCancelledLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := demo.Load(ctx, s, demo.Options{Audit: audit.NewLog(s.Now, s.NewID, audit.SigningKey([]byte("test")))}); err == nil {
			t.Fatal("load with a cancelled context: got nil error")
		}
		if n, err := s.CountPartnerships(context.Background(), s.Reader()); err != nil || n != 0 {
			t.Errorf("got %d partnerships (%v), want none", n, err)
		}
	})
}
