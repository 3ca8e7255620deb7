package service

import (
	"errors"
	"io"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/store"
)

// linksChunk is how many link rows are resolved against the database at a
// time.
const linksChunk = 500

// linksFile imports a file of links, a chunk of rows at a time.
func (run *importRun) linksFile(src importexport.RowReader) error {
	if !run.p.Allowed(run.a, authz.Create, domain.KindEntity) {
		return domain.ErrForbidden
	}
	rd, err := importexport.NewLinkReader(src, importexport.ReaderOptions{Today: run.today})
	if err != nil {
		return err
	}
	chunk := make([]importexport.LinkRow, 0, linksChunk)
	for {
		l, probs, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		run.res.Rows++
		run.probs.add(probs...)
		if len(probs) == 0 {
			chunk = append(chunk, l)
		}
		if len(chunk) == linksChunk {
			if err := run.linkChunk(chunk); err != nil {
				return err
			}
			chunk = chunk[:0]
		}
	}
	if err := run.linkChunk(chunk); err != nil {
		return err
	}
	return run.flush(true, "")
}

// linkChunk resolves the references of a chunk of good link rows to
// records the importer may see, and buffers the links.
func (run *importRun) linkChunk(rows []importexport.LinkRow) error {
	if len(rows) == 0 {
		return nil
	}
	refs := make([]string, 0, 2*len(rows))
	for _, l := range rows {
		refs = append(refs, l.From, l.To)
	}
	nodes, err := run.im.st.NodesByReference(run.ctx, run.q, run.p, run.a, authz.View, refs)
	if err != nil {
		return err
	}
	for _, l := range rows {
		from, okFrom := nodes[l.From]
		to, okTo := nodes[l.To]
		ok := true
		if !okFrom {
			run.probs.addf(l.Row, "from_reference", "no record you can see has the reference %s", l.From)
			ok = false
		}
		if !okTo {
			run.probs.addf(l.Row, "to_reference", "no record you can see has the reference %s", l.To)
			ok = false
		}
		for _, end := range []struct {
			col  string
			node store.NodeRef
		}{{"from_reference", from}, {"to_reference", to}} {
			if ok && end.node.Ambiguous {
				run.probs.addf(l.Row, end.col, "%s", ambiguousRef(end.node.Reference))
				ok = false
			}
		}
		if ok && l.Type == domain.LinkMemberOf {
			switch {
			case from.Kind != domain.NodeEntity || from.EntityKind != domain.EntityPerson || to.Kind != domain.NodeOCG:
				run.probs.addf(l.Row, "type", "only a person can be a member, and only of a group")
				ok = false
			case !run.mayAddMembers(to):
				run.probs.addf(l.Row, "to_reference", "you cannot add members to %s", to.Reference)
				ok = false
			}
		} else if ok {
			// Any other link with a group at an end follows the same rule.
			for _, end := range []struct {
				col  string
				node store.NodeRef
			}{{"from_reference", from}, {"to_reference", to}} {
				if end.node.Kind == domain.NodeOCG && !run.mayAddMembers(end.node) {
					run.probs.addf(l.Row, end.col, "you cannot link records to %s", end.node.Reference)
					ok = false
				}
			}
		}
		if ok && run.bulk != nil && !run.probs.any() {
			run.bulk.AddLink(domain.Link{FromKind: from.Kind, FromID: from.ID, ToKind: to.Kind, ToID: to.ID, Type: l.Type, Role: l.Role,
				ValidFrom: l.ValidFrom, ValidTo: l.ValidTo, SourceRef: l.SourceRef, Confidence: l.Confidence, Note: l.Note, CreatedBy: run.a.UserID})
			run.res.Stored++
			run.res.Members++
		}
		if err := run.flush(false, ""); err != nil {
			return err
		}
	}
	return nil
}
