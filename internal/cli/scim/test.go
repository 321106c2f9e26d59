package scim

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// TestOptions of `scim test`.
type TestOptions struct {
	*Common
}

// NewCmdTest builds `flowsctl scim test`.
func NewCmdTest(f *cmdutil.Factory, runF func(*TestOptions) error) *cobra.Command {
	o := &TestOptions{Common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Okta's Test API Credentials plus the twelve SCIM conformance checks (Okta SPEC test)",
		Long: `Runs against the configured SCIM endpoint, or any SCIM 2.0 base with --url (token from --token-file or
env FLOWSCTL_SCIM_TOKEN): the token check Okta's "Test API Credentials" button makes, then R1..R12 of
Okta's SCIM SPEC test (list, get, filters, 404s, create 201, duplicate 409, case-insensitive userName,
groups, bad token 401, delete). It creates one test user and deletes it. One line per check;
-o json|junit for CI. Exit 2 when a check fails.`,
		Args: cobra.NoArgs,
		Example: `  flowsctl scim test
  flowsctl scim test --url https://scim.example.com/scim/v2 --token-file token.txt -o junit > scim.xml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return testRun(cmd.Context(), o)
		},
	}
	o.addTargetFlags(cmd)
	return cmd
}

func testRun(ctx context.Context, o *TestOptions) error {
	t, err := o.Target()
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "testing %s (%s, %s)\n", t.URL, t.Source, t.Client.Dialect())
	checks := t.Client.Conformance(ctx)
	if err := writeChecks(o.IO.Out, o.Output(), checks, o.IO.ColorEnabled()); err != nil {
		return err
	}
	if doctor.Failed(checks) {
		if len(checks) > 0 && checks[0].Status == doctor.Fail {
			return cmdutil.Exit(cmdutil.ExitAuth, fmt.Errorf("the SCIM token was not accepted: %s", checks[0].Detail))
		}
		return cmdutil.Silent(cmdutil.ExitPending)
	}
	return nil
}

func writeChecks(w io.Writer, format string, checks []doctor.Check, color bool) error {
	switch format {
	case "json":
		return doctor.WriteJSON(w, checks)
	case "junit":
		return doctor.WriteJUnit(w, checks)
	case "yaml":
		return cmdutil.Print(w, "yaml", doctor.NewReport(checks), nil)
	}
	return doctor.WriteText(w, checks, color)
}
