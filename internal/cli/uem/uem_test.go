package uem

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/mfemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/sandbox/uememu"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

const clientID = "3e2fc1ab-e5e3-46f4-901a-684192c71cae"

type fixture struct {
	*cmdtest.Fixture
	secret string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{Fixture: cmdtest.NewFixture(t, false, uememu.New(), mfemu.New()), secret: "teams-secret-value-0f1e2d3c4b5a6978"}
	sink := filepath.Join(f.SB.Env.Dir, "secrets", "teams-client-secret")
	if err := os.WriteFile(sink, []byte(f.secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.Cfg.Azure = &config.Azure{TenantID: "7d0a5c1e-3b4f-4e8a-9c21-5f6e7a8b9c0d"}
	f.Cfg.Azure.App.Secret.Sink = config.SecretRef("file:" + sink)
	f.Cfg.Access = &config.Access{URL: "https://acme.vmwareidentity.com"}
	return f
}

func (f *fixture) entra(ctx context.Context, cfg *config.Config, hc *httpx.Client) (*mobileflows.EntraOutputs, error) {
	return &mobileflows.EntraOutputs{ClientID: clientID, SecretSink: cfg.Azure.App.Secret.Sink, TenantID: cfg.Azure.TenantID}, nil
}

func (f *fixture) add(output string, selector string) *ConnectorAddOptions {
	return &ConnectorAddOptions{Common: f.Common(output, true), Entra: f.entra, Selector: selector}
}

func (f *fixture) writes(t *testing.T, svc string) int {
	n := 0
	for _, w := range sandboxtest.Writes(t, f.SB, svc) {
		if !strings.Contains(w.Path, "token") {
			n++
		}
	}
	return n
}

func TestConnectorAddGuidedExits3WithoutConfirmation(t *testing.T) {
	f := newFixture(t)
	f.Cfg.UEM.MobileFlows.Mode = "guided"
	err := connectorAddRun(f.add("text", "teams"))
	if cmdutil.CodeOf(err) != cmdutil.ExitOperator {
		t.Fatalf("exit %d (%v), want 3", cmdutil.CodeOf(err), err)
	}
	out := f.Out.String() + err.Error()
	for _, want := range []string{mobileflows.GraphBeta, clientID, "Content > Mobile Flows > Catalog", "--confirm"} {
		if !strings.Contains(out, want) {
			t.Errorf("checklist lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, f.secret) {
		t.Fatal("the checklist shows the secret")
	}
	o := f.add("text", "teams")
	o.Confirm = true
	if err := connectorAddRun(o); err != nil {
		t.Fatal(err)
	}
	store := mobileflows.StorePathFor(f.Cfg.Path)
	if b, err := os.ReadFile(store); err != nil || bytes.Contains(b, []byte(f.secret)) {
		t.Fatalf("store %s: %v", b, err)
	}
	if err := connectorAddRun(f.add("text", "teams")); err != nil || !strings.Contains(f.Out.String(), "up to date") {
		t.Fatalf("after confirmation: %v %q", err, f.Out.String())
	}
	if f.writes(t, "mobileflows") != 0 {
		t.Fatal("guided mode wrote to the admin API")
	}
	// --show-secret prints it
	f.Cfg.UEM.MobileFlows.Connectors[0].BaseURL = "https://graph.microsoft.com/beta/"
	o = f.add("text", "teams")
	o.ShowSecret = true
	err = connectorAddRun(o)
	if cmdutil.CodeOf(err) != cmdutil.ExitOperator || !strings.Contains(f.Out.String(), f.secret) {
		t.Fatalf("--show-secret: %v", err)
	}
}

func TestAPIModeAndBoxerSecondRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 2; i++ {
		if err := connectorAddRun(f.add("text", "teams")); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if err := boxerConfigureRun(&BoxerConfigureOptions{Common: f.Common("text", true)}); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	if w := f.writes(t, "mobileflows"); w != 1 {
		t.Fatalf("mobileflows writes %d, want 1", w)
	}
	if w := f.writes(t, "uem"); w != 1 {
		t.Fatalf("uem writes %d, want 1", w)
	}
	if err := connectorAddRun(f.add("json", "x")); err == nil {
		t.Fatal("an unknown connector must fail")
	}
	o := f.add("json", "")
	o.DiscoveryURL = f.SB.Services["mobileflows"].URL + mfemu.SamplePath
	o.Name = mfemu.SampleName
	if err := connectorAddRun(o); err != nil {
		t.Fatal(err)
	}
	var got addOutput
	if err := json.Unmarshal(f.Out.Bytes(), &got); err != nil || got.Discovery == nil || len(got.Discovery.ObjectTypes) != 1 {
		t.Fatalf("json %s: %v", f.Out.String(), err)
	}
	o = f.add("text", "")
	o.Name = "microsoft teams"
	if err := connectorAddRun(o); err != nil || !strings.Contains(f.Out.String(), "up to date") {
		t.Fatalf("--name selection: %v %s", err, f.Out.String())
	}
	if err := connectorListRun(&ConnectorListOptions{Common: f.Common("json", true)}); err != nil || !strings.Contains(f.Out.String(), clientID) {
		t.Fatalf("list: %v %s", err, f.Out.String())
	}
	if err := verifyRun(&VerifyOptions{Common: f.Common("text", true), Entra: f.entra}); err != nil {
		t.Fatalf("verify: %v\n%s", err, f.Out.String())
	}
	if err := verifyRun(&VerifyOptions{Common: f.Common("junit", true), Entra: f.entra}); err != nil || !strings.Contains(f.Out.String(), "<testsuite") {
		t.Fatalf("verify -o junit: %v\n%s", err, f.Out.String())
	}
}

func TestIntegrationCheckJSON(t *testing.T) {
	f := newFixture(t)
	if err := integrationCheckRun(&IntegrationCheckOptions{Common: f.Common("json", true)}); err != nil {
		t.Fatalf("%v\n%s", err, f.Out.String())
	}
	var got struct {
		Integrations []struct {
			Name        string
			Information map[string]any
		}
	}
	if err := json.Unmarshal(f.Out.Bytes(), &got); err != nil || len(got.Integrations) != 1 || got.Integrations[0].Information["displayName"] != "Harmony Mobile" {
		t.Fatalf("%s: %v", f.Out.String(), err)
	}
	if err := integrationCheckRun(&IntegrationCheckOptions{Common: f.Common("junit", true)}); err != nil || !strings.Contains(f.Out.String(), "<testsuite") {
		t.Fatalf("integration check -o junit: %v\n%s", err, f.Out.String())
	}
	if err := groupsRun(&GroupsOptions{Common: f.Common("text", true), Query: "Boxr"}); err == nil || !strings.Contains(err.Error(), "did you mean") {
		t.Fatalf("groups typo: %v", err)
	}
}

func TestConnectorAddOtherCatalogConnector(t *testing.T) {
	f := newFixture(t)
	err := connectorAddRun(f.add("text", "servicenow"))
	if err == nil || !strings.Contains(err.Error(), "--client-id") {
		t.Fatalf("want a hint for --client-id, got %v", err)
	}
	os.Setenv("FLOWSCTL_TEST_SNOW_SECRET", "snow-secret-value-1234567890")
	defer os.Unsetenv("FLOWSCTL_TEST_SNOW_SECRET")
	o := f.add("text", "servicenow")
	o.ClientID, o.SecretRef = "snow-client", "env:FLOWSCTL_TEST_SNOW_SECRET"
	if err := connectorAddRun(o); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(f.Out.String(), "snow-secret-value") {
		t.Fatal("output shows the secret")
	}
	o = f.add("text", "servicenow")
	o.ClientID, o.SecretRef = "snow-client", "the-secret-itself"
	if err := connectorAddRun(o); err == nil || strings.Contains(err.Error(), "the-secret-itself") || !strings.Contains(err.Error(), "env:NAME") {
		t.Fatalf("want a reference error that does not echo the value, got %v", err)
	}
}

// TestDepsUseTheRunsHTTPOptions: the options the uem commands hand the steps (for uem.caFile's
// dedicated client) are the run's, as plan/apply/doctor's are: the redactor and user agent
// the root built, with the config's CA file when no --ca-file was given.
func TestDepsUseTheRunsHTTPOptions(t *testing.T) {
	red := &httpx.Redactor{}
	cfg := &config.Config{CAFile: "/etc/ca.pem", UEM: &config.UEM{}}
	c := cmdutil.Common{Flags: &cmdutil.GlobalFlags{NoInput: true},
		Config:      func() (*config.Config, error) { return cfg, nil },
		HTTPClient:  func() (*httpx.Client, error) { return &httpx.Client{}, nil },
		HTTPOptions: func() httpx.Options { return httpx.Options{UserAgent: "flowsctl/1.2.3", Redactor: red} }}
	c.IO = cmdtest.Factory(cmdutil.GlobalFlags{}).IO
	d, _, err := deps(&c, depsFor{})
	if err != nil {
		t.Fatal(err)
	}
	if o := d.HTTPOptions; o.Redactor != red || o.UserAgent != "flowsctl/1.2.3" || o.CAFile != "/etc/ca.pem" {
		t.Fatalf("step HTTP options %+v", o)
	}
}
