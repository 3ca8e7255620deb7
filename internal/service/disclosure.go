package service

import (
	"context"
	"database/sql"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// disclosed is what an export gave out: the kind of record, the records (or,
// for figures drawn from records, none), how many records the file draws
// on, and a label for the audit log.
type disclosed struct {
	RecordType  string
	RecordIDs   []string
	RecordCount int
	Label       string
}

// recordDisclosure writes, in tx, what every export writes before any byte
// of the file leaves: a disclosure record (purpose, recipients, the
// agreement relied on or the ad hoc justification and its approver) and a
// "disclosure" audit entry whose justification is the purpose (with the ad
// hoc lawful basis when no agreement covers it). d must have passed
// checkDisclosure, which returned approver.
func recordDisclosure(ctx context.Context, tx *sql.Tx, st *store.Store, alog *audit.Log, a domain.Actor, d Disclosure, approver string,
	what disclosed, now time.Time) error {
	why := d.Purpose
	if d.ISAID == "" {
		why += " (ad hoc: " + d.Justification + ")"
	}
	if err := st.InsertDisclosure(ctx, tx, store.DisclosureRecord{PartnershipID: a.PartnershipID, ActorID: a.UserID, AgencyID: a.AgencyID,
		RecordType: what.RecordType, RecordCount: what.RecordCount, Purpose: d.Purpose, Recipients: d.Recipients, ISAID: d.ISAID,
		Justification: d.Justification, ApprovedBy: approver, Channel: "export", At: now.UTC()}); err != nil {
		return err
	}
	_, err := alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Disclosure, RecordType: what.RecordType,
		RecordIDs: what.RecordIDs, Label: what.Label, Justification: why, Recipients: d.Recipients, ISAID: d.ISAID})
	return err
}
