package scim

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// NewCmdGroups builds `flowsctl scim groups list|create|delete|fix-domain`.
func NewCmdGroups(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "groups <command>",
		Short: "List, create and delete SCIM groups; move Okta-pushed groups out of the System domain",
		Example: `  flowsctl scim groups list
  flowsctl scim groups create Sales --domain okta.example.com
  flowsctl scim groups fix-domain --dry-run`,
	}
	cmd.AddCommand(newGroupsList(f), newGroupsCreate(f), newGroupsDelete(f), NewCmdFixDomain(f, nil))
	return cmd
}

var groupHeader = []string{"ID", "DISPLAYNAME", "MEMBERS", "DOMAIN"}

func groupRow(g scim.Group) []string {
	return []string{g.ID, g.DisplayName, strconv.Itoa(len(g.Members)), g.Domain}
}

func newGroupsList(f *cmdutil.Factory) *cobra.Command {
	c := newCommon(f)
	var filter string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List groups",
		Args:    cobra.NoArgs,
		Example: `  flowsctl scim groups list -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := c.Target()
			if err != nil {
				return err
			}
			out := []scim.Group{}
			for g, err := range t.Client.Groups(cmd.Context(), scim.ListOptions{Filter: scim.Raw(filter)}) {
				if err != nil {
					return authExit(err)
				}
				out = append(out, g)
			}
			return cmdutil.Print(c.IO.Out, c.Output(), out, func(w io.Writer) error {
				rows := make([][]string, 0, len(out))
				for _, g := range out {
					rows = append(rows, groupRow(g))
				}
				return table(w, groupHeader, rows)
			})
		},
	}
	cmd.Flags().StringVar(&filter, "filter", "", `SCIM filter, e.g. 'displayName eq "Sales"'`)
	c.addTargetFlags(cmd)
	return cmd
}

func newGroupsCreate(f *cmdutil.Factory) *cobra.Command {
	c := newCommon(f)
	var domain string
	cmd := &cobra.Command{
		Use:   "create <displayName>",
		Short: "Create a group (Access: in the directory's domain, not the System domain)",
		Args:  cobra.ExactArgs(1),
		Example: `  flowsctl scim groups create Sales --domain okta.example.com
  flowsctl scim groups create Field -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := c.Target()
			if err != nil {
				return err
			}
			if domain == "" {
				domain = t.Domain
			}
			g, adopted, err := t.Client.CreateGroup(cmd.Context(), scim.Group{DisplayName: args[0], Domain: domain})
			if err != nil {
				return authExit(err)
			}
			verb := "created"
			if adopted {
				verb = "exists (adopted)"
			}
			fmt.Fprintf(c.IO.ErrOut, "group %q %s: id %s\n", g.DisplayName, verb, g.ID)
			return cmdutil.Print(c.IO.Out, c.Output(), g, func(w io.Writer) error { return table(w, groupHeader, [][]string{groupRow(*g)}) })
		},
	}
	cmd.Flags().StringVar(&domain, "domain", "", "Access: the group's domain (default: the config's directory domain)")
	c.addTargetFlags(cmd)
	return cmd
}

func findGroup(ctx context.Context, cl *scim.Client, key string) (*scim.Group, error) {
	gs, err := cl.FindGroups(ctx, key)
	if err != nil {
		return nil, err
	}
	if len(gs) > 1 {
		return nil, fmt.Errorf("%d groups are named %q: give the id instead (flowsctl scim groups list)", len(gs), key)
	}
	if len(gs) == 1 {
		return &gs[0], nil
	}
	g, err := cl.GetGroup(ctx, key)
	if scim.IsNotFound(err) {
		return nil, fmt.Errorf("no group named %q or with that id (flowsctl scim groups list)", key)
	}
	return g, err
}

func newGroupsDelete(f *cmdutil.Factory) *cobra.Command {
	c := newCommon(f)
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete <displayName|id>",
		Short:   "Delete a group",
		Args:    cobra.ExactArgs(1),
		Example: `  flowsctl scim groups delete Sales --yes`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := c.Target()
			if err != nil {
				return err
			}
			g, err := findGroup(cmd.Context(), t.Client, args[0])
			if err != nil {
				return authExit(err)
			}
			if err := c.confirm(fmt.Sprintf("Delete group %q (id %s)?", g.DisplayName, g.ID), yes); err != nil {
				return err
			}
			if err := t.Client.DeleteGroup(cmd.Context(), g.ID); err != nil {
				return authExit(err)
			}
			fmt.Fprintf(c.IO.ErrOut, "deleted group %q\n", g.DisplayName)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	c.addTargetFlags(cmd)
	return cmd
}

