package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"alliance/internal/app"
	"alliance/internal/config"
	"alliance/internal/domain"
	"alliance/internal/service"
)

// partnershipActor is the operator acting in the partnership slug names, or
// in the only partnership when slug is empty.
func partnershipActor(ctx context.Context, a *app.App, slug string) (domain.Actor, error) {
	if slug == "" {
		ps, err := a.Service().Partnerships(ctx)
		if err != nil {
			return domain.Actor{}, err
		}
		if len(ps) != 1 {
			return domain.Actor{}, errors.New("--partnership: name the partnership (alliance partnership list)")
		}
		return service.System(ps[0].ID), nil
	}
	p, err := a.Service().Partnership(ctx, slug)
	if err != nil {
		return domain.Actor{}, fmt.Errorf("--partnership %q: no such partnership (alliance partnership list)", slug)
	}
	return service.System(p.ID), nil
}

// userFlags are user add's flags.
type userFlags struct {
	partnership, email, name, agency, agencyType, oidcSubject string
	roles                                                     []string
	serviceAccount                                            bool
}

// bind binds the flags to cmd.
func (fl *userFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&fl.partnership, "partnership", "", "partnership slug (may be left out when there is only one)")
	f.StringVar(&fl.email, "email", "", "email address (required)")
	f.StringVar(&fl.name, "name", "", "full name (required)")
	f.StringVar(&fl.agency, "agency", "", "agency name (required); created when --agency-type is given and it does not exist")
	f.StringVar(&fl.agencyType, "agency-type", "", "type of a new agency: police, local_authority, health, …")
	f.StringSliceVar(&fl.roles, "role", nil, "role, repeatable: administrator, intelligence_analyst, lro, partner_officer, disruption_panel_member, board_viewer, referral_coordinator, auditor")
	f.BoolVar(&fl.serviceAccount, "service-account", false, "a partner system that uses API tokens and never signs in")
	f.StringVar(&fl.oidcSubject, "oidc-subject", "", "link to this subject at the configured identity provider (ALLIANCE_OIDC_ISSUER)")
}

func userCmd(env Env) *cobra.Command {
	var fl userFlags
	var partnership string
	cmd := &cobra.Command{Use: "user", Short: "Add and list users"}
	add := appCommand(env, migratesAndWrites(), "add", "Add a user and print a one-time link that sets their password", cobra.NoArgs, fl.bind,
		func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
			return addUser(cmd.Context(), env, c, a, &fl)
		})
	list := appCommand(env, looks(), "list", "List users: email, agency and roles, one a line", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&partnership, "partnership", "", "partnership slug (may be left out when there is only one)")
		},
		func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
			ctx := cmd.Context()
			actor, err := partnershipActor(ctx, a, partnership)
			if err != nil {
				return err
			}
			users, err := a.Admin().Users(ctx, actor)
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

// addUser adds the user the flags describe, links them to the identity
// provider when asked, and prints a link that sets their password (not for
// a service account).
func addUser(ctx context.Context, env Env, c *config.Config, a *app.App, fl *userFlags) error {
	actor, err := partnershipActor(ctx, a, fl.partnership)
	if err != nil {
		return err
	}
	admin := a.Admin()
	ag, err := admin.EnsureAgency(ctx, actor, fl.agency, domain.AgencyType(fl.agencyType))
	if err != nil {
		return err
	}
	u, err := admin.CreateUser(ctx, actor, service.NewUser{Email: fl.email, Name: fl.name, AgencyID: ag.ID, Roles: fl.roles, ServiceAccount: fl.serviceAccount})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Added %s <%s> (%s) with roles %s.\n", u.DisplayName, u.Email, ag.Name, joinRoles(u.Roles))
	if fl.oidcSubject != "" {
		if c.OIDC.Issuer == "" {
			return errors.New("--oidc-subject needs ALLIANCE_OIDC_ISSUER")
		}
		if err := admin.LinkOIDC(ctx, actor, u.ID, c.OIDC.Issuer, fl.oidcSubject); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Linked to %s at %s.\n", fl.oidcSubject, c.OIDC.Issuer)
	}
	if !fl.serviceAccount {
		tok, exp, err := admin.IssueReset(ctx, actor, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "One-time link to set their password (until %s UTC): /reset-password/%s\n", exp.Format("02/01/2006 15:04"), tok)
	}
	return nil
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
	create := appCommand(env, writes(), "create", "Create an API token for a user and print it once", cobra.NoArgs,
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.StringVar(&email, "user", "", "the user's email address (required)")
			f.StringVar(&name, "name", "command line", "what the token is for")
			f.StringSliceVar(&scopes, "scopes", []string{"read"}, "read, write, and optionally info_report")
			f.IntVar(&days, "days", 90, "days until it expires (1 to 365)")
			f.StringVar(&isaRef, "isa", "", "for a service account: the reference of the sharing agreement its reads rely on")
			f.StringVar(&purpose, "purpose", "", "what the token's reads of records are for, logged with each; without it every read of a record must send the X-Alliance-Purpose header")
		},
		func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
			ctx := cmd.Context()
			u, err := a.Admin().UserByEmail(ctx, email)
			if err != nil {
				return fmt.Errorf("--user %q: no such user", email)
			}
			// The operator acts as the user, who may create tokens for themselves.
			actor := domain.Actor{Kind: domain.ActorUser, UserID: u.ID, PartnershipID: u.PartnershipID, Roles: u.Roles}
			in := service.TokenInput{Name: name, Scopes: scopes, Days: days, Purpose: purpose}
			if isaRef != "" {
				isas, err := a.Sharing().List(ctx, actor)
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
			plain, t, err := a.Identity().CreateToken(ctx, actor, in)
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, plain)
			fmt.Fprintf(env.Stderr, "Token %q for %s, scopes %s, expires %s UTC. It is shown only now.\n", t.Name, u.Email, strings.Join(t.Scopes, ","), t.ExpiresAt.Format("02/01/2006 15:04"))
			if t.Purpose == "" {
				fmt.Fprintf(env.Stderr, "It has no purpose: every read of a record must say why in the %s header, or it is refused.\n", service.PurposeHeader)
			}
			return nil
		})
	cmd.AddCommand(create)
	return cmd
}
