package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/operator"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/mfemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// TestConsoleStepsOnTheSandbox: on the whole sandbox, apply lists the console-only steps
// (Identity Services' service selection, the Hub/Boxer releases) as operator steps with their
// console path and a record command; Teams activation passes because the mobile flows admin API
// reports a user with a connector token, and is to do when none has one; a recorded step is
// "confirmed", never "pass", and is to do again when its values change.
func TestConsoleStepsOnTheSandbox(t *testing.T) {
	emus := emulators.All()
	mf := EmulatorOf[*mfemu.Emulator](t, emus)
	sb := sandboxtest.Start(t, emus...)
	// sandbox.json decides: consoleTodo true leaves the console-only steps to do (the demo)
	standIn := func(on bool) {
		t.Helper()
		sb.ConsoleTodo = !on
		if err := sb.WriteFiles(); err != nil {
			t.Fatal(err)
		}
	}
	standIn(false)
	cfg := SandboxConfig(t, sb)
	cfg.CAFile = sb.CAPath()
	ctx := context.Background()
	d := Deps{Config: cfg, HTTP: sandboxtest.Client(t, sb), NoInput: true}
	g, err := Graph(d)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := g.Run(ctx, setup.ModeApply, setup.NewOutputs(cfg), setup.Options{Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	byID := ByID(rs)
	for id, want := range map[string]string{"identity.services": "Integrations > Identity Services", "hub.clientVersions": "Boxer is 4.12 or later"} {
		r := byID[id]
		if r.Status != setup.Operator || !strings.Contains(r.Operator, want) || !strings.Contains(r.Operator, "flowsctl confirm "+id+" -f "+cfg.Path) {
			t.Errorf("%s: %s, checklist:\n%s", id, r.Status, r.Operator)
		}
	}
	if r := byID["users.teamsActivation"]; r.Status == setup.Operator || r.Status == setup.Failed {
		t.Errorf("teams activation not observed: %s %s", r.Status, r.Error)
	}
	if r := byID["access.airwatchProvisioning"]; r.Status != setup.Skipped {
		t.Errorf("AirWatch Provisioning on the Identity Services path: %s", r.Status)
	}

	// The IdP reads Okta's OpenID configuration; pointed at another issuer, the probe fails.
	probe := func(d Deps) doctor.Check {
		t.Helper()
		ps := idpDiscoveryProbe(d)
		if len(ps) != 1 {
			t.Fatalf("%d discovery probes", len(ps))
		}
		return ps[0].Run(ctx)[0]
	}
	if c := probe(d); c.Status != doctor.Pass {
		t.Fatalf("IdP discovery after apply: %+v", c)
	}
	moved := *cfg
	is := *cfg.IdentityServices
	oc := *is.OIDC
	oc.IssuerURL = config.URL(sb.Services["sts"].URL + "/common/v2.0")
	if oc.ClientID == "" {
		oc.ClientID = "0oa-some-client"
	}
	if oc.ClientSecret == "" {
		oc.ClientSecret = cfg.Okta.OIDCApp.SecretSink
	}
	is.OIDC, moved.IdentityServices = &oc, &is
	dm := Deps{Config: &moved, HTTP: d.HTTP, NoInput: true}
	gm, _ := Graph(dm)
	if _, err := gm.Run(ctx, setup.ModeApply, setup.NewOutputs(&moved), setup.Options{Only: []string{"identity.idp"}}); err != nil {
		t.Fatal(err)
	}
	if c := probe(d); c.Status != doctor.Fail || !strings.Contains(c.Detail, "issuer") || c.Fix != "flowsctl apply --only identity.idp" {
		t.Errorf("IdP discovery after the IdP moved to another issuer: %+v", c)
	}

	// The group Okta pushes arrived in the target directory; deleted there, the probe fails.
	pushed := func() doctor.Check {
		t.Helper()
		ps := pushedGroupsProbe(d)
		if len(ps) != 1 {
			t.Fatalf("%d pushed-group probes", len(ps))
		}
		cs := ps[0].Run(ctx)
		if len(cs) != len(cfg.Okta.PushGroups) {
			t.Fatalf("pushed-group checks %+v", cs)
		}
		return cs[0]
	}
	if c := pushed(); c.Status != doctor.Pass {
		t.Fatalf("pushed group after apply: %+v", c)
	}
	tg, err := scim.ResolveTarget(d.HTTP, cfg, scim.Override{})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := tg.Client.FindGroups(ctx, cfg.Okta.PushGroups[0])
	if err != nil || len(gs) != 1 {
		t.Fatalf("find pushed group: %v %v", gs, err)
	}
	if _, err := tg.Client.Raw(ctx, "DELETE", "/Groups/"+gs[0].ID, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if c := pushed(); c.Status != doctor.Warn || !strings.Contains(c.Fix, "Push now") {
		t.Errorf("pushed group deleted in the target: %+v", c)
	}

	verify := func(id string) doctor.Check {
		t.Helper()
		objs, err := Objects(WithShared(d), id)
		if err != nil || len(objs) != 1 {
			t.Fatalf("%s: %v %d", id, err, len(objs))
		}
		return objs[0].Verify(ctx)[0]
	}
	if c := verify("users.teamsActivation"); c.Status != doctor.Pass || !strings.Contains(c.Detail, "1 users") {
		t.Errorf("activation with a token holder: %+v", c)
	}
	mf.SetAuthorizedUsers("Microsoft Teams", 0)
	if c := verify("users.teamsActivation"); c.Status != doctor.Todo || !strings.Contains(c.Fix, "Account > Microsoft Teams") || !strings.Contains(c.Detail, "0 users") {
		t.Errorf("activation without a token holder: %+v", c)
	}
	if c := verify("identity.services"); c.Status != doctor.Todo {
		t.Errorf("service selection before the record: %+v", c)
	}
	// sandbox up (consoleTodo false): the sandbox stands in, confirmed and never observed
	standIn(true)
	for _, id := range []string{"identity.services", "hub.clientVersions"} {
		if c := verify(id); c.Status != doctor.Confirmed || !strings.Contains(c.Detail, "done by the sandbox") {
			t.Errorf("%s with the sandbox standing in: %+v", id, c)
		}
	}
	standIn(false)
	for _, id := range []string{"identity.services", "hub.clientVersions"} {
		objs, err := Objects(WithShared(d), id)
		if err != nil || len(objs) != 1 {
			t.Fatalf("%s: %v %d", id, err, len(objs))
		}
		if err := objs[0].(*operator.Step).Confirm(time.Now()); err != nil {
			t.Fatal(err)
		}
		if c := verify(id); c.Status != doctor.Confirmed || !strings.Contains(c.Detail, "confirmed by the operator") {
			t.Errorf("%s after the record: %+v", id, c)
		}
	}
	cfg.IdentityServices.Services = []string{"access"}
	if c := verify("identity.services"); c.Status != doctor.Todo || !strings.Contains(c.Detail, "changed") {
		t.Errorf("service selection after the services changed: %+v", c)
	}
}

// TestAirWatchProvisioningOnTheAccessPath: users that go to Access (access.directory, no
// Identity Services) reach UEM through the AirWatch Provisioning app: an operator step with the
// console path and the UEM values, naming where the API key is (never its value).
func TestAirWatchProvisioningOnTheAccessPath(t *testing.T) {
	cfg := &config.Config{Path: "tenant-a.yaml",
		Access: &config.Access{URL: "https://acme.vmwareidentity.com/SAAS", Directory: &config.AccessDirectory{Name: "Okta Universal Directory", Domains: []string{"acme.com"}}},
		UEM:    &config.UEM{URL: "https://as1506.awmdm.com", OrganizationGroup: "acme", Auth: config.UEMAuth{APIKey: "env:FLOWSCTL_UEM_API_KEY"}}}
	if why := airWatchProvisioning.Skip(cfg); why != "" {
		t.Fatalf("skipped on the Access path: %s", why)
	}
	objs, err := Objects(Deps{Config: cfg, NoInput: true}, "access.airwatchProvisioning")
	if err != nil {
		t.Fatal(err)
	}
	r, err := objs[0].Apply(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AirWatch Provisioning", "https://acme.vmwareidentity.com >", "https://as1506.awmdm.com", "acme", "env:FLOWSCTL_UEM_API_KEY", "flowsctl confirm access.airwatchProvisioning -f tenant-a.yaml"} {
		if !strings.Contains(r.Operator, want) {
			t.Errorf("checklist lacks %q:\n%s", want, r.Operator)
		}
	}
	cfg.IdentityServices = &config.IdentityServices{Enabled: true}
	if airWatchProvisioning.Skip(cfg) == "" {
		t.Error("active on the Identity Services path")
	}
}

// TestRecordHintNamesTheFile: "record it" hints carry -f only when the config is not the
// default file, quoted when the path has a space.
func TestRecordHintNamesTheFile(t *testing.T) {
	for path, want := range map[string]string{
		"":                "flowsctl confirm x",
		"flowsctl.yaml":   "flowsctl confirm x",
		"./flowsctl.yaml": "flowsctl confirm x",
		"tenant-a.yaml":   "flowsctl confirm x -f tenant-a.yaml",
		"/a b/f.yaml":     "flowsctl confirm x -f '/a b/f.yaml'",
	} {
		if got := confirmCmd(&config.Config{Path: path}, "x"); got != want {
			t.Errorf("%q: %q, want %q", path, got, want)
		}
	}
}

// TestAutoEnableWarnsWithOAuthConnectors: AppMobileFlowsAutoEnableConnectors on while a
// connector uses OAuth is a warning; with only Access-authenticated connectors it passes.
func TestAutoEnableWarnsWithOAuthConnectors(t *testing.T) {
	cfg := &config.Config{UEM: &config.UEM{Boxer: &config.Boxer{AutoEnableConnectors: true},
		MobileFlows: &config.MobileFlows{Connectors: []config.Connector{{Catalog: "teams", Name: "Microsoft Teams"}}}}}
	if c := AutoEnableCheck(cfg); c.Status != doctor.Warn || !strings.Contains(c.Detail, "Microsoft Teams") || !strings.Contains(c.Fix, "autoEnableConnectors: false") {
		t.Errorf("teams (OAuth): %+v", c)
	}
	if len(autoEnableProbe(Deps{Config: cfg})) != 1 {
		t.Error("no doctor probe for the rule")
	}
	cfg.UEM.MobileFlows.Connectors = []config.Connector{{Name: "Approvals", DiscoveryURL: "https://c.example.com/", Authentication: "workspace_one"}}
	if c := AutoEnableCheck(cfg); c.Status != doctor.Pass {
		t.Errorf("Access only: %+v", c)
	}
	cfg.UEM.Boxer.AutoEnableConnectors = false
	if len(autoEnableProbe(Deps{Config: cfg})) != 0 {
		t.Error("probe without auto-enable")
	}
}
