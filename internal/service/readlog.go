package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Reads are logged fail closed (decision 5). A read of records runs on the
// reader pool; its consultation is then written in its own short write
// transaction, before the service returns, so before any response is sent.
// If that write fails, the service returns the error and the zero value,
// never what was read: nothing is shown that the log does not record.
// Every service returns a read's result through consulted, or returns the
// zero value itself when its log write fails.
//
// The consultation's transaction goes through store.InGroupTx (decision
// 25): the consultations of reads that arrive together are written and
// committed in one transaction, and each read still waits for that commit
// before it returns, so a read is never answered before its entry is
// durable, and a failed commit fails every read it carried (each is then
// tried alone, so one read's failure is not another's).

// consulted returns v, what a read found, only if logErr, the error of
// writing the read's consultation, is nil; otherwise the zero value and
// logErr, so no caller can show records whose consultation was not logged.
func consulted[T any](v T, logErr error) (T, error) {
	if logErr != nil {
		var zero T
		return zero, logErr
	}
	return v, nil
}

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

// PurposeHeader is the request header in which an API call says what its
// reads of records are for. It wins over the purpose its token was made
// with.
const PurposeHeader = "X-Alliance-Purpose"

// maxPurpose bounds a purpose, in characters.
const maxPurpose = 500

// ErrPurposeMissing is returned for an API token's read of a record when
// neither the request (PurposeHeader) nor the token says what it is for.
// Nothing is read or logged.
var ErrPurposeMissing = errors.New("service: a read of a record through the API needs a purpose: send " + PurposeHeader + " or use a token made with a purpose")

// cleanPurpose trims a purpose and reports whether it is acceptable: valid
// text of at most maxPurpose characters, without control characters. ""
// is acceptable (no purpose).
func cleanPurpose(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxPurpose {
		return "", false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", false
		}
	}
	return s, true
}

// readPurpose returns why a is reading the record id (created by
// createdBy; ref and title are what a prompt may show): "Author" for the
// one who created it; for an API token, the request's purpose (header,
// else the token's), or ErrPurposeMissing, or a *domain.ValidationError
// naming the header when it is too long; for a browser session, the
// purpose given once this session, or a *PurposeNeeded. Every read of a
// protected record takes its justification from here.
func readPurpose(ctx context.Context, st *store.Store, a domain.Actor, id, createdBy, ref, title string) (string, error) {
	if createdBy == a.UserID {
		return "Author", nil
	}
	if a.Kind == domain.ActorToken {
		return tokenPurpose(a)
	}
	purpose, detail, err := st.SessionPurpose(ctx, a.SessionID, id)
	if errors.Is(err, domain.ErrNotFound) {
		return "", &PurposeNeeded{ID: id, Reference: ref, Title: title}
	}
	if err != nil {
		return "", fmt.Errorf("purpose of reading %s: %w", ref, err)
	}
	if detail != "" {
		purpose += ": " + detail
	}
	return purpose, nil
}

// tokenPurpose is the purpose a token's request reads under: the
// X-Alliance-Purpose header, else the token's own. Without one, or with
// one that is not a line of at most maxPurpose characters, the read is
// refused.
func tokenPurpose(a domain.Actor) (string, error) {
	purpose, ok := cleanPurpose(a.Purpose)
	switch {
	case !ok:
		verr := &domain.ValidationError{}
		verr.Add(PurposeHeader, "Say what the read is for on one line, in %d characters or fewer", maxPurpose)
		return "", verr
	case purpose == "":
		return "", ErrPurposeMissing
	}
	return purpose, nil
}

// listPurpose is the justification logged for a list or a search, whose
// results show records too: what it was (why) and, for a token, the
// purpose the request gives, which a token must give before anything is
// read, as for a read of one record. A person in the web pages lists
// without being asked.
func listPurpose(a domain.Actor, why string) (string, error) {
	if a.Kind != domain.ActorToken {
		return why, nil
	}
	purpose, err := tokenPurpose(a)
	if err != nil {
		return "", err
	}
	return why + ": " + purpose, nil
}
