package steps

import (
	"context"
	"fmt"
	"sync"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/operator"
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
	return &mobileflows.API{HC: d.HTTP, Base: string(d.Config.UEM.MobileFlows.AdminURL), Authorize: c.Authorize, Config: d.Config,
		Seen: sharedValue(d, "uem.connectors.seen", func() *mobileflows.Seen { return &mobileflows.Seen{} })}, nil
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

// confirmStore is the run's one record of operator confirmations: every operator step of a run
// shares it, so concurrent confirmations are serialised and none is lost.
func confirmStore(d Deps) *mobileflows.ConfirmStore {
	return sharedValue(d, "confirmStore", func() *mobileflows.ConfirmStore {
		return &mobileflows.ConfirmStore{Path: mobileflows.StorePathFor(d.Config.Path)}
	})
}

// MobileFlowsTenant builds the tenant registration object ("Begin"): an operator step that api
// mode observes. The MobileFlows_Server_Template check asks Access (glue that lives here, so
// pkg/uem never imports pkg/access).
func MobileFlowsTenant(d Deps) (*mobileflows.Tenant, error) {
	cfg := d.Config
	mf := cfg.UEM.MobileFlows
	t := &mobileflows.Tenant{Host: string(mf.Host), Store: confirmStore(d), Out: d.ErrOut, Ask: operatorAsk(d),
		ConfirmCmd: withFile(cfg, "flowsctl uem mobileflows register --confirm")}
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
		reads := tenantStatus(d)
		t.Status = func(ctx context.Context) (mobileflows.TenantStatus, error) { return reads.read(ctx, a) }
	}
	return t, nil
}

// uemMobileFlowsTenant registers the tenant with mobile flows.
var uemMobileFlowsTenant = Row{
	ID:      "uem.mobileflows.tenant",
	Needs:   []string{"access.template"},
	Skip:    mobileFlowsSkip,
	Fix:     uemAuthFix,
	Objects: objectOf("flowsctl uem mobileflows register", MobileFlowsTenant),
}

