package service_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"alliance/internal/domain"
	"alliance/internal/generate"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// qualityTarget is a person the quality test looks for.
type qualityTarget struct {
	name      string
	aliases   []string
	nicknames []string
	dob       string
}

var qualityTargets = []qualityTarget{
	{name: "Mohammed Khan", dob: "1988-03-14"},
	{name: "Sean O'Neill", dob: "1979-06-02"},
	{name: "Zoë Browne", dob: "1995-09-30"},
	{name: "José García", dob: "1983-12-01"},
	{name: "William Robertson", dob: "1970-01-15"},
	{name: "Katherine McDonald", dob: "1990-11-22"},
	{name: "Siobhan Murphy", dob: "1986-04-04"},
	{name: "Łukasz Wójcik", dob: "1992-07-19"},
	{name: "Aleksandr Ivanov", dob: "1975-02-28"},
	{name: "Gurpreet Singh Sandhu", dob: "1981-10-10"},
	{name: "Olumide Adeyemi", dob: "1999-05-05"},
	{name: "Christopher Hughes-Williams", dob: "1968-08-08"},
	{name: "Stephen Stevenson", dob: "1972-03-03"},
	{name: "Yusuf Ahmed", dob: "2001-01-21"},
	{name: "Jonathan Smith-Jones", dob: "1985-06-30"},
	{name: "Muhammad Ali Hussain", dob: "1993-02-14"},
	{name: "Niamh Doherty", dob: "1997-12-12"},
	{name: "Abdul Rahman Chowdhury", dob: "1980-04-25"},
	{name: "Jacqueline Phillips", nicknames: []string{"Jackie P"}, dob: "1966-10-01"},
	{name: "Mateusz Kowalczyk", dob: "1994-09-09"},
	{name: "Ioana Popescu", dob: "1998-03-17"},
	{name: "Dáithí Ó Briain", dob: "1977-07-07"},
	{name: "Kwame Mensah", dob: "1989-11-11"},
	{name: "Renée Dubois", dob: "1991-01-01"},
	{name: "Tomasz Nowak", dob: "1984-02-02"},
	{name: "Francesca Rossi", dob: "1996-06-06"},
	{name: "Ahmet Yılmaz", dob: "1987-08-18"},
	{name: "Connor McCarthy", dob: "2003-04-14"},
	{name: "Rhys Llewellyn", dob: "1976-05-15"},
	{name: "Matthew Gallagher", dob: "1982-09-19"},
	{name: "Anthony Pryce", dob: "1969-12-24"},
	{name: "Rebecca Greene", dob: "2000-02-29"},
	{name: "Deborah Stephens", dob: "1971-07-17"},
	{name: "Alexander Macdonald", dob: "1974-04-04"},
	{name: "Nguyen Van Minh", dob: "1990-10-10"},
	{name: "Fatima Begum", dob: "1985-05-25"},
	{name: "Ayesha Siddiqui", dob: "1993-03-13"},
	{name: "Robert Docherty", aliases: []string{"Bobby Doc"}, dob: "1965-06-16"},
	{name: "James Mahmood", dob: "1979-09-29"},
	{name: "Samantha Kerr", aliases: []string{"Samantha Carr"}, dob: "1992-12-02"},
}

