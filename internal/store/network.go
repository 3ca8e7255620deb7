package store

import (
	"context"
	"database/sql"

	"alliance/internal/authz"
	"alliance/internal/domain"
)

// Network is the part of a partnership's graph one actor may see: every
// group and entity the policy admits, and every link whose two ends are
// both among them. Link analysis runs on it.
type Network struct {
	Groups   []NetworkNode
	Entities []NetworkNode
	Links    []domain.Link
}

// NetworkNode is one node of the graph, with what a chart labels it with.
type NetworkNode struct {
	ID, Reference, Name, Kind string
}

// Network loads the actor's whole visible network in three queries, each
// one scan filtered by the policy predicate in SQL: groups, entities, and
// links joined to both visible ends. Nothing the actor may not see is read
// out of the database, and a link to a hidden node is left out rather than
// shown dangling.
func (s *Store) Network(ctx context.Context, policy authz.Policy, actor domain.Actor) (Network, error) {
	var n Network
	var ga Args
	gp := predicate(policy, actor, authz.List, domain.KindOCG, "o", &ga)
	groups, err := collect(ctx, s.rdb, "network groups", `SELECT o.id, o.reference, o.name, 'ocg' FROM ocg o WHERE `+gp+` ORDER BY o.reference`, ga.Values(), scanNode)
	if err != nil {
		return n, err
	}
	var ea Args
	ep := predicate(policy, actor, authz.List, domain.KindEntity, "e", &ea)
	entities, err := collect(ctx, s.rdb, "network entities", `SELECT e.id, e.reference, e.name, e.kind FROM entity e WHERE `+ep+` ORDER BY e.reference`, ea.Values(), scanNode)
	if err != nil {
		return n, err
	}
	var la Args
	pid := la.Add(actor.PartnershipID)
	fe := predicate(policy, actor, authz.List, domain.KindEntity, "fe", &la)
	fo := predicate(policy, actor, authz.List, domain.KindOCG, "fo", &la)
	te := predicate(policy, actor, authz.List, domain.KindEntity, "te", &la)
	to := predicate(policy, actor, authz.List, domain.KindOCG, "tg", &la)
	links, err := collect(ctx, s.rdb, "network links", `SELECT `+linkCols+` FROM link l
		LEFT JOIN entity fe ON l.from_kind = 'entity' AND fe.id = l.from_id AND `+fe+`
		LEFT JOIN ocg fo ON l.from_kind = 'ocg' AND fo.id = l.from_id AND `+fo+`
		LEFT JOIN entity te ON l.to_kind = 'entity' AND te.id = l.to_id AND `+te+`
		LEFT JOIN ocg tg ON l.to_kind = 'ocg' AND tg.id = l.to_id AND `+to+`
		WHERE l.partnership_id = `+pid+` AND (fe.id IS NOT NULL OR fo.id IS NOT NULL) AND (te.id IS NOT NULL OR tg.id IS NOT NULL)
		ORDER BY l.id`, la.Values(), func(r *sql.Rows) (domain.Link, error) { return scanLink(r) })
	if err != nil {
		return n, err
	}
	return Network{Groups: groups, Entities: entities, Links: links}, nil
}

func scanNode(r *sql.Rows) (NetworkNode, error) {
	var x NetworkNode
	err := r.Scan(&x.ID, &x.Reference, &x.Name, &x.Kind)
	return x, err
}