// MobileFlowsRegistrar is the api or guided registrar of the config's mode.
func MobileFlowsRegistrar(d Deps) (mobileflows.Registrar, error) {
	if d.Config.UEM.MobileFlows.Mode == "api" {
		return mobileFlowsAPI(d)
	}
	return &mobileflows.Guided{Store: confirmStore(d), Out: d.ErrOut, ShowSecret: d.ShowSecret, Ask: operatorAsk(d), Config: d.Config,
		ConfirmCommand: func(s mobileflows.ConnectorSpec) string {
			return withFile(d.Config, fmt.Sprintf("flowsctl uem connector add --name %q --confirm", s.Name))
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
	// Through the API each connector is its own request sequence; the guided mode asks the
	// operator one connector at a time.
	Independent: func(cfg *config.Config) bool { return cfg.UEM.MobileFlows.Mode == "api" },
	Objects: func(d Deps, v setup.Values) ([]object.Object, error) {
		r, err := MobileFlowsRegistrar(d)
		if err != nil {
			return nil, err
		}
		specs, err := ConnectorSpecs(d.Config, v, d.Mode == setup.ModePlan)
		if err != nil {
			return nil, err
		}
		objs := mobileflows.NewConnectors(specs, r, d.HTTP)
		ahead := connectorDiscoveries(d)
		for _, o := range objs {
			o.(*mobileflows.Connector).Ahead = ahead
		}
		return fixed("flowsctl uem connector add", objs...), nil
	},
	// The custom connectors' discovery documents need neither the Entra app nor the tenant:
	// apply fetches them once the tenant is registered, while azure.app is still running.
	ReadAfter: []string{"uem.mobileflows.tenant"},
	ReadAhead: func(ctx context.Context, d Deps) {
		specs, err := ConnectorSpecs(d.Config, setup.Values{}, true)
		if err != nil {
			return
		}
		connectorDiscoveries(d).ReadAhead(ctx, d.HTTP, specs)
	},
}

// connectorDiscoveries is the run's discovery documents fetched ahead (apply only).
func connectorDiscoveries(d Deps) *mobileflows.Discoveries {
	return sharedValue(d, "uem.connectors.discoveries", func() *mobileflows.Discoveries { return &mobileflows.Discoveries{} })
}

// HubMobileFlows is the Hub Services switch that shows mobile flows notifications in Intelligent
// Hub (the Teams mobile flows guide: required before OOTB connectors and Hub notifications
// work). No public API sets it: an operator step, observed through the mobile flows admin API
// in api mode.
func HubMobileFlows(d Deps) (*operator.Step, error) {
	cfg := d.Config
	tenant := "the tenant"
	if cfg.Access != nil {
		tenant = string(cfg.Access.URL)
	}
	s := &operator.Step{ID: "hub.mobileflows", Key: "tenant", Title: "mobile flows enabled in Hub Services",
		Checklist: "Enable mobile flows in Hub Services (no API exists for this step):\n" +
			" 1. Open the Hub Services console of " + tenant + " (Workspace ONE Access console > Catalog > Hub Configuration, or the Workspace ONE Cloud admin hub).\n" +
			" 2. Go to Mobile Flows and switch on mobile flows notifications for the tenant.\n" +
			" 3. Check the minimum versions: UEM console 1904 or later (OOTB connectors need 1905), Intelligent Hub 1810 or later, Boxer 4.12 or later.\n" +
			" 4. Allow up to 15 minutes for connector changes in the UEM console to appear in Hub Services.",
		Values: map[string]string{"tenant": tenant}, Store: confirmStore(d), Ask: operatorAsk(d), Out: d.ErrOut,
		ConfirmCmd: confirmCmd(cfg, "hub.mobileflows")}
	if cfg.UEM.MobileFlows.Mode == "api" {
		a, err := mobileFlowsAPI(d)
		if err != nil {
			return nil, err
		}
		reads := tenantStatus(d)
		s.Observe = func(ctx context.Context) (bool, string, error) {
			st, err := reads.read(ctx, a)
			if err != nil {
				return false, "", err
			}
			return st.HubNotifications, "reported by the mobile flows admin API", nil
		}
	}
	return s, nil
}

// hubMobileFlows is the Hub Services step.
var hubMobileFlows = Row{
	ID:      "hub.mobileflows",
	Skip:    mobileFlowsSkip,
	Fix:     uemAuthFix,
	Objects: objectOf("", HubMobileFlows),
}

// tenantStatus is the run's shared read of the mobile flows tenant status (one per mode: a plan's
// answer never stands in for apply's).
func tenantStatus(d Deps) *tenantReads {
	return sharedValue(d, "uem.mobileflows.tenant.status."+string(d.Mode), func() *tenantReads { return &tenantReads{} })
}

// tenantReads shares one answer of GET /tenant between the two steps that read it in a run:
// hub.mobileflows (Hub notifications, at the start) and uem.mobileflows.tenant (registration,
// after access.template). The first asks; the second uses that answer, waiting for it if it is
// still on its way. A failed read is not shared, and a third read asks the API again.
type tenantReads struct {
	mu   sync.Mutex
	call *tenantCall
}

type tenantCall struct {
	done chan struct{}
	st   mobileflows.TenantStatus
	err  error
}

func (r *tenantReads) read(ctx context.Context, a *mobileflows.API) (mobileflows.TenantStatus, error) {
	r.mu.Lock()
	if c := r.call; c != nil {
		r.call = nil
		r.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return mobileflows.TenantStatus{}, ctx.Err()
		}
		if c.err == nil {
			return c.st, nil
		}
		return a.Tenant(ctx)
	}
	c := &tenantCall{done: make(chan struct{})}
	r.call = c
	r.mu.Unlock()
	c.st, c.err = a.Tenant(ctx)
	close(c.done)
	return c.st, c.err
}
