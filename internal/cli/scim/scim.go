// Package scim is `flowsctl scim ...`: users, groups, the conformance test, prune, fix-domain,
// sync and verify, against Identity Services (SCIM 2.0) or Access (SCIM 1.1).
package scim

import (
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// TargetFlags are --url, --token-file and --dialect, which every scim command takes.
type TargetFlags struct {
	URL       string
	TokenFile string
	Dialect   string
	// Resolved, when set, is the endpoint to use instead of resolving the flags (tests).
	Resolved *scim.Target
}

func (t *TargetFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.URL, "url", "", "SCIM base URL (default: from the config: Identity Services when enabled, else Access)")
	cmd.Flags().StringVar(&t.TokenFile, "token-file", "", "file holding the bearer token (with --url, default env "+scim.EnvToken+")")
	cmd.Flags().StringVar(&t.Dialect, "dialect", "auto", "auto, rfc7644 or access (SCIM 1.1)")
}

// resolve finds the SCIM endpoint: from the config, or from --url and --token-file alone.
func (t *TargetFlags) resolve(c *cmdutil.Common) (*scim.Target, error) {
	if t.Resolved != nil {
		return t.Resolved, nil
	}
	hc, err := c.HTTPClient()
	if err != nil {
		return nil, err
	}
	cfg, err := c.Config()
	if err != nil && t.URL == "" {
		return nil, err
	}
	return scim.ResolveTarget(hc, cfg, scim.Override{URL: t.URL, TokenFile: t.TokenFile, Dialect: t.Dialect})
}

// NewCmdSCIM builds `flowsctl scim`.
func NewCmdSCIM(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group(&cobra.Command{
		Use:   "scim <command>",
		Short: "SCIM users and groups: list, test, sync, prune and fix known issues",
		Long: `SCIM against the tenant: Identity Services (SCIM 2.0 at <identityServices.url>/usergroup/scim/v2, token
from identityServices.scimToken.sink) when identityServices.enabled, else Access SCIM 1.1
(/SAAS/jersey/manager/api/scim) with a token of the access.scimClient OAuth client.
--url and --token-file point any command at another SCIM server.`,
		Example: `  flowsctl scim test
  flowsctl scim sync --from users.csv
  flowsctl scim users list --filter 'userName sw "a"'`,
	}, NewCmdUsers(f), NewCmdGroups(f), NewCmdTest(f, nil), NewCmdSync(f, nil), NewCmdPrune(f, nil), NewCmdVerify(f, nil))
}

// table prints rows whose cells may come from a server or a CSV: control characters (escape
// sequences, newlines that would fake a row, tabs that would shift columns) are neutralised.
func table(w io.Writer, header []string, rows [][]string) error {
	tab := cmdutil.NewTable(w)
	for _, r := range append([][]string{header}, rows...) {
		cells := make([]any, len(r))
		for i, v := range r {
			cells[i] = strings.ReplaceAll(text.Sanitize(v), "\t", " ")
		}
		tab.Row(cells...)
	}
	return tab.Flush()
}

// confirm asks before a destructive change; --yes answers it, --no-input without --yes refuses.
func confirm(c *cmdutil.Common, msg string, yes bool) error {
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

// command finishes cmd for options with a SCIM target: no arguments, RunE through cmdutil.Run
// and the target flags.
func command[O any](cmd *cobra.Command, o *O, c *cmdutil.Common, t *TargetFlags, runF, run func(*O) error) *cobra.Command {
	t.register(cmd)
	return cmdutil.Command(cmd, o, c, runF, run)
}
