package access

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	acc "github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
)

func newCmdTemplate(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "template <command>",
		Short: "The MobileFlows_Server_Template OAuth2 app template (Remote App Access > Templates)",
		Example: `  flowsctl access template apply --dry-run
  flowsctl access template show -o json
  flowsctl access template verify`,
	}
	cmd.AddCommand(NewCmdTemplateApply(f, nil), NewCmdTemplateShow(f, nil), NewCmdTemplateVerify(f, nil))
	return cmd
}

func buildTemplate(c *acc.Client, cfg *config.Config) (resource, error) {
	return acc.NewTemplateResource(c, cfg)
}

// NewCmdTemplateApply builds `access template apply`.
func NewCmdTemplateApply(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Create the template, or update the fields that differ from access.mobileFlowsTemplate",
		Long: `Look up oauth2apptemplates/{templateId}; create it when missing, put it back when a field differs
(scope, grant types, redirect URI, token type and length, the three TTLs, user grant). Defaults are the
VMware mobile flows guide's: token length 32, access token 1 day, refresh 90 days, idle 10 days.`,
		Args: cobra.NoArgs,
		Example: `  flowsctl access template apply --dry-run     # the field-level diff, nothing written
  flowsctl access template apply -o json`,
		RunE: run(opts, runF, TemplateApplyRun),
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the changes without writing")
	return cmd
}

// TemplateApplyRun is `access template apply`.
func TemplateApplyRun(opts *Options) error { return applyRun(opts, buildTemplate) }

// NewCmdTemplateVerify builds `access template verify`.
func NewCmdTemplateVerify(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:     "verify",
		Short:   "Check the template exists and every field matches the config (exit 2 on failure)",
		Args:    cobra.NoArgs,
		Example: `  flowsctl access template verify -o json`,
		RunE:    run(opts, runF, func(o *Options) error { return verifyRun(o, buildTemplate) }),
	}
}

// NewCmdTemplateShow builds `access template show`.
func NewCmdTemplateShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:   "show",
		Short: "Show the template as Access holds it (TTLs in minutes and as durations)",
		Args:  cobra.NoArgs,
		Example: `  flowsctl access template show
  flowsctl access template show -o json`,
		RunE: run(opts, runF, TemplateShowRun),
	}
}

// TemplateShowRun is `access template show`.
func TemplateShowRun(opts *Options) error {
	c, cfg, err := opts.client()
	if err != nil {
		return err
	}
	r, err := acc.NewTemplateResource(c, cfg)
	if err != nil {
		return err
	}
	ctx, cancel := opts.context()
	defer cancel()
	t, _, err := c.GetTemplate(ctx, r.Spec.AppProductID)
	if err != nil {
		return wrap(err)
	}
	if t == nil {
		return fmt.Errorf("template %q does not exist in Access (create it with: flowsctl access template apply)", r.Spec.AppProductID)
	}
	return cmdutil.Print(opts.IO.Out, opts.output(), t, func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		row := func(k string, v any) { fmt.Fprintf(tw, "%s\t%v\n", k, v) }
		row("Template ID", t.AppProductID)
		row("Scope", t.Scope)
		row("Grant types", t.AuthGrantTypes)
		row("Redirect URI", t.RedirectURI)
		row("Token type", t.TokenType)
		row("Token length", t.Length)
		row("Access token TTL", minutes(t.AccessTokenTTL))
		row("Refresh token TTL", minutes(t.RefreshTokenTTL))
		row("Idle token TTL", minutes(t.RefreshTokenIdleTTL))
		row("User grant", t.DisplayUserGrant)
		return tw.Flush()
	})
}

func minutes(m int64) string {
	return fmt.Sprintf("%d min (%s)", m, acc.FormatMinutes(m))
}
