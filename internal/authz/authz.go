// Package authz is Alliance's access policy, in one place: the rule and its
// data (role permissions), and Can, which decides one actor, one action and
// one record in Go. It speaks no SQL: the store renders the same rule as
// the SQL condition its scoped query builders put into every list, count,
// search, export and aggregate (store/policy.go), and a generated test in
// the store runs both over every combination of role, agency type,
// classification, handling code, restriction and operation, on both
// engines, and fails if they ever disagree.
//
// The rule, for an actor A and a record R:
//
//  1. A must be signed in, in R's partnership, and hold a role that grants
//     the action on R's kind (role permissions are data; administrators and
//     auditors hold none on intelligence, so they never see it by virtue of
//     their role).
//  2. R's classification must be OFFICIAL or OFFICIAL-SENSITIVE.
//  3. If R is restricted (need-to-know), A sees it only if A, or A's agency,
//     is named on it. Nothing else opens it.
//  4. Otherwise A sees R if A's agency originated it; or if R is handled P
//     and is OFFICIAL, or is OFFICIAL-SENSITIVE and A's agency is law
//     enforcement (police, ROCU, NCA); or if R is handled C and its
//     conditions name A's agency or A's agency type.
//  5. Editing also needs A's agency to be R's originator.
//  6. An API token acts for its user, further limited by its scopes: "read"
//     for reading, "write" for changing, and, when it names resources, R's
//     kind among them.
//
// What A may not see is "not found": Can returns domain.ErrNotFound, never
// a hint that the record exists.
package authz

import (
	"slices"
	"strings"

	"alliance/internal/domain"
)

// Action is what an actor wants to do to a record.
type Action string

// Actions. View, List, Count and Search are forms of reading; Export is
// reading out of the service; Edit changes an existing record; Create makes
// a new one.
const (
	View   Action = "view"
	List   Action = "list"
	Count  Action = "count"
	Search Action = "search"
	Export Action = "export"
	Edit   Action = "edit"
	Create Action = "create"
)

// Actions lists every action, for generated tests.
var Actions = []Action{View, List, Count, Search, Export, Edit, Create}

// Perm is a permission a role may hold on a record kind.
type Perm string

// Permissions.
const (
	PermRead   Perm = "read"
	PermExport Perm = "export"
	PermWrite  Perm = "write"
	// PermCount lets a role count records of a kind in aggregate figures
	// (the performance dashboard) without opening them. Read includes it.
	PermCount Perm = "count"
)

func (a Action) perm() Perm {
	switch a {
	case Export:
		return PermExport
	case Edit, Create:
		return PermWrite
	case Count:
		return PermCount
	}
	return PermRead
}

func (a Action) writes() bool { return a == Edit || a == Create }

// Grant is one row of the role permission data.
type Grant struct {
	Role domain.Role
	Kind domain.RecordKind
	Perm Perm
}

// Policy decides access. Build one with New from the role permission data;
// the zero Policy grants nothing. It is immutable and safe for concurrent use.
type Policy struct {
	grants map[domain.Role]map[domain.RecordKind]map[Perm]bool
}

// New returns the policy for grants.
func New(grants []Grant) Policy {
	p := Policy{grants: map[domain.Role]map[domain.RecordKind]map[Perm]bool{}}
	for _, g := range grants {
		if p.grants[g.Role] == nil {
			p.grants[g.Role] = map[domain.RecordKind]map[Perm]bool{}
		}
		if p.grants[g.Role][g.Kind] == nil {
			p.grants[g.Role][g.Kind] = map[Perm]bool{}
		}
		p.grants[g.Role][g.Kind][g.Perm] = true
	}
	return p
}

// Allowed reports whether a's roles (and, for a token, its scopes) permit
// act on records of kind at all, before looking at any record. Writing also
// needs read, exporting needs read or count, and counting needs count or
// read.
func (p Policy) Allowed(a domain.Actor, act Action, kind domain.RecordKind) bool {
	if a.Anonymous() || a.PartnershipID == "" {
		return false
	}
	if a.Kind == domain.ActorToken && !tokenAllows(a.Scopes, act, kind) {
		return false
	}
	need := act.perm()
	var has, read bool
	for _, r := range a.Roles {
		perms := p.grants[r][kind]
		has = has || perms[need] || (need == PermCount && perms[PermRead])
		read = read || perms[PermRead]
		// Exporting the figures of a kind one may only count (the
		// dashboard's export) needs count, as exporting records needs read.
		read = read || (need == PermExport && perms[PermCount])
	}
	if need == PermExport || need == PermWrite {
		return has && read
	}
	return has
}

