package scim

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// PruneOptions of `scim prune`.
type PruneOptions struct {
	cmdutil.Common
	Target TargetFlags
	DryRun bool
	Yes    bool
}

// Pruned is one user prune deletes (or would).
type Pruned struct {
	ID       string `json:"id"`
	UserName string `json:"userName"`
	Deleted  bool   `json:"deleted"`
}

// NewCmdPrune builds `flowsctl scim prune` (a known issue the Okta SCIM to Access guide
// describes).
func NewCmdPrune(f *cmdutil.Factory, runF func(*PruneOptions) error) *cobra.Command {
	o := &PruneOptions{Common: cmdutil.NewCommon(f)}
	cmd := command(&cobra.Command{
		Use:   "prune",
		Short: "Delete users Okta only disabled (a user deleted in Okta stays, disabled, in Access)",
		Long: `Known issue (the Okta SCIM to Access guide): deleting a user in Okta only disables it in Workspace ONE Access, and
re-creating it in Okta updates the old user. prune deletes every disabled user (active false /
userStatus 2) with DELETE /Users/{id}. Remove the devices of those users in the UEM console too.`,
		Example: `  flowsctl scim prune --dry-run
  flowsctl scim prune --no-input --yes`,
	}, o, &o.Common, &o.Target, runF, pruneRun)
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "list the users prune would delete")
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation (required with --no-input)")
	return cmd
}

func pruneRun(o *PruneOptions) error {
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return err
	}
	ctx := o.Context()
	var out []Pruned
	for u, err := range t.Client.Users(ctx, scim.ListOptions{PageSize: scim.MaxPage(ctx, t.Client)}) {
		if err != nil {
			return err
		}
		if !u.Active || u.UserStatus == "2" {
			out = append(out, Pruned{ID: u.ID, UserName: u.UserName})
		}
	}
	if out == nil {
		out = []Pruned{}
	}
	if len(out) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "no disabled user to prune")
	} else if !o.DryRun {
		if err := confirm(&o.Common, fmt.Sprintf("Delete %d disabled user(s) at %s?", len(out), t.URL), o.Yes); err != nil {
			return err
		}
		for i := range out {
			if err := t.Client.DeleteUser(ctx, out[i].ID); err != nil && !scim.IsNotFound(err) {
				return fmt.Errorf("prune user %q: %w", out[i].UserName, err)
			}
			out[i].Deleted = true
		}
	}
	return cmdutil.Print(o.IO.Out, o.Output(), out, func(w io.Writer) error {
		for _, p := range out {
			verb := "would delete"
			if p.Deleted {
				verb = "deleted"
			}
			fmt.Fprintf(w, "%s %s (id %s)\n", verb, p.UserName, p.ID)
		}
		return nil
	})
}
