package steps

import (
	"context"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

func init() {
	register(uemSteps)
	registerProbes(uemProbes)
}

const uemAuthFix = "check uem.url and uem.auth in flowsctl.yaml (OAuth client id/secret and region or tokenUrl; or basic username/password and apiKey)"

// uemClient is shared by the UEM steps of one run (one OAuth token, one rate-limit budget).
func uemClient(d Deps) *lazy[*uem.Client] {
	return sharedValue(d, "uem", func() *lazy[*uem.Client] {
		return newLazy(func() (*uem.Client, error) {
			c, err := uem.New(d.HTTP, uem.WithAbsolutePaths(d.Config).UEM, d.HTTPOptions)
			if err != nil {
				return nil, setup.Errorf("", err, uemAuthFix)
			}
			return c, nil
		})
	})
}

// uemResource is what pkg/uem's Boxer and Integrations share.
type uemResource interface {
	Plan(ctx context.Context) ([]plan.Change, error)
	Apply(ctx context.Context) (uem.Result, error)
	Verify(ctx context.Context) []doctor.Check
}

func uemStep(id, fix string, needs []string, res *lazy[uemResource], objects func() []setup.Object) setup.Step {
	return &step{id: id, needs: needs,
		plan: func(ctx context.Context, o *setup.Outputs) ([]plan.Change, error) {
			r, err := res.get()
			if err != nil {
				return nil, err
			}
			cs, err := r.Plan(ctx)
			if err != nil {
				return nil, setup.Errorf("", err, fix)
			}
			return cs, nil
		},
		apply: func(ctx context.Context, o *setup.Outputs) (setup.Applied, error) {
			r, err := res.get()
			if err != nil {
				return setup.Applied{}, err
			}
			out, err := r.Apply(ctx)
			a := setup.Applied{Objects: objects(), Changes: changed(out.Changes...)}
			if err != nil {
				return a, setup.Errorf("", err, fix)
			}
			if out.Pending {
				a.Operator = out.Operator
				if a.Operator == "" {
					a.Operator = "an operator step is pending: run flowsctl plan for the checklist"
				}
			}
			return a, nil
		},
		verify: func(ctx context.Context, o *setup.Outputs) []doctor.Check {
			r, err := res.get()
			if err != nil {
				return failCheck(id, id+" can be checked", err, uemAuthFix)
			}
			return r.Verify(ctx)
		},
	}
}

func uemSteps(d Deps) []setup.Step {
	cfg := uem.WithAbsolutePaths(d.Config)
	if cfg.UEM == nil {
		const why = "no uem section in the config"
		return []setup.Step{skipped("uem.boxer", nil, why), skipped("uem.integrations", nil, why)}
	}
	client := uemClient(d)
	var out []setup.Step
	if b := cfg.UEM.Boxer; b == nil || !b.Enabled {
		out = append(out, skipped("uem.boxer", nil, "uem.boxer is absent or not enabled"))
	} else {
		res := newLazy(func() (uemResource, error) {
			c, err := client.get()
			if err != nil {
				return nil, err
			}
			spec, err := uem.BoxerSpecFrom(cfg)
			if err != nil {
				return nil, setup.Errorf("uem.boxer", err, "fix uem.boxer in flowsctl.yaml")
			}
			return &uem.Boxer{C: c, Spec: spec}, nil
		})
		out = append(out, uemStep("uem.boxer", "flowsctl uem boxer configure", nil, res, func() []setup.Object {
			var objs []setup.Object
			for _, sg := range b.SmartGroups {
				objs = append(objs, setup.Object{Kind: "boxer assignment", Key: sg})
			}
			return objs
		}))
	}
	if len(cfg.UEM.Integrations) == 0 {
		out = append(out, skipped("uem.integrations", nil, "no uem.integrations in the config"))
	} else {
		res := newLazy(func() (uemResource, error) {
			c, err := client.get()
			if err != nil {
				return nil, err
			}
			return &uem.Integrations{C: c, Cfg: cfg.UEM, NewHTTP: func(caFile string) (*httpx.Client, error) {
				o := d.HTTPOptions
				o.CAFile = caFile
				return httpx.New(o)
			}}, nil
		})
		out = append(out, uemStep("uem.integrations", "flowsctl uem integration check", nil, res, func() []setup.Object {
			var objs []setup.Object
			for _, in := range cfg.UEM.Integrations {
				objs = append(objs, setup.Object{Kind: "integration preflight", Key: in.Name})
			}
			return objs
		}))
	}
	return out
}

// uemProbes: the API answers with the configured credentials and the console release is recent
// enough for mobile flows (1904) and OOTB connectors (1905).
func uemProbes(d Deps) []doctor.Probe {
	if d.Config.UEM == nil || d.Config.UEM.URL == "" {
		return nil
	}
	client := uemClient(d)
	return []doctor.Probe{{ID: "uem.reachable", Title: "UEM API reachable and recent enough", Run: func(ctx context.Context) []doctor.Check {
		c, err := client.get()
		if err != nil {
			return failCheck("uem.reachable", "UEM API reachable", err, uemAuthFix)
		}
		return c.VerifyReachable(ctx)
	}}}
}
