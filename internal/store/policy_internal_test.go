package store

import (
	"strings"
	"testing"

	"alliance/internal/authz"
	"alliance/internal/domain"
)

func TestPredicateShape(t *testing.T) {
	p := authz.New([]authz.Grant{{Role: domain.RoleAnalyst, Kind: domain.KindInfoReport, Perm: authz.PermRead}})
	a := domain.Actor{Kind: domain.ActorUser, UserID: "u", PartnershipID: "p", AgencyID: "a", AgencyType: domain.AgencyPolice, Roles: []domain.Role{domain.RoleAnalyst}}
	var args Args
	args.Add("first")
	sql := predicate(p, a, authz.List, domain.KindInfoReport, "r", &args)
	if !strings.Contains(sql, "r.partnership_id = $2") || len(args.Values()) != 5 {
		t.Errorf("got %s with %d args, want numbering to continue from $2", sql, len(args.Values()))
	}
	var none Args
	if got := predicate(p, domain.Actor{}, authz.List, domain.KindInfoReport, "r", &none); got != "(1 = 0)" || len(none.Values()) != 0 {
		t.Errorf("anonymous: got %q, want (1 = 0)", got)
	}
}
