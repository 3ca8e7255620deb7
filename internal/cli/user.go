package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"alliance/internal/app"
	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/config"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
)

// services builds the identity and admin services over st for commands.
func services(ctx context.Context, c *config.Config, st *store.Store, env Env) (*service.Identity, *service.Admin, error) {
	cfg := *c
	key, _, err := app.SecretKey(ctx, cfg, st)
	if err != nil {
		return nil, nil, err
	}
	box, err := auth.NewBox(key)
	if err != nil {
		return nil, nil, err
	}
	log := logger(env, c)
	id := service.NewIdentity(st, auth.NewHasher(auth.DefaultArgon2, 2), auth.NewRules(12), box, service.IdentityConfig{}, log)
	alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey(key))
	id.SetAudit(alog)
	return id, service.NewAdmin(st, id, log, alog), nil
}

func partnershipActor(ctx context.Context, st *store.Store, slug string) (domain.Actor, error) {
	if slug == "" {
		ps, err := st.Partnerships(ctx)
		if err != nil {
			return domain.Actor{}, err
		}
		if len(ps) != 1 {
			return domain.Actor{}, errors.New("--partnership: name the partnership (alliance partnership list)")
		}
		return service.System(ps[0].ID), nil
	}
	p, err := st.PartnershipBySlug(ctx, slug)
	if err != nil {
		return domain.Actor{}, fmt.Errorf("--partnership %q: no such partnership (alliance partnership list)", slug)
	}
	return service.System(p.ID), nil
}

func userCmd(env Env) *cobra.Command {
	var (
		partnership, email, name, agency, agencyType, oidcSubject string
		roles                                                     []string
		serviceAccount                                            bool
	)
	cmd := &cobra.Command{Use: "user", Short: "Add and list users"}
	add := dbCommand(env, "add", "Add a user and print a one-time link that sets their password", cobra.NoArgs,
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.StringVar(&partnership, "partnership", "", "partnership slug (may be left out when there is only one)")
			f.StringVar(&email, "email", "", "email address (required)")
			f.StringVar(&name, "name", "", "full name (required)")
			f.StringVar(&agency, "agency", "", "agency name (required); created when --agency-type is given and it does not exist")
			f.StringVar(&agencyType, "agency-type", "", "type of a new agency: police, local_authority, health, …")
			f.StringSliceVar(&roles, "role", nil, "role, repeatable: administrator, intelligence_analyst, lro, partner_officer, disruption_panel_member, board_viewer, referral_coordinator, auditor")
			f.BoolVar(&serviceAccount, "service-account", false, "a partner system that uses API tokens and never signs in")
			f.StringVar(&oidcSubject, "oidc-subject", "", "link to this subject at the configured identity provider (ALLIANCE_OIDC_ISSUER)")
		},
		func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
			ctx := cmd.Context()
			if _, err := st.Migrate(ctx); err != nil {
				return err
			}
			actor, err := partnershipActor(ctx, st, partnership)
			if err != nil {
				return err
			}
			_, admin, err := services(cmd.Context(), c, st, env)
			if err != nil {
				return err
			}
			ag, err := admin.EnsureAgency(ctx, actor, agency, domain.AgencyType(agencyType))
			if err != nil {
				return err
			}
			u, err := admin.CreateUser(ctx, actor, service.NewUser{Email: email, Name: name, AgencyID: ag.ID, Roles: roles, ServiceAccount: serviceAccount})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Added %s <%s> (%s) with roles %s.\n", u.DisplayName, u.Email, ag.Name, joinRoles(u.Roles))
			if oidcSubject != "" {
				if c.OIDC.Issuer == "" {
					return errors.New("--oidc-subject needs ALLIANCE_OIDC_ISSUER")
				}
				if err := admin.LinkOIDC(ctx, actor, u.ID, c.OIDC.Issuer, oidcSubject); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Linked to %s at %s.\n", oidcSubject, c.OIDC.Issuer)
			}
			if !serviceAccount {
				tok, exp, err := admin.IssueReset(ctx, actor, u.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "One-time link to set their password (until %s UTC): /reset-password/%s\n", exp.Format("02/01/2006 15:04"), tok)
			}
			return nil
		})
	list := lookCommand(env, "list", "List users: email, agency and roles, one a line", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&partnership, "partnership", "", "partnership slug (may be left out when there is only one)")
		},
		func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
			ctx := cmd.Context()
			actor, err := partnershipActor(ctx, st, partnership)
			if err != nil {
				return err
			}
			users, err := st.UserSummaries(ctx, actor.PartnershipID)
			if err != nil {
				return err
			}
			for _, u := range users {
				state := ""
				if !u.Active {
					state = "\tdeactivated"
				} else if u.ServiceAccount {
					state = "\tservice account"
				}
				fmt.Fprintf(env.Stdout, "%s\t%s\t%s%s\n", u.Email, u.AgencyName, joinRoles(u.Roles), state)
			}
			return nil
		})
	cmd.AddCommand(add, list)
	return cmd
}

func joinRoles(rs []domain.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}

func tokenCmd(env Env) *cobra.Command {
	var (
		email, name, isaRef, purpose string
		scopes                       []string
		days                         int
	)
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	create := dbCommand(env, "create", "Create an API token for a user and print it once", cobra.NoArgs,
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.StringVar(&email, "user", "", "the user's email address (required)")
			f.StringVar(&name, "name", "command line", "what the token is for")
			f.StringSliceVar(&scopes, "scopes", []string{"read"}, "read, write, and optionally info_report")
			f.IntVar(&days, "days", 90, "days until it expires (1 to 365)")
			f.StringVar(&isaRef, "isa", "", "for a service account: the reference of the sharing agreement its reads rely on")
			f.StringVar(&purpose, "purpose", "", "what the token's reads of records are for, logged with each; without it every read of a record must send the X-Alliance-Purpose header")
		},
		func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
			ctx := cmd.Context()
			cred, err := st.CredentialsByEmail(ctx, st.Reader(), email)
			if err != nil {
				return fmt.Errorf("--user %q: no such user", email)
			}
			id, _, err := services(cmd.Context(), c, st, env)
			if err != nil {
				return err
			}
			// The operator acts as the user, who may create tokens for themselves.
			actor := domain.Actor{Kind: domain.ActorUser, UserID: cred.User.ID, PartnershipID: cred.User.PartnershipID, Roles: cred.User.Roles}
			in := service.TokenInput{Name: name, Scopes: scopes, Days: days, Purpose: purpose}
			if isaRef != "" {
				isas, err := st.ISAs(ctx, cred.User.PartnershipID)
				if err != nil {
					return err
				}
				for _, i := range isas {
					if i.Reference == isaRef {
						in.ISAID = i.ID
					}
				}
				if in.ISAID == "" {
					return fmt.Errorf("--isa %q: no such sharing agreement", isaRef)
				}
			}
			plain, t, err := id.CreateToken(ctx, actor, in)
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, plain)
			fmt.Fprintf(env.Stderr, "Token %q for %s, scopes %s, expires %s UTC. It is shown only now.\n", t.Name, cred.User.Email, strings.Join(t.Scopes, ","), t.ExpiresAt.Format("02/01/2006 15:04"))
			if t.Purpose == "" {
				fmt.Fprintf(env.Stderr, "It has no purpose: every read of a record must say why in the %s header, or it is refused.\n", service.PurposeHeader)
			}
			return nil
		})
	cmd.AddCommand(create)
	return cmd
}
