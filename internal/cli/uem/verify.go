package uem

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// VerifyOptions are the options of `uem verify`.
type VerifyOptions struct {
	cmdutil.Common
	// Entra looks up the Entra app's outputs for the connectors; tests replace it.
	Entra EntraLookup
	// TemplateCheck asks Access for MobileFlows_Server_Template (off in tests without Access).
	TemplateCheck bool
}

// NewCmdVerify builds `uem verify`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{Common: cmdutil.NewCommon(f), Entra: entraFromAzure, TemplateCheck: true}
	return cmdutil.Command(&cobra.Command{
		Use:   "verify",
		Short: "Check UEM reachability and version, Boxer keys, tenant registration, connectors and integrations (exit 2 on failure)",
		Example: `  flowsctl uem verify
  flowsctl uem verify -o junit`,
	}, opts, &opts.Common, runF, verifyRun)
}

// verifyRun runs the Verify of the objects the uem steps build (and the UEM probes of doctor),
// concurrently, and prints them with the one check printer.
func verifyRun(o *VerifyOptions) error {
	ctx := o.Context()
	d, _, err := deps(&o.Common, depsFor{})
	if err != nil {
		return err
	}
	cfg := d.Config
	var probes []doctor.Probe
	for _, p := range steps.Probes(d) {
		if strings.HasPrefix(p.ID, "uem.") {
			probes = append(probes, p)
		}
	}
	if cfg.UEM.Boxer != nil {
		probes = append(probes, objectProbe("uem.boxer", "Boxer keys", func() ([]object.Object, error) {
			b, err := steps.UEMBoxer(d)
			return []object.Object{b}, err
		}))
	}
	if cfg.UEM.MobileFlows != nil {
		probes = append(probes, objectProbe("uem.mobileflows.tenant", "tenant", func() ([]object.Object, error) {
			t, err := tenant(&o.Common, d, false, o.TemplateCheck, nil)
			return []object.Object{t}, err
		}), objectProbe("uem.connectors", "connectors", func() ([]object.Object, error) {
			return verifyConnectors(ctx, o, d, cfg)
		}))
	}
	if len(cfg.UEM.Integrations) > 0 {
		probes = append(probes, objectProbe("uem.integrations", "integrations", func() ([]object.Object, error) {
			p, err := steps.UEMIntegrations(d)
			return []object.Object{p}, err
		}))
	}
	start := time.Now()
	checks := doctor.Run(ctx, probes, doctor.Options{})
	return o.ReportChecks(checks, start, false)
}

// verifyConnectors builds the connector objects with the Entra app's outputs looked up.
func verifyConnectors(ctx context.Context, o *VerifyOptions, d steps.Deps, cfg *config.Config) ([]object.Object, error) {
	var v setup.Values
	needs := false
	for _, cc := range cfg.UEM.MobileFlows.Connectors {
		needs = needs || needsEntra(cc)
	}
	if needs {
		if e, err := entraOutputs(ctx, o.Entra, "", cfg, d.HTTP); err == nil {
			v.Azure.ClientID, v.Azure.SecretSink, v.Azure.TenantID, v.Azure.Authority = e.ClientID, e.SecretSink, e.TenantID, e.Authority
		}
	}
	specs, err := steps.ConnectorSpecs(cfg, v, false)
	if err != nil {
		return nil, err
	}
	reg, err := registrar(&o.Common, d, false, nil)
	if err != nil {
		return nil, err
	}
	return mobileflows.NewConnectors(specs, reg, d.HTTP), nil
}

// objectProbe verifies the objects build returns, or fails with why they cannot be built.
func objectProbe(id, title string, build func() ([]object.Object, error)) doctor.Probe {
	return doctor.Probe{ID: id, Title: title, Run: func(ctx context.Context) []doctor.Check {
		objs, err := build()
		if err != nil {
			return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: err.Error(), Fix: setup.FixOf(err)}}
		}
		var out []doctor.Check
		for _, ob := range objs {
			out = append(out, ob.Verify(ctx)...)
		}
		return out
	}}
}
