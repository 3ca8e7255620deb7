package domain

// ActorKind says how an actor authenticated.
type ActorKind string

// Kinds of actor.
const (
	ActorUser  ActorKind = "user"  // a person with a browser session
	ActorToken ActorKind = "token" // a caller with an API token
)

// Actor is who is asking: a signed-in user or an API token holder, with the
// agency, partnership and roles every access decision depends on. The zero
// Actor is anonymous and may see nothing protected.
type Actor struct {
	Kind          ActorKind
	UserID        string
	Email         string
	DisplayName   string
	PartnershipID string
	AgencyID      string
	AgencyName    string
	AgencyType    AgencyType
	Roles         []Role
	// SessionID is the session (or API token) the request came with.
	SessionID string
	// Scopes limit an API token: "read", "write" and resource names.
	Scopes []string
	// ServiceAccount marks a machine caller (a partner system).
	ServiceAccount bool
	// ISAID is the sharing agreement a service account's token relies on.
	ISAID string
	// TokenName names the API token, for disclosure records.
	TokenName string
	// Purpose is, for an API token, what this request's reads of records
	// are for: the request's X-Alliance-Purpose header when it sends one,
	// else the purpose the token was made with; "" when neither says.
	Purpose string
	// NoSecondFactor marks a demo account allowed to skip the second factor;
	// every page says so while it is signed in.
	NoSecondFactor bool
}

// Anonymous reports whether a is nobody.
func (a Actor) Anonymous() bool { return a.UserID == "" }

// Has reports whether a holds role r.
func (a Actor) Has(r Role) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// HasAny reports whether a holds any of roles.
func (a Actor) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// LawEnforcement reports whether the actor's agency is police, a ROCU or
// the NCA: the agencies that may see OFFICIAL-SENSITIVE material handled P
// without a named condition.
func (a Actor) LawEnforcement() bool { return a.AgencyType.LawEnforcement() }

// LawEnforcement reports whether t is police, a ROCU or the NCA.
func (t AgencyType) LawEnforcement() bool {
	return t == AgencyPolice || t == AgencyROCU || t == AgencyNCA
}
