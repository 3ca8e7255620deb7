// Package demo builds the demo partnership: North Yorkshire's Project
// Alliance with the real districts and wards (ONS 2013 boundaries, embedded),
// the agencies the partnership's documents name, and users for every role.
// Names of people are synthetic and drawn from a fixed seed, so every load
// produces the same data. The whole demo is written in one transaction:
// a database holds either all of it or none of it.
package demo

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/domain"
	"alliance/internal/store"
)

//go:embed geodata/north_yorkshire_wards_2013.geojson
var wardsGeoJSON []byte

// Seed is the fixed seed of the demo's random choices.
const Seed = 20240401

// Slug is the demo partnership's slug.
const Slug = "north-yorkshire"

// MetaKey is the app_meta key that records the demo version loaded.
const MetaKey = "demo.version"

// Version is bumped when the demo's content changes.
const Version = "7"

// Password is every demo account's password. Demo accounts sign in without a
// second factor, and every page says so while one is signed in.
const Password = "alliance-demo-partnership"

// ErrNotEmpty means the database already holds a partnership, so the demo
// was not loaded.
var ErrNotEmpty = errors.New("demo: the database already holds data")

// Options tune a load.
type Options struct {
	// StepDelay pauses between steps inside the transaction. Tests use it to
	// kill a process in the middle of a load; it is zero otherwise.
	StepDelay time.Duration
	// Progress, when set, is told after each step is written (not yet
	// committed): its name, its number and how many steps there are.
	Progress func(step string, n, of int)
	// Hasher hashes the demo password; default argon2id at the default cost.
	Hasher *auth.Hasher
	// Audit records the demo's own history (the reports it submits, who
	// read them, an export). Required: nothing is written unlogged.
	Audit *audit.Log
}

// Result says what a load wrote.
type Result struct {
	Partnership domain.Partnership
	Agencies    int
	OrgUnits    int
	Users       []domain.User
}

// Load writes the demo partnership into an empty database. It returns
// ErrNotEmpty, and writes nothing, when any partnership exists.
func Load(ctx context.Context, s *store.Store, opts Options) (Result, error) {
	if opts.Audit == nil {
		return Result{}, errors.New("demo: no audit log")
	}
	// Cheap check first: a second start must not pay for a password hash.
	if n, err := s.CountPartnerships(ctx, s.Reader()); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	} else if n > 0 {
		return Result{}, ErrNotEmpty
	}
	hasher := opts.Hasher
	if hasher == nil {
		hasher = auth.NewHasher(auth.DefaultArgon2, 1)
	}
	// One hash for every demo account: they share the one published
	// password. It is worked out while the load draws and writes the rest,
	// and written last.
	hctx, stopHash := context.WithCancel(ctx)
	hash := hashInBackground(hctx, hasher)
	defer func() { stopHash(); <-hash.done }() // nothing outlives the load
	var res Result
	err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res = Result{}
		n, err := s.CountPartnerships(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrNotEmpty
		}
		b := &builder{s: s, tx: tx, rng: rand.New(rand.NewPCG(Seed, Seed)), delay: opts.StepDelay, res: &res, hash: hash, alog: opts.Audit}
		steps := []struct {
			name string
			run  func(context.Context) error
		}{{"partnership", b.partnership}, {"areas", b.areas}, {"agencies", b.agencies}, {"users", b.users}, {"sharing", b.sharing}, {"reports", b.reports},
			{"register", b.register}, {"submissions", b.submissions}, {"sanitised", b.sanitised}, {"programmes", b.programmes}, {"nrm", b.nrm}}
		for i, step := range steps {
			if err := step.run(ctx); err != nil {
				return err
			}
			if opts.Progress != nil {
				opts.Progress(step.name, i+1, len(steps))
			}
			if err := b.pause(ctx); err != nil {
				return err
			}
		}
		if err := b.flushAudit(ctx); err != nil {
			return err
		}
		if err := b.passwords(ctx); err != nil {
			return err
		}
		return s.SetMeta(ctx, tx, MetaKey, Version)
	})
	if err != nil {
		if errors.Is(err, ErrNotEmpty) {
			return Result{}, ErrNotEmpty
		}
		if errors.Is(err, domain.ErrConflict) {
			// Another process loaded it between our check and our insert.
			return Result{}, ErrNotEmpty
		}
		return Result{}, fmt.Errorf("demo: load: %w", err)
	}
	return res, nil
}