// qualityQueries are name variants: spelling, transliteration, nicknames,
// swapped forename and surname, missing accents, hyphens, particles,
// doubled letters and missing middle names. want is the index of the
// target in qualityTargets.
var qualityQueries = []struct {
	text, dob string
	want      int
}{
	{"Muhammad Khan", "", 0}, {"Mohamed Khan", "", 0}, {"Mo Khan", "", 0}, {"Khan Mohammed", "", 0}, {"Mohammad Kahn", "", 0},
	{"Sean ONeill", "", 1}, {"Shaun O Neil", "", 1}, {"O'Neill Sean", "", 1},
	{"Zoe Browne", "", 2}, {"Zoe Brown", "", 2},
	{"Jose Garcia", "", 3}, {"Garcia Jose", "", 3},
	{"Bill Robertson", "", 4}, {"Billy Robertson", "", 4},
	{"Kate McDonald", "", 5}, {"Catherine Macdonald", "", 5}, {"Kathryn Mc Donald", "", 5}, {"Katherine McDonald", "22/11/1990", 5},
	{"Siobhan Murphey", "", 6}, {"Shivaun Murphy", "", 6},
	{"Lukasz Wojcik", "", 7}, {"Lucas Wojcik", "", 7},
	{"Aleksander Ivanov", "", 8}, {"Alexander Ivanov", "", 8},
	{"Gurpreet Sandhu", "", 9}, {"Sandhu Gurpreet", "", 9}, {"Gurpreet Sandh", "", 9},
	{"Olumide Adeyemmi", "", 10},
	{"Chris Hughes Williams", "", 11}, {"Christopher Hugheswilliams", "", 11},
	{"Steven Stephenson", "", 12}, {"Steve Stevenson", "", 12},
	{"Yousef Ahmed", "", 13}, {"Yusuf Ahmad", "", 13},
	{"Jon Smith-Jones", "", 14}, {"Jonathon Smithjones", "", 14},
	{"Mohammed Ali Husain", "", 15}, {"Muhammad Hussain", "", 15},
	{"Neve Doherty", "", 16}, {"Niamh Docherty", "", 16},
	{"Abdulrahman Chowdhury", "", 17}, {"Abdul Rahman Choudhury", "", 17},
	{"Jackie Phillips", "", 18}, {"Jacqueline Philips", "", 18},
	{"Mateusz Kowalczik", "", 19},
	{"Ioana Popesku", "", 20},
	{"Daithi OBriain", "", 21},
	{"Kwame Mensa", "", 22},
	{"Renee Dubois", "", 23},
	{"Tomas Nowak", "", 24},
	{"Franchesca Rossi", "", 25},
	{"Ahmet Yilmaz", "", 26},
	{"Conor McCarthy", "", 27},
	{"Rees Llewelyn", "", 28},
	{"Matt Gallagher", "", 29},
	{"Tony Price", "", 30},
	{"Becky Green", "", 31},
	{"Debbie Stevens", "", 32},
	{"Alex MacDonald", "", 33},
	{"Minh Nguyen", "", 34},
	{"Fatimah Begum", "", 35}, {"Fatima Begum", "25/05/1985", 35},
	{"Aisha Siddiqi", "", 36},
	{"Bob Docherty", "", 37}, {"Bobby Doc", "", 37},
	{"Jim Mahmood", "", 38},
	{"Sam Kerr", "", 39}, {"Samantha Car", "", 39},
}

