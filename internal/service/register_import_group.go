package service

import (
	"errors"
	"io"
	"strings"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/store"
)

// groupsFile imports a file of groups, row by row.
func (run *importRun) groupsFile(src importexport.RowReader) error {
	rd, err := importexport.NewGroupReader(src, importexport.ReaderOptions{Today: run.today})
	if err != nil {
		return err
	}
	for {
		g, probs, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		run.res.Rows++
		run.probs.add(probs...)
		ok := len(probs) == 0
		o := domain.OCG{Reference: g.Reference, Name: g.Name, OperationName: g.OperationName, Summary: g.Summary, Status: g.Status,
			Ownership: g.Ownership, PrimaryThreat: g.PrimaryThreat, CreatedBy: run.a.UserID, HandlingNote: run.marks.note}
		if g.PrimaryThreat != "" && !run.threats[g.PrimaryThreat] {
			run.probs.addf(g.Row, "primary_threat", "%q is not a threat code; the codes are %s", g.PrimaryThreat, run.threatList)
			ok = false
		}
		for _, t := range g.Threats {
			if !run.threats[t] {
				run.probs.addf(g.Row, "threats", "%q is not a threat code; the codes are %s", t, run.threatList)
				ok = false
				break
			}
			o.Threats = append(o.Threats, t)
		}
		if g.HomeArea != "" {
			id, found := run.units[g.HomeArea]
			if !found {
				run.probs.addf(g.Row, "home_area", "%s is not an area of this partnership; import the areas first", g.HomeArea)
				ok = false
			}
			o.HomeUnitID = id
		}
		if g.LeadAgency != "" {
			id, found := run.agency[strings.ToLower(g.LeadAgency)]
			if !found {
				run.probs.addf(g.Row, "lead_agency", "%q is not an agency of this partnership", g.LeadAgency)
				ok = false
			}
			o.LeadAgencyID = id
		}
		m, merr := run.marks.of(g.Marking)
		if merr != nil && g.Name != "" {
			run.probs.addf(g.Row, "handling_code", "%s", merr)
			ok = false
		}
		o.Marking = m
		if m.Handling != domain.HandlingC {
			o.HandlingNote = ""
		}
		if !run.assign(g.Row, "reference", g.Reference) {
			ok = false
		}
		if ok && run.bulk != nil && !run.probs.any() {
			run.bulk.AddOCG(o, run.today)
			run.res.Stored++
		}
		if err := run.flush(false, "reference"); err != nil {
			return err
		}
	}
	return run.flush(true, "reference")
}

// loadGroups reads the references of every group the importer may see.
func (run *importRun) loadGroups() error {
	list, err := run.im.st.NewOCGQuery(run.p, run.a, authz.View).List(run.ctx, 0, 0)
	if err != nil {
		return err
	}
	nodes := make([]store.NodeRef, len(list))
	for i, o := range list {
		nodes[i] = store.NodeRef{Kind: domain.NodeOCG, ID: o.ID, Reference: o.Reference, Marking: o.Marking, Status: o.Status,
			LRO: o.LROUserID, SRO: o.SROUserID}
	}
	run.groups = store.ChooseByReference(nodes, run.a.AgencyID)
	return nil
}
