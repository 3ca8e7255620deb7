package service

import (
	"errors"
	"fmt"
	"io"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/store"
)

// peopleFile imports a file of people and their memberships, row by row.
func (run *importRun) peopleFile(src importexport.RowReader) error {
	rd, err := importexport.NewPersonReader(src, importexport.ReaderOptions{Today: run.today})
	if err != nil {
		return err
	}
	if rd.Has("ocg_reference") {
		// The groups members may be added to: those the importer may see.
		// A partnership has thousands of groups at most.
		if err := run.loadGroups(); err != nil {
			return err
		}
	}
	for {
		pr, probs, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		run.res.Rows++
		run.probs.add(probs...)
		ok := len(probs) == 0
		e := domain.Entity{Reference: pr.Reference, Kind: domain.EntityPerson, Name: pr.Name, Aliases: pr.Aliases, Nicknames: pr.Nicknames,
			DOB: pr.DOB, Gender: pr.Gender, CreatedBy: run.a.UserID, HandlingNote: run.marks.note}
		for _, f := range pr.Flags {
			if !run.flags[f] {
				run.probs.addf(pr.Row, "flags", "%q is not a flag; the flags are %s", f, run.flagList)
				ok = false
				break
			}
			e.Flags = append(e.Flags, f)
		}
		m, merr := run.marks.of(pr.Marking)
		if merr != nil && pr.Name != "" {
			run.probs.addf(pr.Row, "handling_code", "%s", merr)
			ok = false
		}
		e.Marking = m
		if m.Handling != domain.HandlingC {
			e.HandlingNote = ""
		}
		var group store.NodeRef
		if pr.OCGReference != "" {
			g, found := run.groups[pr.OCGReference]
			switch {
			case !found:
				run.probs.addf(pr.Row, "ocg_reference", "no group you can see has the reference %s", pr.OCGReference)
				ok = false
			case g.Ambiguous:
				run.probs.addf(pr.Row, "ocg_reference", "%s", ambiguousRef(g.Reference))
				ok = false
			case !run.mayAddMembers(g):
				run.probs.addf(pr.Row, "ocg_reference", "you cannot add members to %s: its originating agency's analysts or its LRO or SRO can", g.Reference)
				ok = false
			}
			group = g
		}
		if !run.assign(pr.Row, "reference", pr.Reference) {
			ok = false
		}
		if ok && run.bulk != nil && !run.probs.any() {
			id := run.bulk.AddEntity(e)
			run.res.Stored++
			if group.ID != "" {
				run.bulk.AddLink(domain.Link{FromKind: domain.NodeEntity, FromID: id, ToKind: domain.NodeOCG, ToID: group.ID, Type: domain.LinkMemberOf,
					Role: pr.Role, SourceRef: pr.SourceRef, Confidence: pr.Confidence, CreatedBy: run.a.UserID})
				run.res.Members++
			}
		}
		if err := run.flush(false, "reference"); err != nil {
			return err
		}
	}
	return run.flush(true, "reference")
}

// ambiguousRef is the problem with a reference that several records the
// importer may see carry, none of them (or more than one) from the
// importer's agency. Such records may have no other reference (an imported
// record keeps its file's), so the way out is the record's page.
func ambiguousRef(ref string) string {
	return fmt.Sprintf("more than one record you can see has the reference %s and not exactly one of them is your agency's: "+
		"add this on the record's page in Alliance instead", ref)
}

// mayAddMembers is the register's rule for changing a group's members:
// its originating agency's analysts, or its LRO or SRO, while it is not
// archived.
func (run *importRun) mayAddMembers(g store.NodeRef) bool {
	if g.Status == domain.StatusArchived {
		return false
	}
	if run.p.Can(run.a, authz.Edit, domain.KindOCG, g.Marking) == nil {
		return true
	}
	return (run.a.UserID == g.LRO || run.a.UserID == g.SRO) && run.p.Allowed(run.a, authz.Edit, domain.KindOCG)
}
