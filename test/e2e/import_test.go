package e2e

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/okta"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// importArgs are the sandbox flags with -f pointing at cfg instead of the sandbox's config.
func importArgs(e *env, cfg string) []string {
	return []string{"-f", cfg, "--ca-file", e.SB.CAPath(), "--no-input"}
}

// TestImportReproducesAnAppliedTenant: after apply, import writes a config (0600, never over an
// existing file without --force) with which plan finds nothing to change.
func TestImportReproducesAnAppliedTenant(t *testing.T) {
	e := sandboxWith(t, "graph", "no Graph emulator")
	if r := e.Run(t, "apply"); r.Code != 0 {
		t.Fatalf("apply exit %d: %s", r.Code, r.Err)
	}
	out := filepath.Join(filepath.Dir(e.SB.ConfigPath()), "imported.yaml")
	r := e.Run(t, "import", "--out", out)
	if r.Code != 0 {
		t.Fatalf("import exit %d: %s", r.Code, r.Err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("imported config: %v %v", fi, err)
	}
	if !strings.Contains(r.Err, "Entra app for Teams: adopted") || !strings.Contains(r.Err, "never read back") {
		t.Errorf("import does not say what it adopted and that secrets are not read back:\n%s", r.Err)
	}
	if p := flowsctl(t, append([]string{"plan"}, importArgs(e, out)...)...); p.Code != 0 {
		t.Fatalf("plan after import exit %d (want 0 changes):\n%s\n%s", p.Code, p.Out, p.Err)
	}
	if again := e.Run(t, "import", "--out", out); again.Code != 1 || !strings.Contains(again.Err, "--force") {
		t.Errorf("import over an existing file: exit %d, %s", again.Code, again.Err)
	}
	dry := e.Run(t, "import", "--dry-run")
	if dry.Code != 0 || !strings.Contains(dry.Out, "apiVersion: flowsctl/v1") {
		t.Errorf("import --dry-run: exit %d, stdout %q", dry.Code, dry.Out)
	}
}

// TestImportHandBuilt: objects changed by hand through the services' APIs (a renamed Entra app
// with a client secret made by hand, non-default template TTLs and scopes, edited and added
// mobile flows connectors, Okta groups assigned and pushed by hand, the Identity Services IdP's
// user identifiers) are what import writes, so plan shows no change.
func TestImportHandBuilt(t *testing.T) {
	e := sandboxWith(t, "graph", "no Graph emulator")
	if !e.Has("access") {
		t.Skip("no Access emulator")
	}
	if r := e.Run(t, "apply"); r.Code != 0 {
		t.Fatalf("apply exit %d: %s", r.Code, r.Err)
	}
	cfg := loadConfig(t, e)
	g := newGraph(t, e, cfg)
	renamed, appObjectID := 0, ""
	for _, a := range graphList[graphApp](g, "/applications") {
		if a.UniqueName == cfg.Azure.App.UniqueName {
			g.do(http.MethodPatch, "/applications/"+url.PathEscape(a.ID), `{"displayName":"Teams via mobile flows (by hand)"}`, nil)
			renamed, appObjectID = renamed+1, a.ID
		}
	}
	removedSome(t, renamed, "app to rename")
	c := accessClient(t, e)
	ctx := context.Background()
	_, raw, err := c.GetTemplate(ctx, "MobileFlows_Server_Template")
	if err != nil || raw == nil {
		t.Fatalf("get template: %v", err)
	}
	raw["accessTokenTTL"], raw["refreshTokenIdleTTL"], raw["scope"] = 120, 2880, "openid email"
	delete(raw, "_links")
	if err := c.UpdateTemplate(ctx, "MobileFlows_Server_Template", raw); err != nil {
		t.Fatalf("put template: %v", err)
	}
	scimAppID := ""
	if cfg.Okta != nil {
		oc, err := okta.New(sandboxtest.Client(t, e.SB), cfg)
		if err != nil {
			t.Fatal(err)
		}
		app, err := oc.FindApp(ctx, cfg.Okta.SCIMApp.Label)
		if err != nil || app == nil {
			t.Fatalf("okta SCIM app %q: %v", cfg.Okta.SCIMApp.Label, err)
		}
		app.Label, scimAppID = "Workspace ONE SCIM (by hand)", app.ID
		if _, err := oc.ReplaceApp(ctx, app); err != nil {
			t.Fatalf("relabel the Okta SCIM app: %v", err)
		}
	}
	check := handEdits(t, e, cfg, g, appObjectID, scimAppID)
	if p := e.Run(t, "plan"); p.Code != 2 {
		t.Fatalf("plan of the original config after the hand edits: exit %d, want 2 (changes)", p.Code)
	}
	out := filepath.Join(filepath.Dir(e.SB.ConfigPath()), "imported.yaml")
	if r := e.Run(t, "import", "--out", out); r.Code != 0 {
		t.Fatalf("import exit %d: %s", r.Code, r.Err)
	}
	imp, err := config.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	tpl := imp.Access.MobileFlowsTemplate
	if imp.Azure.App.DisplayName != "Teams via mobile flows (by hand)" || tpl.AccessTokenTTL.String() != "2h" || tpl.IdleTokenTTL.String() != "2d" ||
		strings.Join(tpl.Scope, " ") != "openid email" {
		t.Errorf("import did not reproduce the hand edits: app %q, template %+v", imp.Azure.App.DisplayName, tpl)
	}
	check(imp)
	if cfg.Okta != nil && imp.Okta.SCIMApp.Label != "Workspace ONE SCIM (by hand)" {
		t.Errorf("import did not adopt the relabelled Okta SCIM app: %q", imp.Okta.SCIMApp.Label)
	}
	if p := flowsctl(t, append([]string{"plan"}, importArgs(e, out)...)...); p.Code != 0 {
		t.Fatalf("plan after import exit %d (want 0 changes):\n%s\n%s", p.Code, p.Out, p.Err)
	}
}

// TestImportAmbiguityNeedsPick: two hand-made Entra apps with the hero redirect URI and no
// uniqueName; --no-input fails naming both and the --pick syntax, and --pick chooses one.
func TestImportAmbiguityNeedsPick(t *testing.T) {
	e := sandboxWith(t, "graph", "no Graph emulator")
	cfg := loadConfig(t, e)
	g := newGraph(t, e, cfg)
	var ids []string
	for _, name := range []string{"Teams mobile flows (EMEA)", "Teams mobile flows (US)"} {
		var a struct {
			AppID string `json:"appId"`
		}
		g.do(http.MethodPost, "/applications", `{"displayName":"`+name+`","signInAudience":"AzureADMultipleOrgs","web":{"redirectUris":["https://prod.hero.vmwservices.com/token-exchange/oauth2/callback"]}}`, &a)
		ids = append(ids, a.AppID)
	}
	out := filepath.Join(t.TempDir(), "imported.yaml")
	r := e.Run(t, "import", "--out", out)
	if r.Code != 1 || !strings.Contains(r.Err, ids[0]) || !strings.Contains(r.Err, ids[1]) || !strings.Contains(r.Err, "--pick azure.app=") {
		t.Fatalf("ambiguous import with --no-input: exit %d, want 1 naming both apps and --pick:\n%s", r.Code, r.Err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed import wrote a config")
	}
	r = e.Run(t, "import", "--out", out, "--pick", "azure.app="+ids[1])
	if r.Code != 0 || !strings.Contains(r.Err, "Teams mobile flows (US)") || !strings.Contains(r.Err, "no uniqueName") {
		t.Fatalf("import --pick: exit %d:\n%s", r.Code, r.Err)
	}
	imp, err := config.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Azure.App.DisplayName != "Teams mobile flows (US)" || imp.Azure.App.AdoptAppID != ids[1] {
		t.Errorf("picked app not imported: %q (adoptAppId %q)", imp.Azure.App.DisplayName, imp.Azure.App.AdoptAppID)
	}
	// The uniqueName it lacks is a pending change, made only by apply; then nothing is left.
	args := importArgs(e, out)
	p := flowsctl(t, append([]string{"plan", "--only", "azure"}, args...)...)
	if p.Code != 2 || !strings.Contains(p.Out, "uniqueName") {
		t.Fatalf("plan of the adopted app: exit %d, want 2 showing uniqueName:\n%s\n%s", p.Code, p.Out, p.Err)
	}
	if a := flowsctl(t, append([]string{"apply", "--only", "azure"}, args...)...); a.Code != 0 {
		t.Fatalf("apply of the adopted app: exit %d:\n%s", a.Code, a.Err)
	}
	if p := flowsctl(t, append([]string{"plan", "--only", "azure"}, args...)...); p.Code != 0 {
		t.Fatalf("plan after adopting: exit %d:\n%s\n%s", p.Code, p.Out, p.Err)
	}
	apps := graphList[graphApp](g, "/applications")
	named := 0
	for _, a := range apps {
		if a.UniqueName == imp.Azure.App.UniqueName {
			named++
			if a.AppID != ids[1] {
				t.Errorf("uniqueName went to appId %s, want the picked %s", a.AppID, ids[1])
			}
		}
	}
	if named != 1 || len(apps) != 2 {
		t.Errorf("%d apps carry the uniqueName, %d apps in all (want 1 of 2: no second app created)", named, len(apps))
	}
}

// graphClient calls the sandbox's Graph as the sandbox config's sign-in app.
type graphClient struct {
	t        *testing.T
	e        *env
	base, tk string
}

func newGraph(t *testing.T, e *env, cfg *config.Config) *graphClient {
	t.Helper()
	az := cfg.Azure
	if az == nil || az.SignIn.Method != "clientsecret" {
		t.Skip("the sandbox config does not sign in to Entra with a client secret")
	}
	secret, err := cfg.Secret(az.SignIn.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	gu, _ := url.Parse(az.GraphURL)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {az.SignIn.ClientID}, "client_secret": {secret},
		"scope": {gu.Scheme + "://" + gu.Host + "/.default"}}
	req, _ := http.NewRequest(http.MethodPost, strings.TrimRight(az.Authority, "/")+"/"+az.TenantID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	call(t, sandboxtest.Client(t, e.SB), req, &tok)
	return &graphClient{t: t, e: e, base: strings.TrimSuffix(strings.TrimRight(az.GraphURL, "/"), "/v1.0") + "/v1.0", tk: tok.AccessToken}
}

func (g *graphClient) do(method, path, body string, out any) {
	g.t.Helper()
	req, _ := http.NewRequest(method, g.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+g.tk)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	call(g.t, sandboxtest.Client(g.t, g.e.SB), req, out)
}

// graphList GETs a Graph collection: the items of its value array.
func graphList[T any](g *graphClient, path string) []T {
	g.t.Helper()
	var page struct {
		Value []T `json:"value"`
	}
	g.do(http.MethodGet, path, "", &page)
	return page.Value
}

// graphApp is an Entra application as these tests read it.
type graphApp struct {
	ID         string `json:"id"`
	AppID      string `json:"appId"`
	UniqueName string `json:"uniqueName"`
}
