package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

const hero = "https://prod.hero.vmwservices.com/token-exchange/oauth2/callback"

var seedScopes = map[string]string{
	"offline_access":       "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
	"User.Read":            "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
	"User.Read.All":        "a154be20-db9c-4678-8ab7-66f6cc099a59",
	"MailboxSettings.Read": "87f447af-9fa4-4c32-9dfa-4a57a73d18ce",
	"Group.ReadWrite.All":  "4e46008b-f24c-477d-8fff-7bb4ec7aafe0",
}

// env is a sandbox with the Entra emulators and the generated flowsctl.yaml.
type env struct {
	t     *testing.T
	sb    *sandbox.Sandbox
	graph *entraemu.Graph
	cfg   string // path of flowsctl.yaml
	// edit rewrites the loaded config before each command (tests change a value).
	edit func(*config.Config)
}

func newEnv(t *testing.T, opts ...entraemu.Option) *env {
	t.Helper()
	sts, graph := entraemu.New(opts...)
	sb := sandboxtest.Start(t, sts, graph)
	return &env{t: t, sb: sb, graph: graph.(*entraemu.Graph), cfg: filepath.Join(sb.Env.Dir, "flowsctl.yaml")}
}

type runResult struct {
	stdout, stderr, debug string
	code                  int
	err                   error
}

// run executes `flowsctl azure ARGS` through the command tree with a fresh factory.
func (e *env) run(args ...string) runResult {
	e.t.Helper()
	ios, _, out, errOut := iostreams.Test()
	debug := &bytes.Buffer{}
	f := &cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{File: e.cfg, Output: "text", Timeout: 2 * time.Minute}}
	f.Config = func() (*config.Config, error) {
		c, err := config.Load(e.cfg)
		if err == nil && e.edit != nil {
			e.edit(c)
		}
		return c, err
	}
	var hc *httpx.Client
	f.HTTPClient = func() (*httpx.Client, error) {
		if hc != nil {
			return hc, nil
		}
		o := httpx.Options{CAPEM: e.sb.CA.CertPEM, UserAgent: "flowsctl/test", BaseDelay: 10 * time.Millisecond, MaxDelay: 200 * time.Millisecond}
		if f.Flags.Debug {
			o.Debug = debug
		}
		var err error
		hc, err = httpx.New(o)
		return hc, err
	}
	root := &cobra.Command{Use: "flowsctl", SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().StringVarP(&f.Flags.Output, "output", "o", "text", "")
	root.PersistentFlags().BoolVar(&f.Flags.Debug, "debug", false, "")
	root.PersistentFlags().BoolVar(&f.Flags.NoInput, "no-input", false, "")
	root.AddCommand(NewCmdAzure(f))
	root.SetArgs(append([]string{"azure"}, args...))
	root.SetOut(out)
	root.SetErr(errOut)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString("error: " + err.Error() + "\n")
	}
	return runResult{stdout: out.String(), stderr: errOut.String(), debug: debug.String(), code: cmdutil.CodeOf(err), err: err}
}

func (e *env) state() (apps, sps, grants []map[string]any) {
	e.t.Helper()
	var st struct {
		Applications           []map[string]any `json:"applications"`
		ServicePrincipals      []map[string]any `json:"servicePrincipals"`
		OAuth2PermissionGrants []map[string]any `json:"oauth2PermissionGrants"`
	}
	sandboxtest.Admin(e.t, e.sb, "graph", "GET", "/state", "", &st)
	return st.Applications, st.ServicePrincipals, st.OAuth2PermissionGrants
}

func (e *env) clearLog() { sandboxtest.Admin(e.t, e.sb, "graph", "DELETE", "/requests", "", nil) }

func (e *env) sink() string {
	b, err := os.ReadFile(filepath.Join(e.sb.Env.Dir, "secrets", "teams-client-secret"))
	if err != nil {
		e.t.Fatalf("sink: %v", err)
	}
	return strings.TrimSpace(string(b))
}

