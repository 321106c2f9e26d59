package uem

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/mfemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/sandbox/uememu"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

const clientID = "3e2fc1ab-e5e3-46f4-901a-684192c71cae"

type fixture struct {
	sb       *sandbox.Sandbox
	cfg      *config.Config
	hc       *httpx.Client
	secret   string
	out, err *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sb := sandboxtest.Start(t, uememu.New(), mfemu.New())
	cfg, err := config.Load(filepath.Join(sb.Env.Dir, "flowsctl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{sb: sb, cfg: cfg, out: &bytes.Buffer{}, err: &bytes.Buffer{}, secret: "teams-secret-value-0f1e2d3c4b5a6978"}
	sink := filepath.Join(sb.Env.Dir, "secrets", "teams-client-secret")
	if err := os.WriteFile(sink, []byte(f.secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Azure = &config.Azure{TenantID: "7d0a5c1e-3b4f-4e8a-9c21-5f6e7a8b9c0d"}
	cfg.Azure.App.Secret.Sink = config.SecretRef("file:" + sink)
	cfg.Access = &config.Access{URL: "https://acme.vmwareidentity.com"}
	f.hc, err = httpx.New(httpx.Options{CAPEM: sb.CA.CertPEM, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) common(output string, noInput bool) cmdutil.Common {
	f.out.Reset()
	f.err.Reset()
	return cmdutil.Common{IO: &iostreams.IOStreams{In: &bytes.Buffer{}, Out: f.out, ErrOut: f.err},
		Config:     func() (*config.Config, error) { return f.cfg, nil },
		HTTPClient: func() (*httpx.Client, error) { return f.hc, nil },
		Flags:      &cmdutil.GlobalFlags{Output: output, NoInput: noInput, File: f.cfg.Path},
		Ctx:        context.Background()}
}

func (f *fixture) entra(ctx context.Context, cfg *config.Config, hc *httpx.Client) (*mobileflows.EntraOutputs, error) {
	return &mobileflows.EntraOutputs{ClientID: clientID, SecretSink: cfg.Azure.App.Secret.Sink, TenantID: cfg.Azure.TenantID}, nil
}

func (f *fixture) add(output string, selector string) *ConnectorAddOptions {
	return &ConnectorAddOptions{Common: f.common(output, true), Entra: f.entra, Selector: selector}
}

func (f *fixture) writes(t *testing.T, svc string) int {
	n := 0
	for _, w := range sandboxtest.Writes(t, f.sb, svc) {
		if !strings.Contains(w.Path, "token") {
			n++
		}
	}
	return n
}

func TestConnectorAddGuidedExits3WithoutConfirmation(t *testing.T) {
	f := newFixture(t)
	f.cfg.UEM.MobileFlows.Mode = "guided"
	err := connectorAddRun(f.add("text", "teams"))
	if cmdutil.CodeOf(err) != cmdutil.ExitOperator {
		t.Fatalf("exit %d (%v), want 3", cmdutil.CodeOf(err), err)
	}
	out := f.out.String() + err.Error()
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
	store := mobileflows.StorePathFor(f.cfg.Path)
	if b, err := os.ReadFile(store); err != nil || bytes.Contains(b, []byte(f.secret)) {
		t.Fatalf("store %s: %v", b, err)
	}
	if err := connectorAddRun(f.add("text", "teams")); err != nil || !strings.Contains(f.out.String(), "up to date") {
		t.Fatalf("after confirmation: %v %q", err, f.out.String())
	}
	if f.writes(t, "mobileflows") != 0 {
		t.Fatal("guided mode wrote to the admin API")
	}
	// --show-secret prints it
	f.cfg.UEM.MobileFlows.Connectors[0].BaseURL = "https://graph.microsoft.com/beta/"
	o = f.add("text", "teams")
	o.ShowSecret = true
	err = connectorAddRun(o)
	if cmdutil.CodeOf(err) != cmdutil.ExitOperator || !strings.Contains(f.out.String(), f.secret) {
		t.Fatalf("--show-secret: %v", err)
	}
}

func TestAPIModeAndBoxerSecondRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 2; i++ {
		if err := connectorAddRun(f.add("text", "teams")); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if err := boxerConfigureRun(&BoxerConfigureOptions{Common: f.common("text", true)}); err != nil {
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
	o.DiscoveryURL = f.sb.Services["mobileflows"].URL + mfemu.SamplePath
	o.Name = mfemu.SampleName
	if err := connectorAddRun(o); err != nil {
		t.Fatal(err)
	}
	var got addOutput
	if err := json.Unmarshal(f.out.Bytes(), &got); err != nil || got.Discovery == nil || len(got.Discovery.ObjectTypes) != 1 {
		t.Fatalf("json %s: %v", f.out.String(), err)
	}
	o = f.add("text", "")
	o.Name = "microsoft teams"
	if err := connectorAddRun(o); err != nil || !strings.Contains(f.out.String(), "up to date") {
		t.Fatalf("--name selection: %v %s", err, f.out.String())
	}
	if err := connectorListRun(&ConnectorListOptions{Common: f.common("json", true)}); err != nil || !strings.Contains(f.out.String(), clientID) {
		t.Fatalf("list: %v %s", err, f.out.String())
	}
	if err := verifyRun(&VerifyOptions{Common: f.common("text", true), Entra: f.entra}); err != nil {
		t.Fatalf("verify: %v\n%s", err, f.out.String())
	}
	if err := verifyRun(&VerifyOptions{Common: f.common("junit", true), Entra: f.entra}); err != nil || !strings.Contains(f.out.String(), "<testsuite") {
		t.Fatalf("verify -o junit: %v\n%s", err, f.out.String())
	}
}

func TestIntegrationCheckJSON(t *testing.T) {
	f := newFixture(t)
	if err := integrationCheckRun(&IntegrationCheckOptions{Common: f.common("json", true)}); err != nil {
		t.Fatalf("%v\n%s", err, f.out.String())
	}
	var got struct {
		Integrations []struct {
			Name        string
			Information map[string]any
		}
	}
	if err := json.Unmarshal(f.out.Bytes(), &got); err != nil || len(got.Integrations) != 1 || got.Integrations[0].Information["displayName"] != "Harmony Mobile" {
		t.Fatalf("%s: %v", f.out.String(), err)
	}
	if err := integrationCheckRun(&IntegrationCheckOptions{Common: f.common("junit", true)}); err != nil || !strings.Contains(f.out.String(), "<testsuite") {
		t.Fatalf("integration check -o junit: %v\n%s", err, f.out.String())
	}
	if err := groupsRun(&GroupsOptions{Common: f.common("text", true), Query: "Boxr"}); err == nil || !strings.Contains(err.Error(), "did you mean") {
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
	if strings.Contains(f.out.String(), "snow-secret-value") {
		t.Fatal("output shows the secret")
	}
	o = f.add("text", "servicenow")
	o.ClientID, o.SecretRef = "snow-client", "the-secret-itself"
	if err := connectorAddRun(o); err == nil || strings.Contains(err.Error(), "the-secret-itself") || !strings.Contains(err.Error(), "env:NAME") {
		t.Fatalf("want a reference error that does not echo the value, got %v", err)
	}
}
