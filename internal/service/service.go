// Package service holds Alliance's use cases. Each exported method is one
// unit of work: it checks what it is given, runs in one transaction when it
// writes, and returns domain errors that transports map to responses. The
// web pages, the JSON API and the command line all call the same methods;
// there is no second implementation of any rule.
package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/store"
	"alliance/internal/store/dialect"
)

// Service is the use-case layer. It is safe for concurrent use.
type Service struct {
	store *store.Store
	log   *slog.Logger
}

// New returns a Service over st.
func New(st *store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: st, log: log}
}

// Ready reports whether the database answers.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ping(ctx) }

// Partnership returns the partnership with slug, or the first by name when
// slug is "". It returns a not-found error when there is none.
func (s *Service) Partnership(ctx context.Context, slug string) (domain.Partnership, error) {
	if slug != "" {
		return s.store.PartnershipBySlug(ctx, slug)
	}
	all, err := s.store.Partnerships(ctx)
	if err != nil {
		return domain.Partnership{}, err
	}
	if len(all) == 0 {
		return domain.Partnership{}, domain.NotFound("partnership", "any")
	}
	return all[0], nil
}

// PartnershipByID returns the partnership with id.
func (s *Service) PartnershipByID(ctx context.Context, id string) (domain.Partnership, error) {
	return s.store.PartnershipByID(ctx, id)
}

// Partnerships lists every partnership.
func (s *Service) Partnerships(ctx context.Context) ([]domain.Partnership, error) {
	return s.store.Partnerships(ctx)
}

// Glance is the home page's picture of a partnership.
type Glance struct {
	Partnership domain.Partnership
	Region      domain.Region
	Overview    store.Overview
}

// AtAGlance returns the partnership's headline figures.
func (s *Service) AtAGlance(ctx context.Context, p domain.Partnership) (Glance, error) {
	g := Glance{Partnership: p}
	if p.RegionCode != "" {
		r, err := s.store.Region(ctx, p.RegionCode)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return g, err
		}
		g.Region = r
	}
	ov, err := s.store.PartnershipOverview(ctx, p.ID)
	if err != nil {
		return g, err
	}
	g.Overview = ov
	return g, nil
}

// AgencyTypes lists the agency type reference data.
func (s *Service) AgencyTypes(ctx context.Context) ([]domain.AgencyTypeInfo, error) {
	return s.store.AgencyTypes(ctx)
}

// Agencies lists the partnership's agencies.
func (s *Service) Agencies(ctx context.Context, p domain.Partnership) ([]domain.Agency, error) {
	return s.store.Agencies(ctx, p.ID)
}

// Areas lists the partnership's org units at level ("" for all).
func (s *Service) Areas(ctx context.Context, p domain.Partnership, level domain.OrgLevel) ([]domain.OrgUnit, error) {
	return s.store.OrgUnits(ctx, p.ID, level)
}

// AreaDetail is one org unit with its ancestors and children.
type AreaDetail struct {
	Unit     domain.OrgUnit
	Path     []domain.OrgUnit // from the root down to the unit's parent
	Children []domain.OrgUnit
}

// Area returns the org unit with ONS code, its path and its children.
func (s *Service) Area(ctx context.Context, p domain.Partnership, code string) (AreaDetail, error) {
	if !domain.ValidONSCode(code) {
		return AreaDetail{}, domain.NotFound("area", code)
	}
	u, err := s.store.OrgUnitByCode(ctx, s.store.Reader(), p.ID, code)
	if err != nil {
		return AreaDetail{}, err
	}
	path, err := s.store.OrgUnitPath(ctx, p.ID, u.ID)
	if err != nil {
		return AreaDetail{}, err
	}
	children, err := s.store.OrgUnitChildren(ctx, p.ID, u.ID)
	if err != nil {
		return AreaDetail{}, err
	}
	return AreaDetail{Unit: u, Path: path[:len(path)-1], Children: children}, nil
}

// AreaBoundary returns the org unit's boundary as GeoJSON geometry.
func (s *Service) AreaBoundary(ctx context.Context, p domain.Partnership, code string) (string, error) {
	if !domain.ValidONSCode(code) {
		return "", domain.NotFound("area", code)
	}
	return s.store.OrgUnitBoundary(ctx, p.ID, code)
}

// ImportResult says what an areas import did, or would do on a dry run.
type ImportResult struct {
	Created, Updated int
	DryRun           bool
}

var errDryRun = errors.New("dry run")

// ImportAreas adds or updates org units from rows in one transaction: all
// rows are stored or none. A row's parent may come earlier or later in the
// same file or already exist; it must sit exactly one level above. An
// existing code keeps its level and has its name, parent and population
// updated. With dryRun, everything is checked and nothing is stored.
func (s *Service) ImportAreas(ctx context.Context, p domain.Partnership, rows []importexport.AreaRow, dryRun bool) (ImportResult, error) {
	sorted := append([]importexport.AreaRow(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Level.Depth() < sorted[j].Level.Depth() })
	var res ImportResult
	err := s.store.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res = ImportResult{DryRun: dryRun}
		in := &areaImport{s: s, tx: tx, partnership: p.ID, res: &res, verr: &domain.ValidationError{}, known: map[string]domain.OrgUnit{}}
		for _, r := range sorted {
			if err := in.row(ctx, r); err != nil {
				return err
			}
		}
		if err := in.verr.Err(); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	if err != nil {
		return ImportResult{}, err
	}
	s.log.InfoContext(ctx, "areas imported", "partnership", p.Slug, "created", res.Created, "updated", res.Updated)
	return res, nil
}

// areaImport is the state of one areas import, in its transaction.
type areaImport struct {
	s           *Service
	tx          *sql.Tx
	partnership string
	res         *ImportResult
	verr        *domain.ValidationError
	known       map[string]domain.OrgUnit // code → unit, from the file or the database
}