// passwordHash is the demo password's hash, worked out in the background.
type passwordHash struct {
	done chan struct{}
	hash string
	err  error
}

// hashInBackground starts hashing the demo password with hasher.
func hashInBackground(ctx context.Context, hasher *auth.Hasher) *passwordHash {
	h := &passwordHash{done: make(chan struct{})}
	go func() {
		defer close(h.done)
		h.hash, h.err = hasher.Hash(ctx, Password)
	}()
	return h
}

// wait returns the hash once it is worked out.
func (h *passwordHash) wait(ctx context.Context) (string, error) {
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-h.done:
	}
	if h.err != nil {
		return "", fmt.Errorf("demo: hash password: %w", h.err)
	}
	return h.hash, nil
}

type builder struct {
	s       *store.Store
	tx      *sql.Tx
	rng     *rand.Rand
	delay   time.Duration
	res     *Result
	agency  map[string]domain.Agency // by short name
	hash    *passwordHash
	alog    *audit.Log
	byEmail map[string]domain.User
	isaIDs  []string
	// reportIDs are the demo's information reports, by title.
	reportIDs map[string]string
	unitIDs   map[string]string // by ONS code
	wards     []wardFeature
	// entries are the demo's audit entries, in the order its work was
	// done, until flushAudit appends them.
	entries []audit.Event
}

// record notes e, the work of a, for the partnership's audit chain; the
// demo's entries carry the request ID "demo". It takes the entry's ID and
// time now, as Append would, and flushAudit appends every entry, in order,
// in the demo's transaction before it commits: the load writes none of its
// records without their entries.
func (b *builder) record(_ context.Context, a domain.Actor, e audit.Entry) error {
	if a.PartnershipID == "" || a.PartnershipID != b.res.Partnership.ID {
		return fmt.Errorf("demo: audit entry %q by %s: not a demo user", e.Label, a.Email)
	}
	b.entries = append(b.entries, audit.Event{ID: b.s.NewID(), At: b.s.Now(), ActorID: a.UserID, ActorName: a.DisplayName,
		AgencyID: a.AgencyID, AgencyName: a.AgencyName, Operation: e.Operation, RecordType: e.RecordType, RecordIDs: e.RecordIDs,
		Label: e.Label, Fields: e.Fields, Justification: e.Justification, Recipients: e.Recipients, ISAID: e.ISAID, RequestID: "demo"})
	return nil
}

// flushAudit appends the entries recorded to the demo partnership's chain
// through the audit log's AppendBatch: the same chained, hashed entries as
// one Append each, in a few statements instead of several per entry.
func (b *builder) flushAudit(ctx context.Context) error {
	if err := b.alog.AppendBatch(ctx, b.s.Dialect(), b.tx, b.res.Partnership.ID, b.entries); err != nil {
		return fmt.Errorf("demo: audit: %w", err)
	}
	b.entries = nil
	return nil
}

func (b *builder) pause(ctx context.Context) error {
	if b.delay <= 0 {
		return nil
	}
	t := time.NewTimer(b.delay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (b *builder) partnership(ctx context.Context) error {
	p := domain.Partnership{
		Slug:       Slug,
		Name:       "North Yorkshire: Project Alliance",
		Programme:  "Project Alliance",
		RegionCode: "E12000003",
	}
	if err := b.s.InsertPartnership(ctx, b.tx, &p); err != nil {
		return err
	}
	b.res.Partnership = p
	return nil
}

type wardFeature struct {
	Properties struct {
		WardCode string `json:"ward_code"`
		WardName string `json:"ward_name"`
		LADCode  string `json:"lad_code"`
		LADName  string `json:"lad_name"`
	} `json:"properties"`
	Geometry json.RawMessage `json:"geometry"`
}

// Wards parses the embedded North Yorkshire ward boundaries.
func Wards() ([]wardFeature, error) {
	var fc struct {
		Features []wardFeature `json:"features"`
	}
	if err := json.Unmarshal(wardsGeoJSON, &fc); err != nil {
		return nil, fmt.Errorf("demo: parse ward boundaries: %w", err)
	}
	return fc.Features, nil
}

func (b *builder) areas(ctx context.Context) error {
	wards, err := Wards()
	if err != nil {
		return err
	}
	b.wards = wards
	pid := b.res.Partnership.ID
	region := store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: b.s.NewID(), PartnershipID: pid, Level: domain.LevelRegion, Code: "E12000003", Name: "Yorkshire and The Humber"}}
	force := store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: b.s.NewID(), PartnershipID: pid, ParentID: region.ID, Level: domain.LevelForce, Code: "E23000009", Name: "North Yorkshire"}}
	units := []store.OrgUnitRow{region, force}
	districts := map[string]string{} // LAD code → unit ID
	for _, w := range wards {
		p := w.Properties
		if _, ok := districts[p.LADCode]; !ok {
			d := store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: b.s.NewID(), PartnershipID: pid, ParentID: force.ID, Level: domain.LevelDistrict, Code: p.LADCode, Name: p.LADName}}
			districts[p.LADCode] = d.ID
			units = append(units, d)
		}
	}
	for _, w := range wards {
		p := w.Properties
		units = append(units, store.OrgUnitRow{
			OrgUnit:  domain.OrgUnit{ID: b.s.NewID(), PartnershipID: pid, ParentID: districts[p.LADCode], Level: domain.LevelWard, Code: p.WardCode, Name: p.WardName},
			Boundary: string(w.Geometry),
		})
	}
	if err := b.s.InsertOrgUnits(ctx, b.tx, units); err != nil {
		return err
	}
	b.unitIDs = make(map[string]string, len(units))
	for _, u := range units {
		b.unitIDs[u.Code] = u.ID
	}
	b.res.OrgUnits = len(units)
	return nil
}

