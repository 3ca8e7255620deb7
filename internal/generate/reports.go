package generate

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store"
)

// ReportOptions say what Reports writes.
type ReportOptions struct {
	PartnershipID string
	// Police and Council are the agencies reports come from: most from
	// the police, some from the council.
	Police, Council string
	UserID          string
	Reports         int
	// Submissions to triage: of them, OpenSubmissions are still waiting
	// (new or with a question), the rest graded or closed.
	Submissions, OpenSubmissions int
	Seed                         uint64
}

// ReportStats count what Reports wrote.
type ReportStats struct {
	Reports, Sanitised, Conditions, Links, Submissions int64
}

// reportBatch is how many reports go into one transaction.
const reportBatch = 20000

// reportWords is the generator's vocabulary: the words of intelligence
// text, drawn with a Zipf distribution so a few are in most reports and
// most are rare, as in real text.
var reportWords = strings.Fields(`the a at and of to in on was is with from by seen said male female vehicle car van flat house address
	cash drugs cannabis cocaine heroin crack county lines line phone deal dealing supply runner runners child young person persons
	exploitation cuckooing knife firearm weapon threat violence money laundering car wash nail bar takeaway shop premises door lock
	visits late night early morning weekend school park station bus taxi delivery parcel storage unit garage lockup rented tenant
	landlord council housing benefit fraud sham marriage modern slavery trafficking workers minibus farm factory warehouse cannabis grow
	electricity bypass smell lights curtains known associate brother cousin girlfriend debt bond text messages snapchat telegram
	burner sim handset deal line name branded holding stash safe house trap north south east west estate road street lane avenue close
	court market harbour quay canal bridge railway retail park hotel airbnb short let caravan site travellers scrap metal cash only
	tools theft burglary robbery shoplifting organised group gang crew leader principal significant peripheral enforcer recruiter
	older younger teenager missing episodes return interview referral social care education exclusion pupil referral unit college`)

// reportPlaces and reportNames make the text of each report its own.
var (
	reportPlaces = strings.Fields(`Harrogate Scarborough Whitby Selby Skipton Ripon Malton Thirsk Northallerton Richmond Catterick
		Knaresborough Filey Pickering Tadcaster Easingwold Bedale Settle Helmsley Stokesley Middlesbrough Redcar York Leeds Bradford`)
	reportNames = strings.Fields(`Smith Khan Murphy Kowalski Patel Jones Brown Wilson Taylor Ahmed Hussain Nowak Kelly Walsh
		Robinson Wright Thompson Evans Hughes Green Hall Wood Clarke Jackson Ali Begum Singh Kaur Mensah Popescu Ivanov`)
)

// Reports writes synthetic information reports for a benchmark: a year
// and more of intelligence (spread over the two years before 2026-12-01),
// three in five police originals handled P, one in five handled C for
// police, ROCU and councils, one in twenty restricted to the police by
// name, one in twenty from the council, one in fifty a sanitised version
// of a police original handled C for councils; one in five linked to one
// of the partnership's groups or entities. Then submissions, most decided
// and OpenSubmissions waiting in triage. The same seed writes the same
// data. References are synthetic (IR-SYN-0000001, SUB-SYN-0000001).
func Reports(ctx context.Context, st *store.Store, opts ReportOptions) (ReportStats, error) {
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x7e907e90))
	g := &reportGen{st: st, opts: opts, rng: rng, zipf: rand.NewZipf(rng, 1.07, 2, uint64(len(reportWords)-1)),
		end: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), span: int64(2 * 365 * 24 * time.Hour), written: map[string]int{}}
	var err error
	if g.groups, err = st.SomeRecordIDs(ctx, opts.PartnershipID, domain.NodeOCG, 5000); err != nil {
		return g.stats, err
	}
	if g.entities, err = st.SomeRecordIDs(ctx, opts.PartnershipID, domain.NodeEntity, 50000); err != nil {
		return g.stats, err
	}
	for done := 0; done < opts.Reports; done += reportBatch {
		if err := ctx.Err(); err != nil {
			return g.stats, err
		}
		n := min(reportBatch, opts.Reports-done)
		list := make([]store.ReportLoad, 0, n)
		for i := range n {
			list = append(list, g.report(done+i+1))
		}
		err := st.BulkTx(ctx, opts.PartnershipID, func(ctx context.Context, _ *sql.Tx, b *store.Bulk) error {
			b.TidyLater(g.written)
			return b.LoadReports(ctx, list)
		})
		if err != nil {
			return g.stats, fmt.Errorf("generate reports: %w", err)
		}
		g.stats.Reports += int64(n)
	}
	if err := g.submissions(ctx); err != nil {
		return g.stats, err
	}
	return g.stats, st.TidyAfterBulk(ctx, g.written)
}

// reportGen is Reports' state.
type reportGen struct {
	st               *store.Store
	opts             ReportOptions
	rng              *rand.Rand
	zipf             *rand.Zipf
	end              time.Time
	span             int64
	groups, entities []string
	lastPolice       []string
	written          map[string]int
	stats            ReportStats
}

