package identityemu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

func start(t *testing.T) (*sandbox.Sandbox, *identityemu.Emulator, *identity.Client, *httpx.Client) {
	t.Helper()
	emu := identityemu.New()
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	id, secret := emu.AdminCredentials()
	return sb, emu, identity.New(hc, sb.Services["identity"].URL, id, secret), hc
}

// ensureDir applies the directory object flowsctl apply uses.
func ensureDir(ctx context.Context, cl *identity.Client, name, domain string) (*identity.Directory, bool, error) {
	o := identity.NewDirectoryObject(cl, name, domain, "OKTA")
	r, err := o.Apply(ctx)
	return o.Found(), r.Action == plan.Create, err
}

// ensureOIDC applies the identity provider object, sending its settings even when it exists.
func ensureOIDC(ctx context.Context, cl *identity.Client, s identity.OIDCSpec) (*identity.IdP, bool, error) {
	o := identity.NewIdPObject(cl, s, "")
	o.Always = true
	r, err := o.Apply(ctx)
	return o.Found(), r.Action == plan.Create, err
}

func TestDirectoriesTokensAndIdPs(t *testing.T) {
	sb, _, cl, hc := start(t)
	ctx := context.Background()
	d, created, err := ensureDir(ctx, cl, "Okta Directory", "example.com")
	if err != nil || !created || d.ID == "" {
		t.Fatalf("create: %v %v %+v", err, created, d)
	}
	if _, created, err := ensureDir(ctx, cl, "okta directory", "example.com"); err != nil || created {
		t.Fatalf("second ensure must adopt: %v %v", err, created)
	}
	if _, _, err := ensureDir(ctx, cl, "Okta Directory", "other.example"); err == nil {
		t.Fatal("a domain mismatch must be an error")
	}
	if ch := identity.NewDirectoryObject(cl, "Okta Directory", "example.com", "").Verify(ctx); ch[0].Status != "pass" {
		t.Fatalf("verify: %+v", ch)
	}
	if ch := identity.NewDirectoryObject(cl, "Okta Directory", "wrong.example", "").Verify(ctx); ch[0].Status != "fail" || ch[0].Fix == "" {
		t.Fatalf("verify wrong domain: %+v", ch)
	}
	conflicts := []struct{ name, domain string }{{"Okta Directory", "x.example"}, {"Second", "EXAMPLE.com"}}
	for _, c := range conflicts {
		if _, err := cl.CreateDirectory(ctx, c.name, c.domain, "OKTA"); !identity.IsConflict(err) {
			t.Errorf("%s/%s: want 409, got %v", c.name, c.domain, err)
		}
	}
	for _, bad := range []string{"", "bad/name", strings.Repeat("a", 129)} {
		if err := identity.ValidateDirectoryName(bad); err == nil {
			t.Errorf("%q should be refused", bad)
		}
	}
	tok1, err := cl.GenerateSCIMToken(ctx, d.ID, 60)
	if err != nil {
		t.Fatal(err)
	}
	if exp, _ := httpx.JWTExpiry(tok1.Token); exp.IsZero() || time.Until(exp) > 61*time.Minute {
		t.Fatalf("token exp %v", exp)
	}
	for _, ttl := range []int64{0, identityemu.MaxTokenTTL + 1} {
		if _, err := cl.GenerateSCIMToken(ctx, d.ID, ttl); err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("token_ttl %d: want 400, got %v", ttl, err)
		}
	}
	tok2, err := cl.GenerateSCIMToken(ctx, d.ID, identityemu.MaxTokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	base := sb.Services["identity"].URL + identity.SCIMPath
	old := scim.New(hc, base, scim.Options{Tokens: scim.StaticToken(tok1.Token)})
	if _, err := old.FindUser(ctx, "x"); !httpx.IsAuth(err) {
		t.Fatalf("a regenerated token must invalidate the old one: %v", err)
	}
	sc := scim.New(hc, base, scim.Options{Tokens: scim.StaticToken(tok2.Token)})
	if _, _, err := sc.CreateUser(ctx, scim.User{UserName: "u@example.com", Active: true}); err != nil {
		t.Fatal(err)
	}
	spec := identity.OIDCSpec{Name: "Okta", ClientID: "0oa1", ClientSecret: "shh", ConfigurationURL: identity.OktaConfigurationURL("https://acme.okta.com"), DirectoryIDs: []string{d.ID}}
	if p, created, err := ensureOIDC(ctx, cl, spec); err != nil || !created || p.Type != "OIDC" {
		t.Fatalf("idp: %v %v %+v", err, created, p)
	}
	if _, created, err := ensureOIDC(ctx, cl, spec); err != nil || created {
		t.Fatalf("idp update: %v %v", err, created)
	}
	if err := cl.DeleteDirectory(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.FindUser(ctx, "u@example.com"); !httpx.IsAuth(err) {
		t.Fatalf("deleting the directory removes its sync client: %v", err)
	}
}

func TestLifespan(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{{"", 259200, true}, {"24mo", 1036800, true}, {"25mo", 0, false}, {"6mo", 259200, true}} {
		var d = identityDuration(t, tt.in)
		got, err := identity.LifespanMinutes(d)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%q: %d %v", tt.in, got, err)
		}
	}
}

