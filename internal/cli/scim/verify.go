package scim

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// VerifyOptions of `scim verify`.
type VerifyOptions struct {
	*Common
}

// NewCmdVerify builds `flowsctl scim verify`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	o := &VerifyOptions{Common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the SCIM endpoint, its token and expiry, and (Access) that no group is in the System domain",
		Args:  cobra.NoArgs,
		Example: `  flowsctl scim verify
  flowsctl scim verify -o junit`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return verifyRun(cmd.Context(), o)
		},
	}
	o.addTargetFlags(cmd)
	return cmd
}

func verifyRun(ctx context.Context, o *VerifyOptions) error {
	t, err := o.Target()
	if err != nil {
		return err
	}
	warn := scim.DefaultWarnBefore
	if cfg, err := o.Config(); err == nil && cfg.Doctor != nil && !cfg.Doctor.WarnSecretExpiryBefore.IsZero() {
		warn = cfg.Doctor.WarnSecretExpiryBefore.D
	}
	checks := t.Checks(ctx, warn)
	if cfg, err := o.Config(); err == nil && o.url == "" && cfg.IdentityServices != nil && cfg.IdentityServices.Enabled {
		if ic, err := o.Identity(); err == nil {
			if dir, err := identity.DirectoryFromConfig(ic, cfg); err == nil {
				checks = append(checks, dir.Verify(ctx)...)
			}
		}
	}
	if err := writeChecks(o.IO.Out, o.Output(), checks, o.IO.ColorEnabled()); err != nil {
		return err
	}
	if doctor.Failed(checks) {
		return cmdutil.Silent(cmdutil.ExitPending)
	}
	return nil
}
