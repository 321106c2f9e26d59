package steps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/operator"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// The remaining console steps of the procedures that no public API performs or reports. Each is
// an operator step: apply lists it with its console path and values (exit 3 until it is done),
// `flowsctl confirm <id>` records the operator's word, doctor says todo or confirmed, never pass.

// withFile appends -f FILE to a command when the run's config is not the default file, so a
// "record it" hint runs as printed.
func withFile(cfg *config.Config, cmd string) string {
	p := cfg.Path
	if p == "" || p == "flowsctl.yaml" || filepath.Clean(p) == "flowsctl.yaml" {
		return cmd
	}
	if strings.ContainsAny(p, " \t'\"") {
		p = "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
	}
	return cmd + " -f " + p
}

// WithFile is withFile for the noun commands' hints.
func WithFile(cfg *config.Config, cmd string) string { return withFile(cfg, cmd) }

// confirmCmd is the command that records operator step id.
func confirmCmd(cfg *config.Config, id string) string {
	return withFile(cfg, "flowsctl confirm "+id)
}

// operatorRow is a Row of one operator step.
func operatorRow(id string, needs []string, skip func(*config.Config) string, build func(d Deps) *operator.Step) Row {
	return Row{ID: id, Needs: needs, Skip: skip,
		Objects: func(d Deps, _ setup.Values) ([]object.Object, error) {
			s := build(d)
			s.Store, s.Ask, s.Out, s.ConfirmCmd = confirmStore(d), operatorAsk(d), d.ErrOut, confirmCmd(d.Config, id)
			s.StandIn = sandboxStandIn(d.Config, id)
			return []object.Object{s}, nil
		}}
}

// sandboxStandIn names who stands in for the operator on step id of a config `sandbox up`
// wrote ("" for a real tenant): the sandbox has no console to click through. Beside its
// sandbox.json, the file decides: consoleTodo false (sandbox up) stands in on the console-only
// steps, true (demo, sandbox up --console-todo) leaves them to do. A copy away from its sandbox
// folder (a fleet folder, say) has no such file, or another sandbox's: the sandbox stands in on
// every operator step it cannot observe.
func sandboxStandIn(cfg *config.Config, id string) string {
	if cfg.Sandbox == "" || cfg.Path == "" {
		return ""
	}
	meta, err := sandbox.ReadMeta(filepath.Dir(cfg.Path))
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && meta.ID != cfg.Sandbox):
		return "the sandbox, which has no console (a sandbox config away from its sandbox folder)"
	case err == nil && consoleOnly[id] && !meta.ConsoleTodo:
		return "the sandbox, which has no console; sandbox up --console-todo leaves it to do"
	}
	return ""
}

// consoleURL is the tenant console users of the guides open (the Access URL).
func consoleURL(cfg *config.Config) string {
	if cfg.Access != nil && cfg.Access.URL != "" {
		return config.MobileFlowsVIDM(string(cfg.Access.URL))
	}
	if b, err := cfg.IdentityBase(); err == nil {
		return b
	}
	return "the tenant"
}

var serviceLabel = map[string]string{"access": "Workspace ONE Access", "uem": "Workspace ONE UEM"}

// identityServices: the services selected for the Identity Services directory (the Identity
// Services with Okta guide). The Identity Services API has no service selection (its OpenAPI
// lists directories, sync clients, IdPs and SCIM only), so the console does it.
var identityServices = operatorRow("identity.services", []string{"identity.directory"}, identitySkip, func(d Deps) *operator.Step {
	is := d.Config.IdentityServices
	var labels []string
	for _, s := range is.Services {
		if l, ok := serviceLabel[s]; ok {
			labels = append(labels, l)
		} else {
			labels = append(labels, s)
		}
	}
	svc := strings.Join(labels, ", ")
	return &operator.Step{ID: "identity.services", Key: is.Directory.Name, Title: "services selected for the Identity Services directory " + is.Directory.Name,
		Checklist: "Select the services of the Identity Services directory (no API does this step):\n" +
			" 1. Open the Workspace ONE Cloud admin console of " + consoleURL(d.Config) + " > Integrations > Identity Services.\n" +
			"    If the page offers Get Started, Identity Services is not enabled for the tenant yet: enable it there (flowsctl cannot).\n" +
			" 2. Open the directory \"" + is.Directory.Name + "\" (domain " + is.Directory.Domain + ") and select the services: " + svc + ".\n" +
			" 3. Save. Users and groups Okta provisions then reach " + svc + ".",
		Values: map[string]string{"directory": is.Directory.Name, "domain": is.Directory.Domain, "services": strings.Join(is.Services, ",")}}
})