func TestWrongHostIs444(t *testing.T) {
	sb, _, _, hc := start(t)
	req, _ := http.NewRequest("GET", sb.Services["identity"].URL+"/usergroup/broker/directories", nil)
	req.Host = "tenant.example.com"
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 444 || len(b) != 0 {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
}

func TestAcceptsAccessAdminCredentials(t *testing.T) {
	sb := sandboxtest.Start(t, accessemu.New(accessemu.WithAdminSecret("acc-secret")), identityemu.New())
	hc := sandboxtest.Client(t, sb)
	ok := identity.New(hc, sb.Services["identity"].URL, accessemu.AdminClientID, "acc-secret")
	if _, err := ok.Directories(context.Background()); err != nil {
		t.Fatalf("the access emulator's admin client must work: %v", err)
	}
	bad := identity.New(hc, sb.Services["identity"].URL, accessemu.AdminClientID, "wrong")
	if _, err := bad.Directories(context.Background()); err == nil {
		t.Fatal("a wrong secret must fail")
	}
}

// Entra's PATCH shapes: capitalised ops, "False" strings, dotted keys, remove with a value list.
func TestEntraAndOktaPatchShapes(t *testing.T) {
	sb, emu, _, hc := start(t)
	ctx := context.Background()
	tok := emu.IssueSCIMToken("D", "example.com", time.Hour)
	c := scim.New(hc, sb.Services["identity"].URL+identity.SCIMPath, scim.Options{Tokens: scim.StaticToken(tok)})
	u, _, err := c.CreateUser(ctx, scim.User{UserName: "e@example.com", Active: true, Name: scim.Name{GivenName: "E"}})
	if err != nil {
		t.Fatal(err)
	}
	g, _, _ := c.CreateGroup(ctx, scim.Group{DisplayName: "G"})
	patch := func(path string, body string) {
		t.Helper()
		var v any
		json.Unmarshal([]byte(body), &v)
		r, err := c.Raw(ctx, "PATCH", path, nil, v, nil)
		if err != nil || r.Status >= 300 {
			t.Fatalf("%s %s: %v %d %s", path, body, err, r.Status, r.Body)
		}
	}
	patch("/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"name.givenName":"Eve","active":"False"}}]}`)
	got, _ := c.GetUser(ctx, u.ID)
	if got.Active || got.Name.GivenName != "Eve" {
		t.Fatalf("entra patch: %+v", got)
	}
	patch("/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`)
	patch("/Groups/"+g.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"`+u.ID+`"}]}]}`)
	patch("/Groups/"+g.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"`+g.ID+`","displayName":"G2"}}]}`)
	gg, _ := c.GetGroup(ctx, g.ID)
	if gg.DisplayName != "G2" || len(gg.Members) != 1 {
		t.Fatalf("okta rename: %+v", gg)
	}
	patch("/Groups/"+g.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"`+u.ID+`"}]}]}`)
	gg, _ = c.GetGroup(ctx, g.ID)
	if len(gg.Members) != 0 {
		t.Fatalf("entra remove: %+v", gg)
	}
}

// The broker answers validate against the Identity Services OpenAPI contract.
func TestContract(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(sandboxtest.ContractsDir(t), "identity-services", "identity-service-openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	sb, emu, _, hc := start(t)
	u := sb.Services["identity"].URL
	doc.Servers = openapi3.Servers{{URL: u}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	id, secret := emu.AdminCredentials()
	cl := identity.New(hc, u, id, secret)
	tok, err := cl.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var dirID string
	steps := []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/usergroup/broker/directories", `{"name":"Okta Directory","domains":["example.com"],"default_domain":"example.com","source":"OKTA","type":"PROVISIONED"}`, 201},
		{"GET", "/usergroup/broker/directories", "", 200},
		{"GET", "/usergroup/broker/directories/{id}", "", 200},
		{"POST", "/usergroup/broker/directories/{id}/sync-client?action=generate_credentials", `{"generate_token":true,"token_ttl":1800}`, 200},
		{"POST", "/federation/broker/identity-providers", `{"idp_name":"Okta","idp_type":"OIDC","idp_source_type":"OKTA","directory_list":[{"id":"{id}"}],"oidc_profile":{"client_id":"c","client_secret":"s","configuration_url":"https://acme.okta.com/.well-known/openid-configuration"}}`, 201},
		{"GET", "/federation/broker/identity-providers", "", 200},
		{"DELETE", "/usergroup/broker/directories/{id}", "", 202},
	}
	for _, s := range steps {
		path := strings.ReplaceAll(s.path, "{id}", dirID)
		body := strings.ReplaceAll(s.body, "{id}", dirID)
		req, _ := http.NewRequest(s.method, u+path, bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := httpx.ReadBody(resp)
		if resp.StatusCode != s.status {
			t.Fatalf("%s %s: %d %s", s.method, path, resp.StatusCode, b)
		}
		if dirID == "" {
			var v struct{ ID string }
			json.Unmarshal(b, &v)
			dirID = v.ID
		}
		vreq, _ := http.NewRequest(s.method, u+path, nil)
		route, params, err := router.FindRoute(vreq)
		if err != nil {
			t.Fatalf("%s %s: not in the contract: %v", s.method, path, err)
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route},
			Status:                 resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(b)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s: response does not match the contract: %v", s.method, path, err)
		}
	}
}

func identityDuration(t *testing.T, s string) config.Duration {
	t.Helper()
	if s == "" {
		return config.Duration{}
	}
	d, err := config.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCreatesUnderFaults: a create whose answer is lost or refused is looked up and adopted or
// repeated, never duplicated; a create that keeps failing ends with the error.
func TestCreatesUnderFaults(t *testing.T) {
	const dirs, idps = "/usergroup/broker/directories", "/federation/broker/identity-providers"
	for _, tt := range []struct {
		name      string
		path      string
		kind      string
		count     int
		wantPosts int
		wantErr   bool
	}{
		{"directory 503 then created", dirs, "503", 1, 2, false},
		{"directory answer lost, adopted", dirs, "commit-then-500", 1, 1, false},
		{"directory 429 twice then created", dirs, "429", 2, 3, false},
		{"directory 502 three times fails", dirs, "502", 3, 3, true},
		{"idp 500 then created", idps, "500", 1, 2, false},
		{"idp answer lost, adopted", idps, "commit-then-500", 1, 1, false},
		{"idp reset then created", idps, "reset", 1, 2, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sb, _, cl, _ := start(t)
			ctx := context.Background()
			var dirIDs []string
			if tt.path == idps {
				d, _, err := ensureDir(ctx, cl, "Okta Directory", "example.com")
				if err != nil {
					t.Fatal(err)
				}
				dirIDs = []string{d.ID}
			}
			rule := `{"rules":[{"method":"POST","path":"` + tt.path + `","kind":"` + tt.kind + `","count":` + strconv.Itoa(tt.count) + `,"retryAfter":0}]}`
			sandboxtest.Admin(t, sb, "identity", "POST", "/faults", rule, nil)
			var err error
			var n int
			if tt.path == dirs {
				_, _, err = ensureDir(ctx, cl, "Okta Directory", "example.com")
				list, lerr := cl.Directories(ctx)
				if lerr != nil {
					t.Fatal(lerr)
				}
				n = len(list)
			} else {
				_, _, err = ensureOIDC(ctx, cl, identity.OIDCSpec{Name: "Okta", ClientID: "0oa1", ClientSecret: "s3cret-value",
					ConfigurationURL: "https://example.okta.com/.well-known/openid-configuration", DirectoryIDs: dirIDs})
				list, lerr := cl.IdPs(ctx)
				if lerr != nil {
					t.Fatal(lerr)
				}
				n = len(list)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			want := 1
			if tt.wantErr {
				want = 0
			}
			if n != want {
				t.Errorf("%d objects, want %d (never a duplicate)", n, want)
			}
			posts := 0
			for _, e := range sandboxtest.Writes(t, sb, "identity") {
				if e.Method == "POST" && e.Path == tt.path {
					posts++
				}
			}
			if posts != tt.wantPosts {
				t.Errorf("%d POSTs to %s, want %d", posts, tt.path, tt.wantPosts)
			}
		})
	}
}

// TestTokenRegeneratedAfterLostAnswer: generating SCIM credentials is repeatable, so a lost
// answer is retried and the token handed back works.
func TestTokenRegeneratedAfterLostAnswer(t *testing.T) {
	sb, _, cl, hc := start(t)
	ctx := context.Background()
	d, _, err := ensureDir(ctx, cl, "Okta Directory", "example.com")
	if err != nil {
		t.Fatal(err)
	}
	sandboxtest.Admin(t, sb, "identity", "POST", "/faults", `{"rules":[{"method":"POST","path":"`+"/usergroup/broker/directories/*"+`","kind":"commit-then-500","count":1}]}`, nil)
	if _, err := cl.GenerateSCIMToken(ctx, d.ID, 60); err != nil {
		t.Fatalf("generate after a lost answer: %v", err)
	}
	sandboxtest.Admin(t, sb, "identity", "POST", "/faults", `{"rules":[{"method":"POST","path":"`+"/usergroup/broker/directories/*"+`","kind":"503","count":2,"retryAfter":0}]}`, nil)
	tok, err := cl.GenerateSCIMToken(ctx, d.ID, 60)
	if err != nil {
		t.Fatalf("generate after two 503s: %v", err)
	}
	posts := 0
	for _, e := range sandboxtest.Writes(t, sb, "identity") {
		if e.Method == "POST" && strings.HasSuffix(e.Path, "/sync-client") {
			posts++
		}
	}
	if posts != 5 { // lost answer + repeat, two 503s + success
		t.Errorf("%d generate POSTs, want 5", posts)
	}
	sc := scim.New(hc, sb.Services["identity"].URL+identity.SCIMPath, scim.Options{Tokens: scim.StaticToken(tok.Token)})
	if _, err := sc.FindUser(ctx, "nobody@example.com"); err != nil {
		t.Fatalf("the regenerated token must work: %v", err)
	}
}
