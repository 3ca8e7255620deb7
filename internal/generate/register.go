package generate

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"alliance/internal/domain"
	"alliance/internal/match"
	"alliance/internal/store"
	"alliance/internal/store/dialect"
)

// RegisterStats count what Register wrote.
type RegisterStats struct {
	People, Vehicles, Phones, Groups, Aliases, Links, SearchKeys int64
}

// registerBatch is how many people go into one transaction.
const registerBatch = 20000

// Register fills partnershipID's OCG register with synthetic people (with
// aliases, nicknames, dates of birth), vehicles and phones (one of each for
// every fifty people) and groups with members, as originated by agencyID
// and written by userID. It writes straight to the tables in batches of
// multi-row (PostgreSQL) or prepared (SQLite) inserts, with the same
// search keys the store writes, so a million people take minutes, not
// hours. The same seed writes the same data. References are synthetic
// ("PS-0000001", "OCG-SYN-000001") so they never clash with the
// partnership's own numbering.
func Register(ctx context.Context, st *store.Store, partnershipID, agencyID, userID string, people, groups int, seed uint64) (RegisterStats, error) {
	g := &regGen{st: st, pid: partnershipID, agency: agencyID, user: userID, seed: seed,
		rng:  rand.New(rand.NewPCG(seed, seed^0x5eed5eed5eed5eed)),
		base: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	var stats RegisterStats
	ids := make([]string, 0, people)
	for done := 0; done < people; done += registerBatch {
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		n := min(registerBatch, people-done)
		var b regBatch
		for i := 0; i < n; i++ {
			e := g.person(done + i + 1)
			ids = append(ids, e.ID)
			b.addEntity(g, &e)
			if (done+i+1)%50 == 0 {
				v := g.vehicle(len(ids) / 50)
				b.addEntity(g, &v)
				ph := g.phone(len(ids) / 50)
				b.addEntity(g, &ph)
				b.link(g, e.ID, v.ID, domain.LinkUses, "")
				b.link(g, e.ID, ph.ID, domain.LinkUses, "")
				stats.Vehicles++
				stats.Phones++
			}
		}
		if err := b.write(ctx, st); err != nil {
			return stats, err
		}
		stats.People += int64(n)
		stats.Aliases += int64(len(b.aliases))
		stats.Links += int64(len(b.links))
		stats.SearchKeys += int64(len(b.keys))
	}
	for done := 0; done < groups; done += registerBatch / 4 {
		n := min(registerBatch/4, groups-done)
		var b regBatch
		for i := 0; i < n; i++ {
			o := g.group(done + i + 1)
			b.addGroup(g, o)
			if len(ids) == 0 {
				continue
			}
			members := 3 + g.rng.IntN(10)
			for m := 0; m < members; m++ {
				role := domain.RolePeripheral
				switch {
				case m == 0:
					role = domain.RolePrincipal
				case m < 3:
					role = domain.RoleSignificant
				}
				b.link(g, ids[g.rng.IntN(len(ids))], o[0].(string), domain.LinkMemberOf, role)
			}
		}
		if err := b.write(ctx, st); err != nil {
			return stats, err
		}
		stats.Groups += int64(n)
		stats.Links += int64(len(b.links))
		stats.SearchKeys += int64(len(b.keys))
	}
	return stats, nil
}

type regGen struct {
	st                *store.Store
	pid, agency, user string
	seed              uint64
	rng               *rand.Rand
	base              time.Time
	n                 int64
}

// id returns a deterministic UUIDv7-shaped id: the time part counts up,
// the rest comes from the seeded generator.
func (g *regGen) id() string {
	g.n++
	ms := uint64(g.base.UnixMilli()) + uint64(g.n)
	r := g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-7%03x-%04x-%012x", ms>>16, ms&0xffff, (g.seed^uint64(g.n))&0xfff, 0x8000|(r>>48)&0x3fff, r&0xffffffffffff)
}

func (g *regGen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *regGen) marking() (class, handling string, restricted bool) {
	class, handling = string(domain.OfficialSensitive), string(domain.HandlingP)
	if g.rng.IntN(10) < 3 {
		class = string(domain.Official)
	}
	return class, handling, g.rng.IntN(100) == 0
}

func (g *regGen) person(n int) domain.Entity {
	female := g.rng.IntN(2) == 0
	forenames := maleNames
	gender := "male"
	if female {
		forenames, gender = femaleNames, "female"
	}
	first, last := g.pick(forenames), g.pick(surnames)
	name := first + " " + last
	if g.rng.IntN(4) == 0 {
		name = first + " " + g.pick(forenames) + " " + last
	}
	e := domain.Entity{ID: g.id(), Reference: fmt.Sprintf("PS-%07d", n), Kind: domain.EntityPerson, Name: name, Gender: gender}
	if g.rng.IntN(10) != 0 {
		d := time.Date(1950+g.rng.IntN(58), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(365))
		e.DOB = &d
	}
	switch r := g.rng.IntN(100); {
	case r < 12: // known by another forename
		e.Aliases = append(e.Aliases, g.pick(forenames)+" "+last)
	case r < 20: // another surname (married, family, false)
		e.Aliases = append(e.Aliases, first+" "+g.pick(surnames))
	case r < 25: // a variant spelling of the same name
		if v := variantOf(first); v != "" {
			e.Aliases = append(e.Aliases, v+" "+last)
		}
	}
	if g.rng.IntN(100) < 15 {
		e.Nicknames = append(e.Nicknames, g.pick(nicknameList))
	}
	return e
}

// variantOf returns another spelling or short form of a forename, or "".
func variantOf(first string) string {
	f := match.Fold(first)
	for _, v := range []struct{ a, b string }{{"mohammed", "Muhammad"}, {"muhammad", "Mohamed"}, {"john", "Jon"}, {"william", "Bill"},
		{"katherine", "Kate"}, {"elizabeth", "Liz"}, {"james", "Jim"}, {"robert", "Bob"}, {"michael", "Mick"}, {"ahmed", "Ahmad"}, {"yusuf", "Yousef"}} {
		if f == v.a {
			return v.b
		}
	}
	return ""
}

func (g *regGen) vehicle(n int) domain.Entity {
	letters := "ABCDEFGHJKLMNOPRSTUVWXYZ"
	l := func() byte { return letters[g.rng.IntN(len(letters))] }
	reg := fmt.Sprintf("%c%c%02d %c%c%c", l(), l(), g.rng.IntN(75)+1, l(), l(), l())
	return domain.Entity{ID: g.id(), Reference: fmt.Sprintf("VS-%07d", n), Kind: domain.EntityVehicle, Name: reg, Identifier: match.Compact(reg)}
}

func (g *regGen) phone(n int) domain.Entity {
	num := fmt.Sprintf("07%03d %06d", 700+g.rng.IntN(300), g.rng.IntN(1000000))
	return domain.Entity{ID: g.id(), Reference: fmt.Sprintf("TS-%07d", n), Kind: domain.EntityPhone, Name: num, Identifier: match.Phone(num)}
}

// group returns an ocg row.
func (g *regGen) group(n int) []any {
	var name string
	switch g.rng.IntN(3) {
	case 0:
		name = "The " + strings.TrimSuffix(g.pick(surnames), "s") + " Family"
	case 1:
		name = g.pick(groupWords) + " " + g.pick(groupKinds)
	default:
		name = g.pick(surnames) + " " + g.pick(groupKinds)
	}
	op := "Operation " + g.pick(operationWords)
	class, handling, restricted := g.marking()
	at := g.base.Add(time.Duration(n) * time.Minute)
	statuses := []domain.OCGStatus{domain.StatusMapped, domain.StatusAdopted, domain.StatusManaged, domain.StatusArchived, domain.StatusProposed}
	threats := []string{"drugs", "county_lines", "firearms", "modern_slavery", "fraud", "money_laundering", "acquisitive_crime"}
	return []any{g.id(), g.pid, fmt.Sprintf("OCG-SYN-%06d", n), name, op, string(statuses[g.rng.IntN(len(statuses))]), "local",
		threats[g.rng.IntN(len(threats))], class, handling, restricted, g.agency, g.user, at, at}
}

var (
	entityCols = []string{"id", "partnership_id", "reference", "kind", "name", "identifier", "dob", "gender", "classification", "handling_code",
		"restricted", "origin_agency_id", "created_by", "created_at", "updated_at"}
	ocgCols = []string{"id", "partnership_id", "reference", "name", "operation_name", "status", "ownership_level", "primary_threat",
		"classification", "handling_code", "restricted", "origin_agency_id", "created_by", "created_at", "updated_at"}
	linkCols = []string{"id", "partnership_id", "from_kind", "from_id", "to_kind", "to_id", "type", "role", "confidence", "created_by", "created_at"}
)

// regBatch holds the rows of one transaction.
type regBatch struct {
	entities, aliases, groups, threats, links, keys, grants [][]any
}

func (b *regBatch) addEntity(g *regGen, e *domain.Entity) {
	class, handling, restricted := g.marking()
	at := g.base.Add(time.Duration(g.n) * time.Second)
	b.entities = append(b.entities, []any{e.ID, g.pid, e.Reference, string(e.Kind), e.Name, e.Identifier, domain.Day(e.DOB), e.Gender,
		class, handling, restricted, g.agency, g.user, at, at})
	if restricted {
		b.grants = append(b.grants, []any{g.pid, e.ID, nil, g.agency})
	}
	for _, a := range e.Aliases {
		b.aliases = append(b.aliases, []any{g.pid, e.ID, "alias", a})
	}
	for _, a := range e.Nicknames {
		b.aliases = append(b.aliases, []any{g.pid, e.ID, "nickname", a})
	}
	for _, k := range store.EntityKeys(e) {
		b.keys = append(b.keys, []any{g.pid, k, string(domain.NodeEntity), e.ID})
	}
}

func (b *regBatch) addGroup(g *regGen, row []any) {
	b.groups = append(b.groups, row)
	id := row[0].(string)
	b.threats = append(b.threats, []any{g.pid, id, row[7]})
	if row[10].(bool) {
		b.grants = append(b.grants, []any{g.pid, id, nil, g.agency})
	}
	// The same keys as the store's ocgKeys: name and operation name, and
	// the reference.
	for _, k := range match.Keys([]string{row[3].(string), row[4].(string)}, []string{row[2].(string)}, nil) {
		b.keys = append(b.keys, []any{g.pid, k, string(domain.NodeOCG), id})
	}
}

func (b *regBatch) link(g *regGen, from, to string, typ domain.LinkType, role domain.MemberRole) {
	toKind := domain.NodeEntity
	if typ == domain.LinkMemberOf {
		toKind = domain.NodeOCG
	}
	b.links = append(b.links, []any{g.id(), g.pid, string(domain.NodeEntity), from, string(toKind), to, string(typ), string(role), "medium",
		g.user, g.base})
}

func (b *regBatch) write(ctx context.Context, st *store.Store) error {
	d := st.Dialect()
	// Keys in index order: consecutive inserts land on the same pages of
	// search_key's primary key instead of all over it.
	sort.Slice(b.keys, func(i, j int) bool { return b.keys[i][1].(string) < b.keys[j][1].(string) })
	return st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if d.Name() == "sqlite" {
			// A larger page cache for the writer while it fills a big
			// index (the connection keeps it; 256 MiB).
			if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
				return fmt.Errorf("generate: register: %w", err)
			}
		}
		for _, t := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"entity", entityCols, b.entities},
			{"entity_alias", []string{"partnership_id", "entity_id", "kind", "value"}, b.aliases},
			{"ocg", ocgCols, b.groups},
			{"ocg_threat", []string{"partnership_id", "ocg_id", "threat_code"}, b.threats},
			{"record_grant", []string{"partnership_id", "record_id", "user_id", "agency_id"}, b.grants},
			{"link", linkCols, b.links},
			{"search_key", []string{"partnership_id", "key", "record_kind", "record_id"}, b.keys},
		} {
			if err := dialect.InsertRows(ctx, d, tx, t.table, t.cols, t.rows); err != nil {
				return fmt.Errorf("generate: register: %w", err)
			}
		}
		return nil
	})
}