func tokenAllows(scopes []string, act Action, kind domain.RecordKind) bool {
	want := "read"
	if act.writes() {
		want = "write"
	}
	if !slices.Contains(scopes, want) {
		return false
	}
	var resources []string
	for _, s := range scopes {
		if s != "read" && s != "write" {
			resources = append(resources, s)
		}
	}
	return len(resources) == 0 || slices.Contains(resources, string(kind))
}

// visible is rules 2 to 4: whether a may see a record marked m.
func visible(a domain.Actor, m domain.Marking) bool {
	if m.PartnershipID != a.PartnershipID {
		return false
	}
	if m.Classification != domain.Official && m.Classification != domain.OfficialSensitive {
		return false
	}
	if m.Restricted {
		return slices.Contains(m.NamedUsers, a.UserID) || slices.Contains(m.NamedAgencies, a.AgencyID)
	}
	if m.OriginAgencyID == a.AgencyID {
		return true
	}
	switch m.Handling {
	case domain.HandlingP:
		return m.Classification == domain.Official || a.LawEnforcement()
	case domain.HandlingC:
		return slices.Contains(m.ConditionAgencies, a.AgencyID) || slices.Contains(m.ConditionTypes, a.AgencyType)
	}
	return false
}

// Can decides whether a may do act to the record of kind marked m. It
// returns nil when allowed, domain.ErrNotFound when a may not see the
// record, and domain.ErrForbidden when a may see it but not do act to it.
// For Create, m is the marking the new record would have.
func (p Policy) Can(a domain.Actor, act Action, kind domain.RecordKind, m domain.Marking) error {
	if act == Create {
		if !p.Allowed(a, Create, kind) || m.PartnershipID != a.PartnershipID {
			return domain.ErrForbidden
		}
		return nil
	}
	if !p.Opens(a, act, kind) || !visible(a, m) || (kind == domain.KindInfoReport && !SeesReport(a, m)) {
		return domain.ErrNotFound
	}
	if !p.Allowed(a, act, kind) {
		return domain.ErrForbidden
	}
	if act == Edit && m.OriginAgencyID != a.AgencyID {
		return domain.ErrForbidden
	}
	return nil
}

// SeesReport is the rule for information reports on top of the marking:
// partners read police intelligence only through sanitised products. A
// report whose originating agency is police, a ROCU or the NCA, and which
// is not a sanitised version, reaches only law enforcement and its own
// agency, whatever its handling code.
func SeesReport(a domain.Actor, m domain.Marking) bool {
	return a.LawEnforcement() || !m.OriginLawEnforcement || m.Sanitised || m.OriginAgencyID == a.AgencyID
}

// Opens reports whether a's permissions let act reach records of kind at
// all: viewing them, or, for counting and for exporting figures, holding
// count on the kind without read. Can and the store's SQL predicate both
// start from it.
func (p Policy) Opens(a domain.Actor, act Action, kind domain.RecordKind) bool {
	return p.Allowed(a, View, kind) || ((act == Count || act == Export) && p.Allowed(a, act, kind))
}

// AccessKey reduces marking m to what rules 2 to 4 read of it for the
// reading actions (view, list, count, search, export), so that records
// of one partnership whose markings have equal keys are visible to exactly
// the same actors. Read models that count records without holding each one
// (the performance roll-up) group records by it. Named users, agencies and
// conditions are sorted; what a rule does not read is left out: the
// originator of a record handled P at OFFICIAL (everyone sees it), and
// the originator, classification and handling of a restricted one (only
// those named see it).
func AccessKey(m domain.Marking) string {
	if m.Classification != domain.Official && m.Classification != domain.OfficialSensitive {
		return "hidden"
	}
	sorted := func(list []string) string {
		s := slices.Clone(list)
		slices.Sort(s)
		return strings.Join(slices.Compact(s), ",")
	}
	// SeesReport is a rule for information reports only, which no read
	// model groups by this key; disruptions and groups never carry the
	// report flags it reads.
	return accessKey(m, sorted)
}

// accessKey is AccessKey's marking part.
func accessKey(m domain.Marking, sorted func([]string) string) string {
	if m.Restricted {
		return "restricted users=" + sorted(m.NamedUsers) + " agencies=" + sorted(m.NamedAgencies)
	}
	switch m.Handling {
	case domain.HandlingP:
		if m.Classification == domain.Official {
			return "P OFFICIAL"
		}
		return "P OFFICIAL-SENSITIVE origin=" + m.OriginAgencyID
	case domain.HandlingC:
		types := make([]string, len(m.ConditionTypes))
		for i, t := range m.ConditionTypes {
			types[i] = string(t)
		}
		return "C origin=" + m.OriginAgencyID + " agencies=" + sorted(m.ConditionAgencies) + " types=" + sorted(types)
	}
	return "origin=" + m.OriginAgencyID
}