// FixDomainOptions of `scim groups fix-domain`.
type FixDomainOptions struct {
	*Common
	Domain     string
	DryRun     bool
	Yes        bool
	KeepSystem bool
}

// FixResult is one group fix-domain handled.
type FixResult struct {
	Group    string `json:"group"`
	OldID    string `json:"oldId"`
	NewID    string `json:"newId,omitempty"`
	Domain   string `json:"domain"`
	Members  int    `json:"members"`
	Action   string `json:"action"`
	Deleted  bool   `json:"systemGroupDeleted"`
	NextStep string `json:"nextStep"`
}

// NewCmdFixDomain builds `flowsctl scim groups fix-domain` (seed 004 known issue).
func NewCmdFixDomain(f *cmdutil.Factory, runF func(*FixDomainOptions) error) *cobra.Command {
	o := &FixDomainOptions{Common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "fix-domain",
		Short: "Recreate groups Okta pushed into the System domain in the directory's domain",
		Long: `Known issue (seed 004): groups pushed from Okta land in Access's System domain, not the Okta
directory's. For each such group this creates the group with the directory's domain, copies its
members, and (unless --keep-system) deletes the System-domain copy. Then relink the group in Okta:
Applications > VMware Workspace ONE > Push Groups > the group > Link Group (not Create Group).`,
		Args: cobra.NoArgs,
		Example: `  flowsctl scim groups fix-domain --dry-run
  flowsctl scim groups fix-domain --domain okta.example.com --yes`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return fixDomainRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Domain, "domain", "", "the Okta directory's domain (default: access.directory.domains[0])")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "list what would change")
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&o.KeepSystem, "keep-system", false, "keep the System-domain groups")
	o.addTargetFlags(cmd)
	return cmd
}

func fixDomainRun(ctx context.Context, o *FixDomainOptions) error {
	t, err := o.Target()
	if err != nil {
		return err
	}
	cl := t.Client
	if cl.Dialect() != scim.Access11 {
		fmt.Fprintln(o.IO.ErrOut, "Identity Services groups carry no System domain: nothing to fix (this known issue is Access SCIM 1.1's)")
		return cmdutil.Print(o.IO.Out, o.Output(), []FixResult{}, func(io.Writer) error { return nil })
	}
	domain := o.Domain
	if domain == "" {
		domain = t.Domain
	}
	if domain == "" {
		return fmt.Errorf("no directory domain: pass --domain or set access.directory.domains")
	}
	var sys []scim.Group
	for g, err := range cl.Groups(ctx, scim.ListOptions{PageSize: 500}) {
		if err != nil {
			return authExit(err)
		}
		if scim.IsSystemDomain(g.Domain) {
			sys = append(sys, g)
		}
	}
	out := []FixResult{}
	next := "In Okta: Applications > VMware Workspace ONE > Push Groups > %q > Link Group to the existing group in domain %s"
	for _, g := range sys {
		out = append(out, FixResult{Group: g.DisplayName, OldID: g.ID, Domain: domain, Members: len(g.Members), Action: "recreate",
			NextStep: fmt.Sprintf(next, g.DisplayName, domain)})
	}
	if len(out) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "no group is in the System domain")
	}
	if !o.DryRun && len(out) > 0 {
		if err := o.confirm(fmt.Sprintf("Recreate %d group(s) in domain %s?", len(out), domain), o.Yes); err != nil {
			return err
		}
		for i, g := range sys {
			ng, _, err := cl.CreateGroup(ctx, scim.Group{DisplayName: g.DisplayName, Domain: domain})
			if err != nil {
				return authExit(fmt.Errorf("group %q: %w", g.DisplayName, err))
			}
			out[i].NewID = ng.ID
			ids := make([]string, 0, len(g.Members))
			for _, m := range g.Members {
				ids = append(ids, m.Value)
			}
			if err := cl.UpdateMembers(ctx, ng.ID, ids, nil); err != nil {
				return authExit(fmt.Errorf("group %q: copy members: %w", g.DisplayName, err))
			}
			if !o.KeepSystem {
				if err := cl.DeleteGroup(ctx, g.ID); err != nil {
					return authExit(fmt.Errorf("group %q: delete the System-domain copy: %w", g.DisplayName, err))
				}
				out[i].Deleted = true
			}
		}
	}
	return cmdutil.Print(o.IO.Out, o.Output(), out, func(w io.Writer) error {
		for _, r := range out {
			verb := "would recreate"
			if !o.DryRun {
				verb = "recreated"
			}
			fmt.Fprintf(w, "%s %q in domain %s (%d members)\n  next: %s\n", verb, r.Group, r.Domain, r.Members, r.NextStep)
		}
		return nil
	})
}
