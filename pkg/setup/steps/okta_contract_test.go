package steps_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/oktaemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// TestOktaRequestsMatchTheContract: every request flowsctl itself sends to Okta during a fresh
// apply, a re-run and doctor — on the Identity Services path and on the Access path — is an
// operation of Okta's published management API with parameters and a body its schema accepts,
// and every answer the emulator gave matches the same contract. (The emulator's side alone is
// pkg/sandbox/oktaemu TestContract; this judges flowsctl's client.)
func TestOktaRequestsMatchTheContract(t *testing.T) {
	spec := filepath.Join(sandboxtest.ContractsDir(t), "okta", "management-2026.06.2-minimal.yaml")
	doc, err := openapi3.NewLoader().LoadFromFile(spec)
	if err != nil {
		t.Fatalf("load %s: %v", spec, err)
	}
	doc.Servers = openapi3.Servers{{URL: "https://example.okta.com"}}
	for p := range doc.Paths.Map() {
		for _, op := range doc.Paths.Find(p).Operations() {
			op.Servers = nil
		}
		doc.Paths.Find(p).Servers = nil
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"identity", "access"} {
		t.Run(path, func(t *testing.T) {
			log := oktaTraffic(t, path == "identity")
			seen := map[string]bool{}
			for _, x := range log {
				what := fmt.Sprintf("%s %s", x.Method, x.Path)
				if x.Path == "/oauth2/v1/token" || x.Path == "/.well-known/openid-configuration" {
					continue // sign-in and OIDC discovery: OAuth/OpenID, not the management API
				}
				req, _ := http.NewRequest(x.Method, "https://example.okta.com"+x.Path, bytes.NewReader(x.ReqBody))
				req.URL.RawQuery = x.Query
				req.Header = x.ReqHeader.Clone()
				route, params, err := router.FindRoute(req)
				if err != nil {
					t.Errorf("%s: not an operation of Okta's API: %v", what, err)
					continue
				}
				seen[route.Method+" "+route.Path] = true
				opts := &openapi3filter.Options{AuthenticationFunc: oktaAuth, IncludeResponseStatus: true, MultiError: true}
				if route.Method == "POST" && route.Path == "/api/v1/mappings/{mappingId}" {
					// The contract's ProfileMappingRequest schema requires "expression" and
					// "pushStatus" beside "properties", while its own examples (AddMappingBody,
					// UpdateMappingBody) and Okta's documentation send only
					// {"properties":{NAME:{expression, pushStatus}}}: judge the body by those
					// examples and the ProfileMappingProperty schema instead.
					checkMappingBody(t, doc, x.ReqBody)
					o := *opts
					o.ExcludeRequestBody = true
					opts = &o
				}
				in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Errorf("request %s does not match the contract: %v", what, err)
				}
				out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.Status, Header: x.RespHeader,
					Body: io.NopCloser(bytes.NewReader(x.RespBody)), Options: opts}
				if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
					t.Errorf("answer %d to %s does not match the contract: %v", x.Status, what, err)
				}
			}
			want := []string{"GET /api/v1/apps", "POST /api/v1/apps", "PUT /api/v1/apps/{appId}/groups/{groupId}",
				"GET /api/v1/groups", "POST /api/v1/apps/{appId}/group-push/mappings"}
			if path == "identity" {
				want = append(want, "POST /api/v1/apps/{appId}/connections/default")
			} else {
				want = append(want, "POST /api/v1/mappings/{mappingId}")
			}
			for _, op := range want {
				if !seen[op] {
					t.Errorf("%s was never exercised (seen: %v)", op, seen)
				}
			}
			t.Logf("%d requests to Okta, %d operations", len(log), len(seen))
		})
	}
}

// oktaAuth accepts what flowsctl sends: a bearer token from the service app, or SSWS.
func oktaAuth(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	switch in.SecurityScheme.Type {
	case "oauth2":
		if strings.HasPrefix(h, "Bearer ") {
			return nil
		}
	case "apiKey":
		if strings.HasPrefix(h, "SSWS ") {
			return nil
		}
	}
	return fmt.Errorf("no %s credentials", in.SecuritySchemeName)
}

