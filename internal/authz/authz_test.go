package authz

import (
	"errors"
	"strings"
	"testing"

	"alliance/internal/domain"
)

func defaultGrants() []Grant {
	var g []Grant
	add := func(r domain.Role, perms ...Perm) {
		for _, p := range perms {
			g = append(g, Grant{r, domain.KindInfoReport, p})
		}
	}
	add(domain.RoleAnalyst, PermRead, PermExport, PermWrite)
	add(domain.RolePartnerOfficer, PermRead, PermWrite)
	add(domain.RolePanelMember, PermRead)
	return g
}

func TestCan(t *testing.T) {
	p := New(defaultGrants())
	police := domain.Actor{Kind: domain.ActorUser, UserID: "u-pol", PartnershipID: "p1", AgencyID: "a-pol", AgencyType: domain.AgencyPolice, Roles: []domain.Role{domain.RoleAnalyst}}
	council := domain.Actor{Kind: domain.ActorUser, UserID: "u-cou", PartnershipID: "p1", AgencyID: "a-cou", AgencyType: domain.AgencyLocalAuthority, Roles: []domain.Role{domain.RolePartnerOfficer}}
	admin := domain.Actor{Kind: domain.ActorUser, UserID: "u-adm", PartnershipID: "p1", AgencyID: "a-pol", AgencyType: domain.AgencyPolice, Roles: []domain.Role{domain.RoleAdministrator}}
	other := police
	other.PartnershipID = "p2"
	readToken := police
	readToken.Kind, readToken.Scopes = domain.ActorToken, []string{"read"}
	wrongResource := readToken
	wrongResource.Scopes = []string{"read", "ocg"}

	m := func(mut func(*domain.Marking)) domain.Marking {
		x := domain.Marking{PartnershipID: "p1", OriginAgencyID: "a-pol", Classification: domain.Official, Handling: domain.HandlingP}
		if mut != nil {
			mut(&x)
		}
		return x
	}
	tests := []struct {
		name  string
		actor domain.Actor
		act   Action
		mark  domain.Marking
		want  error
	}{
		{"originator views", police, View, m(nil), nil},
		{"partner views OFFICIAL P", council, View, m(nil), nil},
		{"partner cannot see OFFICIAL-SENSITIVE P", council, View, m(func(x *domain.Marking) { x.Classification = domain.OfficialSensitive }), domain.ErrNotFound},
		{"police sees OFFICIAL-SENSITIVE P from another agency", police, View, m(func(x *domain.Marking) { x.OriginAgencyID = "a-cou"; x.Classification = domain.OfficialSensitive }), nil},
		{"C naming the partner's agency", council, View, m(func(x *domain.Marking) { x.Handling = domain.HandlingC; x.ConditionAgencies = []string{"a-cou"} }), nil},
		{"C naming the partner's agency type, OFFICIAL-SENSITIVE", council, View, m(func(x *domain.Marking) {
			x.Handling, x.Classification, x.ConditionTypes = domain.HandlingC, domain.OfficialSensitive, []domain.AgencyType{domain.AgencyLocalAuthority}
		}), nil},
		{"C naming someone else", council, View, m(func(x *domain.Marking) { x.Handling = domain.HandlingC; x.ConditionAgencies = []string{"a-x"} }), domain.ErrNotFound},
		{"restricted, not named, even originator", police, View, m(func(x *domain.Marking) { x.Restricted = true; x.NamedUsers = []string{"u-x"} }), domain.ErrNotFound},
		{"restricted, named user", council, View, m(func(x *domain.Marking) { x.Restricted = true; x.NamedUsers = []string{"u-cou"} }), nil},
		{"restricted, named agency", council, View, m(func(x *domain.Marking) { x.Restricted = true; x.NamedAgencies = []string{"a-cou"} }), nil},
		{"other partnership", other, View, m(nil), domain.ErrNotFound},
		{"administrator sees no intelligence", admin, View, m(nil), domain.ErrNotFound},
		{"SECRET never", police, View, m(func(x *domain.Marking) { x.Classification = "SECRET" }), domain.ErrNotFound},
		{"partner may not export", council, Export, m(nil), domain.ErrForbidden},
		{"analyst exports", police, Export, m(nil), nil},
		{"partner may not edit police record", council, Edit, m(nil), domain.ErrForbidden},
		{"originator edits", police, Edit, m(nil), nil},
		{"read token reads", readToken, View, m(nil), nil},
		{"read token cannot edit", readToken, Edit, m(nil), domain.ErrForbidden},
		{"token scoped to another resource", wrongResource, View, m(nil), domain.ErrNotFound},
		{"anonymous", domain.Actor{}, View, m(nil), domain.ErrNotFound},
		{"partner creates", council, Create, m(func(x *domain.Marking) { x.OriginAgencyID = "a-cou" }), nil},
		{"administrator cannot create", admin, Create, m(nil), domain.ErrForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := p.Can(tc.actor, tc.act, domain.KindInfoReport, tc.mark)
			if !errors.Is(got, tc.want) || (tc.want == nil && got != nil) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestAccessKey checks the promise read models rely on: over every
// combination of classification, handling, restriction, originator, named
// users and agencies and conditions, markings with equal keys are visible
// to exactly the same actors, and markings visible to different actors
// have different keys.
func TestAccessKey(t *testing.T) {
	agencies := []string{"a-pol", "a-cou", "a-fire"}
	types := map[string]domain.AgencyType{"a-pol": domain.AgencyPolice, "a-cou": domain.AgencyLocalAuthority, "a-fire": domain.AgencyFireRescue}
	var actors []domain.Actor
	for _, ag := range agencies {
		for _, u := range []string{"u1", "u2"} {
			actors = append(actors, domain.Actor{Kind: domain.ActorUser, UserID: u + "-" + ag, PartnershipID: "p1", AgencyID: ag, AgencyType: types[ag]})
		}
	}
	var marks []domain.Marking
	for _, class := range []domain.Classification{domain.Official, domain.OfficialSensitive, "SECRET"} {
		for _, h := range []domain.HandlingCode{domain.HandlingP, domain.HandlingC} {
			for _, origin := range agencies {
				for _, restricted := range []bool{false, true} {
					for _, named := range [][]string{nil, {"a-cou"}, {"a-cou", "a-fire"}, {"a-fire", "a-cou"}} {
						for _, condType := range [][]domain.AgencyType{nil, {domain.AgencyPolice}, {domain.AgencyFireRescue}} {
							m := domain.Marking{PartnershipID: "p1", Classification: class, Handling: h, OriginAgencyID: origin, Restricted: restricted}
							if restricted {
								m.NamedAgencies = named
								if len(named) == 1 {
									m.NamedUsers = []string{"u1-a-pol"}
								}
							} else if h == domain.HandlingC {
								m.ConditionAgencies, m.ConditionTypes = named, condType
							}
							marks = append(marks, m)
						}
					}
				}
			}
		}
	}
	seen := func(m domain.Marking) string {
		var b strings.Builder
		for _, a := range actors {
			if visible(a, m) {
				b.WriteString(a.UserID + " ")
			}
		}
		return b.String()
	}
	byKey, byVisibility := map[string]string{}, map[string]string{}
	for _, m := range marks {
		k, v := AccessKey(m), seen(m)
		if w, ok := byKey[k]; ok && w != v {
			t.Errorf("key %q: seen by %q and by %q", k, w, v)
		}
		byKey[k] = v
		byVisibility[v] = k
	}
	if len(byKey) < 20 || len(byVisibility) < 8 {
		t.Errorf("got %d keys and %d ways of being seen, want at least 20 and 8: the cases do not exercise the rule", len(byKey), len(byVisibility))
	}
}

func TestSeesReport(t *testing.T) {
	police := domain.Actor{AgencyID: "p1", AgencyType: domain.AgencyPolice}
	rocu := domain.Actor{AgencyID: "r1", AgencyType: domain.AgencyROCU}
	council := domain.Actor{AgencyID: "c1", AgencyType: domain.AgencyLocalAuthority}
	tests := []struct {
		name string
		a    domain.Actor
		m    domain.Marking
		want bool
	}{
		{"police read a police original", police, domain.Marking{OriginAgencyID: "p2", OriginLawEnforcement: true}, true},
		{"a ROCU reads a police original", rocu, domain.Marking{OriginAgencyID: "p2", OriginLawEnforcement: true}, true},
		{"a council does not read a police original", council, domain.Marking{OriginAgencyID: "p2", OriginLawEnforcement: true}, false},
		{"whatever its handling", council, domain.Marking{OriginAgencyID: "p2", OriginLawEnforcement: true, Handling: domain.HandlingC,
			ConditionAgencies: []string{"c1"}}, false},
		{"a council reads a sanitised version", council, domain.Marking{OriginAgencyID: "p2", OriginLawEnforcement: true, Sanitised: true}, true},
		{"a council reads another partner's report", council, domain.Marking{OriginAgencyID: "c2"}, true},
		{"a council reads its own", council, domain.Marking{OriginAgencyID: "c1"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SeesReport(tc.a, tc.m); got != tc.want {
				t.Errorf("got %t, want %t", got, tc.want)
			}
		})
	}
}