// text is words of intelligence text.
func (g *reportGen) text(words int) string {
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch g.rng.IntN(25) {
		case 0:
			b.WriteString(reportPlaces[g.rng.IntN(len(reportPlaces))])
		case 1:
			b.WriteString(reportNames[g.rng.IntN(len(reportNames))])
		case 2:
			fmt.Fprintf(&b, "YK%02d%c%c%c", g.rng.IntN(30), 'A'+g.rng.IntN(26), 'A'+g.rng.IntN(26), 'A'+g.rng.IntN(26))
		default:
			b.WriteString(reportWords[g.zipf.Uint64()])
		}
	}
	return b.String()
}

// report makes report number num, with its marking and links.
func (g *reportGen) report(num int) store.ReportLoad {
	opts := g.opts
	at := g.end.Add(-time.Duration(g.span * int64(opts.Reports-num) / int64(max(opts.Reports, 1))))
	r := domain.InfoReport{ID: g.st.NewID(), Reference: fmt.Sprintf("IR-SYN-%07d", num), Title: g.text(6), Body: g.text(40 + g.rng.IntN(80)),
		SourceGrade: string(rune('1' + g.rng.IntN(3))), IntelGrade: string(rune('A' + g.rng.IntN(5))), CreatedBy: opts.UserID, CreatedAt: at,
		Marking: domain.Marking{PartnershipID: opts.PartnershipID, OriginAgencyID: opts.Police, Classification: domain.OfficialSensitive,
			Handling: domain.HandlingP}}
	m := &r.Marking
	switch k := g.rng.IntN(100); {
	case k < 15:
		m.Classification = domain.Official
	case k < 35:
		m.Handling, r.HandlingConditions = domain.HandlingC, "Police, ROCU and councils only"
		m.ConditionTypes = []domain.AgencyType{domain.AgencyPolice, domain.AgencyROCU, domain.AgencyLocalAuthority}
	case k < 40:
		m.Restricted, m.NamedAgencies = true, []string{opts.Police}
	case k < 45:
		m.OriginAgencyID = opts.Council
	case k < 47 && len(g.lastPolice) > 0:
		r.SanitisedFrom = g.lastPolice[g.rng.IntN(len(g.lastPolice))]
		m.Handling, r.HandlingConditions = domain.HandlingC, domain.SanitisedConditions
		m.ConditionTypes = []domain.AgencyType{domain.AgencyLocalAuthority}
		g.stats.Sanitised++
	}
	if m.OriginAgencyID == opts.Police && r.SanitisedFrom == "" && len(g.lastPolice) < 1000 {
		g.lastPolice = append(g.lastPolice, r.ID)
	}
	g.stats.Conditions += int64(len(m.ConditionTypes))
	load := store.ReportLoad{Report: r}
	if g.rng.IntN(5) == 0 {
		switch {
		case len(g.groups) > 0 && g.rng.IntN(3) == 0:
			load.Links = append(load.Links, store.LinkTo{Kind: domain.NodeOCG, ID: g.groups[g.rng.IntN(len(g.groups))]})
		case len(g.entities) > 0:
			load.Links = append(load.Links, store.LinkTo{Kind: domain.NodeEntity, ID: g.entities[g.rng.IntN(len(g.entities))]})
		}
		g.stats.Links += int64(len(load.Links))
	}
	return load
}

// submissions writes the submissions: most closed, the last
// OpenSubmissions waiting in triage, one in ten with a priority drawn.
func (g *reportGen) submissions(ctx context.Context) error {
	opts := g.opts
	subs := make([]domain.Submission, 0, opts.Submissions)
	for i := range opts.Submissions {
		at := g.end.Add(-time.Duration(g.span * int64(opts.Submissions-i) / int64(max(opts.Submissions, 1))))
		x := domain.Submission{ID: g.st.NewID(), PartnershipID: opts.PartnershipID, Reference: fmt.Sprintf("SUB-SYN-%07d", i+1),
			Source: domain.SourcePartner, What: g.text(30), Where: reportPlaces[g.rng.IntN(len(reportPlaces))], Priority: domain.PriorityRoutine,
			Status: domain.SubmissionClosed, DecisionReason: "Not enough to act on", SubmittedBy: opts.UserID, CreatedAt: at,
			Marking: domain.Marking{PartnershipID: opts.PartnershipID, OriginAgencyID: opts.Council, Classification: domain.OfficialSensitive,
				Handling: domain.HandlingP}}
		if g.rng.IntN(10) == 0 {
			x.Priority = domain.Priorities[g.rng.IntN(len(domain.Priorities))]
		}
		if i >= opts.Submissions-opts.OpenSubmissions {
			x.Status, x.DecisionReason = domain.SubmissionNew, ""
			if g.rng.IntN(5) == 0 {
				x.Status, x.Question = domain.SubmissionQuestion, "Which flat?"
			}
		}
		subs = append(subs, x)
	}
	for start := 0; start < len(subs); start += reportBatch {
		part := subs[start:min(start+reportBatch, len(subs))]
		err := g.st.BulkTx(ctx, opts.PartnershipID, func(ctx context.Context, _ *sql.Tx, b *store.Bulk) error {
			b.TidyLater(g.written)
			return b.LoadSubmissions(ctx, part)
		})
		if err != nil {
			return fmt.Errorf("generate submissions: %w", err)
		}
		g.stats.Submissions += int64(len(part))
	}
	return nil
}
