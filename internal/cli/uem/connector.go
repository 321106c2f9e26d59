package uem

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// ConnectorListOptions are the options of `uem connector list`.
type ConnectorListOptions struct {
	cmdutil.Common
	Mode string
}

// NewCmdConnectorList builds `uem connector list`.
func NewCmdConnectorList(f *cmdutil.Factory, runF func(*ConnectorListOptions) error) *cobra.Command {
	opts := &ConnectorListOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "list",
		Short: "List registered connectors (api mode) or confirmed ones (guided)",
		Example: `  flowsctl uem connector list
  flowsctl uem connector list -o json`,
	}, opts, &opts.Common, runF, connectorListRun)
	cmd.Flags().StringVar(&opts.Mode, "mode", "", "guided or api (default: from the config)")
	return cmd
}

func connectorListRun(o *ConnectorListOptions) error {
	d, mode, err := deps(&o.Common, depsFor{Mode: o.Mode, Connectors: true})
	if err != nil {
		return err
	}
	reg, err := registrar(&o.Common, d, false, nil)
	if err != nil {
		return err
	}
	rows, err := reg.List(o.Context())
	if err != nil {
		return err
	}
	return cmdutil.Print(o.IO.Out, o.Output(), map[string]any{"mode": mode, "connectors": rows}, func(w io.Writer) error {
		tab := cmdutil.NewTable(w, "NAME", "SOURCE", "BASE URL", "AUTH", "CLIENT ID", "STATUS")
		for _, r := range rows {
			src := r.CatalogID
			if src == "" {
				src = r.DiscoveryURL
			}
			tab.Row(r.Name, src, r.BaseURL, r.Authentication, r.ClientID, r.Status)
		}
		return tab.Flush()
	})
}

// NewCmdConnectorCatalog builds `uem connector catalog` (no flags of its own).
func NewCmdConnectorCatalog(f *cmdutil.Factory) *cobra.Command {
	c := cmdutil.NewCommon(f)
	return &cobra.Command{
		Use:   "catalog",
		Short: "List the OOTB connectors with account type and authentication (the Teams mobile flows guide)",
		Args:  cobra.NoArgs,
		Example: `  flowsctl uem connector catalog
  flowsctl uem connector catalog -o yaml`,
		RunE: func(*cobra.Command, []string) error {
			return cmdutil.Print(c.IO.Out, c.Output(), map[string]any{"catalog": mobileflows.Catalog}, func(w io.Writer) error {
				tab := cmdutil.NewTable(w, "ID", "NAME", "KIND", "ACCOUNT", "AUTHENTICATION", "BASE URL", "USE CASES")
				for _, c := range mobileflows.Catalog {
					var ucs []string
					for _, u := range c.UseCases {
						ucs = append(ucs, u.Description)
					}
					tab.Row(c.ID, c.Name, c.Kind, c.AccountType(), mobileflows.AuthLabel(c.Authentication()), c.BaseURL, strings.Join(ucs, "; "))
				}
				return tab.Flush()
			})
		},
	}
}
