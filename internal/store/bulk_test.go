package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// bulkFixture is a partnership with one police agency and one analyst.
type bulkFixture struct {
	p      domain.Partnership
	agency domain.Agency
	user   domain.User
}

func seedBulk(t testing.TB, s *store.Store) bulkFixture {
	t.Helper()
	f := bulkFixture{p: domain.Partnership{Slug: "bulk", Name: "Bulk", Programme: "Programme", RegionCode: "E12000003"}}
	err := s.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		if err := s.InsertPartnership(ctx, tx, &f.p); err != nil {
			return err
		}
		f.agency = domain.Agency{PartnershipID: f.p.ID, Name: "Bulk Police", Type: domain.AgencyPolice}
		ags := []domain.Agency{f.agency}
		if err := s.InsertAgencies(ctx, tx, ags); err != nil {
			return err
		}
		f.agency = ags[0]
		users := []domain.User{{PartnershipID: f.p.ID, AgencyID: f.agency.ID, Email: "bulk@example.test", DisplayName: "Bulk", Active: true,
			Roles: []domain.Role{domain.RoleAnalyst}}}
		if err := s.InsertUsers(ctx, tx, users); err != nil {
			return err
		}
		f.user = users[0]
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return f
}

func (f bulkFixture) marking() domain.Marking {
	return domain.Marking{PartnershipID: f.p.ID, OriginAgencyID: f.agency.ID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP}
}

func (f bulkFixture) person(i int) domain.Entity {
	dob := time.Date(1980+i%30, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	return domain.Entity{Kind: domain.EntityPerson, Name: fmt.Sprintf("Person %d Smith", i), DOB: &dob, Aliases: []string{"Jon Smyth"},
		Nicknames: []string{"Smudge"}, Flags: []string{"violence"}, Marking: f.marking(), CreatedBy: f.user.ID}
}

func countRows(t testing.TB, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := s.Reader().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestBulkWritesEverything(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, e, store.Options{})
			f := seedBulk(t, s)
			const people = store.BulkBatch + 37 // more than one flush, and a remainder
			var flushed []store.Flushed
			err := s.BulkTx(ctx, f.p.ID, func(ctx context.Context, tx *sql.Tx, b *store.Bulk) error {
				gid := b.AddOCG(domain.OCG{Name: "Ravensworth network", Status: domain.StatusUnderAssessment, Ownership: domain.OwnLocal,
					PrimaryThreat: "county_lines", Threats: []string{"drugs"}, Marking: f.marking(), CreatedBy: f.user.ID}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
				b.AddOCG(domain.OCG{Reference: "EXT-1", Name: "Second", Status: domain.StatusProposed, Ownership: domain.OwnLocal,
					PrimaryThreat: "drugs", Marking: f.marking(), CreatedBy: f.user.ID}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
				for i := range people {
					e := f.person(i)
					if i == 0 {
						e.Reference = "NICHE-42"
					}
					id := b.AddEntity(e)
					if i < 10 {
						b.AddLink(domain.Link{FromKind: domain.NodeEntity, FromID: id, ToKind: domain.NodeOCG, ToID: gid, Type: domain.LinkMemberOf,
							Role: domain.RolePeripheral, SourceRef: "IR-1", Confidence: domain.ConfidenceHigh, CreatedBy: f.user.ID})
					}
					if b.Full() {
						fl, err := b.Flush(ctx)
						if err != nil {
							return err
						}
						flushed = append(flushed, fl)
					}
				}
				fl, err := b.Flush(ctx)
				flushed = append(flushed, fl)
				return err
			})
			if err != nil {
				t.Fatalf("bulk: %v", err)
			}
			for _, c := range []struct {
				table string
				want  int
			}{{"entity", people}, {"entity_alias", 2 * people}, {"entity_flag", people}, {"ocg", 2}, {"ocg_threat", 3},
				{"ocg_transition", 3}, {"link", 10}} {
				if got := countRows(t, s, c.table); got != c.want {
					t.Errorf("got %d rows in %s, want %d", got, c.table, c.want)
				}
			}
			// The people are searchable as soon as the bulk load commits:
			// their search keys and documents were written with them, and
			// nothing is queued.
			entityKeys := countRows(t, s, "search_key WHERE record_kind = 'entity'")
			checkSearchable := func(when string) {
				t.Helper()
				if got := countRows(t, s, "search_pending"); got != 0 {
					t.Errorf("%s: got %d people queued for search, want 0", when, got)
				}
				if got := countRows(t, s, "search_key WHERE record_kind = 'entity'"); got < people*5 {
					t.Errorf("%s: got %d search keys, want at least %d", when, got, people*5)
				}
				if got, want := countRows(t, s, "search_doc WHERE record_kind = 'entity'"), 3*people; got != want {
					t.Errorf("%s: got %d entity search documents, want %d (a record and two aliases each)", when, got, want)
				}
			}
			checkSearchable("after the load")
			// A backlog an older version queued (entities without their
			// entries) is written by BuildSearch in batches, which
			// empties the queue and leaves the same entries.
			if err := storetest.QueueOldBacklog(ctx, s); err != nil {
				t.Fatal(err)
			}
			indexed := 0
			for {
				n, err := s.BuildSearch(ctx, 500)
				if err != nil {
					t.Fatalf("build search: %v", err)
				}
				if n == 0 {
					break
				}
				if n > 500 {
					t.Fatalf("got a batch of %d, want at most 500", n)
				}
				indexed += n
			}
			if indexed != people {
				t.Errorf("got %d people indexed, want %d", indexed, people)
			}
			checkSearchable("after draining a queued backlog")
			if got := countRows(t, s, "search_key WHERE record_kind = 'entity'"); got != entityKeys {
				t.Errorf("got %d search keys after rebuilding, want the %d the load wrote", got, entityKeys)
			}
			var refs []string
			for _, fl := range flushed {
				refs = append(refs, fl.EntityRefs...)
			}
			if len(refs) != people || refs[0] != "NICHE-42" || refs[1] != "P-000001" || refs[people-1] != fmt.Sprintf("P-%06d", people-1) {
				t.Errorf("got references %v … %v, want NICHE-42, P-000001 … P-%06d", refs[:2], refs[len(refs)-1], people-1)
			}
			// The counter moved on by exactly the numbers used: the next
			// single insert continues the sequence.
			e := f.person(99999)
			if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.InsertEntity(ctx, tx, &e) }); err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("P-%06d", people); e.Reference != want {
				t.Errorf("got next reference %s, want %s", e.Reference, want)
			}
			grants, err := s.RoleGrants(ctx)
			if err != nil {
				t.Fatal(err)
			}
			actor := domain.Actor{Kind: domain.ActorUser, UserID: f.user.ID, PartnershipID: f.p.ID, AgencyID: f.agency.ID,
				AgencyType: f.agency.Type, Roles: f.user.Roles}
			taken, err := s.ReferencesTaken(ctx, s.Reader(), authz.New(grants), actor, []string{"NICHE-42", "EXT-1", "NOPE"})
			if err != nil {
				t.Fatal(err)
			}
			if taken["NICHE-42"] != domain.NodeEntity || taken["EXT-1"] != domain.NodeOCG || taken["NOPE"] != "" {
				t.Errorf("got references taken %v, want NICHE-42 (entity) and EXT-1 (ocg)", taken)
			}
		})
	}
}

