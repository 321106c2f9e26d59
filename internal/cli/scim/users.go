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

// NewCmdUsers builds `flowsctl scim users list|get|create|delete`.
func NewCmdUsers(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users <command>",
		Short: "List, show, create and delete SCIM users",
		Example: `  flowsctl scim users list
  flowsctl scim users get ann@okta.example.com
  flowsctl scim users create --user-name ann@okta.example.com --given-name Ann --family-name Lee --email ann@okta.example.com
  flowsctl scim users delete ann@okta.example.com --yes`,
	}
	cmd.AddCommand(newUsersList(f), newUsersGet(f), newUsersCreate(f), newUsersDelete(f))
	return cmd
}

func userRow(u scim.User) []string {
	return []string{u.ID, u.UserName, u.Name.GivenName + " " + u.Name.FamilyName, u.PrimaryEmail(), strconv.FormatBool(u.Active), u.Domain}
}

var userHeader = []string{"ID", "USERNAME", "NAME", "EMAIL", "ACTIVE", "DOMAIN"}

func newUsersList(f *cmdutil.Factory) *cobra.Command {
	c := newCommon(f)
	var filter string
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List users (paged; --filter is a SCIM filter)",
		Args:  cobra.NoArgs,
		Example: `  flowsctl scim users list
  flowsctl scim users list --filter 'userName sw "bar."' --limit 20 -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := c.Target()
			if err != nil {
				return err
			}
			var out []scim.User
			for u, err := range t.Client.Users(cmd.Context(), scim.ListOptions{Filter: scim.Raw(filter)}) {
				if err != nil {
					return authExit(err)
				}
				out = append(out, u)
				if limit > 0 && len(out) >= limit {
					break
				}
			}
			if out == nil {
				out = []scim.User{}
			}
			return cmdutil.Print(c.IO.Out, c.Output(), out, func(w io.Writer) error {
				rows := make([][]string, 0, len(out))
				for _, u := range out {
					rows = append(rows, userRow(u))
				}
				return table(w, userHeader, rows)
			})
		},
	}
	cmd.Flags().StringVar(&filter, "filter", "", `SCIM filter, e.g. 'userName eq "a@b.c"'`)
	cmd.Flags().IntVar(&limit, "limit", 0, "stop after N users (0 = all)")
	c.addTargetFlags(cmd)
	return cmd
}

// findUser takes an id or a userName.
func findUser(ctx context.Context, cl *scim.Client, key string) (*scim.User, error) {
	if u, err := cl.FindUser(ctx, key); err != nil || u != nil {
		return u, err
	}
	u, err := cl.GetUser(ctx, key)
	if scim.IsNotFound(err) {
		return nil, fmt.Errorf("no user with userName or id %q at %s (list them with: flowsctl scim users list)", key, cl.Base())
	}
	return u, err
}

func newUsersGet(f *cmdutil.Factory) *cobra.Command {
	c := newCommon(f)
	cmd := &cobra.Command{
		Use:     "get <userName|id>",
		Short:   "Show one user",
		Args:    cobra.ExactArgs(1),
		Example: `  flowsctl scim users get ann@okta.example.com -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := c.Target()
			if err != nil {
				return err
			}
			u, err := findUser(cmd.Context(), t.Client, args[0])
			if err != nil {
				return authExit(err)
			}
			return cmdutil.Print(c.IO.Out, c.Output(), u, func(w io.Writer) error {
				return table(w, userHeader, [][]string{userRow(*u)})
			})
		},
	}
	c.addTargetFlags(cmd)
	return cmd
}

func newUsersCreate(f *cmdutil.Factory) *cobra.Command {
	c := newCommon(f)
	var u scim.User
	var email string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a user (an existing userName is adopted, not duplicated)",
		Args:  cobra.NoArgs,
		Example: `  flowsctl scim users create --user-name ann@okta.example.com --given-name Ann --family-name Lee \
    --email ann@okta.example.com --external-id 00u1abcd`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if u.UserName == "" {
				return fmt.Errorf("--user-name is required")
			}
			t, err := c.Target()
			if err != nil {
				return err
			}
			u.Active = true
			if email != "" {
				u.Emails = []scim.Email{{Value: email, Type: "work", Primary: true}}
			}
			got, adopted, err := t.Client.CreateUser(cmd.Context(), u)
			if err != nil {
				return authExit(err)
			}
			if adopted {
				fmt.Fprintf(c.IO.ErrOut, "user %q already exists (id %s): adopted\n", got.UserName, got.ID)
			} else {
				fmt.Fprintf(c.IO.ErrOut, "created user %q (id %s)\n", got.UserName, got.ID)
			}
			return cmdutil.Print(c.IO.Out, c.Output(), got, func(w io.Writer) error { return table(w, userHeader, [][]string{userRow(*got)}) })
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&u.UserName, "user-name", "", "userName (required)")
	fl.StringVar(&u.Name.GivenName, "given-name", "", "name.givenName")
	fl.StringVar(&u.Name.FamilyName, "family-name", "", "name.familyName")
	fl.StringVar(&email, "email", "", "primary email")
	fl.StringVar(&u.ExternalID, "external-id", "", "externalId (Okta user id)")
	fl.StringVar(&u.Domain, "domain", "", "Access: the directory domain (default: the config's directory domain)")
	c.addTargetFlags(cmd)
	return cmd
}

func newUsersDelete(f *cmdutil.Factory) *cobra.Command {
	c := newCommon(f)
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete <userName|id>",
		Short:   "Delete a user",
		Args:    cobra.ExactArgs(1),
		Example: `  flowsctl scim users delete ann@okta.example.com --yes`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := c.Target()
			if err != nil {
				return err
			}
			u, err := findUser(cmd.Context(), t.Client, args[0])
			if err != nil {
				return authExit(err)
			}
			if err := c.confirm(fmt.Sprintf("Delete user %q (id %s) at %s?", u.UserName, u.ID, t.URL), yes); err != nil {
				return err
			}
			if err := t.Client.DeleteUser(cmd.Context(), u.ID); err != nil {
				return authExit(err)
			}
			fmt.Fprintf(c.IO.ErrOut, "deleted user %q (id %s)\n", u.UserName, u.ID)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	c.addTargetFlags(cmd)
	return cmd
}
