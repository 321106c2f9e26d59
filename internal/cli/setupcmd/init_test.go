package setupcmd

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// scripted answers questions by a substring of their message; each Input answer is validated
// the way survey would (a rejected answer is recorded, then the next one is tried).
type scripted struct {
	answers  map[string][]string
	rejected []string
	asked    []string
}

func (s *scripted) next(m string) (string, bool) {
	for k, v := range s.answers {
		if strings.Contains(m, k) && len(v) > 0 {
			s.answers[k] = v[1:]
			return v[0], true
		}
	}
	return "", false
}

func (s *scripted) Input(m, def, flag string, validate func(string) error) (string, error) {
	s.asked = append(s.asked, flag)
	for {
		a, ok := s.next(m)
		if !ok {
			return def, nil
		}
		if validate != nil {
			if err := validate(a); err != nil {
				s.rejected = append(s.rejected, flag+": "+err.Error())
				continue
			}
		}
		return a, nil
	}
}
func (s *scripted) Password(m, flag string) (string, error) {
	return "", errors.New("no passwords in init")
}
func (s *scripted) Select(m string, opts []string, def, flag string) (string, error) {
	s.asked = append(s.asked, flag)
	if a, ok := s.next(m); ok {
		return a, nil
	}
	return def, nil
}
func (s *scripted) MultiSelect(m string, opts, defs []string, flag string) ([]string, error) {
	s.asked = append(s.asked, flag)
	if a, ok := s.next(m); ok {
		return strings.Split(a, ","), nil
	}
	// Like survey: Enter keeps the defaults that are among the options, and only those.
	var kept []string
	for _, d := range defs {
		if slices.Contains(opts, d) {
			kept = append(kept, d)
		}
	}
	return kept, nil
}
func (s *scripted) Confirm(m string, def bool, flag string) (bool, error) {
	s.asked = append(s.asked, flag)
	if a, ok := s.next(m); ok {
		return a == "yes", nil
	}
	return def, nil
}

func defaults() InitAnswers {
	return InitAnswers{AzureSignIn: "devicecode", AccessAdmin: "flowsctl-admin", UEMAuth: "oauth", UEMRegion: "na",
		UEMClientID: "flowsctl", Connectors: []string{"teams"}, Boxer: true, SmartGroup: "All Boxer Users",
		SCIMTarget: "identity", Secrets: "file", SecretsDir: ".flowsctl/secrets"}
}

func TestInitWizard(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flowsctl.yaml")
	p := &scripted{answers: map[string][]string{
		"Access URL":       {"acme.vmwareidentity.com", "http://acme.vmwareidentity.com", "https://acme.vmwareidentity.com"},
		"UEM API URL":      {"https://as1234.awmdm.com"},
		"Entra ID tenant":  {"not a tenant", "11111111-2222-3333-4444-555555555555"},
		"email domain":     {"acme"},
		"Okta org URL":     {""},
		"connectors":       {"teams,planner"},
		"provisions users": {"access"},
		"Keep secrets in":  {"env"},
	}}
	// "acme" is rejected; the wizard then falls back to the default (empty) -> give a good one.
	p.answers["email domain"] = append(p.answers["email domain"], "acme.com")
	io, _, _, errOut := iostreams.Test()
	o := &InitOptions{Common: common(io, path, false), A: defaults(), set: map[string]bool{}}
	o.Prompter = func() prompt.Prompter { return p }
	if err := initRun(o); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	if len(p.rejected) != 4 {
		t.Errorf("validation as you type: rejected %q, want 4 (no scheme, http, bad tenant, bad domain)", p.rejected)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config mode: %v %v", st.Mode(), err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("written config does not load: %v", err)
	}
	if cfg.Access.URL != "https://acme.vmwareidentity.com" || cfg.Access.Auth.ClientSecret != "env:FLOWSCTL_ACCESS_SECRET" {
		t.Errorf("access: %+v", cfg.Access)
	}
	if cfg.Access.Directory == nil || cfg.Access.Directory.Domains[0] != "acme.com" || cfg.Access.SCIMClient == nil {
		t.Errorf("SCIM target access must configure the scimClient and directory: %+v", cfg.Access)
	}
	if cfg.IdentityServices != nil && cfg.IdentityServices.Enabled {
		t.Error("identity services enabled although the target is access")
	}
	if n := len(cfg.UEM.MobileFlows.Connectors); n != 2 {
		t.Errorf("%d connectors, want 2", n)
	}
	b, _ := os.ReadFile(path)
	for _, section := range []string{"# Entra ID", "# Workspace ONE Access", "# Workspace ONE UEM", "# doctor"} {
		if !strings.Contains(string(b), section) {
			t.Errorf("no comment %q in the written file", section)
		}
	}
}