func TestBulkRollsBackEverything(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, e, store.Options{})
			f := seedBulk(t, s)
			before := map[string]int{}
			tables := []string{"entity", "entity_alias", "search_key", "record_counter", "ocg"}
			for _, tb := range tables {
				before[tb] = countRows(t, s, tb)
			}
			bad := errors.New("row 5000 is bad")
			err := s.BulkTx(ctx, f.p.ID, func(ctx context.Context, tx *sql.Tx, b *store.Bulk) error {
				for i := range 3 * store.BulkBatch {
					b.AddEntity(f.person(i))
					if b.Full() {
						if _, err := b.Flush(ctx); err != nil {
							return err
						}
					}
				}
				return bad
			})
			if !errors.Is(err, bad) {
				t.Fatalf("got %v, want the callback's error", err)
			}
			for _, tb := range tables {
				if got := countRows(t, s, tb); got != before[tb] {
					t.Errorf("got %d rows in %s after a failed bulk write, want %d", got, tb, before[tb])
				}
			}
		})
	}
}

func TestBulkDuplicateReferenceIsConflict(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, e, store.Options{})
			f := seedBulk(t, s)
			err := s.BulkTx(ctx, f.p.ID, func(ctx context.Context, tx *sql.Tx, b *store.Bulk) error {
				for range 2 {
					p := f.person(1)
					p.Reference = "DUP-1"
					b.AddEntity(p)
				}
				_, err := b.Flush(ctx)
				return err
			})
			if !errors.Is(err, domain.ErrConflict) {
				t.Fatalf("got %v, want a conflict", err)
			}
		})
	}
}

