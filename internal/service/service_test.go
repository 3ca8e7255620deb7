package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"alliance/internal/audit"
	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

func rows(t *testing.T, csv string) []importexport.AreaRow {
	t.Helper()
	r, err := importexport.ParseAreasCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return r
}

func TestImportAreas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, st, demo.Options{Audit: audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))}); err != nil {
			t.Fatal(err)
		}
		svc := service.New(st, nil)
		p, err := svc.Partnership(ctx, demo.Slug)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := svc.Areas(ctx, p, "")

		// Children before parents, a new force under the existing region,
		// and a renamed existing ward.
		good := rows(t, "level,code,name,parent_code,population\n"+
			"ward,E05001411,Adel and Wharfedale,E08000035,17000\n"+
			"district,E08000035,Leeds,E23000010,\n"+
			"force,E23000010,West Yorkshire,E12000003,\n"+
			"ward,E05001745,Acomb (renamed),E06000014,9000\n")

		res, err := svc.ImportAreas(ctx, p, good, true)
		if err != nil || res.Created != 3 || res.Updated != 1 || !res.DryRun {
			t.Fatalf("dry run: got %+v, %v; want 3 created, 1 updated", res, err)
		}
		if after, _ := svc.Areas(ctx, p, ""); len(after) != len(before) {
			t.Errorf("dry run stored something: got %d areas, want %d", len(after), len(before))
		}

		res, err = svc.ImportAreas(ctx, p, good, false)
		if err != nil || res.Created != 3 || res.Updated != 1 {
			t.Fatalf("import: got %+v, %v; want 3 created, 1 updated", res, err)
		}
		d, err := svc.Area(ctx, p, "E05001411")
		if err != nil || d.Unit.Population != 17000 || len(d.Path) != 3 || d.Path[2].Code != "E08000035" {
			t.Errorf("imported ward: got %+v, %v; want it under Leeds with population", d, err)
		}
		acomb, _ := svc.Area(ctx, p, "E05001745")
		if acomb.Unit.Name != "Acomb (renamed)" || !acomb.Unit.HasBoundary {
			t.Errorf("updated ward: got %+v, want renamed and its boundary kept", acomb.Unit)
		}

		bad := []struct {
			name, csv, field string
		}{
			{"parent at wrong level", "level,code,name,parent_code\nward,E05009999,Nowhere,E23000009\n", "row 2, column parent_code"},
			{"unknown parent", "level,code,name,parent_code\nward,E05009999,Nowhere,E08099999\n", "row 2, column parent_code"},
			{"level change", "level,code,name,parent_code\ndistrict,E05001745,Acomb,E23000009\n", "row 2, column level"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				mid, _ := svc.Areas(ctx, p, "")
				// A good row first: it must not be stored when a later row fails.
				in := rows(t, tc.csv+"ward,E05008888,Should not stay,E08000035\n")
				_, err := svc.ImportAreas(ctx, p, in, false)
				var verr *domain.ValidationError
				if !errors.As(err, &verr) || !verr.Has(tc.field) {
					t.Fatalf("got %v, want a problem for %s", err, tc.field)
				}
				if after, _ := svc.Areas(ctx, p, ""); len(after) != len(mid) {
					t.Errorf("failed import stored rows: got %d areas, want %d", len(after), len(mid))
				}
			})
		}
	})
}

func TestAreaNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, st, demo.Options{Audit: audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))}); err != nil {
			t.Fatal(err)
		}
		svc := service.New(st, nil)
		p, _ := svc.Partnership(ctx, "")
		for _, code := range []string{"E05999999", "not-a-code", "'; DROP TABLE org_unit; --"} {
			if _, err := svc.Area(ctx, p, code); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("Area(%q): got %v, want ErrNotFound", code, err)
			}
		}
		if _, err := svc.Partnership(ctx, "nope"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Partnership(nope): got %v, want ErrNotFound", err)
		}
	})
}

func TestCreatePartnership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := service.New(st, nil)
		p, err := svc.CreatePartnership(ctx, service.PartnershipInput{Slug: "west-yorkshire", Name: "West Yorkshire: Programme Precision", Programme: "Programme Precision", RegionCode: "e12000003"})
		if err != nil || p.ID == "" || p.RegionCode != "E12000003" {
			t.Fatalf("got %+v, %v", p, err)
		}
		tests := []struct {
			name  string
			in    service.PartnershipInput
			field string
		}{
			{"no slug", service.PartnershipInput{Name: "X"}, "slug"},
			{"bad slug", service.PartnershipInput{Slug: "West Yorks", Name: "X"}, "slug"},
			{"duplicate slug", service.PartnershipInput{Slug: "west-yorkshire", Name: "X"}, "slug"},
			{"no name", service.PartnershipInput{Slug: "x"}, "name"},
			{"bad region", service.PartnershipInput{Slug: "x", Name: "X", RegionCode: "E99999999"}, "region"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.CreatePartnership(ctx, tc.in)
				var verr *domain.ValidationError
				if !errors.As(err, &verr) || !verr.Has(tc.field) {
					t.Errorf("got %v, want a problem with %s", err, tc.field)
				}
			})
		}
		if ps, _ := svc.Partnerships(ctx); len(ps) != 1 {
			t.Errorf("got %d partnerships, want only the valid one stored", len(ps))
		}
	})
}
