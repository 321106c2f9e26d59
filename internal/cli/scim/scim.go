// Package scim is `flowsctl scim ...`: users, groups, the conformance test, prune, fix-domain,
// sync and verify, against Identity Services (SCIM 2.0) or Access (SCIM 1.1).
package scim

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// Common carries what every scim command needs; tests replace Target.
type Common struct {
	IO       *iostreams.IOStreams
	Output   func() string
	NoInput  func() bool
	Prompter func() prompt.Prompter
	Config   func() (*config.Config, error)
	// Target resolves the SCIM endpoint (config, --url, --token-file, --dialect).
	Target func() (*scim.Target, error)
	// Identity is the Identity Services admin client (for the directory check).
	Identity func() (*identity.Client, error)

	url, tokenFile, dialect string
}

func newCommon(f *cmdutil.Factory) *Common {
	c := &Common{IO: f.IO, Output: func() string { return f.Flags.Output }, NoInput: func() bool { return f.Flags.NoInput },
		Prompter: f.Prompter, Config: f.Config}
	c.Target = func() (*scim.Target, error) {
		hc, err := f.HTTPClient()
		if err != nil {
			return nil, err
		}
		cfg, cerr := f.Config()
		if cerr != nil && c.url == "" {
			return nil, cerr
		}
		return scim.ResolveTarget(hc, cfg, scim.Override{URL: c.url, TokenFile: c.tokenFile, Dialect: c.dialect})
	}
	c.Identity = func() (*identity.Client, error) {
		hc, err := f.HTTPClient()
		if err != nil {
			return nil, err
		}
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		return identity.FromConfig(hc, cfg)
	}
	return c
}

func (c *Common) addTargetFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.url, "url", "", "SCIM base URL (default: from the config: Identity Services when enabled, else Access)")
	cmd.Flags().StringVar(&c.tokenFile, "token-file", "", "file holding the bearer token (with --url, default env "+scim.EnvToken+")")
	cmd.Flags().StringVar(&c.dialect, "dialect", "auto", "auto, rfc7644 or access (SCIM 1.1)")
}

// NewCmdSCIM builds `flowsctl scim`.
func NewCmdSCIM(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scim <command>",
		Short: "SCIM users and groups: list, test, sync, prune and fix known issues",
		Long: `SCIM against the tenant: Identity Services (SCIM 2.0 at <identityServices.url>/usergroup/scim/v2, token
from identityServices.scimToken.sink) when identityServices.enabled, else Access SCIM 1.1
(/SAAS/jersey/manager/api/scim) with a token of the access.scimClient OAuth client.
--url and --token-file point any command at another SCIM server.`,
		Example: `  flowsctl scim test
  flowsctl scim sync --from users.csv
  flowsctl scim users list --filter 'userName sw "a"'`,
	}
	cmd.AddCommand(NewCmdUsers(f), NewCmdGroups(f), NewCmdTest(f, nil), NewCmdSync(f, nil), NewCmdPrune(f, nil), NewCmdVerify(f, nil))
	return cmd
}

// authExit maps authentication failures to exit code 4.
func authExit(err error) error {
	if err == nil {
		return nil
	}
	if scim.IsAuth(err) || httpx.IsAuth(err) {
		return cmdutil.AuthError(err)
	}
	return err
}

func table(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, h := range header {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, h)
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, v)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// confirm asks before a destructive change; --yes answers it, --no-input without --yes refuses.
func (c *Common) confirm(msg string, yes bool) error {
	if yes {
		return nil
	}
	ok, err := c.Prompter().Confirm(msg, false, "--yes")
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("cancelled")
	}
	return nil
}
