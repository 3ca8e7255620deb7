package service

import (
	"context"
	"database/sql"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// readLog writes what a read showed, the same way for every service: a
// consultation for people, and for a partner system's service-account
// token a disclosure under the sharing agreement its token names, with a
// disclosure record. A service account whose agreement is not in force
// reads nothing (ErrAgreementNotInForce), whatever it asks for.
type readLog struct {
	st   *store.Store
	alog *audit.Log
}

// systemRead checks that a service account's read relies on a sharing
// agreement in force, returning it and true. Other actors need none.
func (l readLog) systemRead(ctx context.Context, a domain.Actor) (domain.ISA, bool, error) {
	if a.Kind != domain.ActorToken || !a.ServiceAccount {
		return domain.ISA{}, false, nil
	}
	isas, err := l.st.ISAs(ctx, a.PartnershipID)
	if err != nil {
		return domain.ISA{}, false, err
	}
	for _, i := range isas {
		if i.ID == a.ISAID {
			if ok, _ := i.Usable(l.st.Now()); ok && i.HasParty(a.AgencyID) {
				return i, true, nil
			}
		}
	}
	return domain.ISA{}, false, ErrAgreementNotInForce
}

// append writes e (a consultation) in tx, turned into a disclosure under
// isa when system is true.
func (l readLog) append(ctx context.Context, tx *sql.Tx, a domain.Actor, e audit.Entry, isa domain.ISA, system bool) error {
	if system {
		e.Operation, e.ISAID, e.Recipients = audit.Disclosure, isa.ID, a.DisplayName+" (API token "+a.TokenName+")"
		if err := l.st.InsertDisclosure(ctx, tx, store.DisclosureRecord{PartnershipID: a.PartnershipID, ActorID: a.UserID, AgencyID: a.AgencyID,
			RecordType: e.RecordType, RecordCount: len(e.RecordIDs), Purpose: e.Justification, Recipients: e.Recipients, ISAID: isa.ID,
			Channel: "api", At: l.st.Now()}); err != nil {
			return err
		}
	}
	_, err := l.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), e)
	return err
}
