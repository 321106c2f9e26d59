package access

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	acc "github.com/flowsctl/flowsctl/pkg/access"
)

// NewCmdTemplateApply builds `access template apply`.
func NewCmdTemplateApply(f *cmdutil.Factory, runF func(*ApplyOptions) error) *cobra.Command {
	return newCmdApply(f, runF, buildTemplate, &cobra.Command{
		Use:   "apply",
		Short: "Create the template, or update the fields that differ from access.mobileFlowsTemplate",
		Long: `Look up oauth2apptemplates/{templateId}; create it when missing, put it back when a field differs
(scope, grant types, redirect URI, token type and length, the three TTLs, user grant). Defaults are the
VMware mobile flows guide's: token length 32, access token 1 day, refresh 90 days, idle 10 days.`,
		Example: `  flowsctl access template apply --dry-run     # the field-level diff, nothing written
  flowsctl access template apply -o json`,
	})
}

// NewCmdTemplateVerify builds `access template verify`.
func NewCmdTemplateVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	return newCmdVerify(f, runF, buildTemplate, "Check the template exists and every field matches the config (exit 2 on failure)",
		`  flowsctl access template verify -o junit`)
}

// NewCmdTemplateShow builds `access template show`.
func NewCmdTemplateShow(f *cmdutil.Factory, runF func(*cmdutil.Common) error) *cobra.Command {
	return cmdutil.NewCommand(f, &cobra.Command{
		Use:   "show",
		Short: "Show the template as Access holds it (TTLs in minutes and as durations)",
		Example: `  flowsctl access template show
  flowsctl access template show -o json`,
	}, runF, templateShowRun)
}

func templateShowRun(o *cmdutil.Common) error {
	c, r, err := resource(o, acc.NewTemplateResource)
	if err != nil {
		return err
	}
	t, _, err := c.GetTemplate(o.Context(), r.Spec.AppProductID)
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("template %q does not exist in Access (create it with: flowsctl access template apply)", r.Spec.AppProductID)
	}
	return cmdutil.Print(o.IO.Out, o.Output(), t, func(w io.Writer) error {
		tab := cmdutil.NewTable(w)
		tab.Row("Template ID", t.AppProductID)
		tab.Row("Scope", t.Scope)
		tab.Row("Grant types", t.AuthGrantTypes)
		tab.Row("Redirect URI", t.RedirectURI)
		tab.Row("Token type", t.TokenType)
		tab.Row("Token length", t.Length)
		tab.Row("Access token TTL", minutes(t.AccessTokenTTL))
		tab.Row("Refresh token TTL", minutes(t.RefreshTokenTTL))
		tab.Row("Idle token TTL", minutes(t.RefreshTokenIdleTTL))
		tab.Row("User grant", t.DisplayUserGrant)
		return tab.Flush()
	})
}
