package scim

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/scim"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// VerifyOptions of `scim verify`.
type VerifyOptions struct {
	cmdutil.Common
	Target TargetFlags
}

// NewCmdVerify builds `flowsctl scim verify`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	o := &VerifyOptions{Common: cmdutil.NewCommon(f)}
	return command(&cobra.Command{
		Use:   "verify",
		Short: "Check the SCIM endpoint, its token and expiry, and (Access) that no group is in the System domain",
		Long: `Checks the SCIM endpoint Okta provisions into: reachable, the token accepted and not about to
expire, and (Access) no group in the System domain. With identityServices enabled (and no --url) it
also runs doctor's check of the Identity Services directory. -o json|yaml|junit for CI.`,
		Example: `  flowsctl scim verify
  flowsctl scim verify -o junit`,
	}, o, &o.Common, &o.Target, runF, verifyRun)
}

func verifyRun(o *VerifyOptions) error {
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return err
	}
	start := time.Now()
	ctx := o.Context()
	warn := scim.DefaultWarnBefore
	cfg, cerr := o.Config()
	if cerr == nil && cfg.Doctor != nil && !cfg.Doctor.WarnSecretExpiryBefore.IsZero() {
		warn = cfg.Doctor.WarnSecretExpiryBefore.D
	}
	checks := t.Checks(ctx, warn)
	if cerr == nil && o.Target.URL == "" && cfg.IdentityServices != nil && cfg.IdentityServices.Enabled {
		checks = append(checks, directoryChecks(o, cfg)...)
	}
	return o.ReportChecks(checks, start, false)
}

// directoryChecks runs doctor's own check of the Identity Services directory: the
// identity.directory step of the setup graph, in verify mode.
func directoryChecks(o *VerifyOptions, cfg *config.Config) []doctor.Check {
	const id = "identity.directory"
	fail := func(err error) []doctor.Check {
		return []doctor.Check{{ID: id, Title: "Identity Services directory can be checked", Status: doctor.Fail, Detail: err.Error(), Fix: setup.FixOf(err)}}
	}
	hc, err := o.HTTPClient()
	if err != nil {
		return fail(err)
	}
	g, err := steps.Graph(steps.Deps{Config: cfg, HTTP: hc, ErrOut: o.IO.Messages(o.IO.ErrOut), Prompter: prompt.NoInput{Reason: "scim verify asks nothing"}, NoInput: true})
	if err != nil {
		return fail(err)
	}
	rs, err := g.Run(o.Context(), setup.ModeVerify, setup.NewOutputs(cfg), setup.Options{Only: []string{id}})
	if err != nil {
		return fail(err)
	}
	var out []doctor.Check
	for _, r := range rs {
		switch {
		case r.ID != id:
		case len(r.Checks) > 0:
			out = append(out, r.Checks...)
		case r.Error != "":
			out = append(out, doctor.Check{ID: id, Title: "Identity Services directory", Status: doctor.Fail, Detail: r.Error, Fix: r.Fix})
		}
	}
	return out
}