func TestRegisterFreshThenRerun(t *testing.T) {
	e := newEnv(t)
	r := e.run("register", "-o", "json")
	if r.code != 0 {
		t.Fatalf("register exit %d: %s", r.code, r.stderr)
	}
	fresh := sandboxtest.Requests(t, e.sb, "graph")
	apps, sps, grants := e.state()
	if len(apps) != 1 {
		t.Fatalf("applications: %d", len(apps))
	}
	app := apps[0]
	web := app["web"].(map[string]any)
	checks := []struct {
		name      string
		got, want any
	}{
		{"uniqueName", app["uniqueName"], "ws1-mobile-flows-teams"},
		{"signInAudience", app["signInAudience"], "AzureADMultipleOrgs"},
		{"redirectUris", strings.Join(toStrings(web["redirectUris"]), " "), hero},
		{"logoutUrl", web["logoutUrl"], nil}, // the sandbox has no access section: no logout URL
		{"service principals for the app", countWhere(sps, "appId", app["appId"]), 1},
		{"password credentials", len(app["passwordCredentials"].([]any)), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	ids := map[string]bool{}
	for _, rra := range app["requiredResourceAccess"].([]any) {
		m := rra.(map[string]any)
		if m["resourceAppId"] != entraemu.GraphAppID {
			continue
		}
		for _, ra := range m["resourceAccess"].([]any) {
			x := ra.(map[string]any)
			if x["type"] == "Scope" {
				ids[x["id"].(string)] = true
			}
		}
	}
	for name, id := range seedScopes {
		if !ids[id] {
			t.Errorf("scope %s (%s) not requested", name, id)
		}
	}
	if len(ids) != len(seedScopes) {
		t.Errorf("requested %d scopes, want %d", len(ids), len(seedScopes))
	}
	var sp map[string]any
	for _, s := range sps {
		if s["appId"] == app["appId"] {
			sp = s
		}
	}
	var mine []map[string]any
	for _, g := range grants {
		if g["clientId"] == sp["id"] {
			mine = append(mine, g)
		}
	}
	if len(mine) != 1 || mine[0]["consentType"] != "AllPrincipals" || mine[0]["principalId"] != nil {
		t.Fatalf("grants: %v", mine)
	}
	if got := strings.Fields(mine[0]["scope"].(string)); len(got) != 5 {
		t.Errorf("grant scope %v", got)
	}
	pc := app["passwordCredentials"].([]any)[0].(map[string]any)
	if !strings.HasPrefix(pc["displayName"].(string), "flowsctl ") || pc["secretText"] != nil {
		t.Errorf("password credential %v", pc)
	}
	secret := e.sink()
	if !strings.HasPrefix(secret, pc["hint"].(string)) {
		t.Errorf("sink value does not match hint %v", pc["hint"])
	}
	st, err := os.Stat(filepath.Join(e.sb.Env.Dir, "secrets", "teams-client-secret"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("sink mode %v %v", st.Mode(), err)
	}
	if strings.Contains(r.stdout+r.stderr, secret) {
		t.Errorf("secret value printed by register")
	}
	end, _ := time.Parse(time.RFC3339Nano, pc["endDateTime"].(string))
	if d := time.Until(end); d < 359*24*time.Hour || d > 361*24*time.Hour {
		t.Errorf("secret ends in %s, want 12mo (360d)", d)
	}
	if len(fresh) > 8 {
		t.Errorf("fresh register made %d Graph requests, goal <= 8", len(fresh))
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out["clientId"] != app["appId"] || out["secretCreated"] != true {
		t.Errorf("register -o json: %v %s", err, r.stdout)
	}

	e.clearLog()
	r2 := e.run("register", "-o", "json")
	if r2.code != 0 {
		t.Fatalf("re-run exit %d: %s", r2.code, r2.stderr)
	}
	reqs := sandboxtest.Requests(t, e.sb, "graph")
	if w := sandboxtest.Writes(t, e.sb, "graph"); len(w) != 0 {
		t.Errorf("re-run made %d writes: %v", len(w), w)
	}
	if len(reqs) > 5 {
		t.Errorf("re-run made %d Graph requests, goal <= 5", len(reqs))
	}
	if e.sink() != secret {
		t.Errorf("re-run replaced the secret in the sink")
	}
	t.Logf("fresh register: %d Graph requests; re-run: %d (all reads)", len(fresh), len(reqs))
}

func TestRegisterDryRunWritesNothing(t *testing.T) {
	e := newEnv(t)
	r := e.run("register", "--dry-run")
	if r.code != cmdutil.ExitPending {
		t.Fatalf("dry-run exit %d, want 2: %s", r.code, r.stderr)
	}
	if w := sandboxtest.Writes(t, e.sb, "graph"); len(w) != 0 {
		t.Errorf("dry-run wrote: %v", w)
	}
	for _, want := range []string{"create   Entra application", "Group.ReadWrite.All", "create   client secret"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry-run output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestRegisterConvergesThroughReplicationDelay(t *testing.T) {
	e := newEnv(t, entraemu.WithReplicationDelay(5*time.Second))
	r := e.run("register")
	if r.code != 0 {
		t.Fatalf("register exit %d: %s", r.code, r.stderr)
	}
	_, sps, grants := e.state()
	if len(sps) != 2 || len(grants) != 1 {
		t.Fatalf("after replication: %d service principals, %d grants", len(sps), len(grants))
	}
	var replErrs int
	for _, q := range sandboxtest.Requests(t, e.sb, "graph") {
		if q.Status == 400 || q.Status == 404 {
			replErrs++
		}
	}
	if replErrs == 0 {
		t.Errorf("expected the emulator to answer replication errors before converging")
	}
}

func TestRegisterHonoursRetryAfter(t *testing.T) {
	e := newEnv(t)
	sandboxtest.Admin(t, e.sb, "graph", "POST", "/faults",
		`{"seed":1,"rules":[{"method":"POST","path":"/v1.0/oauth2PermissionGrants","kind":"429","count":1,"retryAfter":1}]}`, nil)
	r := e.run("register")
	if r.code != 0 {
		t.Fatalf("register exit %d: %s", r.code, r.stderr)
	}
	var posts []sandbox.LogEntry
	for _, q := range sandboxtest.Requests(t, e.sb, "graph") {
		if q.Method == "POST" && q.Path == "/v1.0/oauth2PermissionGrants" {
			posts = append(posts, q)
		}
	}
	if len(posts) != 2 || posts[0].Status != 429 || posts[1].Status != 201 {
		t.Fatalf("grant POSTs %v, want 429 then 201", posts)
	}
	_, _, grants := e.state()
	if len(grants) != 1 {
		t.Errorf("%d grants, want exactly one", len(grants))
	}
}

func TestRegisterUnknownScopeSuggests(t *testing.T) {
	e := newEnv(t)
	e.edit = func(c *config.Config) {
		c.Azure.App.DelegatedPermissions = []string{"User.Reed", "MailboxSettings.Read"}
	}
	r := e.run("register")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, `"User.Reed" (did you mean User.Read`) {
		t.Errorf("no suggestion in: %s", r.stderr)
	}
	if w := sandboxtest.Writes(t, e.sb, "graph"); len(w) != 0 {
		t.Errorf("wrote despite the bad scope: %v", w)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	e := newEnv(t)
	r := e.run("register", "--debug", "-o", "json")
	if r.code != 0 {
		t.Fatalf("register exit %d: %s", r.code, r.stderr)
	}
	signIn, _ := os.ReadFile(filepath.Join(e.sb.Env.Dir, "secrets", "azure-signin-secret"))
	secrets := []string{e.sink(), strings.TrimSpace(string(signIn))}
	if !strings.Contains(r.debug, "/v1.0/") {
		t.Fatalf("no debug trace captured")
	}
	r2 := e.run("secret", "rotate", "--remove-old", "--debug")
	if r2.code != 0 {
		t.Fatalf("rotate exit %d: %s", r2.code, r2.stderr)
	}
	secrets = append(secrets, e.sink())
	r3 := e.run("show", "-o", "json")
	for _, s := range secrets {
		for name, text := range map[string]string{"stdout": r.stdout + r2.stdout + r3.stdout, "stderr": r.stderr + r2.stderr + r3.stderr, "debug": r.debug + r2.debug} {
			if strings.Contains(text, s) {
				t.Errorf("a secret value appears in %s", name)
			}
		}
	}
	apps, _, _ := e.state()
	if n := len(apps[0]["passwordCredentials"].([]any)); n != 1 {
		t.Errorf("after rotate --remove-old: %d secrets, want 1", n)
	}
	if secrets[0] == secrets[2] {
		t.Errorf("rotate did not change the sink")
	}
	// --show-secret prints a new value exactly once.
	os.Remove(filepath.Join(e.sb.Env.Dir, "secrets", "teams-client-secret"))
	r4 := e.run("register", "--show-secret", "-o", "json")
	var out map[string]any
	if err := json.Unmarshal([]byte(r4.stdout), &out); err != nil || out["secretText"] == nil || strings.Count(r4.stdout, out["secretText"].(string)) != 1 {
		t.Errorf("--show-secret output: %v %s", err, r4.stdout)
	}
}

func TestVerifyFailsWithFix(t *testing.T) {
	tests := []struct {
		name   string
		breakB func(e *env, appID, spID string)
		check  string
	}{
		{"consent removed", func(e *env, _, spID string) {
			_, _, grants := e.state()
			for _, g := range grants {
				if g["clientId"] == spID {
					graphCall(e, "DELETE", "/v1.0/oauth2PermissionGrants/"+g["id"].(string), "")
				}
			}
		}, "azure.consent.User.Read"},
		{"redirect URI changed", func(e *env, appID, _ string) {
			graphCall(e, "PATCH", "/v1.0/applications(appId='"+appID+"')", `{"web":{"redirectUris":["https://example.com/cb"]}}`)
		}, "azure.app.redirect-uri"},
		{"secret expired", func(e *env, _, _ string) {
			e.graph.AgeSecrets(400 * 24 * time.Hour)
		}, "azure.secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if r := e.run("register"); r.code != 0 {
				t.Fatalf("register exit %d: %s", r.code, r.stderr)
			}
			if r := e.run("verify"); r.code != 0 {
				t.Fatalf("verify after register exit %d:\n%s", r.code, r.stdout)
			}
			apps, sps, _ := e.state()
			appID := apps[0]["appId"].(string)
			var spID string
			for _, s := range sps {
				if s["appId"] == appID {
					spID = s["id"].(string)
				}
			}
			tc.breakB(e, appID, spID)
			r := e.run("verify", "-o", "json")
			if r.code != cmdutil.ExitPending {
				t.Fatalf("verify exit %d, want 2:\n%s%s", r.code, r.stdout, r.stderr)
			}
			var rep struct {
				Checks []struct{ ID, Status, Fix string } `json:"checks"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("verify -o json: %v\n%s", err, r.stdout)
			}
			found := false
			for _, c := range rep.Checks {
				if c.ID == tc.check {
					found = true
					if c.Status != "fail" || !strings.Contains(c.Fix, "flowsctl azure") {
						t.Errorf("%s: status %s fix %q", c.ID, c.Status, c.Fix)
					}
				}
			}
			if !found {
				t.Errorf("no check %s in %s", tc.check, r.stdout)
			}
		})
	}
}

// graphCall changes the directory as an admin would in the portal, with a sandbox token.
func graphCall(e *env, method, path, body string) {
	e.t.Helper()
	tok := e.graph.AdminToken()
	hc := sandboxtest.Client(e.t, e.sb)
	req, _ := http.NewRequest(method, e.sb.Services["graph"].URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		e.t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func countWhere(list []map[string]any, k string, v any) int {
	n := 0
	for _, m := range list {
		if m[k] == v {
			n++
		}
	}
	return n
}

func TestAuthFailuresExit4(t *testing.T) {
	const limitedID = "22222222-0000-4000-8000-000000000002"
	tests := []struct {
		name string
		args []string
		edit func(dir string, c *config.Config)
		want string
	}{
		{"wrong secret register", []string{"register"}, func(dir string, c *config.Config) {
			p := filepath.Join(dir, "secrets", "wrong-signin")
			config.SecretRef("file:" + p).Write("not-the-secret")
			c.Azure.SignIn.ClientSecret = config.SecretRef("file:" + p)
		}, "AADSTS7000215"},
		{"wrong secret verify", []string{"verify"}, func(dir string, c *config.Config) {
			p := filepath.Join(dir, "secrets", "wrong-signin")
			config.SecretRef("file:" + p).Write("not-the-secret")
			c.Azure.SignIn.ClientSecret = config.SecretRef("file:" + p)
		}, "azure.signin"},
		{"missing rights", []string{"register"}, func(dir string, c *config.Config) {
			p := filepath.Join(dir, "secrets", "limited-signin")
			config.SecretRef("file:" + p).Write("limited-secret-22")
			c.Azure.SignIn.ClientID = limitedID
			c.Azure.SignIn.ClientSecret = config.SecretRef("file:" + p)
		}, "Cloud Application Administrator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, entraemu.WithClient(entraemu.Client{ID: limitedID, Secret: "limited-secret-22", Roles: []string{"Application.Read.All"}}))
			e.edit = func(c *config.Config) { tc.edit(e.sb.Env.Dir, c) }
			r := e.run(tc.args...)
			if r.code != cmdutil.ExitAuth {
				t.Fatalf("exit %d, want 4:\n%s%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("output lacks %q:\n%s%s", tc.want, r.stdout, r.stderr)
			}
			if w := sandboxtest.Writes(t, e.sb, "graph"); len(w) != 0 {
				t.Errorf("writes: %v", w)
			}
		})
	}
}

func TestVerifyJUnit(t *testing.T) {
	e := newEnv(t)
	r := e.run("verify", "-o", "junit")
	if r.code != cmdutil.ExitPending || !strings.Contains(r.stdout, "<testsuite") || !strings.Contains(r.stdout, "azure.app.exists") {
		t.Fatalf("exit %d:\n%s", r.code, r.stdout)
	}
}

func TestAccessURLFlagSetsLogoutURL(t *testing.T) {
	e := newEnv(t)
	r := e.run("register", "--access-url", "https://acme.vmwareidentity.com", "--unique-name", "flag-app", "--name", "Flag App", "--secret-lifetime", "6mo")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	apps, _, _ := e.state()
	a := apps[0]
	web := a["web"].(map[string]any)
	if a["uniqueName"] != "flag-app" || a["displayName"] != "Flag App" || web["logoutUrl"] != "https://acme.vmwareidentity.com/SAAS/auth/logout" {
		t.Errorf("app %v %v %v", a["uniqueName"], a["displayName"], web["logoutUrl"])
	}
	pc := a["passwordCredentials"].([]any)[0].(map[string]any)
	end, _ := time.Parse(time.RFC3339Nano, pc["endDateTime"].(string))
	if d := time.Until(end); d < 179*24*time.Hour || d > 181*24*time.Hour {
		t.Errorf("6mo secret ends in %s", d)
	}
}
