package uem

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

// GroupsOptions are the options of `uem groups [QUERY]`.
type GroupsOptions struct {
	cmdutil.Common
	Query string
	Smart bool
}

// NewCmdGroups builds `uem groups [QUERY]`.
func NewCmdGroups(f *cmdutil.Factory, runF func(*GroupsOptions) error) *cobra.Command {
	opts := &GroupsOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.CommandWithArgs(&cobra.Command{
		Use:   "groups [QUERY]",
		Short: "List organization groups and smart groups (names resolve to ids; typos get suggestions)",
		Args:  cobra.MaximumNArgs(1),
		Example: `  flowsctl uem groups
  flowsctl uem groups "All Boxer Users" --smart`,
	}, opts, &opts.Common, cmdutil.FirstArg(&opts.Query), runF, groupsRun)
	cmd.Flags().BoolVar(&opts.Smart, "smart", false, "only smart groups")
	return cmd
}

type groupsOutput struct {
	OrganizationGroups []uem.OrganizationGroup `json:"organizationGroups" yaml:"organizationGroups"`
	SmartGroups        []uem.SmartGroup        `json:"smartGroups" yaml:"smartGroups"`
}

func groupsRun(o *GroupsOptions) error {
	ctx := o.Context()
	c, err := built(&o.Common, steps.UEMClient)
	if err != nil {
		return err
	}
	q := o.Query
	out := groupsOutput{OrganizationGroups: []uem.OrganizationGroup{}, SmartGroups: []uem.SmartGroup{}}
	if !o.Smart {
		ogs, err := c.OrganizationGroups(ctx, nil)
		if err != nil {
			return err
		}
		for _, g := range ogs {
			if q == "" || strings.Contains(strings.ToLower(g.Name+" "+g.GroupID), strings.ToLower(q)) {
				out.OrganizationGroups = append(out.OrganizationGroups, g)
			}
		}
	}
	sgs, err := c.SmartGroups(ctx, q, 0)
	if err != nil {
		return err
	}
	out.SmartGroups = append(out.SmartGroups, sgs...)
	if q != "" && len(out.OrganizationGroups) == 0 && len(out.SmartGroups) == 0 {
		if _, err := c.FindGroup(ctx, q, 0); err != nil {
			return err
		}
	}
	return cmdutil.Print(o.IO.Out, o.Output(), out, func(w io.Writer) error {
		tab := cmdutil.NewTable(w, "KIND", "NAME", "GROUP ID", "ID", "UUID")
		for _, g := range out.OrganizationGroups {
			tab.Row("organization group", g.Name, g.GroupID, g.ID, g.UUID)
		}
		for _, g := range out.SmartGroups {
			tab.Row("smart group", g.Name, "", g.ID, g.UUID)
		}
		return tab.Flush()
	})
}