// agencySpec is one demo agency. Domain is the e-mail domain of its demo
// users (under the reserved .example top-level domain).
type agencySpec struct {
	Short, Name string
	Type        domain.AgencyType
	Domain      string
}

var agencySpecs = []agencySpec{
	{"NYP", "North Yorkshire Police", domain.AgencyPolice, "nyp.example"},
	{"YHROCU", "Yorkshire and Humber Regional Organised Crime Unit", domain.AgencyROCU, "rocu.example"},
	{"NYC", "North Yorkshire Council", domain.AgencyLocalAuthority, "nyc.example"},
	{"CYC", "City of York Council", domain.AgencyLocalAuthority, "york.example"},
	{"NYFRS", "North Yorkshire Fire and Rescue Service", domain.AgencyFireRescue, "nyfrs.example"},
	{"HNY ICB", "NHS Humber and North Yorkshire Integrated Care Board", domain.AgencyHealth, "icb.example"},
	{"TEWV", "Tees, Esk and Wear Valleys NHS Foundation Trust", domain.AgencyHealth, "tewv.example"},
	{"HMRC", "HM Revenue and Customs", domain.AgencyHMRC, "hmrc.example"},
	{"DWP", "Department for Work and Pensions", domain.AgencyDWP, "dwp.example"},
	{"PS", "Probation Service (Yorkshire and the Humber)", domain.AgencyProbation, "probation.example"},
	{"Broadacres", "Broadacres Housing Association", domain.AgencyHousing, "broadacres.example"},
	{"SYP", "Safer York Partnership", domain.AgencyCSP, "saferyork.example"},
	{"NYCSP", "North Yorkshire Community Safety Partnership", domain.AgencyCSP, "nycsp.example"},
	{"StGiles", "St Giles Trust", domain.AgencyCharity, "stgiles.example"},
}

func (b *builder) agencies(ctx context.Context) error {
	list := make([]domain.Agency, len(agencySpecs))
	for i, a := range agencySpecs {
		list[i] = domain.Agency{PartnershipID: b.res.Partnership.ID, Name: a.Name, ShortName: a.Short, Type: a.Type}
	}
	if err := b.s.InsertAgencies(ctx, b.tx, list); err != nil {
		return err
	}
	b.agency = make(map[string]domain.Agency, len(list))
	for _, a := range list {
		b.agency[a.ShortName] = a
	}
	b.res.Agencies = len(list)
	return nil
}

// userSpec is one demo account: the local part of its e-mail address, its
// agency and its roles.
type userSpec struct {
	Local  string
	Agency string
	Roles  []domain.Role
}

