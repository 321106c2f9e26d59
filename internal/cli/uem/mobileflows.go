package uem

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// EntraLookup reads the Entra app's outputs (pkg/azure's read-only lookup); tests replace it.
type EntraLookup func(ctx context.Context, cfg *config.Config, hc *httpx.Client) (*mobileflows.EntraOutputs, error)

// withMode returns cfg with uem.mobileFlows.mode settled: --mode, else the config's, else api
// when adminUrl is set, else guided. cfg itself is not modified.
func withMode(cfg *config.Config, flag string) (*config.Config, string, error) {
	mf := cfg.UEM.MobileFlows
	m := flag
	if m == "" && mf != nil {
		m = mf.Mode
	}
	if m == "" {
		m = "guided"
		if mf != nil && mf.AdminURL != "" {
			m = "api"
		}
	}
	switch m {
	case "guided":
	case "api":
		if mf == nil || mf.AdminURL == "" {
			return nil, "", errors.New("uem.mobileFlows.mode is api but uem.mobileFlows.adminUrl is empty (set it, or use mode guided)")
		}
	default:
		return nil, "", fmt.Errorf("uem.mobileFlows.mode %q: use guided or api", m)
	}
	c, u := *cfg, *cfg.UEM
	var m2 config.MobileFlows
	if mf != nil {
		m2 = *mf
	}
	m2.Mode = m
	u.MobileFlows, c.UEM = &m2, &u
	return &c, m, nil
}

// operatorHooks adapt a guided object built by the steps to a noun command: the checklist goes
// to out (nil: not printed), --confirm records without asking, the question names --confirm.
func operatorHooks(c *cmdutil.Common, confirm bool) func(q string) (bool, error) {
	if c.NoInput() || c.Prompter == nil || confirm {
		return nil
	}
	p := c.Prompter()
	return func(q string) (bool, error) { return p.Confirm(q, false, "--confirm") }
}

// registrar is the registrar of uem.connectors, for a noun command.
func registrar(c *cmdutil.Common, d steps.Deps, confirm bool, out io.Writer) (mobileflows.Registrar, error) {
	r, err := steps.MobileFlowsRegistrar(d)
	if err != nil {
		return nil, err
	}
	if g, ok := r.(*mobileflows.Guided); ok {
		g.Out, g.Confirm, g.Ask = out, confirm, operatorHooks(c, confirm)
		g.ConfirmCommand = func(s mobileflows.ConnectorSpec) string {
			arg := "--discovery-url " + s.DiscoveryURL + " --name '" + s.Name + "'"
			if s.CatalogID != "" {
				arg = s.CatalogID
				if e, ok := mobileflows.Lookup(s.CatalogID); ok && len(e.Aliases) > 0 {
					arg = e.Aliases[0]
				}
			}
			cmd := "flowsctl uem connector add " + arg + " --confirm"
			if f := c.ConfigPath(); f != "" && f != "flowsctl.yaml" {
				cmd += " -f " + f
			}
			return cmd
		}
	}
	return r, nil
}

// tenant is the object of uem.mobileflows.tenant, for a noun command. Without templateCheck
// the MobileFlows_Server_Template check (a call to Access) is left out.
func tenant(c *cmdutil.Common, d steps.Deps, confirm, templateCheck bool, out io.Writer) (*mobileflows.Tenant, error) {
	t, err := steps.MobileFlowsTenant(d)
	if err != nil {
		return nil, err
	}
	t.Out, t.Confirm, t.Ask = out, confirm, operatorHooks(c, confirm)
	if !templateCheck {
		t.TemplateExists = nil
	}
	return t, nil
}