// oktaTraffic runs apply twice and doctor against the sandbox, with flowsctl's Okta traffic
// passing through a recording proxy, and returns that traffic.
func oktaTraffic(t *testing.T, identityPath bool) []sandboxtest.Exchange {
	t.Helper()
	emus := emulators.All()
	sb := sandboxtest.Start(t, emus...)
	file := filepath.Join(sb.Env.Dir, "flowsctl.yaml")
	if !identityPath {
		oktaToAccess(t, file)
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OktaIdentityPath() != identityPath {
		t.Fatalf("config path: identity=%v", cfg.OktaIdentityPath())
	}
	hc := sandboxtest.Client(t, sb)
	target, _ := url.Parse(sb.Services["okta"].URL)
	rec := &sandboxtest.Recorder{Base: hc.Transport()}
	// The proxy speaks for Okta: links and the discovery document name the proxy's address, as
	// they would name the org's URL.
	var self string
	proxy := httptest.NewServer(&httputil.ReverseProxy{Transport: rec, Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.Host = target.Host
	}, ModifyResponse: func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte(sb.Services["okta"].URL), []byte(self))
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Del("Content-Length")
		for i, l := range r.Header.Values("Link") {
			r.Header["Link"][i] = strings.ReplaceAll(l, sb.Services["okta"].URL, self)
		}
		return nil
	}})
	t.Cleanup(proxy.Close)
	self = proxy.URL
	cfg.Okta.URL = config.URL(self)
	// An API token (SSWS): the service app's private_key_jwt names the token endpoint it signs
	// for, which the proxy's address would not match. The management requests are the same.
	token := filepath.Join(sb.Env.Dir, "okta-api-token")
	if err := os.WriteFile(token, []byte(steps.EmulatorOf[*oktaemu.Emulator](t, emus).APIToken()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Okta.Auth = config.OktaAuth{APIToken: config.SecretRef("file:" + token)}
	for _, mode := range []setup.Mode{setup.ModeApply, setup.ModeApply, setup.ModeVerify} {
		for _, r := range steps.RunGraph(t, steps.UnattendedDeps(cfg, hc), mode, setup.Options{}) {
			if strings.HasPrefix(r.ID, "okta.") && r.Status == setup.Failed {
				var failed []string
				for _, c := range r.Checks {
					if c.Status == "fail" {
						failed = append(failed, c.ID+": "+c.Detail)
					}
				}
				t.Fatalf("%s %s: %s %v", mode, r.ID, r.Error, failed)
			}
		}
	}
	return rec.Log()
}

// oktaToAccess rewrites the sandbox's config for the Access path: Okta provisions to Access
// (SCIM 1.1); no Identity Services section, and no OIDC app for it (okta.oidcApp).
func oktaToAccess(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	skip, skipApp := false, false
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if l != "" && l[0] != ' ' && l[0] != '#' && l[0] != '\n' {
			skip = strings.HasPrefix(l, "identityServices:")
		}
		if indent := len(l) - len(strings.TrimLeft(l, " ")); strings.TrimSpace(l) != "" && indent <= 2 {
			skipApp = strings.HasPrefix(l, "  oidcApp:")
		}
		if !skip && !skipApp {
			kept = append(kept, l)
		}
	}
	if err := os.WriteFile(file, []byte(strings.Join(kept, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkMappingBody checks a profile mapping update the way the contract's examples write it: an
// object "properties" whose every value is a ProfileMappingProperty, and nothing else.
func checkMappingBody(t *testing.T, doc *openapi3.T, body []byte) {
	t.Helper()
	var b map[string]map[string]any
	if err := json.Unmarshal(body, &b); err != nil || len(b) != 1 || len(b["properties"]) == 0 {
		t.Errorf("profile mapping update %s: want {\"properties\":{NAME:{...}}} as in the contract's examples", body)
		return
	}
	schema := doc.Components.Schemas["ProfileMappingProperty"].Value
	for name, v := range b["properties"] {
		if err := schema.VisitJSON(v); err != nil {
			t.Errorf("profile mapping property %q: %v", name, err)
		}
		if m, _ := v.(map[string]any); m["expression"] == nil || m["pushStatus"] == nil {
			t.Errorf("profile mapping property %q: want expression and pushStatus, got %v", name, v)
		}
	}
}
