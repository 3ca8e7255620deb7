package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"alliance/internal/config"
	"alliance/internal/service"
	"alliance/internal/store"
)

func partnershipCmd(env Env) *cobra.Command {
	var in service.PartnershipInput
	cmd := &cobra.Command{Use: "partnership", Short: "Add and list partnerships (tenants)"}
	cmd.AddCommand(
		dbCommand(env, "add", "Add a partnership", cobra.NoArgs,
			func(cmd *cobra.Command) {
				f := cmd.Flags()
				f.StringVar(&in.Slug, "slug", "", "short name for web addresses, e.g. west-yorkshire (required)")
				f.StringVar(&in.Name, "name", "", "full name, e.g. \"West Yorkshire: Programme Precision\" (required)")
				f.StringVar(&in.Programme, "programme", "", "the programme's own name, e.g. \"Programme Precision\"")
				f.StringVar(&in.RegionCode, "region", "", "ONS region code, e.g. E12000003")
			},
			func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
				if _, err := st.Migrate(cmd.Context()); err != nil {
					return err
				}
				p, err := service.New(st, logger(env, c)).CreatePartnership(cmd.Context(), in)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Added %s (%s). Import its areas with: alliance areas import --partnership %s FILE.csv\n", p.Name, p.Slug, p.Slug)
				return nil
			}),
		lookCommand(env, "list", "List partnerships", cobra.NoArgs, nil,
			func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
				ps, err := service.New(st, logger(env, c)).Partnerships(cmd.Context())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "SLUG\tNAME\tREGION")
				for _, p := range ps {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Slug, p.Name, p.RegionCode)
				}
				return tw.Flush()
			}),
	)
	return cmd
}