// lookup finds the unit with code, from the file or the database.
func (in *areaImport) lookup(ctx context.Context, code string) (domain.OrgUnit, bool, error) {
	if u, ok := in.known[code]; ok {
		return u, true, nil
	}
	u, err := in.s.store.OrgUnitByCode(ctx, in.tx, in.partnership, code)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.OrgUnit{}, false, nil
	}
	if err != nil {
		return domain.OrgUnit{}, false, err
	}
	in.known[code] = u
	return u, true, nil
}

// row stores row r, or adds to in.verr why it cannot be stored.
func (in *areaImport) row(ctx context.Context, r importexport.AreaRow) error {
	field := func(col string) string { return fmt.Sprintf("row %d, column %s", r.Row, col) }
	row := store.OrgUnitRow{OrgUnit: domain.OrgUnit{PartnershipID: in.partnership, Level: r.Level, Code: r.Code, Name: r.Name, Population: r.Population}}
	if r.Level != domain.LevelRegion {
		parent, ok, err := in.lookup(ctx, r.ParentCode)
		if err != nil {
			return err
		}
		want := domain.OrgLevels[r.Level.Depth()-1]
		switch {
		case !ok:
			in.verr.Add(field("parent_code"), "no area has the code %s; add the %s first or in the same file", r.ParentCode, want)
			return nil
		case parent.Level != want:
			in.verr.Add(field("parent_code"), "%s is a %s; a %s's parent must be a %s", r.ParentCode, parent.Level, r.Level, want)
			return nil
		}
		row.ParentID = parent.ID
	}
	existing, ok, err := in.lookup(ctx, r.Code)
	if err != nil {
		return err
	}
	if ok && existing.CreatedAt.IsZero() {
		in.verr.Add(field("code"), "%s appears twice in the file", r.Code)
		return nil
	}
	if ok {
		if existing.Level != r.Level {
			in.verr.Add(field("level"), "%s already exists as a %s; an area's level cannot change", r.Code, existing.Level)
			return nil
		}
		row.ID = existing.ID
		if err := in.s.store.UpdateOrgUnit(ctx, in.tx, row); err != nil {
			return err
		}
		in.res.Updated++
		// Keep the existing unit marked as from the database.
		return nil
	}
	row.ID = in.s.store.NewID()
	if err := in.s.store.InsertOrgUnits(ctx, in.tx, []store.OrgUnitRow{row}); err != nil {
		return err
	}
	// A zero CreatedAt marks units created by this file, so a second row
	// with the same code is caught above.
	in.known[r.Code] = domain.OrgUnit{ID: row.ID, Level: r.Level, Code: r.Code}
	in.res.Created++
	return nil
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// PartnershipInput is what creating a partnership takes.
type PartnershipInput struct {
	Slug, Name, Programme, RegionCode string
}

// CreatePartnership validates in and stores a new partnership.
func (s *Service) CreatePartnership(ctx context.Context, in PartnershipInput) (domain.Partnership, error) {
	in.Slug = strings.TrimSpace(in.Slug)
	in.Name = strings.TrimSpace(in.Name)
	in.Programme = strings.TrimSpace(in.Programme)
	in.RegionCode = strings.ToUpper(strings.TrimSpace(in.RegionCode))
	verr := &domain.ValidationError{}
	switch {
	case in.Slug == "":
		verr.Add("slug", "Enter a short name for web addresses, like west-yorkshire")
	case len(in.Slug) > 60 || !slugPattern.MatchString(in.Slug):
		verr.Add("slug", "The short name must be 60 characters or fewer, using lower-case letters, digits and single hyphens")
	}
	switch {
	case in.Name == "":
		verr.Add("name", "Enter the partnership's name, like West Yorkshire: Programme Precision")
	case utf8.RuneCountInString(in.Name) > 200:
		verr.Add("name", "The name must be 200 characters or fewer")
	}
	if utf8.RuneCountInString(in.Programme) > 200 {
		verr.Add("programme", "The programme name must be 200 characters or fewer")
	}
	if in.RegionCode != "" {
		if _, err := s.store.Region(ctx, in.RegionCode); errors.Is(err, domain.ErrNotFound) {
			verr.Add("region", "%q is not a known region code, like E12000003 for Yorkshire and The Humber", in.RegionCode)
		} else if err != nil {
			return domain.Partnership{}, err
		}
	}
	if err := verr.Err(); err != nil {
		return domain.Partnership{}, err
	}
	p := domain.Partnership{Slug: in.Slug, Name: in.Name, Programme: in.Programme, RegionCode: in.RegionCode}
	err := s.store.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return s.store.InsertPartnership(ctx, tx, &p)
	})
	if errors.Is(err, domain.ErrConflict) {
		verr.Add("slug", "A partnership called %q already exists", in.Slug)
		return domain.Partnership{}, verr
	}
	return p, err
}

// Unavailable reports whether err says the database cannot serve for now
// (a full or failing disk, an outage, no connection to be had), as
// opposed to a fault, and names the cause in a few words for the log.
// Transports answer it with 503 "service unavailable"; dialect.IsUnavailable
// is where the engines' errors are told apart.
func Unavailable(err error) (cause string, ok bool) {
	if !dialect.IsUnavailable(err) {
		return "", false
	}
	return dialect.UnavailableCause(err), true
}

// currentPolicy is the access policy built from the role permissions as
// they stand: every use case reads it this one way.
func currentPolicy(ctx context.Context, st *store.Store) (authz.Policy, error) {
	grants, err := st.RoleGrants(ctx)
	if err != nil {
		return authz.Policy{}, err
	}
	return authz.New(grants), nil
}