// insertPerson stores a person originated by agency with marking m.
func insertPerson(t testing.TB, st *store.Store, w *searchWorld, p qualityTarget, m domain.Marking) domain.Entity {
	t.Helper()
	e := domain.Entity{Kind: domain.EntityPerson, Name: p.name, Aliases: p.aliases, Nicknames: p.nicknames, Marking: m, CreatedBy: w.analystUser.ID}
	if p.dob != "" {
		d, _ := time.Parse("2006-01-02", p.dob)
		e.DOB = &d
	}
	if e.Marking.PartnershipID == "" {
		e.Marking = domain.Marking{PartnershipID: w.pid, OriginAgencyID: w.police.ID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP}
	}
	err := st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error { return st.InsertEntity(ctx, tx, &e) })
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// bulkPeople stores, in one bulk load, n people called name for each entry
// of names, under marking m, recorded by createdBy.
func bulkPeople(t testing.TB, st *store.Store, pid string, m domain.Marking, createdBy string, names map[string]int) {
	t.Helper()
	ctx := context.Background()
	err := st.BulkTx(ctx, pid, func(ctx context.Context, tx *sql.Tx, b *store.Bulk) error {
		for name, n := range names {
			for range n {
				b.AddEntity(domain.Entity{ID: st.NewID(), Kind: domain.EntityPerson, Name: name, Marking: m, CreatedBy: createdBy})
				if b.Full() {
					if _, err := b.Flush(ctx); err != nil {
						return err
					}
				}
			}
		}
		_, err := b.Flush(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSearchQuality looks for people by variants of their names among a
// few thousand synthetic people with many alike names, and wants the
// person meant in the first three results for at least 95% of them.
func TestSearchQuality(t *testing.T) {
	if len(qualityQueries) < 50 {
		t.Fatalf("got %d name variants, want at least 50", len(qualityQueries))
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newSearchWorld(t, st)
		if _, err := generate.Register(ctx, st, w.pid, w.police.ID, w.analystUser.ID, 5000, 300, 7); err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(qualityTargets))
		for i, p := range qualityTargets {
			ids[i] = insertPerson(t, st, w, p, domain.Marking{}).ID
		}
		hits := 0
		for _, q := range qualityQueries {
			res, err := w.svc.Search(ctx, w.analyst, service.SearchInput{Text: q.text, DOB: q.dob}, 1)
			if err != nil {
				t.Fatalf("%q: %v", q.text, err)
			}
			var top []string
			for i, it := range res.Items {
				if i < 3 {
					top = append(top, it.Name)
					if it.ID == ids[q.want] {
						hits++
						top = nil
						break
					}
				}
			}
			if top != nil {
				t.Logf("%q: %q not in the top 3: got %q", q.text, qualityTargets[q.want].name, top)
			}
		}
		rate := float64(hits) / float64(len(qualityQueries))
		t.Logf("%s: the person meant was in the top 3 for %d of %d name variants (%.1f%%)", t.Name(), hits, len(qualityQueries), 100*rate)
		if rate < 0.95 {
			t.Errorf("got %.1f%% in the top 3, want at least 95%%", 100*rate)
		}
	})
}

// TestSearchHidesWhatTheActorMayNotSee checks that an exact name, date of
// birth or reference never finds a person the actor may not see, and that
// hidden people are not counted.
func TestSearchHidesWhatTheActorMayNotSee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newSearchWorld(t, st)
		restricted := insertPerson(t, st, w, qualityTarget{name: "Ezekiel Quarrington", dob: "1980-01-02"}, domain.Marking{PartnershipID: w.pid,
			OriginAgencyID: w.council.ID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP, Restricted: true, NamedAgencies: []string{w.council.ID}})
		sensitive := insertPerson(t, st, w, qualityTarget{name: "Ezekiel Quarrington", dob: "1980-01-02"}, domain.Marking{PartnershipID: w.pid,
			OriginAgencyID: w.police.ID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP})
		open := insertPerson(t, st, w, qualityTarget{name: "Ezekiel Quarington"}, domain.Marking{PartnershipID: w.pid,
			OriginAgencyID: w.police.ID, Classification: domain.Official, Handling: domain.HandlingP})
		tests := []struct {
			who  domain.Actor
			in   service.SearchInput
			want []string
		}{
			{w.analyst, service.SearchInput{Text: "Ezekiel Quarrington"}, []string{sensitive.ID, open.ID}},
			{w.analyst, service.SearchInput{Text: restricted.Reference}, nil},
			{w.analyst, service.SearchInput{DOB: "02/01/1980"}, []string{sensitive.ID}},
			{w.officer, service.SearchInput{Text: "Ezekiel Quarrington"}, []string{restricted.ID, open.ID}},
			{w.officer, service.SearchInput{Text: sensitive.Reference}, nil},
			{w.officer, service.SearchInput{DOB: "1980-01-02"}, []string{restricted.ID}},
		}
		for _, tt := range tests {
			res, err := w.svc.Search(ctx, tt.who, tt.in, 1)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range res.Items {
				got = append(got, it.ID)
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) || res.Total != len(tt.want) {
				t.Errorf("%s searching %+v: got %q (total %d), want %q", tt.who.Email, tt.in, got, res.Total, want)
			}
		}
	})
}

