package scim

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// TestOptions of `scim test`.
type TestOptions struct {
	cmdutil.Common
	Target TargetFlags
}

// NewCmdTest builds `flowsctl scim test`.
func NewCmdTest(f *cmdutil.Factory, runF func(*TestOptions) error) *cobra.Command {
	o := &TestOptions{Common: cmdutil.NewCommon(f)}
	return command(&cobra.Command{
		Use:   "test",
		Short: "Okta's Test API Credentials plus the twelve SCIM conformance checks (Okta SPEC test)",
		Long: `Runs against the configured SCIM endpoint, or any SCIM 2.0 base with --url (token from --token-file or
env FLOWSCTL_SCIM_TOKEN): the token check Okta's "Test API Credentials" button makes, then R1..R12 of
Okta's SCIM SPEC test (list, get, filters, 404s, create 201, duplicate 409, case-insensitive userName,
groups, bad token 401, delete). It creates one test user and deletes it. One line per check;
-o json|yaml|junit for CI. Exit 2 when a check fails, 4 when the token is refused.`,
		Example: `  flowsctl scim test
  flowsctl scim test --url https://scim.example.com/scim/v2 --token-file token.txt -o junit > scim.xml`,
	}, o, &o.Common, &o.Target, runF, testRun)
}

func testRun(o *TestOptions) error {
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "testing %s (%s, %s)\n", t.URL, t.Source, t.Client.Dialect())
	start := time.Now()
	checks := t.Client.Conformance(o.Context())
	// The first check is Okta's "Test API Credentials": when it fails the token was refused.
	return o.ReportChecks(checks, start, len(checks) > 0 && checks[0].Status == doctor.Fail)
}