// airWatchProvisioning: users provisioned into Access (the Okta SCIM to Access guide) reach UEM
// through the AirWatch Provisioning app in Access. Active when the config sends users to Access
// (access.directory) and has a uem section, and Identity Services is not the path.
var airWatchProvisioning = operatorRow("access.airwatchProvisioning", []string{"access.directory"}, func(cfg *config.Config) string {
	switch {
	case cfg.Access == nil || cfg.Access.Directory == nil:
		return "users do not go to Access (no access.directory in the config)"
	case cfg.UEM == nil:
		return "no uem section in the config"
	case cfg.IdentityServices != nil && cfg.IdentityServices.Enabled:
		return "Identity Services provisions UEM (identityServices.services)"
	}
	return ""
}, func(d Deps) *operator.Step {
	cfg := d.Config
	og := cfg.UEM.OrganizationGroup
	if og == "" {
		og = "(the organization group id of the UEM admin account)"
	}
	key := "the API key (aw-tenant-code) of the UEM admin account"
	if cfg.UEM.Auth.APIKey != "" {
		key = "the REST API key, stored at " + string(cfg.UEM.Auth.APIKey)
	}
	return &operator.Step{ID: "access.airwatchProvisioning", Key: "AirWatch Provisioning", Title: "AirWatch Provisioning app sends Access users to UEM",
		Checklist: "Provision the Access users to UEM with the AirWatch Provisioning app (no public API configures it):\n" +
			" 1. Workspace ONE Access console of " + consoleURL(cfg) + " > Catalog > Web Apps > New > Browse from catalog: AirWatch Provisioning.\n" +
			" 2. Configuration: Device Services URL " + strings.TrimRight(string(cfg.UEM.URL), "/") + ", Admin Username of a UEM API admin, API Key " + key + ", Organization Group ID " + og + ".\n" +
			" 3. Provisioning: enable it and map the user attributes; keep the domain " + strings.Join(cfg.Access.Directory.Domains, ", ") + " of the directory \"" + cfg.Access.Directory.Name + "\".\n" +
			" 4. Assign the app to the users or groups Okta provisions, and save.",
		Values: map[string]string{"uem": string(cfg.UEM.URL), "og": cfg.UEM.OrganizationGroup, "directory": cfg.Access.Directory.Name}}
})

// hubClientVersions: the Intelligent Hub and Boxer releases the mobile flows guide needs. UEM's
// own release is read from /api/system/info (uem.version); no API flowsctl uses reports the
// app versions on devices, so this one is the operator's word.
var hubClientVersions = operatorRow("hub.clientVersions", nil, mobileFlowsSkip, func(d Deps) *operator.Step {
	return &operator.Step{ID: "hub.clientVersions", Key: "devices", Title: "Intelligent Hub 1810+ and Boxer 4.12+ on the devices",
		Checklist: "Check the app releases mobile flows needs (no API flowsctl uses reports them; the UEM console release is checked by doctor as uem.version):\n" +
			" 1. UEM console > Apps & Books > Applications > Native > Public: Workspace ONE Intelligent Hub is 1810 or later.\n" +
			" 2. Same list: Workspace ONE Boxer is 4.12 or later (when Boxer shows the cards).\n" +
			" 3. Devices with older releases do not show mobile flows cards: update them through the app assignment.",
		Values: map[string]string{"hub": "1810", "boxer": "4.12"}}
})

