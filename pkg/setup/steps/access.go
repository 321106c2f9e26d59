package steps

import (
	"context"
	"fmt"

	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

func init() { register(accessSteps) }

// accessResource is what pkg/access's template, client and directory resources share.
type accessResource interface {
	Plan(ctx context.Context) ([]plan.Change, error)
	Ensure(ctx context.Context) (access.Result, error)
	Verify(ctx context.Context) []doctor.Check
}

// accessClient is the run's Access admin client (one token for every Access step).
func accessClient(d Deps) *lazy[*access.Client] {
	return sharedValue(d, "access", func() *lazy[*access.Client] {
		return newLazy(func() (*access.Client, error) { return access.New(d.HTTP, d.Config) })
	})
}

func accessSteps(d Deps) []setup.Step {
	cfg := d.Config
	if cfg.Access == nil {
		const why = "no access section in the config (add access.url and access.auth; run: flowsctl init)"
		return []setup.Step{skipped("access.template", nil, why), skipped("access.scimClient", nil, why), skipped("access.directory", nil, why)}
	}
	client := accessClient(d)
	const authFix = "check access.url and access.auth in flowsctl.yaml (an OAuth client with scope admin: Catalog > Settings > Remote App Access)"

	mk := func(id, kind, key, fix string, build func(c *access.Client) (accessResource, error), record func(v *setup.Values, r access.Result)) setup.Step {
		res := newLazy(func() (accessResource, error) {
			c, err := client.get()
			if err != nil {
				return nil, setup.Errorf("", err, authFix)
			}
			return build(c)
		})
		return &step{id: id,
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
				out, err := r.Ensure(ctx)
				if err != nil {
					return setup.Applied{}, setup.Errorf("", err, fix)
				}
				if record != nil {
					o.Set(func(v *setup.Values) { record(v, out) })
				}
				objKey := key
				return setup.Applied{Objects: []setup.Object{{Kind: kind, Key: objKey, ID: out.ID}}, Changes: changed(out.Change())}, nil
			},
			verify: func(ctx context.Context, o *setup.Outputs) []doctor.Check {
				r, err := res.get()
				if err != nil {
					return failCheck(id, id+" can be checked", err, authFix)
				}
				return r.Verify(ctx)
			},
		}
	}

	a := cfg.Access
	tmplID := a.MobileFlowsTemplate.TemplateID
	if tmplID == "" {
		tmplID = "MobileFlows_Server_Template"
	}
	out := []setup.Step{mk("access.template", "oauth2apptemplate", tmplID, "flowsctl access template apply",
		func(c *access.Client) (accessResource, error) { return access.NewTemplateResource(c, cfg) },
		func(v *setup.Values, r access.Result) { v.Access.TemplateID = tmplID })}

	if a.SCIMClient == nil {
		out = append(out, skipped("access.scimClient", nil, "no access.scimClient in the config (SCIM from Okta to Access is not set up here)"))
	} else {
		out = append(out, mk("access.scimClient", "oauth2client", a.SCIMClient.ClientID, fmt.Sprintf("flowsctl access client create (client %s)", a.SCIMClient.ClientID),
			func(c *access.Client) (accessResource, error) { return access.NewClientResource(c, cfg) },
			func(v *setup.Values, r access.Result) {
				v.Access.SCIMClientID = a.SCIMClient.ClientID
				v.Access.SCIMSink = access.AbsRef(cfg, a.SCIMClient.SecretSink)
			}))
	}
	if a.Directory == nil {
		out = append(out, skipped("access.directory", nil, "no access.directory in the config"))
	} else {
		out = append(out, mk("access.directory", "directory", a.Directory.Name, "flowsctl access directory create",
			func(c *access.Client) (accessResource, error) { return access.NewDirectoryResource(c, cfg) },
			func(v *setup.Values, r access.Result) { v.Access.DirectoryID = r.ID }))
	}
	return out
}