var userSpecs = []userSpec{
	{"admin", "NYP", []domain.Role{domain.RoleAdministrator}},
	{"admin", "NYC", []domain.Role{domain.RoleAdministrator}},
	{"analyst", "NYP", []domain.Role{domain.RoleAnalyst}},
	{"analyst2", "NYP", []domain.Role{domain.RoleAnalyst}},
	{"analyst", "YHROCU", []domain.Role{domain.RoleAnalyst}},
	{"lro", "NYP", []domain.Role{domain.RoleLRO}},
	{"lro", "CYC", []domain.Role{domain.RoleLRO, domain.RolePartnerOfficer}},
	{"lro", "NYC", []domain.Role{domain.RoleLRO, domain.RolePartnerOfficer}},
	{"officer", "NYC", []domain.Role{domain.RolePartnerOfficer}},
	{"officer", "CYC", []domain.Role{domain.RolePartnerOfficer}},
	{"officer", "NYFRS", []domain.Role{domain.RolePartnerOfficer}},
	{"officer", "HNY ICB", []domain.Role{domain.RolePartnerOfficer}},
	{"officer", "TEWV", []domain.Role{domain.RolePartnerOfficer}},
	{"officer", "HMRC", []domain.Role{domain.RolePartnerOfficer}},
	{"officer", "DWP", []domain.Role{domain.RolePartnerOfficer}},
	{"officer", "PS", []domain.Role{domain.RolePartnerOfficer}},
	{"officer", "Broadacres", []domain.Role{domain.RolePartnerOfficer}},
	{"officer", "StGiles", []domain.Role{domain.RolePartnerOfficer}},
	{"panel", "NYP", []domain.Role{domain.RolePanelMember}},
	{"panel", "NYC", []domain.Role{domain.RolePanelMember}},
	{"panel", "NYFRS", []domain.Role{domain.RolePanelMember}},
	{"board", "NYP", []domain.Role{domain.RoleBoardViewer}},
	{"board", "NYC", []domain.Role{domain.RoleBoardViewer}},
	{"board", "CYC", []domain.Role{domain.RoleBoardViewer}},
	{"referrals", "SYP", []domain.Role{domain.RoleReferralCoordinator}},
	{"referrals", "NYCSP", []domain.Role{domain.RoleReferralCoordinator}},
	{"referrals", "StGiles", []domain.Role{domain.RoleReferralCoordinator, domain.RolePartnerOfficer}},
	{"dpo", "NYP", []domain.Role{domain.RoleAuditor}},
	{"dpo", "NYC", []domain.Role{domain.RoleAuditor}},
}

// Synthetic name parts. None is meant to be a real person.
var (
	givenNames = []string{"Aisha", "Ben", "Chloe", "Daniel", "Ellie", "Faisal", "Grace", "Harry", "Imogen", "Jack",
		"Kiran", "Laura", "Mohammed", "Niamh", "Oliver", "Priya", "Rory", "Sophie", "Tom", "Zara"}
	familyNames = []string{"Ashworth", "Brennan", "Chowdhury", "Dawson", "Ellis", "Fenwick", "Garside", "Hartley",
		"Iqbal", "Jowett", "Kaur", "Lister", "Metcalfe", "Nolan", "Okafor", "Pickersgill", "Rahman", "Sutcliffe",
		"Thwaite", "Wainwright"}
)

func (b *builder) users(ctx context.Context) error {
	users := make([]domain.User, 0, len(userSpecs))
	for _, u := range userSpecs {
		spec, ok := specByShort(u.Agency)
		if !ok {
			return fmt.Errorf("demo: user %s names unknown agency %s", u.Local, u.Agency)
		}
		name := givenNames[b.rng.IntN(len(givenNames))] + " " + familyNames[b.rng.IntN(len(familyNames))]
		users = append(users, domain.User{
			PartnershipID: b.res.Partnership.ID,
			AgencyID:      b.agency[u.Agency].ID,
			Email:         u.Local + "@" + spec.Domain,
			DisplayName:   name,
			Active:        true,
			Roles:         u.Roles,
		})
	}
	if err := b.s.InsertUsers(ctx, b.tx, users); err != nil {
		return err
	}
	b.res.Users = users
	b.byEmail = map[string]domain.User{}
	for _, u := range users {
		b.byEmail[u.Email] = u
	}
	return nil
}

// passwords gives every demo account the published password's hash, and
// exempts it from the second factor, once the hash is worked out.
func (b *builder) passwords(ctx context.Context) error {
	hash, err := b.hash.wait(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, len(b.res.Users))
	for i, u := range b.res.Users {
		ids[i] = u.ID
	}
	return b.s.SetSharedPassword(ctx, b.tx, ids, hash, true)
}

func specByShort(short string) (agencySpec, bool) {
	for _, a := range agencySpecs {
		if strings.EqualFold(a.Short, short) {
			return a, true
		}
	}
	return agencySpec{}, false
}
