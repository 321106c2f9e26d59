// Package access is `flowsctl access template|client|token|directory`: the Workspace ONE Access
// objects of the Teams mobile flows guide and the Okta SCIM to Access guide. Each command runs
// the object plan/apply/doctor run (pkg/access), built by the same constructor as its step.
package access

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	acc "github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// NewCmdAccess builds `flowsctl access`.
func NewCmdAccess(f *cmdutil.Factory) *cobra.Command {
	tpl := cmdutil.NewGroup("template <command>", "The MobileFlows_Server_Template OAuth2 app template (Remote App Access > Templates)",
		`  flowsctl access template apply --dry-run
  flowsctl access template show -o json
  flowsctl access template verify`,
		NewCmdTemplateApply(f, nil), NewCmdTemplateShow(f, nil), NewCmdTemplateVerify(f, nil))
	sc := cmdutil.NewGroup("client <command>", "The SCIM service client Okta authenticates with (Remote App Access, Service Client Token)",
		`  flowsctl access client create
  flowsctl access client show
  flowsctl access client rotate-secret`,
		NewCmdClientCreate(f, nil), NewCmdClientShow(f, nil), NewCmdClientRotate(f, nil), NewCmdClientVerify(f, nil))
	directory := cmdutil.NewGroup("directory <command>", "The directory of type Other Okta provisions users into",
		`  flowsctl access directory create --dry-run
  flowsctl access directory list`,
		NewCmdDirectoryCreate(f, nil), NewCmdDirectoryList(f, nil), NewCmdDirectoryVerify(f, nil))
	return cmdutil.Group(&cobra.Command{
		Use:   "access <command>",
		Short: "Workspace ONE Access: mobile flows template, SCIM service client, bearer token, directory of type Other",
		Long: `Manage the Workspace ONE Access objects mobile flows and Okta SCIM provisioning need, from the
access section of flowsctl.yaml. Every write looks the object up first, so re-running is safe;
--dry-run shows the field-level diff without writing.`,
		Example: `  flowsctl access template apply --dry-run
  flowsctl access client create
  flowsctl access token --client OktaSCIM
  flowsctl access directory create`,
	}, tpl, sc, NewCmdToken(f, nil), directory)
}

// builder is the constructor of one Access object, the same one its step uses.
type builder func(*acc.Client, *config.Config) (object.Object, error)

func asBuilder[T object.Object](b func(*acc.Client, *config.Config) (T, error)) builder {
	return func(c *acc.Client, cfg *config.Config) (object.Object, error) { return b(c, cfg) }
}

var (
	buildTemplate  = asBuilder(acc.NewTemplateResource)
	buildClient    = asBuilder(acc.NewClientResource)
	buildDirectory = asBuilder(acc.NewDirectoryResource)
)

// client loads the config and builds the admin client from it.
func client(c *cmdutil.Common) (*acc.Client, *config.Config, error) {
	cfg, hc, err := c.ConfigAndClient()
	if err != nil {
		return nil, nil, err
	}
	cl, err := acc.New(hc, cfg)
	return cl, cfg, err
}

// build makes the object b builds from the config.
func build(c *cmdutil.Common, b builder) (object.Object, error) {
	_, r, err := resource(c, b)
	return r, err
}

// resource is the admin client and the object newR builds with it from the config.
func resource[T any](c *cmdutil.Common, newR func(*acc.Client, *config.Config) (T, error)) (*acc.Client, T, error) {
	cl, cfg, err := client(c)
	if err != nil {
		var zero T
		return nil, zero, err
	}
	r, err := newR(cl, cfg)
	return cl, r, err
}

// ApplyOptions are the options of a writing command (template apply, client create,
// directory create): which object, and --dry-run.
type ApplyOptions struct {
	cmdutil.Common
	DryRun bool
	build  builder
}

// applyOutput is what the writing commands print with -o json|yaml.
type applyOutput struct {
	DryRun  bool           `json:"dryRun" yaml:"dryRun"`
	Changes []plan.Change  `json:"changes,omitempty" yaml:"changes,omitempty"`
	Result  *object.Result `json:"result,omitempty" yaml:"result,omitempty"`
}

// newCmdApply builds a writing command over one object.
func newCmdApply(f *cmdutil.Factory, runF func(*ApplyOptions) error, b builder, cmd *cobra.Command) *cobra.Command {
	o := &ApplyOptions{Common: cmdutil.NewCommon(f), build: b}
	cmdutil.Command(cmd, o, &o.Common, runF, applyRun)
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "show the changes without writing")
	return cmd
}

// applyRun plans (dry run) or applies the object and prints the outcome.
func applyRun(o *ApplyOptions) error {
	r, err := build(&o.Common, o.build)
	if err != nil {
		return err
	}
	if o.DryRun {
		cs, err := r.Plan(o.Context())
		if err != nil {
			return err
		}
		return cmdutil.Print(o.IO.Out, o.Output(), applyOutput{DryRun: true, Changes: cs}, func(w io.Writer) error {
			for _, c := range cs {
				fmt.Fprintln(w, c.String())
			}
			if plan.Pending(cs) {
				fmt.Fprintln(o.IO.ErrOut, "dry run: nothing was written; run the same command without --dry-run to apply")
			}
			return nil
		})
	}
	res, err := r.Apply(o.Context())
	if err != nil {
		return err
	}
	return printResult(&o.Common, applyOutput{Result: &res})
}

func printResult(c *cmdutil.Common, out applyOutput) error {
	return cmdutil.Print(c.IO.Out, c.Output(), out, func(w io.Writer) error {
		if out.DryRun {
			fmt.Fprintln(w, out.Result.Change().String())
			fmt.Fprintln(c.IO.ErrOut, "dry run: nothing was written")
			return nil
		}
		_, err := fmt.Fprintln(w, out.Result.String())
		return err
	})
}

// ClientOptions are the options of the commands about one OAuth client (client show, token):
// --client.
type ClientOptions struct {
	cmdutil.Common
	ClientID string
}

// newCmdForClient builds a command about one client, with --client.
func newCmdForClient(f *cmdutil.Factory, runF, run func(*ClientOptions) error, cmd *cobra.Command) *cobra.Command {
	o := &ClientOptions{Common: cmdutil.NewCommon(f)}
	cmdutil.Command(cmd, o, &o.Common, runF, run)
	cmd.Flags().StringVar(&o.ClientID, "client", "", "client id (default access.scimClient.clientId)")
	return cmd
}

// VerifyOptions are the options of a verify command: which object.
type VerifyOptions struct {
	cmdutil.Common
	build builder
}

// newCmdVerify builds a verify command over one object.
func newCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error, b builder, short, example string) *cobra.Command {
	o := &VerifyOptions{Common: cmdutil.NewCommon(f), build: b}
	return cmdutil.Command(&cobra.Command{Use: "verify", Short: short, Example: example}, o, &o.Common, runF, verifyRun)
}

// verifyRun prints the object's checks (doctor's) and exits 2 when one fails.
func verifyRun(o *VerifyOptions) error {
	r, err := build(&o.Common, o.build)
	if err != nil {
		return err
	}
	start := time.Now()
	checks := r.Verify(o.Context())
	return o.ReportChecks(checks, start, false)
}

// newCmdNoun builds a noun command (template, client, directory) holding subs.
func minutes(m int64) string {
	return fmt.Sprintf("%d min (%s)", m, acc.FormatMinutes(m))
}

func humanDuration(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int64(d.Round(time.Hour).Hours()+0.5)/24)
	}
	return strings.TrimSpace(config.FormatDuration(d.Round(time.Minute)))
}
