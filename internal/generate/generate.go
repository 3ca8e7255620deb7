// Package generate fills a database with synthetic data at benchmark scale:
// many partnerships, each with a reporting structure, agencies and users. It
// streams: rows are built and written in fixed-size batches, each in its own
// transaction, so memory does not grow with the number of rows. Every name
// is synthetic and marked so; a fixed seed makes runs repeatable.
package generate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Options size a run. Zero values take the defaults in Defaults.
type Options struct {
	Partnerships     int
	DistrictsPer     int
	WardsPerDistrict int
	AgenciesPer      int
	UsersPer         int
	Seed             uint64
	// AuditPer is how many audit log entries each partnership gets.
	AuditPer int
	// Audit signs the log's checkpoints; required when AuditPer > 0.
	Audit *audit.Log
	// RegionalForces, when above 1, makes the first partnership a regional
	// one: its region holds this many forces, each with DistrictsPer
	// districts, for regional roll-ups.
	RegionalForces int
	// Batch is how many rows go into one transaction.
	Batch int
	// Progress, when set, is told after each batch what has been written.
	Progress func(Stats)
}

// Defaults are the benchmark-scale sizes: 45 partnerships (about one per
// English and Welsh force area).
var Defaults = Options{Partnerships: 45, DistrictsPer: 8, WardsPerDistrict: 24, AgenciesPer: 16, UsersPer: 400, Seed: 42, Batch: 5000}

// Stats count what a run wrote.
type Stats struct {
	Partnerships, OrgUnits, Agencies, Users, AuditEntries int64
}

func (o *Options) fill() {
	d := Defaults
	if o.Partnerships <= 0 {
		o.Partnerships = d.Partnerships
	}
	if o.DistrictsPer <= 0 {
		o.DistrictsPer = d.DistrictsPer
	}
	if o.WardsPerDistrict <= 0 {
		o.WardsPerDistrict = d.WardsPerDistrict
	}
	if o.AgenciesPer <= 0 {
		o.AgenciesPer = d.AgenciesPer
	}
	if o.UsersPer < 0 {
		o.UsersPer = 0
	}
	if o.Batch <= 0 {
		o.Batch = d.Batch
	}
}

// Validate rejects sizes that cannot be generated.
func (o Options) Validate() error {
	switch {
	case o.Partnerships > 999:
		return errors.New("--partnerships: at most 999")
	case o.DistrictsPer > 99:
		return errors.New("--districts: at most 99 per partnership")
	case o.DistrictsPer*max(1, o.RegionalForces) > 99:
		return errors.New("a regional partnership may have at most 99 districts in all")
	case o.WardsPerDistrict > 999:
		return errors.New("--wards: at most 999 per district")
	case o.AgenciesPer > len(agencyTypes)*20:
		return fmt.Errorf("--agencies: at most %d per partnership", len(agencyTypes)*20)
	}
	return nil
}

var agencyTypes = []domain.AgencyType{
	domain.AgencyPolice, domain.AgencyLocalAuthority, domain.AgencyFireRescue, domain.AgencyHealth, domain.AgencyHMRC,
	domain.AgencyDWP, domain.AgencyProbation, domain.AgencyHousing, domain.AgencyEducation, domain.AgencyCSP,
	domain.AgencyCharity, domain.AgencyROCU, domain.AgencyNCA, domain.AgencyOther,
}

var roles = []domain.Role{domain.RoleAnalyst, domain.RolePartnerOfficer, domain.RolePartnerOfficer, domain.RolePartnerOfficer,
	domain.RoleLRO, domain.RolePanelMember, domain.RoleBoardViewer, domain.RoleReferralCoordinator, domain.RoleAuditor, domain.RoleAdministrator}

var regions = []string{"E12000001", "E12000002", "E12000003", "E12000004", "E12000005", "E12000006", "E12000007", "E12000008", "E12000009", "W92000004"}

