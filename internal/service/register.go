package service

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Register is the OCG register use case: propose, edit and read groups,
// move them through their lifecycle, keep their members and links, and
// keep their 4P plans. Every read goes through the scoped store queries
// and is logged as a consultation; every write is audited in its own
// transaction.
type Register struct {
	policyUser
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewRegister returns the service. Collection, alteration, consultation
// and combination are written to alog.
func NewRegister(st *store.Store, log *slog.Logger, alog *audit.Log) *Register {
	if log == nil {
		log = slog.Default()
	}
	return &Register{st: st, log: log, alog: alog}
}

// Policy returns the access policy built from the current role permissions.
func (g *Register) Policy(ctx context.Context) (authz.Policy, error) {
	return g.policyOf(ctx, g.st)
}

// Allowed reports whether a may do act to records of kind at all.
func (g *Register) Allowed(ctx context.Context, a domain.Actor, act authz.Action, kind domain.RecordKind) bool {
	p, err := g.Policy(ctx)
	return err == nil && p.Allowed(a, act, kind)
}

// Threats lists the threat reference data.
func (g *Register) Threats(ctx context.Context) ([]domain.Threat, error) { return g.st.Threats(ctx) }

// FlagTypes lists the flags a person may carry.
func (g *Register) FlagTypes(ctx context.Context) ([]store.FlagType, error) {
	return g.st.PersonFlagTypes(ctx)
}

// today is the store clock's day in the UK (domain.UKDay).
func (g *Register) today() time.Time { return domain.UKDay(g.st.Now()) }

// logConsultation records that a was shown records, in its own
// transaction (a disclosure for a partner system, whose agreement must be
// in force even for an empty list). Nothing is logged for an empty list.
func (g *Register) logConsultation(ctx context.Context, a domain.Actor, kind domain.RecordKind, ids []string, label, why string) error {
	rl := readLog{st: g.st, alog: g.alog}
	isa, system, err := rl.systemRead(ctx, a)
	if err != nil || len(ids) == 0 {
		return err
	}
	return g.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		return rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(kind),
			RecordIDs: ids, Label: label, Justification: why}, isa, system)
	})
}

// linkedIDs returns the records at the far ends of links from self, by
// kind, leaving out those in skip (already logged).
func linkedIDs(links []domain.Link, self string, skip []string) map[domain.NodeKind][]string {
	out := map[domain.NodeKind][]string{}
	for _, l := range links {
		kind, id := l.ToKind, l.ToID
		if id == self {
			kind, id = l.FromKind, l.FromID
		}
		if id == self || slices.Contains(skip, id) || slices.Contains(out[kind], id) {
			continue
		}
		out[kind] = append(out[kind], id)
	}
	return out
}

// logLinked records the consultation of the records a page names through
// its links, one entry per record type.
func (g *Register) logLinked(ctx context.Context, tx *sql.Tx, rl readLog, a domain.Actor, linked map[domain.NodeKind][]string, label, why string,
	isa domain.ISA, system bool) error {
	for _, k := range []domain.NodeKind{domain.NodeEntity, domain.NodeOCG} {
		if len(linked[k]) == 0 {
			continue
		}
		rt := domain.KindEntity
		if k == domain.NodeOCG {
			rt = domain.KindOCG
		}
		if err := rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(rt), RecordIDs: linked[k],
			Label: label, Justification: why}, isa, system); err != nil {
			return err
		}
	}
	return nil
}

// purpose returns why a is reading record id (see readPurpose).
func (g *Register) purpose(ctx context.Context, a domain.Actor, id, createdBy, ref, title string) (string, error) {
	return readPurpose(ctx, g.st, a, id, createdBy, ref, title)
}

// GivePurpose records why a is opening group or entity id, for the rest of
// their session. It checks a may see the record and the purpose is one of
// the list (with an explanation for "other").
func (g *Register) GivePurpose(ctx context.Context, a domain.Actor, id, purpose, detail string) error {
	p, err := g.Policy(ctx)
	if err != nil {
		return err
	}
	if _, err := g.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx); err != nil {
		if _, err := g.st.NewEntityQuery(p, a, authz.View).WithID(id).One(ctx); err != nil {
			return err
		}
	}
	return recordPurpose(ctx, g.st, a, id, purpose, detail)
}

// activeUser returns the active user with id in a's partnership.
func (g *Register) activeUser(ctx context.Context, a domain.Actor, id string) (domain.User, error) {
	c, err := g.st.CredentialsByID(ctx, g.st.Reader(), id)
	if err != nil || c.User.PartnershipID != a.PartnershipID || !c.User.Active {
		return domain.User{}, domain.NotFound("user", id)
	}
	return c.User, nil
}

// Users lists the partnership's active users, for choosing an LRO or SRO.
func (g *Register) Users(ctx context.Context, a domain.Actor) ([]domain.User, error) {
	users, err := g.st.Users(ctx, a.PartnershipID)
	if err != nil {
		return nil, err
	}
	out := users[:0]
	for _, u := range users {
		if u.Active {
			out = append(out, u)
		}
	}
	return out, nil
}

// NodeRef names a group or entity without its content: what a form needs
// to turn a typed reference into the record it means.
type NodeRef struct {
	Kind      domain.NodeKind
	Entity    domain.EntityKind // for entities
	ID        string
	Reference string
}

// Resolve finds the group or entity a may see whose id or reference is
// key (e.g. "OCG-2026-0042", "P-000123"), or not found. It returns only
// the kind, id and reference, so it is not a consultation of the record.
// A reference several visible records share (references are unique per
// originating agency, decision 17) means the one from a's agency; failing
// that it is not found.
func (g *Register) Resolve(ctx context.Context, a domain.Actor, key string) (NodeRef, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return NodeRef{}, domain.NotFound("record", "")
	}
	p, err := g.Policy(ctx)
	if err != nil {
		return NodeRef{}, err
	}
	if _, err := uuid.Parse(key); err != nil {
		key = strings.ToUpper(key)
		nodes, err := g.st.NodesByReference(ctx, g.st.Reader(), p, a, authz.View, []string{key})
		if err != nil {
			return NodeRef{}, err
		}
		n, ok := nodes[key]
		if !ok || n.Ambiguous {
			return NodeRef{}, domain.NotFound("record", key)
		}
		return NodeRef{Kind: n.Kind, Entity: n.EntityKind, ID: n.ID, Reference: n.Reference}, nil
	}
	if o, err := g.st.NewOCGQuery(p, a, authz.View).WithID(key).One(ctx); err == nil {
		return NodeRef{Kind: domain.NodeOCG, ID: o.ID, Reference: o.Reference}, nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return NodeRef{}, err
	}
	e, err := g.st.NewEntityQuery(p, a, authz.View).WithID(key).One(ctx)
	if err != nil {
		return NodeRef{}, err
	}
	return NodeRef{Kind: domain.NodeEntity, Entity: e.Kind, ID: e.ID, Reference: e.Reference}, nil
}
