package steps

import (
	"context"
	"fmt"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// placeholderClientID stands for the Entra client id while azure.app has not created the app
// (plan on a fresh tenant): the connector's plan shows it instead of failing.
const placeholderClientID = "(known after azure.app)"

func mobileFlowsSkip(cfg *config.Config) string {
	if cfg.UEM == nil || cfg.UEM.MobileFlows == nil {
		return "no uem.mobileFlows in the config"
	}
	return ""
}

// mobileFlowsAPI is the modeled admin API client (api mode), signed in as the UEM admin.
func mobileFlowsAPI(d Deps) (*mobileflows.API, error) {
	c, err := uemClient(d).get()
	if err != nil {
		return nil, err
	}
	return &mobileflows.API{HC: d.HTTP, Base: string(d.Config.UEM.MobileFlows.AdminURL), Authorize: c.Authorize, Config: d.Config}, nil
}

// operatorAsk asks the operator to confirm a guided step; nil when no one can answer.
func operatorAsk(d Deps) func(q string) (bool, error) {
	if d.NoInput || d.Prompter == nil {
		return nil
	}
	return func(q string) (bool, error) {
		return d.Prompter.Confirm(q, false, "--no-input (then confirm with the command the checklist names)")
	}
}

func confirmStore(d Deps) *mobileflows.ConfirmStore {
	return &mobileflows.ConfirmStore{Path: mobileflows.StorePathFor(d.Config.Path)}
}

// MobileFlowsTenant builds the tenant registration object ("Begin"): an operator step that api
// mode observes. The MobileFlows_Server_Template check asks Access (glue that lives here, so
// pkg/uem never imports pkg/access).
func MobileFlowsTenant(d Deps) (*mobileflows.Tenant, error) {
	cfg := d.Config
	mf := cfg.UEM.MobileFlows
	t := &mobileflows.Tenant{Host: string(mf.Host), Store: confirmStore(d), Out: d.ErrOut, Ask: operatorAsk(d),
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
	if mf.Mode == "api" {
		a, err := mobileFlowsAPI(d)
		if err != nil {
			return nil, err
		}
		t.Status = a.Tenant
	}
	return t, nil
}

// uemMobileFlowsTenant registers the tenant with mobile flows.
var uemMobileFlowsTenant = Row{
	ID:    "uem.mobileflows.tenant",
	Needs: []string{"access.template"},
	Skip:  mobileFlowsSkip,
	Fix:   uemAuthFix,
	Objects: func(d Deps, _ setup.Values) ([]object.Object, error) {
		t, err := MobileFlowsTenant(d)
		if err != nil {
			return nil, err
		}
		return fixed("flowsctl uem mobileflows register", t), nil
	},
}

// MobileFlowsRegistrar is the api or guided registrar of the config's mode.
func MobileFlowsRegistrar(d Deps) (mobileflows.Registrar, error) {
	if d.Config.UEM.MobileFlows.Mode == "api" {
		return mobileFlowsAPI(d)
	}
	return &mobileflows.Guided{Store: confirmStore(d), Out: d.ErrOut, ShowSecret: d.ShowSecret, Ask: operatorAsk(d), Config: d.Config,
		ConfirmCommand: func(s mobileflows.ConnectorSpec) string {
			return fmt.Sprintf("flowsctl uem connector add --name %q --confirm", s.Name)
		}}, nil
}

// ConnectorSpecs builds the configured connectors from the Entra app's outputs; planning
// stands a placeholder in for a client id azure.app has not produced yet.
func ConnectorSpecs(cfg *config.Config, v setup.Values, planning bool) ([]mobileflows.ConnectorSpec, error) {
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
	specs, err := mobileflows.SpecsFrom(cfg.UEM.MobileFlows, entra, scopes)
	if err != nil {
		return nil, setup.Errorf("uem.mobileFlows.connectors", err, "run: flowsctl apply --only azure.app,uem.connectors")
	}
	return specs, nil
}

// uemConnectors registers every configured connector (one object each) with the Entra
// outputs of azure.app.
var uemConnectors = Row{
	ID:               "uem.connectors",
	Needs:            []string{"azure.app", "uem.mobileflows.tenant"},
	Skip:             mobileFlowsSkip,
	Fix:              "flowsctl uem connector add",
	VerifyAfterNeeds: true,
	Objects: func(d Deps, v setup.Values) ([]object.Object, error) {
		r, err := MobileFlowsRegistrar(d)
		if err != nil {
			return nil, err
		}
		specs, err := ConnectorSpecs(d.Config, v, d.Mode == setup.ModePlan)
		if err != nil {
			return nil, err
		}
		return fixed("flowsctl uem connector add", mobileflows.NewConnectors(specs, r, d.HTTP)...), nil
	},
}
