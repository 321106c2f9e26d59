package scim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

var groups = kind[scim.Group]{
	noun:   "group",
	header: []string{"ID", "DISPLAYNAME", "MEMBERS", "DOMAIN"},
	row: func(g scim.Group) []string {
		return []string{g.ID, g.DisplayName, strconv.Itoa(len(g.Members)), g.Domain}
	},
	list:   (*scim.Client).Groups,
	find:   findGroup,
	remove: func(ctx context.Context, c *scim.Client, g scim.Group) error { return c.DeleteGroup(ctx, g.ID) },
	name:   func(g scim.Group) (string, string) { return g.DisplayName, g.ID },
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

// NewCmdGroups builds `flowsctl scim groups list|create|delete|fix-domain`.
func NewCmdGroups(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group(&cobra.Command{
		Use:   "groups <command>",
		Short: "List, create and delete SCIM groups; move Okta-pushed groups out of the System domain",
		Example: `  flowsctl scim groups list
  flowsctl scim groups create Sales --domain okta.example.com
  flowsctl scim groups fix-domain --dry-run`,
	},
		newCmdList(f, groups, &cobra.Command{Use: "list", Short: "List groups", Example: `  flowsctl scim groups list -o json`}, nil),
		NewCmdGroupCreate(f, nil),
		newCmdKey(f, groups, &cobra.Command{Use: "delete <displayName|id>", Short: "Delete a group",
			Example: `  flowsctl scim groups delete Sales --yes`}, nil, deleteRun, true),
		NewCmdFixDomain(f, nil))
}

// GroupCreateOptions of `scim groups create`.
type GroupCreateOptions struct {
	cmdutil.Common
	Target TargetFlags
	Name   string
	Domain string
}

// NewCmdGroupCreate builds `flowsctl scim groups create`.
func NewCmdGroupCreate(f *cmdutil.Factory, runF func(*GroupCreateOptions) error) *cobra.Command {
	o := &GroupCreateOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.CommandWithArgs(&cobra.Command{
		Use:   "create <displayName>",
		Short: "Create a group (Access: in the directory's domain, not the System domain)",
		Args:  cobra.ExactArgs(1),
		Example: `  flowsctl scim groups create Sales --domain okta.example.com
  flowsctl scim groups create Field -o json`,
	}, o, &o.Common, cmdutil.FirstArg(&o.Name), runF, groupCreateRun)
	cmd.Flags().StringVar(&o.Domain, "domain", "", "Access: the group's domain (default: the config's directory domain)")
	o.Target.register(cmd)
	return cmd
}

func groupCreateRun(o *GroupCreateOptions) error {
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return err
	}
	domain := o.Domain
	if domain == "" {
		domain = t.Domain
	}
	g, adopted, err := t.Client.CreateGroup(o.Context(), scim.Group{DisplayName: o.Name, Domain: domain})
	if err != nil {
		return err
	}
	return groups.created(&o.Common, g, adopted)
}

// FixDomainOptions of `scim groups fix-domain`.
type FixDomainOptions struct {
	cmdutil.Common
	Target     TargetFlags
	Domain     string
	DryRun     bool
	Yes        bool
	KeepSystem bool
	Groups     []string
	From       string
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

// NewCmdFixDomain builds `flowsctl scim groups fix-domain` (a known issue the Okta SCIM to
// Access guide describes).
func NewCmdFixDomain(f *cmdutil.Factory, runF func(*FixDomainOptions) error) *cobra.Command {
	o := &FixDomainOptions{Common: cmdutil.NewCommon(f)}
	cmd := command(&cobra.Command{
		Use:   "fix-domain",
		Short: "Recreate groups Okta pushed into the System domain in the directory's domain",
		Long: `Known issue (the Okta SCIM to Access guide): groups pushed from Okta land in Access's System domain, not the Okta
directory's. For each such group this creates the group with the directory's domain, copies its
members, and (unless --keep-system) deletes the System-domain copy. Only groups Okta or flowsctl
provisioned (externalId set) are touched: a hand-made System group such as "Local Console Admins"
is skipped and listed on stderr. --group NAME (repeatable) or --from FILE (the groups column of a
sync source) narrow it further to those names. Then relink the group in Okta:
Applications > VMware Workspace ONE > Push Groups > the group > Link Group (not Create Group).`,
		Example: `  flowsctl scim groups fix-domain --dry-run
  flowsctl scim groups fix-domain --domain okta.example.com --yes`,
	}, o, &o.Common, &o.Target, runF, fixDomainRun)
	cmd.Flags().StringVar(&o.Domain, "domain", "", "the Okta directory's domain (default: access.directory.domains[0])")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "list what would change")
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&o.KeepSystem, "keep-system", false, "keep the System-domain groups")
	cmd.Flags().StringArrayVar(&o.Groups, "group", nil, "only this group (repeatable)")
	cmd.Flags().StringVar(&o.From, "from", "", "only the groups a CSV or JSON sync source names")
	return cmd
}

func fixDomainRun(o *FixDomainOptions) error {
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return err
	}
	ctx := o.Context()
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
	named, err := fixDomainNames(o)
	if err != nil {
		return err
	}
	var sys []scim.Group
	for g, err := range cl.Groups(ctx, scim.ListOptions{PageSize: 500}) {
		if err != nil {
			return err
		}
		if !scim.IsSystemDomain(g.Domain) || named != nil && !named[strings.ToLower(g.DisplayName)] {
			continue
		}
		if g.ExternalID == "" {
			fmt.Fprintf(o.IO.ErrOut, "skipped %s: a System-domain group neither Okta nor flowsctl provisioned (no externalId)\n", text.Sanitize(g.DisplayName))
			continue
		}
		sys = append(sys, g)
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
		if err := confirm(&o.Common, fmt.Sprintf("Recreate %d group(s) in domain %s?", len(out), domain), o.Yes); err != nil {
			return err
		}
		for i, g := range sys {
			ng, _, err := cl.CreateGroup(ctx, scim.Group{DisplayName: g.DisplayName, Domain: domain, ExternalID: g.ExternalID})
			if err != nil {
				return fmt.Errorf("group %q: %w", g.DisplayName, err)
			}
			out[i].NewID = ng.ID
			ids := make([]string, 0, len(g.Members))
			for _, m := range g.Members {
				ids = append(ids, m.Value)
			}
			if err := cl.UpdateMembers(ctx, ng.ID, ids, nil); err != nil {
				return fmt.Errorf("group %q: copy members: %w", g.DisplayName, err)
			}
			if !o.KeepSystem {
				if err := cl.DeleteGroup(ctx, g.ID); err != nil {
					return fmt.Errorf("group %q: delete the System-domain copy: %w", g.DisplayName, err)
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
			fmt.Fprintf(w, "%s %q in domain %s (%d members)\n  next: %s\n", verb, r.Group, text.Sanitize(r.Domain), r.Members, text.Sanitize(r.NextStep))
		}
		return nil
	})
}

// fixDomainNames is the lower-cased set of group names --group and --from give; nil for all.
func fixDomainNames(o *FixDomainOptions) (map[string]bool, error) {
	if len(o.Groups) == 0 && o.From == "" {
		return nil, nil
	}
	names := map[string]bool{}
	for _, g := range o.Groups {
		names[strings.ToLower(strings.TrimSpace(g))] = true
	}
	if o.From != "" {
		src, closer, err := OpenSource(o.From)
		if err != nil {
			return nil, err
		}
		defer closer.Close()
		for {
			rec, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.From, err)
			}
			for _, g := range rec.Groups {
				names[strings.ToLower(g)] = true
			}
		}
	}
	return names, nil
}
