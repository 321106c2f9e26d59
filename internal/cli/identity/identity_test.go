package identity

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

func setup(t *testing.T, sink string) (cmdutil.Common, *config.Config) {
	t.Helper()
	c, cfg, _ := setupSandbox(t, sink)
	return c, cfg
}

func setupSandbox(t *testing.T, sink string) (cmdutil.Common, *config.Config, *sandbox.Sandbox) {
	t.Helper()
	emu := identityemu.New()
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	id, secret := emu.AdminCredentials()
	t.Setenv("FLOWSCTL_TEST_ADMIN_SECRET", secret)
	cfg := &config.Config{Path: filepath.Join(t.TempDir(), "flowsctl.yaml"),
		Access: &config.Access{Auth: config.AccessAuth{ClientID: id, ClientSecret: "env:FLOWSCTL_TEST_ADMIN_SECRET"}},
		IdentityServices: &config.IdentityServices{
			Enabled: true, URL: config.URL(sb.Services["identity"].URL),
			Directory: config.IdentityDirectory{Name: "Okta Directory", Domain: "example.com", Source: "OKTA"},
			SCIMToken: config.IdentitySCIMToken{Sink: config.SecretRef(sink)},
			OIDC: &config.IdentityOIDC{IssuerURL: "https://acme.okta.com", ClientID: "0oa1", ClientSecret: "env:FLOWSCTL_TEST_OIDC_SECRET",
				OIDCUserIdentifier: "email", WorkspaceOneUserIdentifier: "email"}}}
	c, _, _ := cmdtest.CommonFor(cfg, hc, cmdutil.GlobalFlags{Output: "json"})
	return c, cfg, sb
}

// TestTokenGenerateUnwritableSink: with a sink that cannot be written (a folder every user
// may write, a path that is a folder), token generate makes no request at all, so the token
// Okta holds keeps working, and it says why.
func TestTokenGenerateUnwritableSink(t *testing.T) {
	open := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	isDir := t.TempDir()
	for _, sink := range []string{"file:" + filepath.Join(open, "scim-token"), "file:" + isDir} {
		c, _, sb := setupSandbox(t, sink)
		err := tokenGenerateRun(&TokenGenerateOptions{Common: c})
		if err == nil || !strings.Contains(err.Error(), "nothing was generated") {
			t.Errorf("%s: %v", sink, err)
		}
		if rs := sandboxtest.Requests(t, sb, "identity"); len(rs) > 0 {
			t.Errorf("%s: %d requests to Identity Services, want none (first %s %s)", sink, len(rs), rs[0].Method, rs[0].Path)
		}
	}
}

// TestFlags: each command parses its flags into its options (runF stops before any request;
// Common, the factory's part, is left out of the comparison).
func TestFlags(t *testing.T) {
	f := &cmdutil.Factory{Flags: &cmdutil.GlobalFlags{}}
	var got any
	keep := func(o any) error { got = o; return nil }
	for _, tc := range []struct {
		cmd  *cobra.Command
		args []string
		want any
	}{
		{NewCmdDirectoryCreate(f, func(o *DirectoryCreateOptions) error { o.Common = cmdutil.Common{}; return keep(*o) }), []string{"--name", "D", "--domain", "d.example", "--source", "AZURE"},
			DirectoryCreateOptions{Name: "D", Domain: "d.example", Source: "AZURE"}},
		{NewCmdTokenGenerate(f, func(o *TokenGenerateOptions) error { o.Common = cmdutil.Common{}; return keep(*o) }), []string{"--lifespan", "24mo", "--directory", "D"},
			TokenGenerateOptions{Lifespan: "24mo", Directory: "D"}},
		{NewCmdIdPCreateOIDC(f, func(o *IdPCreateOptions) error { o.Common = cmdutil.Common{}; return keep(*o) }), nil, IdPCreateOptions{Name: "Okta"}},
		{NewCmdIdPCreateOIDC(f, func(o *IdPCreateOptions) error { o.Common = cmdutil.Common{}; return keep(*o) }), []string{"--name", "Okta OIDC"}, IdPCreateOptions{Name: "Okta OIDC"}},
	} {
		tc.cmd.SetArgs(tc.args)
		if err := tc.cmd.Execute(); err != nil {
			t.Fatalf("%s %v: %v", tc.cmd.Name(), tc.args, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %v: options %+v, want %+v", tc.cmd.Name(), tc.args, got, tc.want)
		}
	}
}

func TestTokenGenerateWritesSink(t *testing.T) {
	c, cfg := setup(t, "file:secrets/scim-token") // relative to the config's directory
	if err := tokenGenerateRun(&TokenGenerateOptions{Common: c, Lifespan: "24mo"}); err != nil {
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
	err := tokenGenerateRun(&TokenGenerateOptions{Common: c, Lifespan: "30mo"})
	if err == nil || !strings.Contains(err.Error(), "24 months") {
		t.Fatalf("%v", err)
	}
}

func TestTokenGeneratePrintsOnceWithoutSink(t *testing.T) {
	c, _ := setup(t, "")
	if err := tokenGenerateRun(&TokenGenerateOptions{Common: c}); err != nil {
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
	if err := idpCreateRun(&IdPCreateOptions{Common: c, Name: "Okta"}); err == nil {
		t.Fatal("the IdP needs the directory first")
	}
	if err := directoryCreateRun(&DirectoryCreateOptions{Common: c}); err != nil {
		t.Fatal(err)
	}
	if err := directoryCreateRun(&DirectoryCreateOptions{Common: c}); err != nil {
		t.Fatalf("second create must be a no-op: %v", err)
	}
	if err := idpCreateRun(&IdPCreateOptions{Common: c, Name: "Okta"}); err != nil {
		t.Fatal(err)
	}

	if strings.Contains(c.IO.Out.(interface{ String() string }).String(), "okta-secret") {
		t.Fatal("the OIDC client secret leaked into the output")
	}
}
