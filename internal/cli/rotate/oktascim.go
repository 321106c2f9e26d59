package rotate

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// OktaSCIMTokenOptions of `rotate okta-scim-token`.
type OktaSCIMTokenOptions struct {
	cmdutil.Common
	DryRun  bool
	Confirm bool
}

// NewCmdOktaSCIMToken builds `flowsctl rotate okta-scim-token`.
func NewCmdOktaSCIMToken(f *cmdutil.Factory, runF func(*OktaSCIMTokenOptions) error) *cobra.Command {
	o := &OktaSCIMTokenOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "okta-scim-token",
		Short: "Give Okta's SCIM app a new token: new token, Okta updated, verified, old one retired",
		Long: `Replaces the bearer token Okta provisions with, on either SCIM path:

  Identity Services: a new directory token is generated into identityServices.scimToken.sink.
    Identity Services keeps one token per directory, so the old one stops at once; Okta is updated
    right after (one request when Okta takes the token through its API).
  Access: a new bearer token of the OktaSCIM client is issued with its current secret; the secret
    is not rotated (Access keeps one secret per client, and a new one cuts off every holder).
    The old bearer token lapses at the end of its lifetime.

Okta is updated through its API when it allows it for the app; otherwise flowsctl prints where to
paste the token and waits for your confirmation (with --no-input it stops with exit status 3: paste,
then run it again with --confirm). Progress, never the token, is kept in .flowsctl/okta-scim-token.json
next to the config (.flowsctl/STEM/ for a config other than flowsctl.yaml), so an interrupted
rotation resumes; doctor reads the issue time from it.

Exit status: 0 rotated and verified, 1 error, 3 the token must still be pasted into Okta.`,
		Example: `  flowsctl rotate okta-scim-token --dry-run
  flowsctl rotate okta-scim-token
  flowsctl rotate okta-scim-token --confirm     # after pasting the token into Okta by hand`,
	}, o, &o.Common, runF, oktaSCIMTokenRun)
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "list the steps without changing anything")
	cmd.Flags().BoolVar(&o.Confirm, "confirm", false, "record that you pasted the new token into Okta (guided rotation), then verify")
	return cmd
}

func oktaSCIMTokenRun(o *OktaSCIMTokenOptions) error {
	cfg, hc, err := o.ConfigAndClient()
	if err != nil {
		return err
	}
	var p prompt.Prompter = prompt.NoInput{Reason: "--no-input"}
	interactive := o.Prompter != nil && !o.NoInput() && o.IO.CanPrompt()
	if interactive {
		p = o.Prompter()
	}
	d := steps.WithShared(steps.Deps{Config: cfg, HTTP: hc, HTTPOptions: o.HTTPOpts(), ErrOut: o.IO.Messages(o.IO.ErrOut), Prompter: p, NoInput: !interactive})
	say := func(format string, a ...any) { fmt.Fprintf(o.IO.ErrOut, format+"\n", a...) }
	opts := steps.RotateOptions{DryRun: o.DryRun, Confirmed: o.Confirm, Say: say}
	res, err := steps.RotateOktaSCIMToken(o.Context(), d, opts)
	if err == nil && res.Pending != "" && interactive {
		fmt.Fprint(o.IO.ErrOut, res.Pending)
		ok, perr := p.Confirm("Is the new token pasted into Okta (Test API Credentials verified)?", false, "--confirm")
		if perr != nil {
			return perr
		}
		if ok {
			opts.Confirmed = true
			res, err = steps.RotateOktaSCIMToken(o.Context(), d, opts)
		}
	}
	if err != nil {
		return err
	}
	if perr := cmdutil.Print(o.IO.Out, o.Output(), res, func(w io.Writer) error { return writeText(w, res) }); perr != nil {
		return perr
	}
	if res.Pending != "" {
		if !interactive {
			fmt.Fprint(o.IO.ErrOut, res.Pending)
		}
		return cmdutil.Exit(cmdutil.ExitOperator, fmt.Errorf("the new token must still be pasted into Okta: do the checklist above, then run flowsctl rotate okta-scim-token --confirm"))
	}
	return nil
}

func writeText(w io.Writer, r steps.RotateResult) error {
	fmt.Fprintf(w, "Okta SCIM token (%s path):\n", r.Target)
	for _, s := range r.Steps {
		fmt.Fprintf(w, "  - %s\n", s)
	}
	for _, c := range r.Checks {
		fmt.Fprintf(w, "  %s %s: %s\n", strings.ToUpper(string(c.Status)), c.Title, c.Detail)
	}
	if !r.ExpiresAt.IsZero() {
		fmt.Fprintf(w, "  the new token expires %s; rotate before then: flowsctl rotate okta-scim-token\n", r.ExpiresAt.Format("2006-01-02"))
	}
	return nil
}
