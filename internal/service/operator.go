package service

import (
	"context"

	"alliance/internal/domain"
)

// UserByEmail returns the user with email, in any partnership, active or
// not, for the command line's token create, where the operator acts as
// that user. It is not for transports that serve users: it checks no
// actor. A missing user is a not-found error.
func (ad *Admin) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	c, err := ad.st.CredentialsByEmail(ctx, ad.st.Reader(), email)
	if err != nil {
		return domain.User{}, err
	}
	return c.User, nil
}
