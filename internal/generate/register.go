package generate

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"alliance/internal/domain"
	"alliance/internal/match"
	"alliance/internal/store"
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
// and written by userID. It writes through the store's bulk writer (COPY on
// PostgreSQL, prepared multi-row inserts on SQLite) in batches, each in its
// own transaction, with each entity's search keys written at once, so a
// million people take minutes, not hours. The same seed writes the same
// data. References are synthetic ("PS-0000001", "OCG-SYN-000001") so they
// never clash with the partnership's own numbering.
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
		b := g.peopleBatch(done, min(registerBatch, people-done), &ids, &stats)
		if err := b.write(ctx, st, g.pid); err != nil {
			return stats, err
		}
		stats.People += int64(min(registerBatch, people-done))
		stats.Aliases += int64(b.aliases)
		stats.Links += int64(len(b.links))
		stats.SearchKeys += int64(b.keys)
	}
	for done := 0; done < groups; done += registerBatch / 4 {
		n := min(registerBatch/4, groups-done)
		var b regBatch
		for i := 0; i < n; i++ {
			o := g.group(done + i + 1)
			b.addGroup(o)
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
				b.link(g, ids[g.rng.IntN(len(ids))], o.ID, domain.LinkMemberOf, role)
			}
		}
		if err := b.write(ctx, st, g.pid); err != nil {
			return stats, err
		}
		stats.Groups += int64(n)
		stats.Links += int64(len(b.links))
		stats.SearchKeys += int64(b.keys)
	}
	return stats, nil
}

// peopleBatch makes n people, numbered from done+1, with a vehicle and a
// phone for every fiftieth, appending the people's IDs to ids.
func (g *regGen) peopleBatch(done, n int, ids *[]string, stats *RegisterStats) *regBatch {
	var b regBatch
	for i := 0; i < n; i++ {
		e := g.person(done + i + 1)
		*ids = append(*ids, e.ID)
		b.addEntity(g, e)
		if (done+i+1)%50 == 0 {
			v := g.vehicle(len(*ids) / 50)
			b.addEntity(g, v)
			ph := g.phone(len(*ids) / 50)
			b.addEntity(g, ph)
			b.link(g, e.ID, v.ID, domain.LinkUses, "")
			b.link(g, e.ID, ph.ID, domain.LinkUses, "")
			stats.Vehicles++
			stats.Phones++
		}
	}
	return &b
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

// marking returns a record's marking: OFFICIAL-SENSITIVE (three in ten
// OFFICIAL) handled P, one in a hundred restricted to the originator.
func (g *regGen) marking() domain.Marking {
	m := domain.Marking{PartnershipID: g.pid, OriginAgencyID: g.agency, Classification: domain.OfficialSensitive, Handling: domain.HandlingP}
	if g.rng.IntN(10) < 3 {
		m.Classification = domain.Official
	}
	if g.rng.IntN(100) == 0 {
		m.Restricted, m.NamedAgencies = true, []string{g.agency}
	}
	return m
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

// group returns a new group.
func (g *regGen) group(n int) domain.OCG {
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
	m := g.marking()
	at := g.base.Add(time.Duration(n) * time.Minute)
	statuses := []domain.OCGStatus{domain.StatusMapped, domain.StatusAdopted, domain.StatusManaged, domain.StatusArchived, domain.StatusProposed}
	threats := []string{"drugs", "county_lines", "firearms", "modern_slavery", "fraud", "money_laundering", "acquisitive_crime"}
	o := domain.OCG{ID: g.id(), Reference: fmt.Sprintf("OCG-SYN-%06d", n), Name: name, OperationName: op, Ownership: domain.OwnLocal,
		Marking: m, CreatedBy: g.user, CreatedAt: at}
	o.Status = statuses[g.rng.IntN(len(statuses))]
	o.PrimaryThreat = threats[g.rng.IntN(len(threats))]
	return o
}

// regBatch holds the records of one transaction, and counts the aliases
// they bring and the search keys written for them.
type regBatch struct {
	entities      []domain.Entity
	groups        []domain.OCG
	links         []domain.Link
	aliases, keys int
}

func (b *regBatch) addEntity(g *regGen, e domain.Entity) {
	e.Marking = g.marking()
	e.CreatedBy = g.user
	e.CreatedAt = g.base.Add(time.Duration(g.n) * time.Second)
	b.entities = append(b.entities, e)
	b.aliases += len(e.Aliases) + len(e.Nicknames)
}

func (b *regBatch) addGroup(o domain.OCG) { b.groups = append(b.groups, o) }

func (b *regBatch) link(g *regGen, from, to string, typ domain.LinkType, role domain.MemberRole) {
	toKind := domain.NodeEntity
	if typ == domain.LinkMemberOf {
		toKind = domain.NodeOCG
	}
	b.links = append(b.links, domain.Link{ID: g.id(), FromKind: domain.NodeEntity, FromID: from, ToKind: toKind, ToID: to, Type: typ, Role: role,
		Confidence: domain.ConfidenceMedium, CreatedBy: g.user, CreatedAt: g.base})
}

// write writes the batch into partnershipID's register in one transaction
// through the store's bulk writer, as it is (see store.Bulk.LoadAsIs), and
// counts the search keys written.
func (b *regBatch) write(ctx context.Context, st *store.Store, partnershipID string) error {
	err := st.BulkTx(ctx, partnershipID, func(ctx context.Context, tx *sql.Tx, bulk *store.Bulk) error {
		bulk.LoadAsIs()
		if err := bulk.WidenCache(ctx); err != nil {
			return err
		}
		for _, o := range b.groups {
			bulk.AddOCG(o, time.Time{})
		}
		for _, e := range b.entities {
			bulk.AddEntity(e)
		}
		for _, l := range b.links {
			bulk.AddLink(l)
		}
		f, err := bulk.Flush(ctx)
		b.keys = f.SearchKeys
		return err
	})
	if err != nil {
		return fmt.Errorf("generate: register: %w", err)
	}
	return nil
}
