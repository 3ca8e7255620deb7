package service_test

import (
	"context"
	"database/sql"
	"testing"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
)

// searchWorld is a partnership with a police force and a council, an
// analyst at each, and the search service.
type searchWorld struct {
	st                    *store.Store
	svc                   *service.Search
	pid                   string
	police, council       domain.Agency
	analyst, officer      domain.Actor
	analystUser, otherUsr domain.User
}

// newSearchWorld sets the world up in st, or finds it when a cached
// benchmark database already holds it (slug "search-bench").
func newSearchWorld(tb testing.TB, st *store.Store) *searchWorld {
	tb.Helper()
	ctx := context.Background()
	w := &searchWorld{st: st, svc: service.NewSearch(st, nil, audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test"))))}
	ps, err := st.Partnerships(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range ps {
		if p.Slug == "search-bench" {
			w.pid = p.ID
		}
	}
	if w.pid == "" {
		err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			p := domain.Partnership{Slug: "search-bench", Name: "Search bench"}
			if err := st.InsertPartnership(ctx, tx, &p); err != nil {
				return err
			}
			ags := []domain.Agency{{PartnershipID: p.ID, Name: "Northshire Police", Type: domain.AgencyPolice},
				{PartnershipID: p.ID, Name: "Northshire Council", Type: domain.AgencyLocalAuthority}}
			if err := st.InsertAgencies(ctx, tx, ags); err != nil {
				return err
			}
			users := []domain.User{
				{PartnershipID: p.ID, AgencyID: ags[0].ID, Email: "analyst@police.example", DisplayName: "Ann Analyst", Active: true, Roles: []domain.Role{domain.RoleAnalyst}},
				{PartnershipID: p.ID, AgencyID: ags[1].ID, Email: "officer@council.example", DisplayName: "Owen Officer", Active: true, Roles: []domain.Role{domain.RolePartnerOfficer}},
			}
			if err := st.InsertUsers(ctx, tx, users); err != nil {
				return err
			}
			w.pid = p.ID
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	ags, err := st.Agencies(ctx, w.pid)
	if err != nil {
		tb.Fatal(err)
	}
	for _, a := range ags {
		switch a.Type {
		case domain.AgencyPolice:
			w.police = a
		case domain.AgencyLocalAuthority:
			w.council = a
		}
	}
	users, err := st.Users(ctx, w.pid)
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range users {
		a := domain.Actor{Kind: domain.ActorUser, UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName, PartnershipID: w.pid, AgencyID: u.AgencyID,
			Roles: u.Roles, SessionID: "s-" + u.ID}
		if u.AgencyID == w.police.ID {
			a.AgencyName, a.AgencyType = w.police.Name, domain.AgencyPolice
			w.analyst, w.analystUser = a, u
		} else {
			a.AgencyName, a.AgencyType = w.council.Name, domain.AgencyLocalAuthority
			w.officer, w.otherUsr = a, u
		}
	}
	return w
}
