package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Partnership is a tenant: one multi-agency SOC partnership such as
// "North Yorkshire: Project Alliance". Every tenant-owned record carries its
// ID.
type Partnership struct {
	ID         string
	Slug       string // short, URL-safe, unique, e.g. "north-yorkshire"
	Name       string // e.g. "North Yorkshire: Project Alliance"
	Programme  string // the programme's own name, e.g. "Project Alliance"
	RegionCode string // ONS region code, e.g. "E12000003"
	CreatedAt  time.Time
}

// Region is an English region or a devolved nation, the level above forces
// in national roll-ups, e.g. E12000003 "Yorkshire and The Humber".
type Region struct {
	Code string
	Name string
}

// AgencyType classifies an agency. The list is reference data held in the
// database (table agency_type); these constants name the defaults seeded by
// the first migration so code and tests can refer to them.
type AgencyType string

// Default agency types.
const (
	AgencyPolice         AgencyType = "police"
	AgencyROCU           AgencyType = "rocu"
	AgencyNCA            AgencyType = "nca"
	AgencyLocalAuthority AgencyType = "local_authority"
	AgencyFireRescue     AgencyType = "fire_rescue"
	AgencyHealth         AgencyType = "health"
	AgencyHMRC           AgencyType = "hmrc"
	AgencyDWP            AgencyType = "dwp"
	AgencyProbation      AgencyType = "probation"
	AgencyHousing        AgencyType = "housing"
	AgencyEducation      AgencyType = "education"
	AgencyCSP            AgencyType = "community_safety_partnership"
	AgencyCharity        AgencyType = "charity"
	AgencyOther          AgencyType = "other"
)

// AgencyTypeInfo is one row of the agency type reference data.
type AgencyTypeInfo struct {
	Code      AgencyType
	Name      string
	SortOrder int
}

// Agency is a partner organisation within a partnership.
type Agency struct {
	ID            string
	PartnershipID string
	Name          string
	ShortName     string
	Type          AgencyType
	TypeName      string // display name of Type, filled by reads
	CreatedAt     time.Time
}

// OrgLevel is a level of the reporting structure.
type OrgLevel string

// Levels of the reporting structure, from the top.
const (
	LevelRegion   OrgLevel = "region"
	LevelForce    OrgLevel = "force"
	LevelDistrict OrgLevel = "district"
	LevelWard     OrgLevel = "ward"
)

// OrgLevels lists the levels from the top of the tree to the bottom.
var OrgLevels = []OrgLevel{LevelRegion, LevelForce, LevelDistrict, LevelWard}

// ParseOrgLevel returns the level named s (case-insensitive).
func ParseOrgLevel(s string) (OrgLevel, error) {
	l := OrgLevel(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range OrgLevels {
		if l == known {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown level %q: use region, force, district or ward", s)
}

// Depth is the level's position in the tree: region 0 … ward 3.
func (l OrgLevel) Depth() int {
	for i, known := range OrgLevels {
		if l == known {
			return i
		}
	}
	return -1
}

// Label is the level's name for display.
func (l OrgLevel) Label() string {
	switch l {
	case LevelRegion:
		return "Region"
	case LevelForce:
		return "Force area"
	case LevelDistrict:
		return "District"
	case LevelWard:
		return "Ward"
	}
	return string(l)
}

// OrgUnit is one node of a partnership's reporting structure
// (region → force → district → ward), identified by its ONS code.
type OrgUnit struct {
	ID            string
	PartnershipID string
	ParentID      string // "" for the root
	Level         OrgLevel
	Code          string // ONS GSS code, e.g. E05006189
	Name          string
	Population    int64 // 0 when unknown
	HasBoundary   bool
	CreatedAt     time.Time
}

var onsCode = regexp.MustCompile(`^[EWSN][0-9]{8}$`)

// ValidONSCode reports whether s looks like an ONS GSS code (a country letter
// and eight digits, e.g. E05006189).
func ValidONSCode(s string) bool { return onsCode.MatchString(s) }

// Role is a named set of permissions. Roles are reference data (table role);
// these constants name the defaults.
type Role string

// Default roles.
const (
	RoleAdministrator       Role = "administrator"
	RoleAnalyst             Role = "intelligence_analyst"
	RoleLRO                 Role = "lro"
	RolePartnerOfficer      Role = "partner_officer"
	RolePanelMember         Role = "disruption_panel_member"
	RoleBoardViewer         Role = "board_viewer"
	RoleReferralCoordinator Role = "referral_coordinator"
	RoleAuditor             Role = "auditor"
)

// RoleInfo is one row of the role reference data.
type RoleInfo struct {
	Code        Role
	Name        string
	Description string
	SortOrder   int
}

// User is a person who signs in to Alliance. A user belongs to one agency in
// one partnership and may hold several roles.
type User struct {
	ID            string
	PartnershipID string
	AgencyID      string
	AgencyName    string // filled by reads
	Email         string
	DisplayName   string
	Active        bool
	Roles         []Role
	CreatedAt     time.Time
}

// HasAnyRole reports whether u holds any of roles.
func (u User) HasAnyRole(roles ...Role) bool {
	for _, r := range u.Roles {
		for _, want := range roles {
			if r == want {
				return true
			}
		}
	}
	return false
}
