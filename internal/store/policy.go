package store

import (
	"fmt"
	"strings"

	"alliance/internal/authz"
	"alliance/internal/domain"
)

// This file is the access policy rendered as SQL. Package authz holds the
// rule and decides one record in Go (Policy.Can); predicate writes the same
// rule as the condition every scoped query builder puts into its lists,
// counts, searches, exports and aggregates. TestPolicySQLMatchesCan runs
// both over every combination of role, agency type, classification,
// handling code, restriction and action, on both engines, and fails if they
// ever disagree.

// Args collects the bind parameters of a query as it is built, numbering
// them $1, $2, … in order.
type Args struct{ vals []any }

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.vals = append(a.vals, v)
	return fmt.Sprintf("$%d", len(a.vals))
}

// Values returns the parameters in order.
func (a *Args) Values() []any { return a.vals }

// markingColumns names where a query finds a record's marking: its ID
// (which record_grant and record_condition rows refer to) and its
// partnership, originating agency, classification, handling code and
// restriction.
type markingColumns struct {
	ID, Partnership, Origin, Classification, Handling, Restricted string
	// Sanitised is, for information reports, the column that names the
	// original a sanitised version was written from.
	Sanitised string
}

// columnsOf returns the marking columns of a record table aliased alias,
// named as every record table names them.
func columnsOf(alias string) markingColumns {
	return markingColumns{ID: alias + ".id", Partnership: alias + ".partnership_id", Origin: alias + ".origin_agency_id", Sanitised: alias + ".sanitised_from",
		Classification: alias + ".classification", Handling: alias + ".handling_code", Restricted: alias + ".restricted"}
}

// predicate returns the SQL condition that admits exactly the rows of kind
// that p.Can admits for a and act, for a record table aliased alias with
// the columns id, partnership_id, origin_agency_id, classification,
// handling_code and restricted. Its parameters are added to args. For
// Export and Edit it admits only rows Can allows for that action, so a
// query built on it never returns a row the actor could not act on.
func predicate(p authz.Policy, a domain.Actor, act authz.Action, kind domain.RecordKind, alias string, args *Args) string {
	return predicateOn(p, a, act, kind, columnsOf(alias), args)
}

// predicateOn is predicate for a record whose marking a query finds in
// cols: a read model that keeps a copy of a record's marking (which never
// changes once written) is filtered by the same rule as the record.
func predicateOn(p authz.Policy, a domain.Actor, act authz.Action, kind domain.RecordKind, cols markingColumns, args *Args) string {
	if act == authz.Create || !p.Opens(a, act, kind) || !p.Allowed(a, act, kind) {
		return "(1 = 0)"
	}
	pid := args.Add(a.PartnershipID)
	user := args.Add(a.UserID)
	agency := args.Add(a.AgencyID)
	agencyType := args.Add(string(a.AgencyType))
	osRule := "(1 = 0)"
	if a.LawEnforcement() {
		osRule = "(1 = 1)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "(%s = %s AND %s IN ('OFFICIAL', 'OFFICIAL-SENSITIVE') AND (", cols.Partnership, pid, cols.Classification)
	fmt.Fprintf(&b, "(%s AND EXISTS (SELECT 1 FROM record_grant g WHERE g.record_id = %s AND (g.user_id = %s OR g.agency_id = %s)))",
		cols.Restricted, cols.ID, user, agency)
	fmt.Fprintf(&b, " OR (NOT %s AND (%s = %s", cols.Restricted, cols.Origin, agency)
	fmt.Fprintf(&b, " OR (%s = 'P' AND (%s = 'OFFICIAL' OR %s))", cols.Handling, cols.Classification, osRule)
	fmt.Fprintf(&b, " OR (%s = 'C' AND EXISTS (SELECT 1 FROM record_condition rc WHERE rc.record_id = %s AND (rc.agency_id = %s OR rc.agency_type = %s))))))",
		cols.Handling, cols.ID, agency, agencyType)
	b.WriteString(")")
	if act == authz.Edit {
		fmt.Fprintf(&b, " AND %s = %s", cols.Origin, agency)
	}
	// authz.SeesReport: outside law enforcement, no police original but the
	// agency's own.
	if kind == domain.KindInfoReport && !a.LawEnforcement() {
		fmt.Fprintf(&b, " AND (%s = %s OR %s IS NOT NULL OR NOT EXISTS (SELECT 1 FROM agency oa WHERE oa.id = %s AND oa.agency_type IN ('%s', '%s', '%s')))",
			cols.Origin, agency, cols.Sanitised, cols.Origin, domain.AgencyPolice, domain.AgencyROCU, domain.AgencyNCA)
	}
	return "(" + b.String() + ")"
}