// teamsActivation: each user signs in once to the Teams connector in the Access user portal
// (the Teams mobile flows guide). The mobile flows admin API (api mode) reports how many
// users hold a connector token; otherwise the step stays to do.
var teamsActivation = operatorRow("users.teamsActivation", []string{"uem.connectors"}, func(cfg *config.Config) string {
	if why := mobileFlowsSkip(cfg); why != "" {
		return why
	}
	for _, k := range cfg.UEM.MobileFlows.Connectors {
		if e, ok := mobileflows.Lookup(k.Catalog); ok && e.ID == mobileflows.TeamsCatalogID {
			return ""
		}
	}
	return "no Microsoft Teams connector in uem.mobileFlows.connectors"
}, func(d Deps) *operator.Step {
	cfg := d.Config
	s := &operator.Step{ID: "users.teamsActivation", Key: "Microsoft Teams", Title: "users signed in to the Microsoft Teams connector",
		Checklist: "Each user signs in once under Account > Microsoft Teams in the Access user portal (no admin step replaces it):\n" +
			" 1. The user opens the Workspace ONE Access user portal " + consoleURL(cfg) + " (or Intelligent Hub) > Account > Microsoft Teams.\n" +
			" 2. Signs in with the Microsoft account and accepts the permissions (admin consent covers the tenant).\n" +
			" 3. Tell your users; record it once a first user has done it.",
		Values: map[string]string{"connector": "Microsoft Teams"}}
	if cfg.UEM.MobileFlows.Mode == "api" {
		s.Observe = func(ctx context.Context) (bool, string, error) {
			a, err := mobileFlowsAPI(d)
			if err != nil {
				return false, "", err
			}
			n, known, err := a.ConnectorUsers(ctx, connectorName(cfg, mobileflows.TeamsCatalogID))
			if err != nil || !known {
				return false, "", err
			}
			return n > 0, fmt.Sprintf("%d users hold a Microsoft Teams connector token (mobile flows admin API)", n), nil
		}
	}
	return s
})

// connectorName is the configured name of the catalog connector id ("" when absent).
func connectorName(cfg *config.Config, catalogID string) string {
	for _, k := range cfg.UEM.MobileFlows.Connectors {
		if e, ok := mobileflows.Lookup(k.Catalog); ok && e.ID == catalogID {
			if k.Name != "" {
				return k.Name
			}
			return e.Name
		}
	}
	return ""
}

// autoEnableProbe warns when Boxer's AppMobileFlowsAutoEnableConnectors is on while a connector
// signs users in with OAuth: the Boxer guide says to auto-enable only when every connector uses
// Workspace ONE Access (users would otherwise meet connectors they have not authorized).
func autoEnableProbe(d Deps) []doctor.Probe {
	cfg := d.Config
	if cfg.UEM == nil || cfg.UEM.Boxer == nil || !cfg.UEM.Boxer.AutoEnableConnectors || cfg.UEM.MobileFlows == nil {
		return nil
	}
	return []doctor.Probe{{ID: "uem.boxer.autoEnableConnectors", Title: "Boxer auto-enables connectors only when every connector uses Access", Run: func(context.Context) []doctor.Check {
		return []doctor.Check{AutoEnableCheck(cfg)}
	}}}
}

// AutoEnableCheck is the AppMobileFlowsAutoEnableConnectors rule as a check (a warning, never a
// failure: the key works, users just meet connectors they still have to authorize).
func AutoEnableCheck(cfg *config.Config) doctor.Check {
	ck := doctor.Check{ID: "uem.boxer.autoEnableConnectors", Title: "Boxer auto-enables connectors only when every connector uses Access", Status: doctor.Pass}
	specs, _ := mobileflows.SpecsFrom(cfg.UEM.MobileFlows, &mobileflows.EntraOutputs{ClientID: placeholderClientID}, nil)
	var oauth []string
	for _, s := range specs {
		if strings.HasPrefix(s.Auth, "oauth2") {
			oauth = append(oauth, s.Name)
		}
	}
	if len(oauth) == 0 {
		ck.Detail = "every connector authenticates with Workspace ONE Access"
		return ck
	}
	ck.Status = doctor.Warn
	ck.Detail = "uem.boxer.autoEnableConnectors is true while these connectors use OAuth: " + strings.Join(oauth, ", ")
	ck.Fix = "set uem.boxer.autoEnableConnectors: false (the Boxer guide: auto-enable only when all connectors use Access), then flowsctl apply --only uem.boxer"
	return ck
}

// consoleOnly are the operator steps no API observes in any mode (the others are observed in
// api mode, or through Okta's API): the sandbox stands in for the operator on them.
var consoleOnly = map[string]bool{"identity.services": true, "hub.clientVersions": true, "access.airwatchProvisioning": true}