// Run writes the synthetic data. Partnerships whose slug already exists are
// an error (ErrConflict): generate into a fresh database, or one that holds
// only the demo.
func Run(ctx context.Context, st *store.Store, opts Options) (Stats, error) {
	opts.fill()
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	var stats Stats
	for pi := 1; pi <= opts.Partnerships; pi++ {
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		var agencies []domain.Agency
		var pid string
		err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			p := domain.Partnership{
				Slug:       fmt.Sprintf("synthetic-%03d", pi),
				Name:       fmt.Sprintf("Synthetic partnership %03d", pi),
				Programme:  fmt.Sprintf("Synthetic programme %03d", pi),
				RegionCode: regions[(pi-1)%len(regions)],
			}
			if err := st.InsertPartnership(ctx, tx, &p); err != nil {
				return err
			}
			pid = p.ID
			units := make([]store.OrgUnitRow, 0, 2+opts.DistrictsPer*(1+opts.WardsPerDistrict))
			region := store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: st.NewID(), PartnershipID: pid, Level: domain.LevelRegion, Code: p.RegionCode, Name: "Synthetic region " + p.RegionCode}}
			units = append(units, region)
			forces := 1
			if pi == 1 && opts.RegionalForces > 1 {
				forces = opts.RegionalForces
			}
			var force store.OrgUnitRow
			for d := 1; d <= opts.DistrictsPer*forces; d++ {
				if (d-1)%opts.DistrictsPer == 0 {
					fi := (d-1)/opts.DistrictsPer + 1
					force = store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: st.NewID(), PartnershipID: pid, ParentID: region.ID, Level: domain.LevelForce,
						Code: fmt.Sprintf("E23%06d", 900000+pi*10+fi), Name: fmt.Sprintf("Synthetic force %03d-%d", pi, fi)}}
					units = append(units, force)
				}
				dist := store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: st.NewID(), PartnershipID: pid, ParentID: force.ID, Level: domain.LevelDistrict,
					Code: fmt.Sprintf("E07%06d", 900000+d), Name: fmt.Sprintf("Synthetic district %03d-%02d", pi, d), Population: int64(60000 + rng.IntN(240000))}}
				units = append(units, dist)
				for w := 1; w <= opts.WardsPerDistrict; w++ {
					units = append(units, store.OrgUnitRow{OrgUnit: domain.OrgUnit{ID: st.NewID(), PartnershipID: pid, ParentID: dist.ID, Level: domain.LevelWard,
						Code: fmt.Sprintf("E059%02d%03d", d, w), Name: fmt.Sprintf("Synthetic ward %03d-%02d-%03d", pi, d, w),
						Population: int64(2000 + rng.IntN(12000))}})
				}
			}
			if err := st.InsertOrgUnits(ctx, tx, units); err != nil {
				return err
			}
			agencies = make([]domain.Agency, opts.AgenciesPer)
			for i := range agencies {
				t := agencyTypes[i%len(agencyTypes)]
				agencies[i] = domain.Agency{PartnershipID: pid, Name: fmt.Sprintf("Synthetic %s agency %03d-%02d", t, pi, i+1), ShortName: fmt.Sprintf("SA%02d", i+1), Type: t}
			}
			if err := st.InsertAgencies(ctx, tx, agencies); err != nil {
				return err
			}
			stats.OrgUnits += int64(len(units))
			return nil
		})
		if err != nil {
			return stats, fmt.Errorf("generate: partnership %d: %w", pi, err)
		}
		stats.Partnerships++
		stats.Agencies += int64(len(agencies))
		sample, err := writeUsers(ctx, st, opts, rng, pi, pid, agencies, &stats)
		if err != nil {
			return stats, err
		}
		if err := writeAudit(ctx, st, opts, rng, pid, agencies, sample, &stats); err != nil {
			return stats, err
		}
	}
	return stats, nil
}

var operations = []audit.Operation{audit.Consultation, audit.Consultation, audit.Consultation, audit.Consultation, audit.Consultation,
	audit.Consultation, audit.Consultation, audit.Consultation, audit.Collection, audit.Alteration, audit.Disclosure, audit.Combination}