// BenchmarkBulkPeople writes people (entity, aliases, flag, search keys)
// through the bulk path in one transaction per 10,000.
func BenchmarkBulkPeople(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			s := storetest.Open(b, e, store.Options{})
			f := seedBulk(b, s)
			const per = 10000
			n := 0
			for b.Loop() {
				err := s.BulkTx(ctx, f.p.ID, func(ctx context.Context, tx *sql.Tx, bk *store.Bulk) error {
					for range per {
						n++
						bk.AddEntity(f.person(n))
						if bk.Full() {
							if _, err := bk.Flush(ctx); err != nil {
								return err
							}
						}
					}
					_, err := bk.Flush(ctx)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "people/s")
		})
	}
}

// An ordinary edit of a person still waiting for the search index (queued
// by an older version's import) writes the person's entries itself and takes it off the queue, so the indexer
// cannot later write entries from the old name beside them.
func TestEditOfQueuedPersonIndexesIt(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, e, store.Options{})
			f := seedBulk(t, s)
			var id string
			if err := s.BulkTx(ctx, f.p.ID, func(ctx context.Context, tx *sql.Tx, b *store.Bulk) error {
				id = b.AddEntity(f.person(1))
				_, err := b.Flush(ctx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if err := storetest.QueueOldBacklog(ctx, s); err != nil {
				t.Fatal(err)
			}
			p := f.person(1)
			p.ID, p.Name, p.Aliases, p.Nicknames = id, "Quentin Zebedee", nil, nil
			if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.UpdateEntity(ctx, tx, &p) }); err != nil {
				t.Fatal(err)
			}
			if n, err := s.BuildSearch(ctx, 100); err != nil || n != 0 {
				t.Errorf("got %d indexed (%v) after the edit, want 0: the edit indexed it", n, err)
			}
			for _, c := range []struct {
				name, query string
				want        int
			}{
				{"queued", "search_pending", 0},
				{"keys of the new name", "search_key WHERE key = 't:zebedee'", 1},
				{"keys of the old name", "search_key WHERE key = 't:smith'", 0},
				{"record document", "search_doc WHERE body LIKE '%Zebedee%'", 1},
				{"alias documents", "search_doc WHERE source LIKE 'alias:%'", 0},
			} {
				if got := countRows(t, s, c.query); got != c.want {
					t.Errorf("%s: got %d, want %d", c.name, got, c.want)
				}
			}
		})
	}
}

// A bulk load that put many rows in a table leaves it tidied on
// PostgreSQL: vacuumed and analysed (decision 24). Whether the vacuum can
// mark the new pages all-visible depends on what other sessions' snapshots
// hold (other tests share the server), so the test looks for the row
// estimate the vacuum and analysis write whatever others hold:
// pg_class.reltuples is -1 until a table is first vacuumed or analysed.
// SQLite has nothing to tidy (dialect.TidyTable).
func TestBulkTidiesWhatItLoaded(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		if e.Name != "postgres" {
			continue
		}
		// later: the load leaves the tidying to its caller (Bulk.TidyLater),
		// who tidies once with Store.TidyAfterBulk.
		for _, later := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/later=%v", e.Name, later), func(t *testing.T) {
				ctx := context.Background()
				s := storetest.Open(t, e, store.Options{})
				f := seedBulk(t, s)
				const people = 800 // about 15,000 search keys: above the store's threshold
				written := map[string]int{}
				err := s.BulkTx(ctx, f.p.ID, func(ctx context.Context, tx *sql.Tx, b *store.Bulk) error {
					if later {
						b.TidyLater(written)
					}
					for i := range people {
						b.AddEntity(f.person(i))
						if b.Full() {
							if _, err := b.Flush(ctx); err != nil {
								return err
							}
						}
					}
					_, err := b.Flush(ctx)
					return err
				})
				if err != nil {
					t.Fatalf("bulk load: %v", err)
				}
				if got := countRows(t, s, "search_key"); got < 10000 {
					t.Fatalf("got %d search keys, want at least 10,000 for the test to mean anything", got)
				}
				tuples := func() float64 {
					var n float64
					if err := s.Reader().QueryRowContext(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'search_key'::regclass`).Scan(&n); err != nil {
						t.Fatalf("read pg_class: %v", err)
					}
					return n
				}
				if later {
					if written["search_key"] < 10000 {
						t.Errorf("got %d search_key rows passed on to tidy later, want the load's (at least 10,000)", written["search_key"])
					}
					if err := s.TidyAfterBulk(ctx, written); err != nil {
						t.Fatal(err)
					}
				}
				if n := tuples(); n < 10000 {
					t.Errorf("got %.0f tuples estimated for search_key after the load, want it analysed (at least 10,000)", n)
				}
			})
		}
	}
}