// TestSearchHiddenPostingsTakeNoPlace: more hidden records share a
// name's keys than a source reads, yet the one visible record with that
// name is found, as it would be if the hidden ones did not exist.
func TestSearchHiddenPostingsTakeNoPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newSearchWorld(t, st)
		hidden := domain.Marking{PartnershipID: w.pid, OriginAgencyID: w.council.ID, Classification: domain.OfficialSensitive,
			Handling: domain.HandlingP, Restricted: true, NamedAgencies: []string{w.council.ID}}
		bulkPeople(t, st, w.pid, hidden, w.otherUsr.ID, map[string]int{"Zed Quux": 2100})
		open := insertPerson(t, st, w, qualityTarget{name: "Zed Quux"}, domain.Marking{PartnershipID: w.pid,
			OriginAgencyID: w.police.ID, Classification: domain.Official, Handling: domain.HandlingP})
		res, err := w.svc.Search(ctx, w.analyst, service.SearchInput{Text: "Zed Quux"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1 || len(res.Items) != 1 || res.Items[0].ID != open.ID {
			t.Errorf("got total %d, want the one visible Zed Quux (%s) and none of the 2,100 hidden", res.Total, open.ID)
		}
	})
}

func TestSearchValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newSearchWorld(t, st)
		tests := []struct {
			in    service.SearchInput
			field string
		}{
			{service.SearchInput{Text: "Smith", DOB: "31/02/1990"}, "dob"},
			{service.SearchInput{Text: "Smith", DOB: "22/11/2099"}, "dob"},
			{service.SearchInput{Text: "Smith", Kinds: []string{"spaceship"}}, "kind"},
			{service.SearchInput{}, "q"},
			{service.SearchInput{Text: "  ,  "}, "q"},
		}
		for _, tt := range tests {
			_, err := w.svc.Search(context.Background(), w.analyst, tt.in, 1)
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || !verr.Has(tt.field) {
				t.Errorf("Search(%+v): got %v, want a problem with %s", tt.in, err, tt.field)
			}
		}
	})
}

// TestSearchKindsAndLog checks kind filters, groups by operation name,
// vehicles by registration, and that a search is logged as a consultation
// with its words as typed and the results shown, or with its words alone
// when it shows nothing.
func TestSearchKindsAndLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newSearchWorld(t, st)
		if _, err := generate.Register(ctx, st, w.pid, w.police.ID, w.analystUser.ID, 500, 50, 3); err != nil {
			t.Fatal(err)
		}
		person := insertPerson(t, st, w, qualityTarget{name: "Kestrel Hawthorne"}, domain.Marking{})
		tests := []struct {
			in       service.SearchInput
			wantKind string
		}{
			{service.SearchInput{Text: "Operation Kestrel", Kinds: []string{"group"}}, service.KindGroup},
			{service.SearchInput{Text: "Kestrel Hawthorn", Kinds: []string{"person"}}, "person"},
			{service.SearchInput{Text: "OCG-SYN-000001"}, service.KindGroup},
			{service.SearchInput{Text: "PS-0000001"}, "person"},
		}
		for _, tt := range tests {
			res, err := w.svc.Search(ctx, w.analyst, tt.in, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) == 0 {
				t.Errorf("%+v: got nothing", tt.in)
				continue
			}
			for _, it := range res.Items {
				if len(tt.in.Kinds) > 0 && it.Kind != tt.wantKind {
					t.Errorf("%+v: got a %s (%s), want only %s", tt.in, it.Kind, it.Name, tt.wantKind)
				}
			}
			if got := res.Items[0].Kind; got != tt.wantKind {
				t.Errorf("%+v: first result is a %s, want a %s", tt.in, got, tt.wantKind)
			}
		}
		res, err := w.svc.Search(ctx, w.analyst, service.SearchInput{Text: "Kestrel Hawthorne", Kinds: []string{"person"}}, 1)
		if err != nil || len(res.Items) == 0 || res.Items[0].ID != person.ID {
			t.Fatalf("got %+v, %v; want %s first", res.Items, err, person.ID)
		}
		entries, err := st.SearchAudit(ctx, w.pid, store.AuditFilter{RecordID: person.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			t.Fatal("got no consultation logged for the results shown")
		}
		var labels []string
		for _, e := range entries {
			if e.Justification != "Search of the OCG register" || e.Operation != "consultation" {
				t.Errorf("got entry %q / %q, want a consultation for a search", e.Operation, e.Justification)
			}
			labels = append(labels, e.Label)
		}
		if want := `search for "Kestrel Hawthorne" among person, results page 1`; !slices.Contains(labels, want) {
			t.Errorf("got labels %q, want one %q: the words as typed, the kinds and the page", labels, want)
		}
		// Nothing found: the words are logged all the same.
		res, err = w.svc.Search(ctx, w.analyst, service.SearchInput{Text: "Zebedee Nobodyknows", DOB: "01/02/1970"}, 1)
		if err != nil || len(res.Items) != 0 {
			t.Fatalf("got %d results, %v; want none", len(res.Items), err)
		}
		all, err := st.SearchAudit(ctx, w.pid, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := `search for "Zebedee Nobodyknows" born "01/02/1970", results page 1: nothing shown`
		found := false
		for _, e := range all {
			if e.Label == want {
				found = true
				if e.Operation != "consultation" || e.RecordType != "search" || len(e.RecordIDs) != 0 || e.ActorID != w.analyst.UserID {
					t.Errorf("got %+v, want the analyst's consultation of a search that showed nothing", e)
				}
			}
		}
		if !found {
			t.Errorf("got no entry labelled %q among %d: a search that shows nothing must be logged with its words", want, len(all))
		}
	})
}

