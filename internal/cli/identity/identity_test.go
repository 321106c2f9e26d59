package identity

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/access/identity"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

func setup(t *testing.T, sink string) (*Common, *config.Config) {
	t.Helper()
	emu := identityemu.New()
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	id, secret := emu.AdminCredentials()
	cfg := &config.Config{Path: filepath.Join(t.TempDir(), "flowsctl.yaml"), IdentityServices: &config.IdentityServices{
		Enabled: true, URL: config.URL(sb.Services["identity"].URL),
		Directory: config.IdentityDirectory{Name: "Okta Directory", Domain: "example.com", Source: "OKTA"},
		SCIMToken: config.IdentitySCIMToken{Sink: config.SecretRef(sink)},
		OIDC: &config.IdentityOIDC{IssuerURL: "https://acme.okta.com", ClientID: "0oa1", ClientSecret: "env:FLOWSCTL_TEST_OIDC_SECRET",
			OIDCUserIdentifier: "email", WorkspaceOneUserIdentifier: "email"}}}
	ios, _, _, _ := iostreams.Test()
	c := &Common{IO: ios, Output: func() string { return "json" }, Config: func() (*config.Config, error) { return cfg, nil },
		Client: func() (*identity.Client, error) {
			return identity.New(hc, sb.Services["identity"].URL, id, secret), nil
		}}
	return c, cfg
}

func TestTokenGenerateWritesSink(t *testing.T) {
	c, cfg := setup(t, "file:secrets/scim-token") // relative to the config's directory
	if err := tokenGenerateRun(context.Background(), &TokenGenerateOptions{Common: c, Lifespan: "24mo"}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(cfg.Path), "secrets", "scim-token")
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("sink: %v %v", err, st)
	}
	tok, _ := os.ReadFile(p)
	out := c.IO.Out.(interface{ String() string }).String()
	if strings.Contains(out, strings.TrimSpace(string(tok))) {
		t.Fatal("the token must not be printed when a sink is set")
	}
	var res TokenResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.TTLMinutes != 1036800 || !strings.HasSuffix(res.SCIMURL, "/usergroup/scim/v2") {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestTokenGenerateRefusesLongLifespan(t *testing.T) {
	c, _ := setup(t, "")
	err := tokenGenerateRun(context.Background(), &TokenGenerateOptions{Common: c, Lifespan: "30mo"})
	if err == nil || !strings.Contains(err.Error(), "24 months") {
		t.Fatalf("%v", err)
	}
}

func TestTokenGeneratePrintsOnceWithoutSink(t *testing.T) {
	c, _ := setup(t, "")
	if err := tokenGenerateRun(context.Background(), &TokenGenerateOptions{Common: c}); err != nil {
		t.Fatal(err)
	}
	var res TokenResult
	json.Unmarshal([]byte(c.IO.Out.(interface{ String() string }).String()), &res)
	if res.Token == "" || res.TTLMinutes != 259200 {
		t.Fatalf("%+v", res)
	}
}

func TestDirectoryAndIdP(t *testing.T) {
	c, _ := setup(t, "")
	t.Setenv("FLOWSCTL_TEST_OIDC_SECRET", "okta-secret")
	ctx := context.Background()
	if err := idpCreateRun(ctx, &IdPCreateOptions{Common: c, Name: "Okta"}); err == nil {
		t.Fatal("the IdP needs the directory first")
	}
	if err := directoryCreateRun(ctx, &DirectoryCreateOptions{Common: c}); err != nil {
		t.Fatal(err)
	}
	if err := directoryCreateRun(ctx, &DirectoryCreateOptions{Common: c}); err != nil {
		t.Fatalf("second create must be a no-op: %v", err)
	}
	if err := idpCreateRun(ctx, &IdPCreateOptions{Common: c, Name: "Okta"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.IO.Out.(interface{ String() string }).String(), "okta-secret") {
		t.Fatal("the OIDC client secret leaked into the output")
	}
}