func TestInitNoInput(t *testing.T) {
	good := func() InitAnswers {
		a := defaults()
		a.AccessURL, a.UEMURL, a.TenantID, a.Domain = "https://acme.vmwareidentity.com", "https://as1.awmdm.com", "acme.onmicrosoft.com", "acme.com"
		a.OktaURL, a.OktaClientID = "https://acme.okta.com", "0oa1example"
		return a
	}
	tests := []struct {
		name    string
		a       func() InitAnswers
		exists  bool
		force   bool
		wantErr string
	}{
		{"all flags", good, false, false, ""},
		{"missing flags are named", func() InitAnswers { return defaults() }, false, false, "--access-url is required"},
		{"bad region", func() InitAnswers { a := good(); a.UEMRegion = "mars"; return a }, false, false, "--uem-region"},
		{"unknown connector", func() InitAnswers { a := good(); a.Connectors = []string{"teems"}; return a }, false, false, "--connectors"},
		{"refuses to overwrite", good, true, false, "--force"},
		{"overwrites with --force", good, true, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "flowsctl.yaml")
			if tt.exists {
				os.WriteFile(path, []byte("apiVersion: flowsctl/v1\n"), 0o600)
			}
			io, _, _, _ := iostreams.Test()
			o := &InitOptions{Common: common(io, path, true), Force: tt.force, A: tt.a(), set: map[string]bool{}}
			err := initRun(o)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				cfg, err := config.Load(path)
				if err != nil {
					t.Fatal(err)
				}
				if !cfg.IdentityServices.Enabled || cfg.IdentityServices.OIDC == nil || cfg.IdentityServices.Directory.Domain != "acme.com" {
					t.Errorf("identity services: %+v", cfg.IdentityServices)
				}
				if cfg.Azure.App.Secret.Sink.Kind() != "file" {
					t.Errorf("the sink of a created secret must be a file: %s", cfg.Azure.App.Secret.Sink)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestInitWithoutTerminal(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	o := &InitOptions{Common: common(io, filepath.Join(t.TempDir(), "x.yaml"), false), A: defaults(), set: map[string]bool{}}
	o.Prompter = func() prompt.Prompter { return prompt.NoInput{Reason: "stdin is not a terminal"} }
	err := initRun(o)
	if err == nil || !strings.Contains(err.Error(), "--no-input") {
		t.Fatalf("err = %v, want the no-TTY error naming --no-input", err)
	}
}

func TestRenderConfigHasNoSecretValues(t *testing.T) {
	for _, secrets := range []string{"env", "file"} {
		a := defaults()
		a.AccessURL, a.UEMURL, a.TenantID, a.Domain, a.Secrets = "https://a.example.com", "https://u.example.com", "acme.com", "acme.com", secrets
		a.AzureSignIn, a.UEMAuth, a.AzureClientID = "clientsecret", "basic", "22222222-3333-4444-5555-666666666666"
		b, err := RenderConfig(a)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Parse("x.yaml", b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", secrets, err, b)
		}
		if seed := regexp.MustCompile(`(?i)\bseeds? ?0\d\d`).Find(b); seed != nil {
			t.Errorf("the generated comments say %q: name the procedure instead", seed)
		}
		for _, ref := range []config.SecretRef{cfg.Azure.SignIn.ClientSecret, cfg.Access.Auth.ClientSecret, cfg.UEM.Auth.Basic.Password, cfg.UEM.Auth.APIKey} {
			if ref.Kind() != secrets {
				t.Errorf("secrets=%s: reference %q", secrets, ref)
			}
		}
	}
}

// TestInitEnterKeepsTeams: pressed through with Enter (only the required values typed), the
// wizard keeps the default Teams connector (at 322035c the default "teams" was no catalog id, so
// the selection came back empty and the file got connectors: []).
func TestInitEnterKeepsTeams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flowsctl.yaml")
	p := &scripted{answers: map[string][]string{
		"Access URL":      {"https://acme.vmwareidentity.com"},
		"UEM API URL":     {"https://as1234.awmdm.com"},
		"Entra ID tenant": {"contoso.onmicrosoft.com"},
		"email domain":    {"acme.com"},
	}}
	io, _, _, errOut := iostreams.Test()
	o := &InitOptions{Common: common(io, path, false), A: defaults(), set: map[string]bool{}}
	o.Prompter = func() prompt.Prompter { return p }
	if err := initRun(o); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cs := cfg.UEM.MobileFlows.Connectors; len(cs) != 1 || cs[0].Catalog != "microsoft-teams" {
		t.Errorf("connectors %+v, want the Teams connector", cs)
	}
}

// TestInitOktaManaged: with an Okta URL and no pinned client id, init writes an okta: section
// (flowsctl creates the apps) and the IdP takes its client id from it; no Okta client id is
// needed up front, on either provisioning path.
func TestInitOktaManaged(t *testing.T) {
	for _, target := range []string{"identity", "access"} {
		t.Run(target, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "flowsctl.yaml")
			a := defaults()
			a.AccessURL, a.UEMURL, a.TenantID, a.Domain = "https://acme.vmwareidentity.com", "https://as1.awmdm.com", "acme.onmicrosoft.com", "acme.com"
			a.OktaURL, a.SCIMTarget, a.Secrets = "https://acme.okta.com", target, "env"
			io, _, _, _ := iostreams.Test()
			if err := initRun(&InitOptions{Common: common(io, path, true), A: a, set: map[string]bool{}}); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Okta == nil || cfg.Okta.URL != "https://acme.okta.com" || cfg.Okta.Auth.APIToken != "env:OKTA_API_TOKEN" {
				t.Fatalf("okta section: %+v", cfg.Okta)
			}
			if target == "identity" && (!cfg.OIDCFromOkta() || cfg.IdentityServices.OIDC.ClientID != "") {
				t.Errorf("the IdP should take the OIDC app from okta: %+v", cfg.IdentityServices.OIDC)
			}
			if target == "access" && cfg.Okta.OIDCApp != nil {
				t.Errorf("no OIDC app on the Access path: %+v", cfg.Okta.OIDCApp)
			}
		})
	}
}
