// Package uem is `flowsctl uem`: mobile flows connectors, Boxer keys, third-party integration
// preflight, group lookups and the tenant registration checklist. Every command builds its
// objects with the constructors the setup steps use (pkg/setup/steps), so a noun command and
// plan/apply/doctor run the same code.
package uem

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// NewCmdUEM is the `uem` noun.
func NewCmdUEM(f *cmdutil.Factory) *cobra.Command {
	connector := cmdutil.NewGroup("connector <command>", "Mobile flows connectors: OOTB catalog (Teams, ...) and self-hosted ones by discovery URL",
		`  flowsctl uem connector add teams
  flowsctl uem connector add --discovery-url https://connector.example.com/ --name "My Flows"
  flowsctl uem connector list
  flowsctl uem connector catalog`, NewCmdConnectorAdd(f, nil), NewCmdConnectorList(f, nil), NewCmdConnectorCatalog(f))
	boxer := cmdutil.NewGroup("boxer <command>", "Mobile flows keys on the Workspace ONE Boxer app assignments",
		"  flowsctl uem boxer configure", NewCmdBoxerConfigure(f, nil))
	integration := cmdutil.NewGroup("integration <command>", "Third-party dashboard integrations (the integration preflight guide)",
		"  flowsctl uem integration check", NewCmdIntegrationCheck(f, nil))
	mobileflows := cmdutil.NewGroup("mobileflows <command>", "The mobile flows tenant registration (console: Mobile Flows > Begin)",
		"  flowsctl uem mobileflows register", NewCmdRegister(f, nil))
	return cmdutil.Group(&cobra.Command{
		Use:   "uem <command>",
		Short: "Workspace ONE UEM: mobile flows connectors, Boxer keys, third-party integration preflight",
		Long: `Register mobile flows connectors (the Teams OOTB connector with the Entra app's client id, any
catalog connector, or a self-hosted one by discovery URL), set the mobile flows keys on the Boxer
assignments, check a third-party dashboard integration, and look up groups.

Mobile flows has no published admin API: in guided mode (the default) flowsctl prints the console
checklist and records your confirmation; api mode (uem.mobileFlows.adminUrl) uses the modeled API
of docs/mobile-flows-admin-api.md, which the sandbox serves.`,
		Example: `  flowsctl uem connector add teams
  flowsctl uem boxer configure --dry-run
  flowsctl uem integration check -o json
  flowsctl uem groups ACME`,
	}, connector, boxer, integration, NewCmdGroups(f, nil), mobileflows, NewCmdVerify(f, nil))
}

// depsFor says what a command needs settled before the steps' constructors run.
type depsFor struct {
	// Mode is --mode; the mobile flows mode is settled (withMode) when the config has a
	// uem.mobileFlows section or Connectors is set.
	Mode       string
	Connectors bool
	ShowSecret bool
}

// deps loads the config (its paths are absolute since load; the uem section required) and
// builds the step dependencies as plan/apply/doctor do: the one HTTP client, the options it
// was built with (for uem.caFile and an integration's serverCertificate), the prompter unless
// --no-input. It returns the mobile flows mode ("" when not settled).
func deps(c *cmdutil.Common, n depsFor) (steps.Deps, string, error) {
	cfg, err := c.Config()
	if err != nil {
		return steps.Deps{}, "", err
	}
	if cfg.UEM == nil {
		return steps.Deps{}, "", errors.New("the config has no uem section (add uem.url and uem.auth; see flowsctl init)")
	}
	mode := ""
	if n.Connectors || cfg.UEM.MobileFlows != nil {
		if cfg, mode, err = withMode(cfg, n.Mode); err != nil {
			return steps.Deps{}, "", err
		}
	}
	hc, err := c.HTTPClient()
	if err != nil {
		return steps.Deps{}, "", err
	}
	var p prompt.Prompter
	if !c.NoInput() && c.Prompter != nil {
		p = c.Prompter()
	}
	errOut := c.IO.ErrOut
	if n.ShowSecret {
		errOut = c.IO.SecretErrOut() // --show-secret: the checklist shows the secret
	}
	return steps.WithShared(steps.Deps{Config: cfg, HTTP: hc, HTTPOptions: c.HTTPOptsFor(cfg), ErrOut: c.IO.Messages(errOut), Prompter: p,
		NoInput: c.NoInput(), ShowSecret: n.ShowSecret}), mode, nil
}

// built is the object a steps constructor builds, for a command that settles nothing.
func built[T any](c *cmdutil.Common, ctor func(steps.Deps) (T, error)) (T, error) {
	d, _, err := deps(c, depsFor{})
	if err != nil {
		var zero T
		return zero, err
	}
	return ctor(d)
}

// group is a parent command that only holds subcommands.
func printChanges(w io.Writer, cs []plan.Change) {
	if len(cs) == 0 {
		fmt.Fprintln(w, "no changes")
		return
	}
	for _, c := range cs {
		fmt.Fprintln(w, c.String())
	}
}

func changesOrEmpty(cs []plan.Change) []plan.Change {
	if cs == nil {
		return []plan.Change{}
	}
	return cs
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}
