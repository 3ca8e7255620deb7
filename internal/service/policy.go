package service

import (
	"context"
	"sync"

	"alliance/internal/authz"
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
