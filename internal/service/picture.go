package service

import (
	"cmp"
	"context"
	"database/sql"
	"iter"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Pictures is the OCG picture use case: the figures a partnership reports
// on its organised crime groups (how many are scored and mapped, how many
// were dismantled, by threat), the ranked list and the groups that need
// attention. Figures are counts computed from the register's records under
// the access policy, so nobody's figures include a group they may not see.
type Pictures struct {
	policyUser
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewPictures returns the service. Listing groups by name is logged to
// alog as a consultation; counts are not personal data and are not logged.
func NewPictures(st *store.Store, log *slog.Logger, alog *audit.Log) *Pictures {
	if log == nil {
		log = slog.Default()
	}
	return &Pictures{st: st, log: log, alog: alog}
}

// PictureCount is one line of a breakdown: a threat (Code is its code) or
// a picture group (Code is the group's name), and how many groups.
type PictureCount struct {
	Code  string
	Name  string
	Count int
}

// PictureFigure is one headline figure with its breakdowns, by picture
// group ("Drugs or county lines") and by individual threat.
type PictureFigure struct {
	Total    int
	ByGroup  []PictureCount
	ByThreat []PictureCount
}

// Summary writes the breakdown by picture group as the seed slide does:
// "24 drugs or county lines, 2 modern slavery and human trafficking, 1
// burglary, 1 fraud".
func (f PictureFigure) Summary() string { return summary(f.ByGroup) }

// ThreatSummary writes the breakdown by threat: "9 county lines, 7 illegal
// drugs, 1 burglary".
func (f PictureFigure) ThreatSummary() string { return summary(f.ByThreat) }

func summary(list []PictureCount) string {
	parts := make([]string, len(list))
	for i, c := range list {
		parts[i] = strconv.Itoa(c.Count) + " " + strings.ToLower(c.Name)
	}
	return strings.Join(parts, ", ")
}

// AttentionReason is why a group is on the needs-attention list.
type AttentionReason string

// Reasons, in the order pages list them.
const (
	ReasonNoLRO             AttentionReason = "no_lro"
	ReasonNoPlan            AttentionReason = "no_plan"
	ReasonNoScore           AttentionReason = "no_score"
	ReasonPlanReviewOverdue AttentionReason = "plan_review_overdue"
	ReasonReviewOverdue     AttentionReason = "review_overdue"
)

// Label is the reason as pages show it.
func (r AttentionReason) Label() string {
	switch r {
	case ReasonNoLRO:
		return "No lead responsible officer"
	case ReasonNoPlan:
		return "No current 4P plan"
	case ReasonNoScore:
		return "Not scored"
	case ReasonPlanReviewOverdue:
		return "4P plan review overdue"
	case ReasonReviewOverdue:
		return "Group review overdue"
	}
	return string(r)
}

// Attention is a group that needs attention and why.
type Attention struct {
	OCG           domain.OCG
	Reasons       []AttentionReason
	PlanReviewDue *time.Time
}

// OCGPicture is the partnership's OCG picture as one viewer may see it.
type OCGPicture struct {
	// AsAt is the day groups are counted as scored and mapped: the end of
	// the financial year asked for, else today.
	AsAt time.Time
	// Period is the span groups are counted as dismantled in: the financial
	// year, else the twelve months to today.
	Period domain.Period
	// Year is the financial year asked for, nil for the last twelve months.
	Year *domain.FiscalYear
	// Years are the financial years with lifecycle records, newest first,
	// for choosing another.
	Years []domain.FiscalYear
	// Mapped counts the groups scored and mapped on AsAt; Dismantled those
	// archived as dismantled in Period.
	Mapped, Dismantled PictureFigure
	// Today is the day the ranked and needs-attention lists are as at.
	Today time.Time
	// Ranked lists the active groups today, highest score first.
	Ranked []domain.OCG
	// NeedsAttention lists active groups that lack an LRO, a current plan or
	// a score, or whose review is overdue, with the reasons.
	NeedsAttention []Attention
	// Trend is, for each financial year from the oldest with lifecycle
	// records to the newest (at most the latest six, oldest first, none
	// skipped), the groups scored and mapped at its end and those
	// dismantled during it.
	Trend []PictureYear
}

// PictureYear is one financial year of the picture's trend.
type PictureYear struct {
	Year               domain.FiscalYear
	Mapped, Dismantled PictureFigure
}

// MappedIn is how many groups of picture group g were mapped at the
// year's end.
func (y PictureYear) MappedIn(g string) int {
	for _, c := range y.Mapped.ByGroup {
		if c.Name == g {
			return c.Count
		}
	}
	return 0
}

// consecutiveYears yields, oldest first, every financial year from the
// oldest of years (newest first) to the newest, at most n of them.
func consecutiveYears(years []domain.FiscalYear, n int) iter.Seq[domain.FiscalYear] {
	return func(yield func(domain.FiscalYear) bool) {
		if len(years) == 0 {
			return
		}
		newest, oldest := years[0], years[len(years)-1]
		for y := domain.FiscalYear(int(newest) - n + 1); y <= newest; y++ {
			if y >= oldest && !yield(y) {
				return
			}
		}
	}
}

// maxTrendYears is how many financial years the trend shows.
const maxTrendYears = 6

// TrendGroups are the picture groups mapped in any year of the trend, in
// the order they first appear.
func (p OCGPicture) TrendGroups() []string {
	var out []string
	for _, y := range p.Trend {
		for _, c := range y.Mapped.ByGroup {
			if !slices.Contains(out, c.Name) {
				out = append(out, c.Name)
			}
		}
	}
	return out
}

// PeriodParam is the value of the fy parameter for this picture: "2023-24",
// or "" for the last twelve months.
func (p OCGPicture) PeriodParam() string {
	if p.Year == nil {
		return ""
	}
	return strings.Replace(p.Year.String(), "/", "-", 1)
}

// today is the store clock's day in the UK (domain.UKDay).
func (ps *Pictures) today() time.Time { return domain.UKDay(ps.st.Now()) }

// Picture returns the OCG picture a may see. fy is a financial year
// ("2023/24" or "2023-24"): the groups scored and mapped on its last day
// and dismantled during it; empty means as at today and the twelve months
// to today. A badly written fy is a *domain.ValidationError naming "fy";
// someone whose roles do not allow reading groups gets ErrForbidden. The
// groups the lists name are logged as one consultation.
func (ps *Pictures) Picture(ctx context.Context, a domain.Actor, fy string) (OCGPicture, error) {
	return ps.picture(ctx, a, fy, true)
}

// Figures is Picture's counts alone (mapped, dismantled and the trend),
// without the ranked and needs-attention lists, which name groups: what a
// board pack prints.
func (ps *Pictures) Figures(ctx context.Context, a domain.Actor, fy string) (OCGPicture, error) {
	return ps.picture(ctx, a, fy, false)
}

func (ps *Pictures) picture(ctx context.Context, a domain.Actor, fy string, lists bool) (OCGPicture, error) {
	p, err := ps.policyOf(ctx, ps.st)
	if err != nil {
		return OCGPicture{}, err
	}
	if !p.Allowed(a, authz.Count, domain.KindOCG) {
		return OCGPicture{}, domain.ErrForbidden
	}
	// A partner system reads figures only under an agreement in force, and
	// a token says why it reads the groups the lists name.
	rl := readLog{st: ps.st, alog: ps.alog}
	isa, system, err := rl.systemRead(ctx, a)
	if err != nil {
		return OCGPicture{}, err
	}
	why, err := listPurpose(a, "The OCG picture: ranked list and groups needing attention")
	if err != nil {
		return OCGPicture{}, err
	}
	today := ps.today()
	pic := OCGPicture{Today: today, AsAt: today, Period: domain.TwelveMonthsTo(today)}
	if fy = strings.TrimSpace(fy); fy != "" {
		y, err := domain.ParseFiscalYear(fy)
		if err != nil {
			verr := &domain.ValidationError{}
			verr.Add("fy", "%s", capitalise(err.Error()))
			return OCGPicture{}, verr
		}
		pic.Year, pic.AsAt, pic.Period = &y, y.End(), y.Period()
	}
	mapped, err := ps.st.MappedOn(ctx, p, a, pic.AsAt)
	if err != nil {
		return OCGPicture{}, err
	}
	dismantled, err := ps.st.DismantledIn(ctx, p, a, pic.Period.From, pic.Period.To)
	if err != nil {
		return OCGPicture{}, err
	}
	pic.Mapped, pic.Dismantled = figure(mapped), figure(dismantled)
	if pic.Years, err = ps.st.PictureYears(ctx, p, a); err != nil {
		return OCGPicture{}, err
	}
	// Every year from the oldest with records to the newest, at most
	// six: a year with no lifecycle record still has groups mapped at its
	// end, and leaving it out would hide a year on the chart's axis.
	for y := range consecutiveYears(pic.Years, maxTrendYears) {
		m, err := ps.st.MappedOn(ctx, p, a, y.End())
		if err != nil {
			return OCGPicture{}, err
		}
		d, err := ps.st.DismantledIn(ctx, p, a, y.Period().From, y.Period().To)
		if err != nil {
			return OCGPicture{}, err
		}
		pic.Trend = append(pic.Trend, PictureYear{Year: y, Mapped: figure(m), Dismantled: figure(d)})
	}
	if lists && p.Allowed(a, authz.List, domain.KindOCG) {
		pic.Ranked, err = ps.st.NewOCGQuery(p, a, authz.List).WithStatuses(domain.StatusMapped, domain.StatusAdopted, domain.StatusManaged).
			ByScore().List(ctx, 0, 0)
		if err != nil {
			return OCGPicture{}, err
		}
		rows, err := ps.st.NeedsAttention(ctx, p, a, today)
		if err != nil {
			return OCGPicture{}, err
		}
		for _, r := range rows {
			if why := AttentionReasons(r, today); len(why) > 0 {
				pic.NeedsAttention = append(pic.NeedsAttention, Attention{OCG: r.OCG, Reasons: why, PlanReviewDue: r.PlanReviewDue})
			}
		}
	}
	if err := ps.logLists(ctx, a, pic, why, isa, system); err != nil {
		return OCGPicture{}, err
	}
	return pic, nil
}

// AttentionReasons works out why a group needs attention on today: an
// adopted or managed group without an LRO or a current plan; any active
// group without a score, or past its own or its plan's review date.
func AttentionReasons(r store.AttentionRow, today time.Time) []AttentionReason {
	o := r.OCG
	if !o.Status.Active() {
		return nil
	}
	var why []AttentionReason
	owned := o.Status == domain.StatusAdopted || o.Status == domain.StatusManaged
	if owned && o.LROUserID == "" {
		why = append(why, ReasonNoLRO)
	}
	if owned && !r.HasPlan {
		why = append(why, ReasonNoPlan)
	}
	if o.Score == nil {
		why = append(why, ReasonNoScore)
	}
	if r.HasPlan && r.PlanReviewDue != nil && r.PlanReviewDue.Before(today) {
		why = append(why, ReasonPlanReviewOverdue)
	}
	if o.ReviewDue != nil && o.ReviewDue.Before(today) {
		why = append(why, ReasonReviewOverdue)
	}
	return why
}

// figure turns per-threat counts into a headline figure with breakdowns by
// picture group and by threat, largest first (ties in the reference
// data's order).
func figure(counts []store.ThreatCount) PictureFigure {
	var f PictureFigure
	groupAt := map[string]int{}
	for _, c := range counts {
		f.Total += c.Count
		f.ByThreat = append(f.ByThreat, PictureCount{Code: c.Threat.Code, Name: c.Threat.Name, Count: c.Count})
		g := c.Threat.PictureGroup
		if i, ok := groupAt[g]; ok {
			f.ByGroup[i].Count += c.Count
			continue
		}
		groupAt[g] = len(f.ByGroup)
		f.ByGroup = append(f.ByGroup, PictureCount{Code: g, Name: g, Count: c.Count})
	}
	// counts come in the reference data's order; a stable sort keeps it for ties.
	byCount := func(a, b PictureCount) int { return cmp.Compare(b.Count, a.Count) }
	slices.SortStableFunc(f.ByThreat, byCount)
	slices.SortStableFunc(f.ByGroup, byCount)
	return f
}

// logLists records that a was shown the groups the ranked and
// needs-attention lists name, as one consultation justified by why, under
// the agreement isa for a partner system.
func (ps *Pictures) logLists(ctx context.Context, a domain.Actor, pic OCGPicture, why string, isa domain.ISA, system bool) error {
	var ids []string
	for _, o := range pic.Ranked {
		ids = append(ids, o.ID)
	}
	for _, x := range pic.NeedsAttention {
		if !slices.Contains(ids, x.OCG.ID) {
			ids = append(ids, x.OCG.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rl := readLog{st: ps.st, alog: ps.alog}
	label := "OCG picture, " + pic.Period.Label
	return ps.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		return rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindOCG),
			RecordIDs: ids, Label: label, Justification: why}, isa, system)
	})
}
