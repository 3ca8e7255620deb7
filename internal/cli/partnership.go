package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"alliance/internal/app"
	"alliance/internal/config"
	"alliance/internal/service"
)

func partnershipCmd(env Env) *cobra.Command {
	var in service.PartnershipInput
	cmd := &cobra.Command{Use: "partnership", Short: "Add and list partnerships (tenants)"}
	cmd.AddCommand(
		appCommand(env, migratesAndOpens(), "add", "Add a partnership", cobra.NoArgs,
			func(cmd *cobra.Command) {
				f := cmd.Flags()
				f.StringVar(&in.Slug, "slug", "", "short name for web addresses, e.g. west-yorkshire (required)")
				f.StringVar(&in.Name, "name", "", "full name, e.g. \"West Yorkshire: Programme Precision\" (required)")
				f.StringVar(&in.Programme, "programme", "", "the programme's own name, e.g. \"Programme Precision\"")
				f.StringVar(&in.RegionCode, "region", "", "ONS region code, e.g. E12000003")
			},
			func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
				p, err := a.Service().CreatePartnership(cmd.Context(), in)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Added %s (%s). Import its areas with: alliance areas import --partnership %s FILE.csv\n", p.Name, p.Slug, p.Slug)
				return nil
			}),
		appCommand(env, looks(), "list", "List partnerships", cobra.NoArgs, nil,
			func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
				ps, err := a.Service().Partnerships(cmd.Context())
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