var justifications = []string{"Tasking or briefing: daily management meeting", "Investigation or enquiry", "Safeguarding a person",
	"OCG management meeting or 4P plan", "Disruption panel", "Data quality, review or retention"}

// writeAudit appends opts.AuditPer entries to the partnership's chain, over
// the last three years, by its sampled users about a pool of records.
func writeAudit(ctx context.Context, st *store.Store, opts Options, rng *rand.Rand, pid string, agencies []domain.Agency, users []domain.User, stats *Stats) error {
	if opts.AuditPer <= 0 || len(users) == 0 {
		return nil
	}
	if opts.Audit == nil {
		return errors.New("generate: audit entries need the audit log's signing key")
	}
	agencyName := map[string]string{}
	for _, a := range agencies {
		agencyName[a.ID] = a.Name
	}
	records := make([]string, 5000)
	for i := range records {
		records[i] = st.NewID()
	}
	start := st.Now().AddDate(-3, 0, 0)
	step := 3 * 365 * 24 * time.Hour / time.Duration(opts.AuditPer)
	batch := make([]audit.Event, 0, opts.Batch)
	for i := 0; i < opts.AuditPer; i++ {
		u := users[rng.IntN(len(users))]
		op := operations[rng.IntN(len(operations))]
		e := audit.Event{At: start.Add(time.Duration(i) * step), ActorID: u.ID, ActorName: u.DisplayName, AgencyID: u.AgencyID,
			AgencyName: agencyName[u.AgencyID], Operation: op, RecordType: "info_report", RecordIDs: []string{records[rng.IntN(len(records))]},
			Label: fmt.Sprintf("IR-%06d", rng.IntN(999999)), RequestID: fmt.Sprintf("%024x", rng.Uint64()), ClientAddr: "198.51.100.20"}
		switch op {
		case audit.Consultation, audit.Disclosure:
			e.Justification = justifications[rng.IntN(len(justifications))]
		case audit.Alteration:
			e.Fields = []string{"title", "body"}
		case audit.Combination:
			e.RecordIDs = append(e.RecordIDs, records[rng.IntN(len(records))])
		}
		if op == audit.Disclosure {
			e.Recipients = "Partnership SOC team"
		}
		batch = append(batch, e)
		if len(batch) == opts.Batch || i == opts.AuditPer-1 {
			err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				return opts.Audit.AppendBatch(ctx, st.Dialect(), tx, pid, batch)
			})
			if err != nil {
				return fmt.Errorf("generate: audit entries: %w", err)
			}
			stats.AuditEntries += int64(len(batch))
			batch = batch[:0]
			if opts.Progress != nil {
				opts.Progress(*stats)
			}
		}
	}
	return nil
}

// writeUsers writes the partnership's users in batches and returns a sample
// of at most 200 of them, for the audit history.
func writeUsers(ctx context.Context, st *store.Store, opts Options, rng *rand.Rand, pi int, pid string, agencies []domain.Agency, stats *Stats) ([]domain.User, error) {
	batch := make([]domain.User, 0, min(opts.Batch, opts.UsersPer))
	var sample []domain.User
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			return st.InsertUsers(ctx, tx, batch)
		})
		if err != nil {
			return fmt.Errorf("generate: users of partnership %d: %w", pi, err)
		}
		for _, u := range batch {
			if len(sample) < 200 {
				sample = append(sample, u)
			}
		}
		stats.Users += int64(len(batch))
		batch = batch[:0]
		if opts.Progress != nil {
			opts.Progress(*stats)
		}
		return nil
	}
	for u := 1; u <= opts.UsersPer; u++ {
		a := agencies[rng.IntN(len(agencies))]
		batch = append(batch, domain.User{
			PartnershipID: pid,
			AgencyID:      a.ID,
			Email:         fmt.Sprintf("user%07d.p%03d@synthetic.example", u, pi),
			DisplayName:   fmt.Sprintf("Synthetic user %03d-%07d", pi, u),
			Active:        rng.IntN(20) != 0,
			Roles:         []domain.Role{roles[rng.IntN(len(roles))]},
		})
		if len(batch) == opts.Batch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return sample, flush()
}
