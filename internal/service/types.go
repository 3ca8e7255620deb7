package service

import "alliance/internal/store"

// Types the transports show, named here so that web and api depend on the
// services and never on the store.
type (
	// StoredSession is a sign-in session as listed to its owner.
	StoredSession = store.Session
	// APIToken is an API token as listed (never its secret).
	APIToken = store.APIToken
	// UserSummary is a user as the administrator's list shows them.
	UserSummary = store.UserSummary
	// SignInEvent is one sign-in attempt.
	SignInEvent = store.SignInEvent
)
