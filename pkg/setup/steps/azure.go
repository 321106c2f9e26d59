package steps

import (
	"context"
	"errors"

	"github.com/flowsctl/flowsctl/pkg/azure"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

func init() { register(azureSteps) }

const azureFix = "flowsctl azure register"

func azureSteps(d Deps) []setup.Step {
	cfg := d.Config
	if cfg.Azure == nil {
		return []setup.Step{skipped("azure.app", nil, "no azure section in the config (the Teams connector needs an Entra app: run flowsctl init)")}
	}
	type az struct {
		c    *azure.Client
		spec azure.Spec
	}
	client := newLazy(func() (az, error) {
		spec, err := azure.SpecFromConfig(cfg)
		if err != nil {
			return az{}, setup.Errorf("azure.app", err, "fix the azure section of flowsctl.yaml")
		}
		c, err := azure.NewClient(context.Background(), cfg, d.HTTP, d.ErrOut)
		if err != nil {
			return az{}, setup.Errorf("", err, "check azure.tenantId and azure.signIn in flowsctl.yaml")
		}
		return az{c, spec}, nil
	})
	// record reads the app's client id by its uniqueName, for the connectors' plan and verify.
	record := func(ctx context.Context, a az, o *setup.Outputs) error {
		out, err := a.c.Outputs(ctx, a.spec)
		if errors.Is(err, azure.ErrNotRegistered) {
			return nil
		}
		if err != nil {
			return err
		}
		o.Set(func(v *setup.Values) {
			v.Azure.ClientID, v.Azure.ObjectID, v.Azure.SecretSink = out.ClientID, out.ObjectID, out.SecretSink
		})
		return nil
	}
	return []setup.Step{&step{id: "azure.app",
		plan: func(ctx context.Context, o *setup.Outputs) ([]plan.Change, error) {
			a, err := client.get()
			if err != nil {
				return nil, err
			}
			cs, err := a.c.Plan(ctx, a.spec)
			if err != nil {
				return nil, setup.Errorf("", err, azureFix)
			}
			if err := record(ctx, a, o); err != nil {
				return nil, setup.Errorf("", err, azureFix)
			}
			return cs, nil
		},
		apply: func(ctx context.Context, o *setup.Outputs) (setup.Applied, error) {
			a, err := client.get()
			if err != nil {
				return setup.Applied{}, err
			}
			res, err := a.c.Ensure(ctx, a.spec)
			if err != nil {
				return setup.Applied{}, setup.Errorf("", err, azureFix)
			}
			o.Set(func(v *setup.Values) {
				v.Azure.ClientID, v.Azure.ObjectID, v.Azure.SecretSink = res.AppID, res.ObjectID, a.spec.Sink
			})
			objs := []setup.Object{{Kind: "Entra application", Key: a.spec.UniqueName, ID: res.AppID}}
			if res.ServicePrincipalID != "" {
				objs = append(objs, setup.Object{Kind: "service principal", Key: res.AppID, ID: res.ServicePrincipalID})
			}
			if res.GrantID != "" {
				objs = append(objs, setup.Object{Kind: "admin consent grant", Key: "AllPrincipals", ID: res.GrantID})
			}
			if res.SecretKeyID != "" {
				objs = append(objs, setup.Object{Kind: "client secret", Key: string(a.spec.Sink), ID: res.SecretKeyID})
			}
			return setup.Applied{Objects: objs, Changes: changed(res.Changes...)}, nil
		},
		verify: func(ctx context.Context, o *setup.Outputs) []doctor.Check {
			a, err := client.get()
			if err != nil {
				return failCheck("azure.app", "Entra application can be checked", err, "check the azure section of flowsctl.yaml")
			}
			checks := a.c.Verify(ctx, a.spec)
			_ = record(ctx, a, o) // the connectors' checks compare their client id with it
			return checks
		},
	}}
}
