package access_test

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
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

func loadSpecs(t *testing.T, dir string) (v2025, v2018 *openapi3.T, consumes2018 map[string][]string) {
	t.Helper()
	ctx := context.Background()
	l := openapi3.NewLoader()
	d, err := l.LoadFromFile(filepath.Join(dir, "access-openapi-2025.json"))
	if err != nil {
		t.Fatalf("2025 spec: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "vidm-swagger-2018.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d2 openapi2.T
	if err := json.Unmarshal(b, &d2); err != nil {
		t.Fatalf("2018 spec: %v", err)
	}
	consumes2018 = map[string][]string{}
	for p, item := range d2.Paths {
		for m, op := range item.Operations() {
			consumes2018[m+" "+p] = op.Consumes
		}
	}
	d3, err := openapi2conv.ToV3(&d2)
	if err != nil {
		t.Fatalf("2018 spec conversion: %v", err)
	}
	for _, doc := range []*openapi3.T{d, d3} {
		doc.Servers = openapi3.Servers{{URL: "https://example.com"}}
		_ = ctx
	}
	return d, d3, consumes2018
}

// auth accepts Basic on the token endpoint and a bearer token on the rest.
func auth(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	s := in.SecurityScheme
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"), s.Type == "basic":
		if strings.HasPrefix(h, "Basic ") {
			return nil
		}
	case s.Type == "oauth2":
		if strings.HasPrefix(h, "Bearer ") {
			return nil
		}
	}
	return fmt.Errorf("no %s credentials", in.SecuritySchemeName)
}

// Field lists of workspace-one-access.md §3 (templates) and §4 (directories).
var (
	templateFields = set("appProductId", "resourceUuid", "scope", "authGrantTypes", "authorities", "redirectUri", "tokenType",
		"length", "accessTokenTTL", "refreshTokenTTL", "refreshTokenIdleTTL", "displayUserGrant", "_links")
	dirCreateFields   = set("type", "domains", "name")
	dirListItemFields = set("directoryId", "name", "type", "userstoreId", "countDomains", "deleteInProgress",
		"migratedToEnterpriseService", "syncConfigurationEnabled", "_links")
	dirCreatedFields = set("directoryConfigurationId", "userStoreId", "name", "type", "domains", "_links")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func extraKeys(b []byte, allowed map[string]bool) []string {
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return []string{"(not a JSON object)"}
	}
	var out []string
	for k := range m {
		if !allowed[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func TestContract(t *testing.T) {
	dir := filepath.Join(sandboxtest.ContractsDir(t), "access")
	v2025, v2018, consumes := loadSpecs(t, dir)
	cases := []struct {
		name string
		mode string
		doc  *openapi3.T
	}{
		{"2025 tenant, application/json, 2025 spec", accessemu.ModeJSON, v2025},
		{"pre-2025 tenant, vendor types, 2018 spec", accessemu.ModeVendor, v2018},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := exercise(t, tc.mode)
			router, err := gorillamux.NewRouter(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			checked := map[string]bool{}
			for _, x := range log {
				what := x.Method + " " + x.Path
				checkFieldLists(t, x, tc.mode)
				if tc.mode == accessemu.ModeVendor && len(x.ReqBody) > 0 && strings.Contains(x.Path, "/oauth2clients") {
					key := x.Method + " " + strings.Replace(x.Path, "/oauth2clients/OktaSCIM", "/oauth2clients/{id}", 1)
					key = strings.Replace(key, "/oauth2clients/dup-check", "/oauth2clients/{id}", 1)
					if c := consumes[strings.ToLower(x.Method)+" "+strings.SplitN(key, " ", 2)[1]]; len(c) > 0 && !slices.Contains(c, x.ReqHeader.Get("Content-Type")) {
						t.Errorf("%s: Content-Type %s not in the spec's %v", what, x.ReqHeader.Get("Content-Type"), c)
					}
				}
				if x.Status == http.StatusNotAcceptable || x.Status == http.StatusUnsupportedMediaType {
					continue // media-type detection: a refusal the specs do not list
				}
				req, _ := http.NewRequest(x.Method, "https://example.com"+x.Path, bytes.NewReader(x.ReqBody))
				req.URL.RawQuery = x.Query
				req.Header = x.ReqHeader.Clone()
				route, params, err := router.FindRoute(req)
				if err != nil {
					if strings.Contains(x.Path, "/oauth2clients") || strings.HasSuffix(x.Path, "/oauthtoken") {
						t.Errorf("%s: the spec has no such operation: %v", what, err)
					}
					continue // templates and directories are checked against the field lists
				}
				checked[route.Method+" "+route.Path] = true
				validate(t, x, req, route, params)
			}
			for _, op := range []string{"POST /SAAS/auth/oauthtoken", "GET /SAAS/jersey/manager/api/oauth2clients",
				"POST /SAAS/jersey/manager/api/oauth2clients", "GET /SAAS/jersey/manager/api/oauth2clients/{id}",
				"PUT /SAAS/jersey/manager/api/oauth2clients/{id}"} {
				if !checked[op] {
					t.Errorf("%s was never exercised", op)
				}
			}
		})
	}
}

func validate(t *testing.T, x sandboxtest.Exchange, req *http.Request, route *routers.Route, params map[string]string) {
	t.Helper()
	ctx := context.Background()
	what := x.Method + " " + x.Path
	opts := &openapi3filter.Options{AuthenticationFunc: auth, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		t.Errorf("request %s: %v", what, err)
	}
	// The specs declare no request body for oauth2clients: check it against OAuth2ClientTypeInfo.
	if len(x.ReqBody) > 0 && strings.Contains(x.Path, "/oauth2clients") {
		checkSchema(t, "request "+what, route.Spec, "OAuth2ClientTypeInfo", x.ReqBody)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.Status, Header: x.RespHeader,
		Body: io.NopCloser(bytes.NewReader(x.RespBody)), Options: opts}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("response %d to %s: %v", x.Status, what, err)
	}
}

func checkSchema(t *testing.T, what string, doc *openapi3.T, name string, body []byte) {
	t.Helper()
	var s *openapi3.SchemaRef
	if doc.Components != nil {
		s = doc.Components.Schemas[name]
	}
	if s == nil || s.Value == nil {
		t.Errorf("%s: schema %s not in the spec", what, name)
		return
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s: body is not JSON: %v", what, err)
		return
	}
	if err := s.Value.VisitJSON(v); err != nil {
		t.Errorf("%s: %v", what, err)
	}
	if m, ok := v.(map[string]any); ok {
		for k := range m {
			if _, known := s.Value.Properties[k]; !known {
				t.Errorf("%s: field %q is not in %s", what, k, name)
			}
		}
	}
}

func checkFieldLists(t *testing.T, x sandboxtest.Exchange, mode string) {
	t.Helper()
	what := x.Method + " " + x.Path
	vendor := mode == accessemu.ModeVendor
	switch {
	case strings.Contains(x.Path, "/oauth2apptemplates"):
		if len(x.ReqBody) > 0 {
			checkRequest(t, x, templateFields, "are not template fields (§3)", vendor, "application/vnd.vmware.horizon.manager.oauth2apptemplate+json")
		}
		if x.Status/100 == 2 && len(x.RespBody) > 0 {
			if strings.HasSuffix(x.Path, "/oauth2apptemplates") && x.Method == "GET" {
				var l struct{ Items []json.RawMessage }
				json.Unmarshal(x.RespBody, &l)
				for _, it := range l.Items {
					if extra := extraKeys(it, templateFields); len(extra) > 0 {
						t.Errorf("response %s: list item fields %v (§3)", what, extra)
					}
				}
			} else if extra := extraKeys(x.RespBody, templateFields); len(extra) > 0 {
				t.Errorf("response %s: fields %v are not template fields (§3)", what, extra)
			}
		}
	case strings.HasSuffix(x.Path, "/directoryconfigs") && x.Method == "POST":
		checkRequest(t, x, dirCreateFields, "(§4: type, domains, name)", vendor, "application/vnd.vmware.horizon.manager.connector.management.directory.other+json")
		if x.Status != http.StatusCreated {
			t.Errorf("response %s: %d, want 201", what, x.Status)
		}
		if extra := extraKeys(x.RespBody, dirCreatedFields); len(extra) > 0 {
			t.Errorf("response %s: fields %v (§4)", what, extra)
		}
	case strings.HasSuffix(x.Path, "/directoryconfigs") && x.Method == "GET":
		if x.Query != "includeJitDirectories=true" {
			t.Errorf("request %s: query %q, want includeJitDirectories=true", what, x.Query)
		}
		var l struct{ Items []json.RawMessage }
		json.Unmarshal(x.RespBody, &l)
		for _, it := range l.Items {
			if extra := extraKeys(it, dirListItemFields); len(extra) > 0 {
				t.Errorf("response %s: list item fields %v (§4)", what, extra)
			}
		}
		if vendor && x.ReqHeader.Get("Accept") != "application/vnd.vmware.horizon.manager.connector.management.directory.list+json" {
			t.Errorf("request %s: Accept %s", what, x.ReqHeader.Get("Accept"))
		}
	}
}

// checkRequest reports request body fields not in allowed (why says which are) and a
// Content-Type other than vendorCT in the vendor dialect, application/json otherwise.
func checkRequest(t *testing.T, x sandboxtest.Exchange, allowed map[string]bool, why string, vendor bool, vendorCT string) {
	t.Helper()
	what := x.Method + " " + x.Path
	if extra := extraKeys(x.ReqBody, allowed); len(extra) > 0 {
		t.Errorf("request %s: fields %v %s", what, extra, why)
	}
	wantCT := "application/json"
	if vendor {
		wantCT = vendorCT
	}
	if ct := x.ReqHeader.Get("Content-Type"); ct != wantCT {
		t.Errorf("request %s: Content-Type %s, want %s", what, ct, wantCT)
	}
}

// exercise drives every Access call flowsctl makes through a recording proxy.
func exercise(t *testing.T, mode string) []sandboxtest.Exchange {
	t.Helper()
	e := start(t, accessemu.WithMediaTypes(mode))
	target, _ := url.Parse(e.sb.Services["access"].URL)
	rec := &sandboxtest.Recorder{Base: sandboxtest.Client(t, e.sb).Transport()}
	proxy := httptest.NewServer(&httputil.ReverseProxy{Transport: rec, Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.Host = target.Host
	}})
	t.Cleanup(proxy.Close)
	e.cfg.Access.URL = config.URL("http://" + proxy.Listener.Addr().String())
	c, err := access.New(e.hc, e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tr, _ := access.NewTemplateResource(c, e.cfg)
	cr, _ := access.NewClientResource(c, e.cfg)
	dr, _ := access.NewDirectoryResource(c, e.cfg)
	steps := []func() error{
		func() error { _, err := cr.Apply(ctx); return err },               // GET 404, POST 201
		func() error { _, err := cr.RotateSecret(ctx, false); return err }, // GET, PUT 201
		func() error { _, err := c.ListOAuthClients(ctx); return err },
		func() error { // a duplicate create answers 500
			if err := c.CreateOAuthClient(ctx, access.OAuthClient{ClientID: "OktaSCIM", Scope: "admin", AuthGrantTypes: "client_credentials"}); err == nil {
				return fmt.Errorf("duplicate create succeeded")
			}
			return nil
		},
		func() error {
			ts, err := cr.TokenSource()
			if err == nil {
				_, err = ts.Token(ctx)
			}
			return err
		},
		func() error { _, err := tr.Apply(ctx); return err },
		func() error { return c.UpdateTemplate(ctx, tr.Spec.AppProductID, tr.Spec.Wire()) },
		func() error { _, err := c.ListTemplates(ctx); return err },
		func() error { _, err := dr.Apply(ctx); return err },
	}
	for i, s := range steps {
		if err := s(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	return rec.Log()
}
