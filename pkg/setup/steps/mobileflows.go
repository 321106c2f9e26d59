package steps

import (
	"context"
	"errors"
	"fmt"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

func init() { register(mobileFlowsSteps) }

// placeholderClientID stands for the Entra client id while azure.app has not created the app
// (plan on a fresh tenant): the connector's plan shows it instead of failing.
const placeholderClientID = "(known after azure.app)"

func mobileFlowsSteps(d Deps) []setup.Step {
	cfg := d.Config
	if cfg.UEM == nil || cfg.UEM.MobileFlows == nil {
		const why = "no uem.mobileFlows in the config"
		return []setup.Step{skipped("uem.mobileflows.tenant", []string{"access.template"}, why), skipped("uem.connectors", []string{"azure.app", "uem.mobileflows.tenant"}, why)}
	}
	mf := cfg.UEM.MobileFlows
	store := &mobileflows.ConfirmStore{Path: mobileflows.StorePathFor(cfg.Path)}
	client := uemClient(d)
	api := mf.Mode == "api"
	newAPI := func() (*mobileflows.API, error) {
		c, err := client.get()
		if err != nil {
			return nil, err
		}
		return &mobileflows.API{HC: d.HTTP, Base: string(mf.AdminURL), Authorize: c.Authorize}, nil
	}
	var ask func(q string) (bool, error)
	if !d.NoInput && d.Prompter != nil {
		ask = func(q string) (bool, error) {
			return d.Prompter.Confirm(q, false, "--no-input (then confirm with the command the checklist names)")
		}
	}

	// Tenant registration ("Begin"): operator step; api mode observes it.
	tenant := newLazy(func() (uemResource, error) {
		t := &mobileflows.Tenant{Host: string(mf.Host), Store: store, Out: d.ErrOut, Ask: ask,
			ConfirmCmd: "flowsctl uem mobileflows register --confirm"}
		if cfg.Access != nil {
			t.AccessURL = string(cfg.Access.URL)
			ac := accessClient(d)
			id := cfg.Access.MobileFlowsTemplate.TemplateID
			if id == "" {
				id = "MobileFlows_Server_Template"
			}
			t.TemplateExists = func(ctx context.Context) (bool, error) {
				c, err := ac.get()
				if err != nil {
					return false, err
				}
				tp, _, err := c.GetTemplate(ctx, id)
				return tp != nil, err
			}
		}
		if api {
			a, err := newAPI()
			if err != nil {
				return nil, err
			}
			t.Status = a.Tenant
		}
		return t, nil
	})
	out := []setup.Step{uemStep("uem.mobileflows.tenant", "flowsctl uem mobileflows register", []string{"access.template"}, tenant,
		func() []setup.Object { return []setup.Object{{Kind: "mobile flows tenant", Key: string(mf.Host)}} })}

	// Connectors: built per run from the Entra outputs.
	regLazy := newLazy(func() (mobileflows.Registrar, error) {
		if api {
			return newAPI()
		}
		return &mobileflows.Guided{Store: store, Out: d.ErrOut, ShowSecret: d.ShowSecret, Ask: ask,
			ConfirmCommand: func(s mobileflows.ConnectorSpec) string {
				return fmt.Sprintf("flowsctl uem connector add --name %q --confirm", s.Name)
			}}, nil
	})
	connectors := func(o *setup.Outputs, planning bool) (*mobileflows.Connectors, error) {
		r, err := regLazy.get()
		if err != nil {
			return nil, err
		}
		v := o.Get()
		var entra *mobileflows.EntraOutputs
		if v.Azure.ClientID != "" || planning {
			entra = &mobileflows.EntraOutputs{ClientID: v.Azure.ClientID, SecretSink: v.Azure.SecretSink, TenantID: v.Azure.TenantID, Authority: v.Azure.Authority}
			if entra.ClientID == "" {
				entra.ClientID = placeholderClientID
			}
		}
		var scopes []string
		if cfg.Azure != nil {
			scopes = cfg.Azure.App.DelegatedPermissions
		}
		specs, err := mobileflows.SpecsFrom(mf, entra, scopes)
		if err != nil {
			return nil, setup.Errorf("uem.mobileFlows.connectors", err, "run: flowsctl apply --only azure.app,uem.connectors")
		}
		return &mobileflows.Connectors{Specs: specs, Registrar: r, HTTP: d.HTTP}, nil
	}
	const fix = "flowsctl uem connector add"
	out = append(out, &step{id: "uem.connectors", needs: []string{"azure.app", "uem.mobileflows.tenant"}, verifyAO: true,
		plan: func(ctx context.Context, o *setup.Outputs) ([]plan.Change, error) {
			c, err := connectors(o, true)
			if err != nil {
				return nil, err
			}
			cs, err := c.Plan(ctx)
			if err != nil {
				return nil, setup.Errorf("", err, fix)
			}
			return cs, nil
		},
		apply: func(ctx context.Context, o *setup.Outputs) (setup.Applied, error) {
			c, err := connectors(o, false)
			if err != nil {
				return setup.Applied{}, err
			}
			res, err := c.Apply(ctx)
			a := setup.Applied{Changes: changed(res.Changes...)}
			for _, s := range c.Specs {
				a.Objects = append(a.Objects, setup.Object{Kind: "mobile flows connector", Key: s.Name})
			}
			if err != nil {
				return a, setup.Errorf("", err, fix)
			}
			if res.Pending {
				a.Operator = res.Operator
				if a.Operator == "" {
					a.Operator = "add the connectors in the UEM console (Content > Mobile Flows), then re-run interactively to confirm"
				}
			}
			return a, nil
		},
		verify: func(ctx context.Context, o *setup.Outputs) []doctor.Check {
			c, err := connectors(o, false)
			if err != nil {
				if errors.Is(err, context.Canceled) {
					return nil
				}
				return failCheck("uem.connectors", "mobile flows connectors can be checked", err, fix)
			}
			return c.Verify(ctx)
		},
	})
	return out
}
