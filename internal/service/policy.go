package service

import (
	"context"
	"sync"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Policies is where services get the access policy. It builds the policy
// from the role permission data once and hands the same policy out until
// the rules held as data change: before each use it reads the rules
// version (one row, moved by triggers in the same transaction as any change
// to roles, role permissions or reference data) and rebuilds only when the
// number has moved. Each app server keeps its own Policies; because the
// version lives in the database, a change made through any server, or by
// hand, is seen by every server at its next use (decision 0019). It is safe
// for concurrent use.
type Policies struct {
	st *store.Store

	mu      sync.Mutex
	built   bool
	version int64
	policy  authz.Policy
	builds  int
	// The reference data the dashboard names, read under refVersion (the
	// same rules version moves when it changes).
	ref        *Reference
	refVersion int64
}

// Reference is the reference data a performance view names: the threats,
// the outcome types and the seizure types. Its tables move the rules
// version like the role permissions do, so Policies holds it with the
// policy. The slices are shared: callers must not change them.
type Reference struct {
	Threats      []domain.Threat
	OutcomeTypes []domain.OutcomeType
	SeizureTypes []domain.SeizureType
}

// readReference reads the reference data from st.
func readReference(ctx context.Context, st *store.Store) (Reference, error) {
	var ref Reference
	var err error
	if ref.Threats, err = st.Threats(ctx); err != nil {
		return ref, err
	}
	if ref.OutcomeTypes, err = st.OutcomeTypes(ctx); err != nil {
		return ref, err
	}
	if ref.SeizureTypes, err = st.SeizureTypes(ctx); err != nil {
		return ref, err
	}
	return ref, nil
}

// NewPolicies returns the policy source over st. app.Build makes one and
// gives it to every service.
func NewPolicies(st *store.Store) *Policies { return &Policies{st: st} }

// Policy returns the access policy as the role permissions now stand.
func (p *Policies) Policy(ctx context.Context) (authz.Policy, error) {
	// The version is read before the grants: a change committed between the
	// two reads leaves a newer policy under an older number, which the next
	// use rebuilds; never an older policy under a newer number.
	v, err := p.st.RulesVersion(ctx)
	if err != nil {
		return authz.Policy{}, err
	}
	return p.policyAt(ctx, v)
}

// policyAt returns the policy built at rules version v or later.
func (p *Policies) policyAt(ctx context.Context, v int64) (authz.Policy, error) {
	p.mu.Lock()
	if p.built && p.version == v {
		pol := p.policy
		p.mu.Unlock()
		return pol, nil
	}
	p.mu.Unlock()
	pol, err := currentPolicy(ctx, p.st)
	if err != nil {
		return authz.Policy{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.builds++
	if !p.built || v >= p.version {
		p.built, p.version, p.policy = true, v, pol
	}
	return pol, nil
}

// PolicyAndReference returns the policy and the reference data as they
// now stand, reading the rules version once for both: a dashboard then
// costs one statement for all of them while nothing changes.
func (p *Policies) PolicyAndReference(ctx context.Context) (authz.Policy, Reference, error) {
	v, err := p.st.RulesVersion(ctx)
	if err != nil {
		return authz.Policy{}, Reference{}, err
	}
	pol, err := p.policyAt(ctx, v)
	if err != nil {
		return pol, Reference{}, err
	}
	p.mu.Lock()
	if p.ref != nil && p.refVersion == v {
		ref := *p.ref
		p.mu.Unlock()
		return pol, ref, nil
	}
	p.mu.Unlock()
	// Read after the version, like the grants: never older data under a
	// newer number.
	ref, err := readReference(ctx, p.st)
	if err != nil {
		return pol, ref, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ref == nil || v >= p.refVersion {
		p.ref, p.refVersion = &ref, v
	}
	return pol, ref, nil
}

// Builds says how many times the policy has been built from the role
// permissions, so tests can tell a reuse from a rebuild.
func (p *Policies) Builds() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.builds
}

// policyUser is embedded by the services that decide access. They take the
// policy from the Policies app.Build gives them (UsePolicies); a service
// built alone, as some tests build one, reads it afresh at each use.
type policyUser struct{ policies *Policies }

// UsePolicies makes the service take its access policy from p.
func (u *policyUser) UsePolicies(p *Policies) { u.policies = p }

// policyOf returns the access policy: from the Policies given, or read
// from st.
func (u *policyUser) policyOf(ctx context.Context, st *store.Store) (authz.Policy, error) {
	if u.policies != nil {
		return u.policies.Policy(ctx)
	}
	return currentPolicy(ctx, st)
}

// policyAndReference returns the policy and the reference data: from the
// Policies given, or read from st.
func (u *policyUser) policyAndReference(ctx context.Context, st *store.Store) (authz.Policy, Reference, error) {
	if u.policies != nil {
		return u.policies.PolicyAndReference(ctx)
	}
	pol, err := currentPolicy(ctx, st)
	if err != nil {
		return pol, Reference{}, err
	}
	ref, err := readReference(ctx, st)
	return pol, ref, err
}
