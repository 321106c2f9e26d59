package rotate

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/azure"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// TeamsSecretOptions are `rotate teams-secret`'s.
type TeamsSecretOptions struct {
	cmdutil.Common
	// Confirm records that the guided console step (paste the new secret) is done.
	Confirm bool
}

// NewCmdTeamsSecret is `rotate teams-secret`.
func NewCmdTeamsSecret(f *cmdutil.Factory, runF func(*TeamsSecretOptions) error) *cobra.Command {
	opts := &TeamsSecretOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "teams-secret",
		Short: "Rotate the Entra client secret of the Teams connector with no downtime",
		Long: `Adds a new client secret to the Entra app and writes it to azure.app.secret.sink, gets it
into every mobile flows connector that signs in with it (api mode: sent and read back by
fingerprint; guided mode: the console step is printed with where the value is, then
confirmed), and only then removes the older secrets flowsctl created. Secrets flowsctl did
not create are never removed. Progress is kept in .flowsctl/rotate-teams-secret.json
(.flowsctl/STEM/ for a config other than flowsctl.yaml), so running the command again after
an interruption continues where it stopped.`,
		Example: `  flowsctl rotate teams-secret
  flowsctl rotate teams-secret --confirm   # guided mode, after pasting the new secret`,
	}, opts, &opts.Common, runF, teamsSecretRun)
	cmd.Flags().BoolVar(&opts.Confirm, "confirm", false, "guided: record that the new secret is pasted in the UEM console")
	return cmd
}

func teamsSecretRun(o *TeamsSecretOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	if cfg.UEM == nil || cfg.UEM.MobileFlows == nil {
		return fmt.Errorf("flowsctl.yaml has no uem.mobileFlows section: no connector holds the Teams secret (use flowsctl azure secret rotate --remove-old)")
	}
	cp, u, mf := *cfg, *cfg.UEM, *cfg.UEM.MobileFlows
	if mf.Mode == "" && mf.AdminURL != "" {
		mf.Mode = "api"
	}
	u.MobileFlows, cp.UEM = &mf, &u
	hc, err := o.HTTPClient()
	if err != nil {
		return err
	}
	var p prompt.Prompter
	if !o.NoInput() && o.Prompter != nil && !o.Confirm {
		p = o.Prompter()
	}
	d := steps.WithShared(steps.Deps{Config: &cp, HTTP: hc, ErrOut: o.IO.Messages(o.IO.ErrOut), Prompter: p, NoInput: o.NoInput() || o.Confirm})
	reg, err := azure.NewRegistration(&cp, hc, o.IO.ErrOut)
	if err != nil {
		return err
	}
	r, err := steps.MobileFlowsRegistrar(d)
	if err != nil {
		return err
	}
	if g, ok := r.(*mobileflows.Guided); ok {
		g.Confirm = o.Confirm
		g.ConfirmCommand = func(mobileflows.ConnectorSpec) string { return "flowsctl rotate teams-secret --confirm" }
	}
	specs := func(v setup.Values) ([]mobileflows.ConnectorSpec, error) { return steps.ConnectorSpecs(&cp, v, false) }
	t, err := steps.RotateTeamsSecret(o.Context(), d, reg, specs, r)
	if t != nil {
		if perr := print(o, t, reg.Spec.Sink); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		return err
	}
	if t.Pending != "" {
		fmt.Fprintf(o.IO.ErrOut, "the old secrets are kept until the connector holds the new one: paste it from %s in the UEM console, then run: flowsctl rotate teams-secret --confirm\n", reg.Spec.Sink)
		return cmdutil.Silent(cmdutil.ExitOperator)
	}
	return nil
}

func print(o *TeamsSecretOptions, t *steps.TeamsRotation, sink config.SecretRef) error {
	return cmdutil.Print(o.IO.Out, o.Output(), t, func(w io.Writer) error {
		fmt.Fprintf(w, "new client secret: keyId %s, value in %s\n", t.NewKeyID, sink)
		for name, how := range t.Connectors {
			fmt.Fprintf(w, "connector %q: %s\n", name, how)
		}
		for _, ch := range t.Removed {
			fmt.Fprintf(w, "removed %s (%s)\n", ch.Object, ch.Note)
		}
		switch {
		case t.Pending != "":
			fmt.Fprintln(w, "waiting for the console step: the old secrets are kept")
		case t.Phase == steps.RotationVerified:
			fmt.Fprintln(w, "rotation complete")
		}
		return nil
	})
}
