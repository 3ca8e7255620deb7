package service

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Auditing is the data protection officer's view of the log. Only auditors
// may read it, and every reading is itself logged.
type Auditing struct {
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewAuditing returns the service.
func NewAuditing(st *store.Store, log *slog.Logger, alog *audit.Log) *Auditing {
	if log == nil {
		log = slog.Default()
	}
	return &Auditing{st: st, log: log, alog: alog}
}

// AuditQuery is an auditor's search.
type AuditQuery struct {
	UserEmail, AgencyID, RecordID, Operation string
	From, To                                 time.Time // dates; To inclusive
	Page                                     int
}

// AuditResult is one page of a search.
type AuditResult struct {
	Events     []audit.Event
	Page       int
	HasNext    bool
	Query      AuditQuery
	UserName   string
	TotalInLog int64
}

// AuditPerPage is the page size of the auditor's views.
const AuditPerPage = 50

func (au *Auditing) filter(ctx context.Context, a domain.Actor, q AuditQuery) (store.AuditFilter, string, error) {
	if !a.Has(domain.RoleAuditor) {
		return store.AuditFilter{}, "", domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	f := store.AuditFilter{AgencyID: q.AgencyID, RecordID: strings.TrimSpace(q.RecordID), Operation: q.Operation}
	name := ""
	if e := strings.TrimSpace(q.UserEmail); e != "" {
		c, err := au.st.CredentialsByEmail(ctx, au.st.Reader(), e)
		if err != nil || c.User.PartnershipID != a.PartnershipID {
			verr.Add("user", "No user of this partnership has the email address %s", e)
		} else {
			f.ActorID, name = c.User.ID, c.User.DisplayName
		}
	}
	if q.Operation != "" {
		ok := false
		for _, op := range audit.Operations {
			ok = ok || string(op) == q.Operation
		}
		if !ok {
			verr.Add("operation", "Choose an operation from the list")
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		verr.Add("to", "The end date must be on or after the start date")
	}
	if err := verr.Err(); err != nil {
		return f, "", err
	}
	f.From = q.From
	if !q.To.IsZero() {
		f.To = q.To.AddDate(0, 0, 1)
	}
	return f, name, nil
}

func describe(q AuditQuery) string {
	var parts []string
	for _, kv := range [][2]string{{"user", q.UserEmail}, {"agency", q.AgencyID}, {"record", q.RecordID}, {"operation", q.Operation}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if !q.From.IsZero() {
		parts = append(parts, "from="+q.From.Format("2006-01-02"))
	}
	if !q.To.IsZero() {
		parts = append(parts, "to="+q.To.Format("2006-01-02"))
	}
	if len(parts) == 0 {
		return "all entries"
	}
	return strings.Join(parts, " ")
}

// Search returns a page of the log for an auditor, and logs that they
// consulted it.
func (au *Auditing) Search(ctx context.Context, a domain.Actor, q AuditQuery) (AuditResult, error) {
	f, name, err := au.filter(ctx, a, q)
	if err != nil {
		return AuditResult{}, err
	}
	q.Page = max(q.Page, 1)
	f.Limit, f.Offset = AuditPerPage, (q.Page-1)*AuditPerPage
	evs, err := au.st.SearchAudit(ctx, a.PartnershipID, f)
	if err != nil {
		return AuditResult{}, err
	}
	res := AuditResult{Page: q.Page, Query: q, UserName: name}
	if len(evs) > AuditPerPage {
		res.HasNext, evs = true, evs[:AuditPerPage]
	}
	res.Events = evs
	if res.TotalInLog, err = au.st.AuditEntries(ctx, a.PartnershipID); err != nil {
		return AuditResult{}, err
	}
	err = au.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		_, err := au.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: "audit_log",
			RecordIDs: nonEmpty(q.RecordID, f.ActorID), Label: describe(q), Justification: "Audit"})
		return err
	})
	return consulted(res, err)
}

func nonEmpty(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