// TestSearchNewestNotCrowdedOut checks that the person a search means is
// found when many older records share its keys: a key that reached its
// cap gives no weight to the oldest records it read, and a common key does
// not use up the postings a rarer key of the same source would give.
func TestSearchNewestNotCrowdedOut(t *testing.T) {
	tests := []struct {
		name  string
		older map[string]int // name → how many older people have it
		want  qualityTarget  // the person added last, who must come first
		query service.SearchInput
	}{
		{
			// "Ioana" is on 1,670 older people (its token key is capped);
			// 70 of them are Ioana Popescu by a middle name, which the
			// capped token key used to give two more than the newest,
			// so she fell out of the 60 records ranked.
			name:  "capped token key",
			older: map[string]int{"Ioana Marin": 1600, "Mary Ioana Popescu": 70},
			want:  qualityTarget{name: "Ioana Popescu"},
			query: service.SearchInput{Text: "Ioana Popesku"},
		},
		{
			// "Kestrel Quux" shares no key with the 2,100 older "Zed
			// Quux" but sits in the same (pair) source as one of their
			// keys, which sorts first: the source's one cap used to be
			// spent on them.
			name:  "common key in the same source",
			older: map[string]int{"Zed Quux": 2100},
			want:  qualityTarget{name: "Kestrel Quux"},
			query: service.SearchInput{Text: "Zed Kestrel Quux"},
		},
		{
			// Sam is short for Samuel and Samantha, so each Sam Kaur has
			// three pair keys of the query's two words; at 6 each they
			// outweighed the date of birth, at 16.
			name:  "a date of birth outweighs names",
			older: map[string]int{"Sam Kaur": 200},
			want:  qualityTarget{name: "Samantha Kerr", dob: "1992-12-02"},
			query: service.SearchInput{Text: "Sam Kerr", DOB: "02/12/1992"},
		},
	}
	for _, tt := range tests {
		// A store for each case, so no case sees another's people.
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				w := newSearchWorld(t, st)
				bulkPeople(t, st, w.pid, domain.Marking{PartnershipID: w.pid, OriginAgencyID: w.police.ID, Classification: domain.OfficialSensitive,
					Handling: domain.HandlingP}, w.analystUser.ID, tt.older)
				want := insertPerson(t, st, w, tt.want, domain.Marking{})
				res, err := w.svc.Search(ctx, w.analyst, tt.query, 1)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Items) == 0 || res.Items[0].ID != want.ID {
					var got []string
					for _, it := range res.Items[:min(3, len(res.Items))] {
						got = append(got, it.Name)
					}
					t.Errorf("%+v: got %q first of %d, want %q", tt.query, got, res.Total, tt.want.name)
				}
			})
		})
	}
}
