package access_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

type env struct {
	sb    *sandbox.Sandbox
	emu   *accessemu.Emulator
	cfg   *config.Config
	hc    *httpx.Client
	c     *access.Client
	trace *bytes.Buffer
}

// start serves the emulator and loads the flowsctl.yaml the sandbox generated for it.
func start(t *testing.T, opts ...accessemu.Option) *env { return startTB(t, opts...) }

func startB(b *testing.B, opts ...accessemu.Option) *env { return startTB(b, opts...) }

func startTB(t testing.TB, opts ...accessemu.Option) *env {
	t.Helper()
	emu := accessemu.New(opts...)
	sb := sandboxtest.Start(t, emu)
	cfg, err := config.Load(filepath.Join(sb.Env.Dir, "flowsctl.yaml"))
	if err != nil {
		t.Fatalf("generated config: %v", err)
	}
	trace := &bytes.Buffer{}
	hc, err := httpx.New(httpx.Options{CAPEM: sb.CA.CertPEM, UserAgent: "flowsctl/test", Debug: trace,
		BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetries: 2, CreateBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c, err := access.New(hc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, emu: emu, cfg: cfg, hc: hc, c: c, trace: trace}
}

// writes are the non-token writes the Access emulator received.
func (e *env) writes(t *testing.T) []sandbox.LogEntry {
	var out []sandbox.LogEntry
	for _, w := range sandboxtest.Writes(t, e.sb, "access") {
		if !strings.Contains(w.Path, "oauthtoken") {
			out = append(out, w)
		}
	}
	return out
}

func (e *env) tokenCalls(t *testing.T) int {
	n := 0
	for _, r := range sandboxtest.Requests(t, e.sb, "access") {
		if strings.HasSuffix(r.Path, "/auth/oauthtoken") {
			n++
		}
	}
	return n
}

type ensurer = object.Object

func (e *env) resources(t *testing.T) map[string]ensurer { return e.resourcesTB(t) }

func (e *env) resourcesB(b *testing.B) map[string]ensurer { return e.resourcesTB(b) }

func (e *env) resourcesTB(t testing.TB) map[string]ensurer {
	t.Helper()
	tr, err := access.NewTemplateResource(e.c, e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := access.NewClientResource(e.c, e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	dr, err := access.NewDirectoryResource(e.c, e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]ensurer{"template": tr, "client": cr, "directory": dr}
}

func failing(cs []doctor.Check) []string {
	var out []string
	for _, c := range cs {
		if c.Status == doctor.Fail {
			out = append(out, c.ID+": "+c.Detail)
		}
	}
	return out
}

func TestEnsureCreatesThenSecondRunWritesNothing(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	for _, name := range []string{"template", "client", "directory"} {
		r := e.resources(t)[name]
		cs, err := r.Plan(ctx)
		if err != nil || len(cs) != 1 || cs[0].Action != plan.Create {
			t.Fatalf("%s: plan before apply = %+v, %v; want one create", name, cs, err)
		}
		res, err := r.Apply(ctx)
		if err != nil || res.Action != plan.Create {
			t.Fatalf("%s: first ensure = %+v, %v; want create", name, res, err)
		}
	}
	before := len(e.writes(t))
	for name, r := range e.resources(t) {
		res, err := r.Apply(ctx)
		if err != nil || res.Action != plan.NoOp {
			t.Errorf("%s: second ensure = %+v, %v; want no-op", name, res, err)
		}
		cs, err := r.Plan(ctx)
		if err != nil || plan.Pending(cs) {
			t.Errorf("%s: plan after apply = %+v, %v; want no-op", name, cs, err)
		}
		if bad := failing(r.Verify(ctx)); len(bad) > 0 {
			t.Errorf("%s: verify after apply: %v", name, bad)
		}
	}
	if w := e.writes(t)[before:]; len(w) != 0 {
		t.Errorf("second run made %d writes: %+v", len(w), w)
	}
	// The emulator state has what the acceptance check reads.
	var st map[string][]map[string]any
	sandboxtest.Admin(t, e.sb, "access", "GET", "/state", "", &st)
	tm := st["oauth2apptemplates"]
	if len(tm) != 1 || tm[0]["appProductId"] != "MobileFlows_Server_Template" || tm[0]["accessTokenTTL"] != float64(1440) ||
		tm[0]["refreshTokenTTL"] != float64(129600) || tm[0]["refreshTokenIdleTTL"] != float64(14400) || tm[0]["length"] != float64(32) ||
		tm[0]["authGrantTypes"] != "authorization_code refresh_token" {
		t.Errorf("template state = %v", tm)
	}
	var found bool
	for _, d := range st["directoryconfigs"] {
		if d["type"] == "OTHER_DIRECTORY" && d["name"] == "Okta Universal Directory" {
			found = true
		}
	}
	if !found {
		t.Errorf("no OTHER_DIRECTORY in state: %v", st["directoryconfigs"])
	}
}

// putTemplateTTL changes the template through the Access API, like an admin in the console.
func putTemplateTTL(t *testing.T, e *env, minutes int) {
	t.Helper()
	ts := e.c.Tokens()
	t0, err := ts.Token(context.Background())
	tok := t0.Value
	if err != nil {
		t.Fatal(err)
	}
	u := e.c.Base().API("oauth2apptemplates/MobileFlows_Server_Template")
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	m["accessTokenTTL"] = minutes
	b, _ := json.Marshal(m)
	req, _ = http.NewRequest("PUT", u, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/vnd.vmware.horizon.manager.oauth2apptemplate+json")
	resp, err = e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("drift PUT: %s", resp.Status)
	}
}

func TestTemplateDriftShowsInPlanAndApplyRepairs(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	tr := e.resources(t)["template"]
	if _, err := tr.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	putTemplateTTL(t, e, 60)
	cs, err := tr.Plan(ctx)
	if err != nil || len(cs) != 1 || cs[0].Action != plan.Update || len(cs[0].Fields) != 1 {
		t.Fatalf("plan after drift = %+v, %v", cs, err)
	}
	f := cs[0].Fields[0]
	if f.Path != "accessTokenTTL" || f.Old != "60 (1h)" || f.New != "1440 (1d)" {
		t.Errorf("drift field = %+v; want accessTokenTTL 60 (1h) -> 1440 (1d)", f)
	}
	bad := failing(tr.Verify(ctx))
	if len(bad) != 1 || !strings.HasPrefix(bad[0], "access.template.accessTokenTTL") {
		t.Errorf("verify after drift fails %v; want only access.template.accessTokenTTL", bad)
	}
	res, err := tr.Apply(ctx)
	if err != nil || res.Action != plan.Update {
		t.Fatalf("repair = %+v, %v", res, err)
	}
	if bad := failing(tr.Verify(ctx)); len(bad) != 0 {
		t.Errorf("verify after repair: %v", bad)
	}
}

func TestMediaTypeFallback(t *testing.T) {
	cases := []struct {
		name     string
		mode     string
		pin      string
		remember access.Dialect // pre-seeded memory ("" = none)
		want     access.Dialect
		wantErr  string
		rejected int // 406/415 answers expected over the whole run
	}{
		{name: "post-2025 tenant, auto", mode: accessemu.ModeAny, want: access.JSON},
		{name: "pre-2025 tenant, auto falls back to vendor", mode: accessemu.ModeVendor, want: access.Vendor, rejected: 1},
		{name: "json-only tenant, remembered vendor falls back to json", mode: accessemu.ModeJSON, remember: access.Vendor, want: access.JSON, rejected: 1},
		{name: "pre-2025 tenant, pinned vendor", mode: accessemu.ModeVendor, pin: "vendor", want: access.Vendor},
		{name: "pre-2025 tenant, pinned json fails", mode: accessemu.ModeVendor, pin: "json", wantErr: "access.mediaType"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, accessemu.WithMediaTypes(tc.mode))
			e.cfg.Access.MediaType = tc.pin
			c, err := access.New(e.hc, e.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tc.remember != "" {
				c.Media().Remember(c.Base().Host(), tc.remember)
			}
			ctx := context.Background()
			tr, _ := access.NewTemplateResource(c, e.cfg)
			dr, _ := access.NewDirectoryResource(c, e.cfg)
			_, err = tr.Apply(ctx)
			if err == nil {
				_, err = dr.Apply(ctx)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := c.Media().Known(c.Base().Host()); d != tc.want {
				t.Errorf("remembered dialect %q, want %q", d, tc.want)
			}
			n := 0
			for _, r := range sandboxtest.Requests(t, e.sb, "access") {
				if r.Status == 406 || r.Status == 415 {
					n++
				}
			}
			if n != tc.rejected {
				t.Errorf("%d media-type rejections, want %d (detection must be remembered)", n, tc.rejected)
			}
			if bad := failing(tr.Verify(ctx)); len(bad) > 0 {
				t.Errorf("verify: %v", bad)
			}
		})
	}
}

func TestKnownDialectDoesNotResendA400(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	if _, err := e.c.ListOAuthClients(ctx); err != nil {
		t.Fatal(err)
	}
	err := e.c.CreateOAuthClient(ctx, access.OAuthClient{ClientID: "bad", Scope: "root", AuthGrantTypes: "client_credentials"})
	var ae *httpx.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Code != "invalid.scope" || !strings.Contains(err.Error(), `oauth2 client "bad"`) {
		t.Fatalf("err = %v; want the 400 naming the client and Access's message", err)
	}
	if w := e.writes(t); len(w) != 1 {
		t.Errorf("%d POSTs for one invalid create; want 1", len(w))
	}
}

func TestReauthenticatesOnceOn401(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	tr := e.resources(t)["template"]
	if _, err := tr.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.tokenCalls(t); n != 1 {
		t.Fatalf("%d token requests for two plans; want 1 (cached)", n)
	}
	e.emu.RevokeTokens()
	if _, err := tr.Plan(ctx); err != nil {
		t.Fatalf("plan after revocation: %v", err)
	}
	if n := e.tokenCalls(t); n != 2 {
		t.Errorf("%d token requests after one 401; want 2", n)
	}
}

func TestWrongSecretIsAnAuthError(t *testing.T) {
	e := start(t)
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("not-the-secret\n"), 0o600)
	e.cfg.Access.Auth.ClientSecret = config.SecretRef("file:" + bad)
	c, err := access.New(e.hc, e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := access.NewTemplateResource(c, e.cfg)
	_, err = tr.Plan(context.Background())
	if !httpx.IsAuth(err) || !strings.Contains(err.Error(), "Remote App Access") {
		t.Fatalf("err = %v; want ErrAuth naming the console path", err)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatal("error shows the secret")
	}
}

func TestDuplicateClientAnswers500AndEnsureRecovers(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	// Access answers a duplicate create with 500.
	o := access.OAuthClient{ClientID: "dup", Scope: "admin", AuthGrantTypes: "client_credentials", AccessTokenTTL: 60}
	if err := e.c.CreateOAuthClient(ctx, o); err != nil {
		t.Fatal(err)
	}
	err := e.c.CreateOAuthClient(ctx, o)
	var ae *httpx.APIError
	if !errors.As(err, &ae) || ae.Status != 500 || !strings.Contains(err.Error(), `oauth2 client "dup"`) {
		t.Fatalf("duplicate create: %v; want a 500 APIError naming the client", err)
	}
	// The create is committed but the answer is a 500 (as for a concurrent create):
	// Ensure must look again and make the sink's secret the client's.
	sandboxtest.Admin(t, e.sb, "access", "POST", "/faults",
		`{"rules":[{"method":"POST","path":"/SAAS/jersey/manager/api/oauth2clients","kind":"commit-then-500","count":1}]}`, nil)
	cr := e.resources(t)["client"].(*access.ClientResource)
	res, err := cr.Apply(ctx)
	if err != nil || res.Action != plan.Update || res.Note == "" {
		t.Fatalf("ensure through a 500 = %+v, %v; want update with a note", res, err)
	}
	if bad := failing(cr.Verify(ctx)); len(bad) > 0 {
		t.Fatalf("verify after recovery: %v", bad)
	}
	posts := 0
	for _, w := range e.writes(t) {
		if w.Method == "POST" && strings.HasSuffix(w.Path, "/oauth2clients") {
			posts++
		}
	}
	if posts != 3 {
		t.Errorf("%d client POSTs; want 3 (two direct, one from Ensure: never a blind second POST)", posts)
	}
}

func TestSecretNeverInOutputOrTrace(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	cr := e.resources(t)["client"].(*access.ClientResource)
	cs, _ := cr.Plan(ctx)
	res, err := cr.Apply(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, err := cr.Secret()
	if err != nil || len(first) < 48 {
		t.Fatalf("secret in sink: len %d, %v; want >= 48", len(first), err)
	}
	st, _ := os.Stat(cr.SinkPath())
	if st.Mode().Perm() != 0o600 {
		t.Errorf("sink mode %04o, want 0600", st.Mode().Perm())
	}
	rot, err := cr.RotateSecret(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := cr.Secret()
	if second == first {
		t.Fatal("rotate-secret kept the secret")
	}
	checks := cr.Verify(ctx)
	if bad := failing(checks); len(bad) > 0 {
		t.Fatalf("verify after rotation: %v", bad)
	}
	out, _ := json.Marshal([]any{cs, res, rot, checks, res.String(), rot.String()})
	adminSecret := e.emu.AdminSecret()
	for name, s := range map[string]string{"first": first, "second": second, "admin": adminSecret} {
		if strings.Contains(string(out), s) {
			t.Errorf("%s secret in results", name)
		}
		if strings.Contains(e.trace.String(), s) {
			t.Errorf("%s secret in the --debug trace", name)
		}
	}
	if e.trace.Len() == 0 {
		t.Fatal("no trace written")
	}
}

func TestDirectoryDomainOfJITDirectoryFails(t *testing.T) {
	e := start(t)
	e.cfg.Access.Directory.Domains = []string{strings.ToUpper(accessemu.JITDomain)}
	dr := e.resources(t)["directory"]
	_, err := dr.Plan(context.Background())
	var ce *access.DomainConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("plan = %v; want a DomainConflictError", err)
	}
	for _, want := range []string{"USER CREATION IS NOT SUPPORTED FOR SPECIFIED DIRECTORY ID", "Just-in-Time", accessemu.JITDirectory, "flowsctl access directory create"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if _, err := dr.Apply(context.Background()); !errors.As(err, &ce) {
		t.Errorf("ensure = %v; want the conflict", err)
	}
	if w := e.writes(t); len(w) != 0 {
		t.Errorf("conflict made writes: %+v", w)
	}
}

func TestTokenTTLAndTenantInPath(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	cr := e.resources(t)["client"].(*access.ClientResource)
	if _, err := cr.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	// The same tenant addressed with the tenant in the path.
	base, err := config.ParseAccessBase(string(e.cfg.Access.URL), "acme")
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := cr.Secret()
	ts := access.NewTokenSource(e.hc, base, "OktaSCIM", secret)
	t0, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exp := t0.Expiry
	if d := time.Until(exp); d < 364*24*time.Hour || d > 366*24*time.Hour {
		t.Errorf("OktaSCIM token lives %s; want the client's 1y TTL", d)
	}
	found := false
	for _, r := range sandboxtest.Requests(t, e.sb, "access") {
		if r.Path == "/SAAS/t/acme/auth/oauthtoken" && r.Status == 200 {
			found = true
		}
	}
	if !found {
		t.Error("no token request under /SAAS/t/acme")
	}
}

func TestParseBase(t *testing.T) {
	cases := []struct {
		url, tenant, want, err string
	}{
		{url: "https://acme.vmwareidentity.com", want: "https://acme.vmwareidentity.com/SAAS"},
		{url: "https://acme.vmwareidentity.com/", want: "https://acme.vmwareidentity.com/SAAS"},
		{url: "https://acme.vmwareidentity.com/SAAS/", want: "https://acme.vmwareidentity.com/SAAS"},
		{url: "https://idm.corp.example", tenant: "acme", want: "https://idm.corp.example/SAAS/t/acme"},
		{url: "https://idm.corp.example/SAAS/t/acme", want: "https://idm.corp.example/SAAS/t/acme"},
		{url: "https://idm.corp.example/SAAS/t/acme", tenant: "other", err: "tenantInPath"},
		{url: "http://idm.corp.example", err: "https"},
		{url: "http://127.0.0.1:8443", want: "http://127.0.0.1:8443/SAAS"},
		{url: "idm.corp.example", err: "absolute"},
	}
	for _, c := range cases {
		b, err := config.ParseAccessBase(c.url, c.tenant)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseBase(%q, %q) err = %v; want %q", c.url, c.tenant, err, c.err)
			}
			continue
		}
		if err != nil || b.SAAS != c.want {
			t.Errorf("ParseBase(%q, %q) = %q, %v; want %q", c.url, c.tenant, b.SAAS, err, c.want)
		}
	}
	b, _ := config.ParseAccessBase("https://a.example", "")
	if b.TokenURL() != "https://a.example/SAAS/auth/oauthtoken" || b.API("oauth2clients") != "https://a.example/SAAS/jersey/manager/api/oauth2clients" {
		t.Errorf("urls: %s %s", b.TokenURL(), b.API("oauth2clients"))
	}
}

func TestTemplateSpecDefaultsAndOverrides(t *testing.T) {
	def := access.TemplateSpecFrom(config.MobileFlowsTemplate{}).Wire()
	if def.Length != 32 || def.AccessTokenTTL != 1440 || def.RefreshTokenTTL != 129600 || def.RefreshTokenIdleTTL != 14400 ||
		def.AuthGrantTypes != "authorization_code refresh_token" || def.Scope != "email profile user openid" || def.DisplayUserGrant {
		t.Errorf("Teams mobile flows guide defaults: %+v", def)
	}
	s000 := access.TemplateSpecFrom(config.MobileFlowsTemplate{TokenLength: 64, IssueRefreshToken: true,
		AccessTokenTTL: config.MustDuration("1mo"), RefreshTokenTTL: config.MustDuration("1y")}).Wire()
	if s000.Length != 64 || s000.AccessTokenTTL != 43200 || s000.RefreshTokenTTL != 525600 || s000.RefreshTokenIdleTTL != 14400 {
		t.Errorf("values with a 64-character token and a 1mo access token: %+v", s000)
	}
}

// TestCreatesUnderFaults: each resource's create, answered with a fault, ends with exactly one
// object: a lost answer is adopted after a look-up, a refused create is sent again, and a
// create that keeps failing ends with the error. Never a blind duplicate POST.
func TestCreatesUnderFaults(t *testing.T) {
	paths := map[string]string{
		"template":  "/SAAS/jersey/manager/api/oauth2apptemplates",
		"client":    "/SAAS/jersey/manager/api/oauth2clients",
		"directory": "/SAAS/jersey/manager/api/connectormanagement/directoryconfigs",
	}
	for _, tt := range []struct {
		resource, kind string
		count          int
		wantPosts      int
		wantErr        bool
	}{
		{"template", "commit-then-500", 1, 1, false},
		{"template", "503", 1, 2, false},
		{"template", "reset", 1, 2, false},
		{"template", "502", 3, 3, true},
		{"client", "429", 2, 3, false},
		{"client", "commit-then-500", 1, 1, false},
		{"directory", "commit-then-500", 1, 1, false},
		{"directory", "500", 1, 2, false},
		{"directory", "reset", 1, 2, false},
	} {
		t.Run(tt.resource+"/"+tt.kind+"x"+strconv.Itoa(tt.count), func(t *testing.T) {
			e := start(t)
			ctx := context.Background()
			rule := `{"rules":[{"method":"POST","path":"` + paths[tt.resource] + `","kind":"` + tt.kind + `","count":` + strconv.Itoa(tt.count) + `,"retryAfter":0}]}`
			sandboxtest.Admin(t, e.sb, "access", "POST", "/faults", rule, nil)
			r := e.resources(t)[tt.resource]
			_, err := r.Apply(ctx)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ensure: %v, want error %v", err, tt.wantErr)
			}
			posts := 0
			for _, w := range e.writes(t) {
				if w.Method == "POST" && w.Path == paths[tt.resource] {
					posts++
				}
			}
			if posts != tt.wantPosts {
				t.Errorf("%d POSTs, want %d", posts, tt.wantPosts)
			}
			if tt.wantErr {
				return
			}
			if ch, err := r.Plan(ctx); err != nil || plan.Pending(ch) {
				t.Errorf("plan after ensure: %v %+v", err, ch)
			}
			if bad := failing(r.Verify(ctx)); len(bad) > 0 {
				t.Errorf("verify: %v", bad)
			}
		})
	}
}
