package scim

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// PruneOptions of `scim prune`.
type PruneOptions struct {
	cmdutil.Common
	Target    TargetFlags
	From      string
	DryRun    bool
	Yes       bool
	MaxDelete string
	Force     bool
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
		Use:   "prune --from FILE.csv|FILE.json",
		Short: "Delete users whose source is gone (a user deleted in Okta stays, disabled, in Access)",
		Long: `Known issue (the Okta SCIM to Access guide): deleting a user in Okta only disables it in Workspace ONE Access, and
re-creating it in Okta updates the old user. prune deletes (DELETE /Users/{id}) only users that are
all of: disabled (active false / userStatus 2); in flowsctl's directory (its domain); provisioned by
flowsctl or Okta (externalId set); and gone from the source, the --from file (the same CSV or JSON
export scim sync reads, i.e. the users Okta still has). A user that is merely unassigned or
disabled but still in the source is kept. It refuses to delete more than --max-delete of the
directory's users unless --force. Afterwards delete the same users in the UEM console (Accounts >
Users > List View), as the Okta SCIM to Access guide says, so their devices are unenrolled too.`,
		Example: `  flowsctl scim prune --from okta-users.csv --dry-run
  flowsctl scim prune --from okta-users.csv --no-input --yes`,
	}, o, &o.Common, &o.Target, runF, pruneRun)
	cmd.Flags().StringVar(&o.From, "from", "", "CSV or JSON file of the users that still exist at the source (required)")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "list the users prune would delete")
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation (required with --no-input)")
	cmd.Flags().StringVar(&o.MaxDelete, "max-delete", "10%", "refuse to delete more than this share of flowsctl's users")
	cmd.Flags().BoolVar(&o.Force, "force", false, "lift the --max-delete guard")
	return cmd
}

// sourceNames reads the userNames (lower-cased) a sync source lists.
func sourceNames(path string) (map[string]bool, error) {
	src, closer, err := OpenSource(path)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	names := map[string]bool{}
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		names[strings.ToLower(rec.User.UserName)] = true
	}
}

func pruneRun(o *PruneOptions) error {
	if o.From == "" {
		return fmt.Errorf("--from FILE is required: the CSV or JSON list of users that still exist at the source (prune deletes only disabled users it does not list)")
	}
	share, err := ParseShare(o.MaxDelete)
	if err != nil {
		return err
	}
	keep, err := sourceNames(o.From)
	if err != nil {
		return err
	}
	if len(keep) == 0 {
		return fmt.Errorf("%s lists no users: prune would treat every disabled user as gone; check the file", o.From)
	}
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return err
	}
	ctx := o.Context()
	domain := ""
	if t.Client.Dialect() == scim.Access11 {
		domain = t.Client.Domain()
	}
	var out []Pruned
	scoped := 0
	for u, err := range t.Client.Users(ctx, scim.ListOptions{PageSize: scim.MaxPage(ctx, t.Client)}) {
		if err != nil {
			return err
		}
		if !scim.InScope(domain, t.Client.DirectoryID(), &u) {
			continue
		}
		scoped++
		if (!u.Active || u.UserStatus == "2") && !keep[strings.ToLower(u.UserName)] {
			out = append(out, Pruned{ID: u.ID, UserName: u.UserName})
		}
	}
	if out == nil {
		out = []Pruned{}
	}
	if len(out) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "no disabled user whose source is gone: nothing to prune")
	} else if !o.DryRun {
		if err := scim.Guard(len(out), scoped, share, o.Force); err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		if err := confirm(&o.Common, fmt.Sprintf("Delete %d disabled user(s) at %s that %s no longer lists?", len(out), t.URL, o.From), o.Yes); err != nil {
			return err
		}
		for i := range out {
			if err := t.Client.DeleteUser(ctx, out[i].ID); err != nil && !scim.IsNotFound(err) {
				return fmt.Errorf("prune user %q: %w", text.Sanitize(out[i].UserName), err)
			}
			out[i].Deleted = true
		}
		fmt.Fprintln(o.IO.ErrOut, "next: delete the same users in the UEM console (Accounts > Users > List View), as the Okta SCIM to Access guide says")
	}
	return cmdutil.Print(o.IO.Out, o.Output(), out, func(w io.Writer) error {
		for _, p := range out {
			verb := "would delete"
			if p.Deleted {
				verb = "deleted"
			}
			fmt.Fprintf(w, "%s %s (id %s)\n", verb, text.Sanitize(p.UserName), text.Sanitize(p.ID))
		}
		return nil
	})
}
