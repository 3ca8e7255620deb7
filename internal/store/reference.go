package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"alliance/internal/domain"
	"alliance/internal/store/dialect"
)

const partnershipCols = `p.id, p.slug, p.name, p.programme, COALESCE(p.region_code, ''), p.created_at`

func scanPartnership(r interface{ Scan(...any) error }) (domain.Partnership, error) {
	var p domain.Partnership
	err := r.Scan(&p.ID, &p.Slug, &p.Name, &p.Programme, &p.RegionCode, &p.CreatedAt)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// Partnerships lists every partnership by name.
func (s *Store) Partnerships(ctx context.Context) ([]domain.Partnership, error) {
	return collect(ctx, s.rdb, "list partnerships",
		`SELECT `+partnershipCols+` FROM partnership p ORDER BY p.name, p.id`, nil,
		func(r *sql.Rows) (domain.Partnership, error) { return scanPartnership(r) })
}

// CountPartnerships returns how many partnerships exist.
func (s *Store) CountPartnerships(ctx context.Context, q Queryer) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM partnership`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count partnerships: %w", err)
	}
	return n, nil
}

// PartnershipBySlug returns the partnership with slug.
func (s *Store) PartnershipBySlug(ctx context.Context, slug string) (domain.Partnership, error) {
	p, err := scanPartnership(s.rdb.QueryRowContext(ctx,
		`SELECT `+partnershipCols+` FROM partnership p WHERE p.slug = $1`, slug))
	return p, one(err, "partnership by slug", domain.NotFound("partnership", slug))
}

// PartnershipByID returns the partnership with id.
func (s *Store) PartnershipByID(ctx context.Context, id string) (domain.Partnership, error) {
	p, err := scanPartnership(s.rdb.QueryRowContext(ctx,
		`SELECT `+partnershipCols+` FROM partnership p WHERE p.id = $1`, id))
	return p, one(err, "partnership by id", domain.NotFound("partnership", id))
}

// InsertPartnership stores p, filling ID and CreatedAt when empty.
func (s *Store) InsertPartnership(ctx context.Context, tx *sql.Tx, p *domain.Partnership) error {
	if p.ID == "" {
		p.ID = s.NewID()
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.Now()
	}
	var region any
	if p.RegionCode != "" {
		region = p.RegionCode
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO partnership (id, slug, name, programme, region_code, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, p.ID, p.Slug, p.Name, p.Programme, region, p.CreatedAt)
	if err != nil {
		if s.d.IsUniqueViolation(err) {
			return fmt.Errorf("store: partnership %q already exists: %w", p.Slug, domain.ErrConflict)
		}
		return fmt.Errorf("store: insert partnership: %w", err)
	}
	return nil
}

// Region returns the region with code.
func (s *Store) Region(ctx context.Context, code string) (domain.Region, error) {
	var r domain.Region
	err := s.rdb.QueryRowContext(ctx, `SELECT code, name FROM region WHERE code = $1`, code).Scan(&r.Code, &r.Name)
	return r, one(err, "region", domain.NotFound("region", code))
}

// AgencyTypes lists the agency type reference data in display order.
func (s *Store) AgencyTypes(ctx context.Context) ([]domain.AgencyTypeInfo, error) {
	return collect(ctx, s.rdb, "list agency types",
		`SELECT code, name, sort_order FROM agency_type ORDER BY sort_order, code`, nil,
		func(r *sql.Rows) (domain.AgencyTypeInfo, error) {
			var t domain.AgencyTypeInfo
			err := r.Scan(&t.Code, &t.Name, &t.SortOrder)
			return t, err
		})
}

// Roles lists the role reference data in display order.
func (s *Store) Roles(ctx context.Context) ([]domain.RoleInfo, error) {
	return collect(ctx, s.rdb, "list roles",
		`SELECT code, name, description, sort_order FROM role ORDER BY sort_order, code`, nil,
		func(r *sql.Rows) (domain.RoleInfo, error) {
			var t domain.RoleInfo
			err := r.Scan(&t.Code, &t.Name, &t.Description, &t.SortOrder)
			return t, err
		})
}

// Agencies lists a partnership's agencies by type order, then name.
func (s *Store) Agencies(ctx context.Context, partnershipID string) ([]domain.Agency, error) {
	return collect(ctx, s.rdb, "list agencies",
		`SELECT a.id, a.partnership_id, a.name, a.short_name, a.agency_type, t.name, a.created_at
		   FROM agency a JOIN agency_type t ON t.code = a.agency_type
		  WHERE a.partnership_id = $1
		  ORDER BY t.sort_order, a.name`, []any{partnershipID},
		func(r *sql.Rows) (domain.Agency, error) {
			var a domain.Agency
			err := r.Scan(&a.ID, &a.PartnershipID, &a.Name, &a.ShortName, &a.Type, &a.TypeName, &a.CreatedAt)
			a.CreatedAt = a.CreatedAt.UTC()
			return a, err
		})
}

// InsertAgencies stores agencies in bulk, filling empty IDs and times.
func (s *Store) InsertAgencies(ctx context.Context, tx *sql.Tx, agencies []domain.Agency) error {
	rows := make([][]any, len(agencies))
	for i := range agencies {
		a := &agencies[i]
		if a.ID == "" {
			a.ID = s.NewID()
		}
		if a.CreatedAt.IsZero() {
			a.CreatedAt = s.Now()
		}
		rows[i] = []any{a.ID, a.PartnershipID, a.Name, a.ShortName, string(a.Type), a.CreatedAt}
	}
	return s.mapInsertErr(dialect.InsertRows(ctx, s.d, tx, "agency",
		[]string{"id", "partnership_id", "name", "short_name", "agency_type", "created_at"}, rows), "agency")
}

func (s *Store) mapInsertErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if s.d.IsUniqueViolation(err) {
		return fmt.Errorf("store: a %s with that key already exists: %w", what, domain.ErrConflict)
	}
	return err
}

const orgUnitCols = `o.id, o.partnership_id, COALESCE(CAST(o.parent_id AS text), ''), o.level, o.code, o.name,
	COALESCE(o.population, 0), CASE WHEN o.boundary IS NULL THEN 0 ELSE 1 END, o.created_at`

func scanOrgUnit(r interface{ Scan(...any) error }) (domain.OrgUnit, error) {
	var o domain.OrgUnit
	var hasBoundary int
	err := r.Scan(&o.ID, &o.PartnershipID, &o.ParentID, &o.Level, &o.Code, &o.Name, &o.Population, &hasBoundary, &o.CreatedAt)
	o.HasBoundary = hasBoundary == 1
	o.CreatedAt = o.CreatedAt.UTC()
	return o, err
}

// OrgUnits lists a partnership's org units at level (all levels when level
// is ""), ordered by level from the top, then name.
func (s *Store) OrgUnits(ctx context.Context, partnershipID string, level domain.OrgLevel) ([]domain.OrgUnit, error) {
	return collect(ctx, s.rdb, "list org units",
		`SELECT `+orgUnitCols+` FROM org_unit o
		  WHERE o.partnership_id = $1 AND ($2 = '' OR o.level = $2)
		  ORDER BY CASE o.level WHEN 'region' THEN 0 WHEN 'force' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, o.name, o.code`,
		[]any{partnershipID, string(level)},
		func(r *sql.Rows) (domain.OrgUnit, error) { return scanOrgUnit(r) })
}

// OrgUnitTree lists a partnership's org units with what a performance
// view shows of them (ID, parent, level, code, name, population), by name:
// OrgUnits without the times and boundaries a dashboard does not use, since
// it reads every unit of the structure each time.
func (s *Store) OrgUnitTree(ctx context.Context, partnershipID string) ([]domain.OrgUnit, error) {
	return collect(ctx, s.rdb, "org unit tree",
		`SELECT CAST(o.id AS text), COALESCE(CAST(o.parent_id AS text), ''), o.level, o.code, o.name, COALESCE(o.population, 0)
		   FROM org_unit o WHERE o.partnership_id = $1 ORDER BY o.name, o.code`,
		[]any{partnershipID}, func(r *sql.Rows) (domain.OrgUnit, error) {
			o := domain.OrgUnit{PartnershipID: partnershipID}
			err := r.Scan(&o.ID, &o.ParentID, &o.Level, &o.Code, &o.Name, &o.Population)
			return o, err
		})
}

// OrgUnitChildren lists the direct children of the org unit parentID.
func (s *Store) OrgUnitChildren(ctx context.Context, partnershipID, parentID string) ([]domain.OrgUnit, error) {
	return collect(ctx, s.rdb, "list org unit children",
		`SELECT `+orgUnitCols+` FROM org_unit o
		  WHERE o.partnership_id = $1 AND o.parent_id = $2 ORDER BY o.name, o.code`,
		[]any{partnershipID, parentID},
		func(r *sql.Rows) (domain.OrgUnit, error) { return scanOrgUnit(r) })
}

// OrgUnitByCode returns the partnership's org unit with ONS code.
func (s *Store) OrgUnitByCode(ctx context.Context, q Queryer, partnershipID, code string) (domain.OrgUnit, error) {
	o, err := scanOrgUnit(q.QueryRowContext(ctx,
		`SELECT `+orgUnitCols+` FROM org_unit o WHERE o.partnership_id = $1 AND o.code = $2`, partnershipID, code))
	return o, one(err, "org unit by code", domain.NotFound("area", code))
}

// OrgUnitPath returns the ancestors of the unit with id, from the root down to
// and including the unit itself.
func (s *Store) OrgUnitPath(ctx context.Context, partnershipID, id string) ([]domain.OrgUnit, error) {
	path, err := collect(ctx, s.rdb, "org unit path",
		`WITH RECURSIVE up (id, parent_id, depth) AS (
		     SELECT id, parent_id, 0 FROM org_unit WHERE partnership_id = $1 AND id = $2
		     UNION ALL
		     SELECT o.id, o.parent_id, up.depth + 1 FROM org_unit o JOIN up ON o.id = up.parent_id
		      WHERE o.partnership_id = $1 AND up.depth < 16
		 )
		 SELECT `+orgUnitCols+` FROM up JOIN org_unit o ON o.id = up.id ORDER BY up.depth DESC`,
		[]any{partnershipID, id},
		func(r *sql.Rows) (domain.OrgUnit, error) { return scanOrgUnit(r) })
	if err != nil {
		return nil, err
	}
	if len(path) == 0 {
		return nil, domain.NotFound("area", id)
	}
	return path, nil
}

// OrgUnitBoundary returns the unit's boundary as GeoJSON geometry text.
func (s *Store) OrgUnitBoundary(ctx context.Context, partnershipID, code string) (string, error) {
	var b sql.NullString
	err := s.rdb.QueryRowContext(ctx,
		`SELECT boundary FROM org_unit WHERE partnership_id = $1 AND code = $2`, partnershipID, code).Scan(&b)
	if err := one(err, "org unit boundary", domain.NotFound("area", code)); err != nil {
		return "", err
	}
	if !b.Valid {
		return "", domain.NotFound("boundary", code)
	}
	return b.String, nil
}

// OrgUnitRow is an org unit to insert, with its optional boundary geometry.
type OrgUnitRow struct {
	domain.OrgUnit
	Boundary string // GeoJSON geometry, "" for none
}

// InsertOrgUnits stores units in bulk, filling empty IDs and times. Parents
// must come before their children.
func (s *Store) InsertOrgUnits(ctx context.Context, tx *sql.Tx, units []OrgUnitRow) error {
	rows := make([][]any, len(units))
	for i := range units {
		u := &units[i]
		if u.ID == "" {
			u.ID = s.NewID()
		}
		if u.CreatedAt.IsZero() {
			u.CreatedAt = s.Now()
		}
		rows[i] = []any{u.ID, u.PartnershipID, nullIfEmpty(u.ParentID), string(u.Level), u.Code, u.Name,
			nullIfZero(u.Population), nullIfEmpty(u.Boundary), u.CreatedAt}
	}
	return s.mapInsertErr(dialect.InsertRows(ctx, s.d, tx, "org_unit",
		[]string{"id", "partnership_id", "parent_id", "level", "code", "name", "population", "boundary", "created_at"}, rows), "area")
}

// UpdateOrgUnit changes the name, parent, population and (when boundary is
// not "") the boundary of the unit with u.ID.
func (s *Store) UpdateOrgUnit(ctx context.Context, tx *sql.Tx, u OrgUnitRow) error {
	var parent string
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(CAST(parent_id AS text), '') FROM org_unit WHERE partnership_id = $1 AND id = $2`, u.PartnershipID, u.ID).Scan(&parent)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.NotFound("area", u.Code)
	}
	if err != nil {
		return fmt.Errorf("store: update org unit: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE org_unit
		   SET name = $3, parent_id = $4, population = $5, boundary = COALESCE($6, boundary)
		 WHERE partnership_id = $1 AND id = $2`,
		u.PartnershipID, u.ID, u.Name, nullIfEmpty(u.ParentID), nullIfZero(u.Population), nullIfEmpty(u.Boundary))
	if err != nil {
		return fmt.Errorf("store: update org unit: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: update org unit: %w", err)
	} else if n == 0 {
		return domain.NotFound("area", u.Code)
	}
	if parent != u.ParentID {
		// The unit moved: everything counted above it moves too.
		return s.RebuildRollup(ctx, tx, u.PartnershipID)
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullIfZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// InsertUsers stores users and their roles in bulk, filling empty IDs and
// times. Emails are stored lower-cased.
func (s *Store) InsertUsers(ctx context.Context, tx *sql.Tx, users []domain.User) error {
	urows := make([][]any, 0, len(users))
	var rrows [][]any
	for i := range users {
		u := &users[i]
		if u.ID == "" {
			u.ID = s.NewID()
		}
		if u.CreatedAt.IsZero() {
			u.CreatedAt = s.Now()
		}
		u.Email = strings.ToLower(strings.TrimSpace(u.Email))
		urows = append(urows, []any{u.ID, u.PartnershipID, u.AgencyID, u.Email, u.DisplayName, u.Active, u.CreatedAt})
		for _, r := range u.Roles {
			rrows = append(rrows, []any{u.PartnershipID, u.ID, string(r)})
		}
	}
	if err := s.mapInsertErr(dialect.InsertRows(ctx, s.d, tx, "app_user",
		[]string{"id", "partnership_id", "agency_id", "email", "display_name", "active", "created_at"}, urows), "user"); err != nil {
		return err
	}
	return s.mapInsertErr(dialect.InsertRows(ctx, s.d, tx, "user_role",
		[]string{"partnership_id", "user_id", "role_code"}, rrows), "user role")
}

// Users lists a partnership's users with their agency and roles, by name.
func (s *Store) Users(ctx context.Context, partnershipID string) ([]domain.User, error) {
	users, err := collect(ctx, s.rdb, "list users",
		`SELECT u.id, u.partnership_id, u.agency_id, a.name, u.email, u.display_name, u.active, u.created_at
		   FROM app_user u JOIN agency a ON a.id = u.agency_id
		  WHERE u.partnership_id = $1 ORDER BY u.display_name, u.email`, []any{partnershipID},
		func(r *sql.Rows) (domain.User, error) {
			var u domain.User
			err := r.Scan(&u.ID, &u.PartnershipID, &u.AgencyID, &u.AgencyName, &u.Email, &u.DisplayName, &u.Active, &u.CreatedAt)
			u.CreatedAt = u.CreatedAt.UTC()
			return u, err
		})
	if err != nil {
		return nil, err
	}
	type ur struct{ user, role string }
	roles, err := collect(ctx, s.rdb, "list user roles",
		`SELECT ur.user_id, ur.role_code FROM user_role ur JOIN role r ON r.code = ur.role_code
		  WHERE ur.partnership_id = $1 ORDER BY r.sort_order`, []any{partnershipID},
		func(r *sql.Rows) (ur, error) {
			var v ur
			err := r.Scan(&v.user, &v.role)
			return v, err
		})
	if err != nil {
		return nil, err
	}
	idx := make(map[string]int, len(users))
	for i, u := range users {
		idx[u.ID] = i
	}
	for _, r := range roles {
		if i, ok := idx[r.user]; ok {
			users[i].Roles = append(users[i].Roles, domain.Role(r.role))
		}
	}
	return users, nil
}

// Overview is a partnership at a glance: how many of each thing it holds.
type Overview struct {
	Agencies       int
	AgenciesByType []TypeCount
	Districts      int
	Wards          int
	Population     int64
	Users          int
	UsersByRole    []TypeCount
}

// TypeCount is one row of a breakdown.
type TypeCount struct {
	Code  string
	Name  string
	Count int
}

// PartnershipOverview counts a partnership's agencies, areas and users.
func (s *Store) PartnershipOverview(ctx context.Context, partnershipID string) (Overview, error) {
	var o Overview
	err := s.rdb.QueryRowContext(ctx, `SELECT
		  (SELECT count(*) FROM agency WHERE partnership_id = $1),
		  (SELECT count(*) FROM org_unit WHERE partnership_id = $1 AND level = 'district'),
		  (SELECT count(*) FROM org_unit WHERE partnership_id = $1 AND level = 'ward'),
		  (SELECT COALESCE(sum(population), 0) FROM org_unit WHERE partnership_id = $1 AND level = 'ward'),
		  (SELECT count(*) FROM app_user WHERE partnership_id = $1 AND active)`, partnershipID).
		Scan(&o.Agencies, &o.Districts, &o.Wards, &o.Population, &o.Users)
	if err != nil {
		return o, fmt.Errorf("store: partnership overview: %w", err)
	}
	scanTC := func(r *sql.Rows) (TypeCount, error) {
		var t TypeCount
		err := r.Scan(&t.Code, &t.Name, &t.Count)
		return t, err
	}
	o.AgenciesByType, err = collect(ctx, s.rdb, "agencies by type",
		`SELECT t.code, t.name, count(*) FROM agency a JOIN agency_type t ON t.code = a.agency_type
		  WHERE a.partnership_id = $1 GROUP BY t.code, t.name, t.sort_order ORDER BY t.sort_order`,
		[]any{partnershipID}, scanTC)
	if err != nil {
		return o, err
	}
	o.UsersByRole, err = collect(ctx, s.rdb, "users by role",
		`SELECT r.code, r.name, count(*) FROM user_role ur
		   JOIN role r ON r.code = ur.role_code
		   JOIN app_user u ON u.id = ur.user_id AND u.active
		  WHERE ur.partnership_id = $1 GROUP BY r.code, r.name, r.sort_order ORDER BY r.sort_order`,
		[]any{partnershipID}, scanTC)
	return o, err
}

// Meta returns the app_meta value for key, or domain.ErrNotFound.
func (s *Store) Meta(ctx context.Context, q Queryer, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM app_meta WHERE key = $1`, key).Scan(&v)
	return v, one(err, "meta", domain.NotFound("setting", key))
}

// SetMeta stores value under key.
func (s *Store) SetMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO app_meta (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, s.Now())
	if err != nil {
		return fmt.Errorf("store: set meta %s: %w", key, err)
	}
	return nil
}

// FirstUserID returns the lowest ID among partnershipID's users: a stable
// choice of writer for data made in bulk (the benchmark generator). A
// partnership without users is domain.ErrNotFound.
func (s *Store) FirstUserID(ctx context.Context, partnershipID string) (string, error) {
	var id string
	err := s.rdb.QueryRowContext(ctx, `SELECT CAST(id AS text) FROM app_user WHERE partnership_id = $1 ORDER BY id LIMIT 1`, partnershipID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: a user of partnership %s: %w", partnershipID, domain.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: a user of partnership %s: %w", partnershipID, err)
	}
	return id, nil
}
