package scim

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

var users = kind[scim.User]{
	noun:   "user",
	header: []string{"ID", "USERNAME", "NAME", "EMAIL", "ACTIVE", "DOMAIN"},
	row: func(u scim.User) []string {
		return []string{u.ID, u.UserName, u.Name.GivenName + " " + u.Name.FamilyName, u.PrimaryEmail(), strconv.FormatBool(u.Active), u.Domain}
	},
	list:   (*scim.Client).Users,
	find:   findUser,
	remove: func(ctx context.Context, c *scim.Client, u scim.User) error { return c.DeleteUser(ctx, u.ID) },
	name:   func(u scim.User) (string, string) { return u.UserName, u.ID },
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

// NewCmdUsers builds `flowsctl scim users list|get|create|delete`.
func NewCmdUsers(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group(&cobra.Command{
		Use:   "users <command>",
		Short: "List, show, create and delete SCIM users",
		Example: `  flowsctl scim users list
  flowsctl scim users get ann@okta.example.com
  flowsctl scim users create --user-name ann@okta.example.com --given-name Ann --family-name Lee --email ann@okta.example.com
  flowsctl scim users delete ann@okta.example.com --yes`,
	},
		newCmdList(f, users, &cobra.Command{Use: "list", Short: "List users (paged; --filter is a SCIM filter)",
			Example: `  flowsctl scim users list
  flowsctl scim users list --filter 'userName sw "bar."' --limit 20 -o json`}, nil),
		newCmdKey(f, users, &cobra.Command{Use: "get <userName|id>", Short: "Show one user",
			Example: `  flowsctl scim users get ann@okta.example.com -o json`}, nil, getRun, false),
		NewCmdUserCreate(f, nil),
		newCmdKey(f, users, &cobra.Command{Use: "delete <userName|id>", Short: "Delete a user",
			Example: `  flowsctl scim users delete ann@okta.example.com --yes`}, nil, deleteRun, true))
}

// UserCreateOptions of `scim users create`.
type UserCreateOptions struct {
	cmdutil.Common
	Target TargetFlags
	User   scim.User
	Email  string
}

// NewCmdUserCreate builds `flowsctl scim users create`.
func NewCmdUserCreate(f *cmdutil.Factory, runF func(*UserCreateOptions) error) *cobra.Command {
	o := &UserCreateOptions{Common: cmdutil.NewCommon(f)}
	cmd := command(&cobra.Command{
		Use:   "create",
		Short: "Create a user (an existing userName is adopted, not duplicated)",
		Example: `  flowsctl scim users create --user-name ann@okta.example.com --given-name Ann --family-name Lee \
    --email ann@okta.example.com --external-id 00u1abcd`,
	}, o, &o.Common, &o.Target, runF, userCreateRun)
	fl := cmd.Flags()
	fl.StringVar(&o.User.UserName, "user-name", "", "userName (required)")
	fl.StringVar(&o.User.Name.GivenName, "given-name", "", "name.givenName")
	fl.StringVar(&o.User.Name.FamilyName, "family-name", "", "name.familyName")
	fl.StringVar(&o.Email, "email", "", "primary email")
	fl.StringVar(&o.User.ExternalID, "external-id", "", "externalId (Okta user id)")
	fl.StringVar(&o.User.Domain, "domain", "", "Access: the directory domain (default: the config's directory domain)")
	return cmd
}

func userCreateRun(o *UserCreateOptions) error {
	if o.User.UserName == "" {
		return fmt.Errorf("--user-name is required")
	}
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return err
	}
	u := o.User
	u.Active = true
	if o.Email != "" {
		u.Emails = []scim.Email{{Value: o.Email, Type: "work", Primary: true}}
	}
	got, adopted, err := t.Client.CreateUser(o.Context(), u)
	if err != nil {
		return err
	}
	return users.created(&o.Common, got, adopted)
}
