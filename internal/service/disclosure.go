package service

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/importexport"
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

// checkDisclosure validates why and to whom an export goes and what it
// relies on (an agreement in force that a's agency is party to, or an ad
// hoc justification approved by another named user with authority), for
// every export, returning the agreement's reference and the approver's
// user id. Problems are a *domain.ValidationError naming the fields.
func checkDisclosure(ctx context.Context, st *store.Store, a domain.Actor, d *Disclosure, now time.Time) (isaRef, approver string, err error) {
	verr := &domain.ValidationError{}
	d.Purpose, d.Recipients = strings.TrimSpace(d.Purpose), strings.TrimSpace(d.Recipients)
	if d.Purpose == "" || len(d.Purpose) > 500 {
		verr.Add("purpose", "Say why you are exporting these records (500 characters or fewer)")
	}
	if d.Recipients == "" || len(d.Recipients) > 500 {
		verr.Add("recipients", "Say who will receive the export (500 characters or fewer)")
	}
	switch {
	case d.ISAID == "" && !d.AdHoc:
		verr.Add("isa", "Choose the information sharing agreement this export relies on, or make an approved ad hoc disclosure")
	case d.ISAID != "":
		isas, err := st.ISAs(ctx, a.PartnershipID)
		if err != nil {
			return "", "", err
		}
		found := false
		for _, i := range isas {
			if i.ID != d.ISAID {
				continue
			}
			found = true
			if ok, why := i.Usable(now); !ok {
				verr.Add("isa", "You cannot rely on %s: %s. Choose another agreement or make an approved ad hoc disclosure", i.Reference, why)
			} else if !i.HasParty(a.AgencyID) {
				verr.Add("isa", "Your agency is not a party to %s", i.Reference)
			}
			isaRef = i.Reference
		}
		if !found {
			verr.Add("isa", "Choose an information sharing agreement")
		}
	default:
		d.Justification, d.ApproverEmail = strings.TrimSpace(d.Justification), strings.TrimSpace(d.ApproverEmail)
		if d.Justification == "" || len(d.Justification) > 1000 {
			verr.Add("justification", "Without an agreement, give the lawful basis for this disclosure (1,000 characters or fewer)")
		}
		c, err := st.CredentialsByEmail(ctx, st.Reader(), d.ApproverEmail)
		switch {
		case d.ApproverEmail == "":
			verr.Add("approver", "Without an agreement, name who approved this disclosure")
		case err != nil || c.User.PartnershipID != a.PartnershipID || !c.User.Active:
			verr.Add("approver", "%s is not an active user of this partnership", d.ApproverEmail)
		case c.User.ID == a.UserID:
			verr.Add("approver", "Someone other than you must approve an ad hoc disclosure")
		case c.ServiceAccount || !c.User.HasAnyRole(domain.RoleLRO, domain.RoleAnalyst, domain.RoleAdministrator, domain.RoleAuditor):
			verr.Add("approver", "%s cannot approve disclosures: choose a lead responsible officer, analyst, administrator or data protection officer", d.ApproverEmail)
		default:
			approver = c.User.ID
		}
	}
	return isaRef, approver, verr.Err()
}

func reliesOn(isaRef, justification string) string {
	if isaRef != "" {
		return "information sharing agreement " + isaRef
	}
	return "ad hoc disclosure, approved: " + justification
}

// ExportLimit bounds one export.
const ExportLimit = 100000

// Disclosure is why and to whom an export goes, and what it relies on: an
// information sharing agreement, or an ad hoc justification approved by a
// named user.
type Disclosure struct {
	Purpose, Recipients string
	ISAID               string // the agreement relied on
	AdHoc               bool   // no agreement: Justification and ApproverEmail instead
	Justification       string // ad hoc: why sharing without an agreement is lawful
	ApproverEmail       string // ad hoc: who approved it
}

// exportedBy is the provenance row of every export file, after the
// marking: who exported it, when, for what, to whom, and what the
// disclosure relies on (isaRef, from checkDisclosure).
func exportedBy(a domain.Actor, d Disclosure, isaRef string, now time.Time) string {
	return fmt.Sprintf("%s by %s (%s) on %s UTC for: %s. Recipients: %s. Relies on: %s.", importexport.ExportPreamble,
		a.DisplayName, a.AgencyName, now.UTC().Format("02/01/2006 15:04"), d.Purpose, d.Recipients, reliesOn(isaRef, d.Justification))
}
