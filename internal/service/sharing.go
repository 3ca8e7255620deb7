package service

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Sharing is the register of information sharing agreements, kept by
// administrators and read by anyone who discloses records.
type Sharing struct {
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewSharing returns the service.
func NewSharing(st *store.Store, log *slog.Logger, alog *audit.Log) *Sharing {
	if log == nil {
		log = slog.Default()
	}
	return &Sharing{st: st, log: log, alog: alog}
}

// Now is the service's clock.
func (sh *Sharing) Now() time.Time { return sh.st.Now() }

// List returns the partnership's agreements.
func (sh *Sharing) List(ctx context.Context, a domain.Actor) ([]domain.ISA, error) {
	if a.Anonymous() {
		return nil, domain.ErrForbidden
	}
	return sh.st.ISAs(ctx, a.PartnershipID)
}

// Get returns one agreement of the partnership.
func (sh *Sharing) Get(ctx context.Context, a domain.Actor, id string) (domain.ISA, error) {
	list, err := sh.List(ctx, a)
	if err != nil {
		return domain.ISA{}, err
	}
	for _, i := range list {
		if i.ID == id {
			return i, nil
		}
	}
	return domain.ISA{}, domain.NotFound("sharing agreement", id)
}

// UsableBy lists the agreements a's agency is party to that disclosures may
// rely on now.
func (sh *Sharing) UsableBy(ctx context.Context, a domain.Actor) ([]domain.ISA, error) {
	list, err := sh.List(ctx, a)
	if err != nil {
		return nil, err
	}
	now := sh.st.Now()
	var out []domain.ISA
	for _, i := range list {
		if ok, _ := i.Usable(now); ok && i.HasParty(a.AgencyID) {
			out = append(out, i)
		}
	}
	return out, nil
}

// ISAInput is a new agreement as the form gives it.
type ISAInput struct {
	Reference, Title, Purposes, DataCategories, Gateways, Regime string
	StartsOn, EndsOn, ReviewOn                                   string // YYYY-MM-DD
	Parties                                                      []string
}

func parseDay(s string) (time.Time, bool) { return domain.ParseDay(s) }

// Create adds an agreement (administrators only), active from its start.
func (sh *Sharing) Create(ctx context.Context, a domain.Actor, in ISAInput) (domain.ISA, error) {
	if err := mustAdmin(a); err != nil {
		return domain.ISA{}, err
	}
	verr := &domain.ValidationError{}
	i := domain.ISA{PartnershipID: a.PartnershipID, Reference: strings.TrimSpace(in.Reference), Title: strings.TrimSpace(in.Title),
		Purposes: strings.TrimSpace(in.Purposes), DataCategories: strings.TrimSpace(in.DataCategories), Gateways: strings.TrimSpace(in.Gateways),
		Regime: in.Regime, Status: "active"}
	text := func(field, v, what string) {
		if v == "" || utf8.RuneCountInString(v) > 2000 {
			verr.Add(field, "Enter %s (2,000 characters or fewer)", what)
		}
	}
	text("reference", i.Reference, "the agreement's reference")
	text("title", i.Title, "a title")
	text("purposes", i.Purposes, "the purposes of the sharing")
	text("data_categories", i.DataCategories, "the categories of data shared")
	text("gateways", i.Gateways, "the legal gateways, like Crime and Disorder Act 1998 s.115")
	if _, ok := domain.Regimes[i.Regime]; !ok {
		verr.Add("regime", "Choose the data protection regime")
	}
	var ok bool
	if i.StartsOn, ok = parseDay(in.StartsOn); !ok {
		verr.Add("starts_on", "Enter the start date, for example 1/4/2026")
	}
	if i.ReviewOn, ok = parseDay(in.ReviewOn); !ok {
		verr.Add("review_on", "Enter the review date, for example 1/4/2027")
	}
	if strings.TrimSpace(in.EndsOn) != "" {
		if i.EndsOn, ok = parseDay(in.EndsOn); !ok {
			verr.Add("ends_on", "Enter the end date, for example 31/3/2028, or leave it empty")
		} else if i.EndsOn.Before(i.StartsOn) {
			verr.Add("ends_on", "The end date must be after the start date")
		}
	}
	agencies, err := sh.st.Agencies(ctx, a.PartnershipID)
	if err != nil {
		return domain.ISA{}, err
	}
	known := map[string]bool{}
	for _, ag := range agencies {
		known[ag.ID] = true
	}
	for _, p := range in.Parties {
		if !known[p] {
			verr.Add("parties", "Choose agencies of this partnership")
			break
		}
		i.Parties = append(i.Parties, p)
	}
	if len(i.Parties) < 2 && !verr.Has("parties") {
		verr.Add("parties", "Choose at least two parties to the agreement")
	}
	if err := verr.Err(); err != nil {
		return domain.ISA{}, err
	}
	err = sh.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := sh.st.InsertISA(ctx, tx, &i); err != nil {
			return err
		}
		_, err := sh.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: "isa", RecordIDs: []string{i.ID}, Label: i.Reference})
		return err
	})
	if err != nil && strings.Contains(err.Error(), "already exists") {
		verr.Add("reference", "An agreement with this reference already exists")
		return domain.ISA{}, verr
	}
	return i, err
}

// SetStatus suspends, reactivates or withdraws an agreement.
func (sh *Sharing) SetStatus(ctx context.Context, a domain.Actor, id, status string) error {
	if err := mustAdmin(a); err != nil {
		return err
	}
	i, err := sh.Get(ctx, a, id)
	if err != nil {
		return err
	}
	valid := false
	for _, s := range domain.ISAStatuses {
		valid = valid || s == status
	}
	if !valid {
		verr := &domain.ValidationError{}
		verr.Add("status", "Choose a status")
		return verr
	}
	return sh.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := sh.st.SetISAStatus(ctx, tx, a.PartnershipID, id, status); err != nil {
			return err
		}
		_, err := sh.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: "isa", RecordIDs: []string{id},
			Label: i.Reference, Fields: []string{"status"}})
		return err
	})
}
