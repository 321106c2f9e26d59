package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/uem"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// drift is one out-of-band change made through an emulator's real API (or its state hooks where
// the real service has no API for it), with the doctor check that must catch it.
type drift struct {
	name    string
	service string // emulator that must be present
	// check is the id (or id prefix) of the check that must fail; fix a substring of its fix.
	check, fix string
	make       func(t *testing.T, e *env)
}

var drifts = []drift{
	{name: "template access TTL changed", service: "access", check: "access.template.accessTokenTTL", fix: "flowsctl access template apply",
		make: func(t *testing.T, e *env) {
			c := accessClient(t, e)
			_, raw, err := c.GetTemplate(context.Background(), "MobileFlows_Server_Template")
			if err != nil || raw == nil {
				t.Fatalf("get template: %v", err)
			}
			raw["accessTokenTTL"] = 60
			delete(raw, "_links")
			if err := c.UpdateTemplate(context.Background(), "MobileFlows_Server_Template", raw); err != nil {
				t.Fatalf("put template: %v", err)
			}
		}},
	{name: "directory deleted", service: "access", check: "access.directory", fix: "flowsctl access directory create",
		make: func(t *testing.T, e *env) {
			c := accessClient(t, e)
			ctx := context.Background()
			dirs, err := c.ListDirectories(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cfg := loadConfig(t, e)
			n := 0
			for _, d := range dirs {
				if d.Name != cfg.Access.Directory.Name {
					continue
				}
				tok, err := c.Tokens().Token(ctx)
				if err != nil {
					t.Fatal(err)
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, c.Base().API("/connectormanagement/directoryconfigs/"+d.DirectoryID), nil)
				req.Header.Set("Authorization", "HZN "+tok.Value)
				resp, err := sandboxtest.Client(t, e.SB).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode >= 300 {
					t.Fatalf("delete directory: %s", resp.Status)
				}
				n++
			}
			removedSome(t, n, "directory to delete")
		}},
	{name: "admin consent grant removed", service: "graph", check: "azure.", fix: "flowsctl azure register",
		make: func(t *testing.T, e *env) {
			g := newGraph(t, e, loadConfig(t, e))
			n := 0
			for _, gr := range graphList[struct{ ID, ConsentType string }](g, "/oauth2PermissionGrants") {
				if gr.ConsentType != "AllPrincipals" {
					continue
				}
				g.do(http.MethodDelete, "/oauth2PermissionGrants/"+url.PathEscape(gr.ID), "", nil)
				n++
			}
			removedSome(t, n, "admin consent grant to remove")
		}},
	{name: "Identity Services directory deleted", service: "identity", check: "identity.directory", fix: "flowsctl apply --only identity",
		make: func(t *testing.T, e *env) {
			cfg := loadConfig(t, e)
			if cfg.IdentityServices == nil || !cfg.IdentityServices.Enabled {
				t.Skip("identity services not enabled in the sandbox config")
			}
			c, err := identity.FromConfig(sandboxtest.Client(t, e.SB), cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			d, err := c.FindDirectory(ctx, cfg.IdentityServices.Directory.Name)
			if err != nil || d == nil {
				t.Fatalf("find directory: %v %v", d, err)
			}
			if err := c.DeleteDirectory(ctx, d.ID); err != nil {
				t.Fatal(err)
			}
		}},
	{name: "Boxer key removed", service: "uem", check: "uem.boxer", fix: "flowsctl uem boxer configure",
		make: func(t *testing.T, e *env) {
			cfg := loadConfig(t, e)
			c := uemClient(t, e, sandboxtest.Client(t, e.SB), cfg)
			ctx := context.Background()
			apps, err := c.Apps(ctx, url.Values{"applicationname": {"Boxer"}, "applicationtype": {"Public"}})
			if err != nil || len(apps) == 0 {
				t.Fatalf("find Boxer: %v (%d apps)", err, len(apps))
			}
			removed := 0
			for _, a := range apps {
				path := "/api/mam/apps/" + url.PathEscape(a.UUID) + "/assignment-rules"
				var rules map[string]any
				if _, err := c.Do(ctx, http.MethodGet, path, nil, 2, nil, &rules); err != nil {
					t.Fatal(err)
				}
				list, _ := rules["assignments"].([]any)
				for _, x := range list {
					as, _ := x.(map[string]any)
					cfgs, _ := as["application_configuration"].([]any)
					var keep []any
					for _, kv := range cfgs {
						if m, _ := kv.(map[string]any); m != nil && strings.EqualFold(m["key"].(string), uem.KeyHost) {
							removed++
							continue
						}
						keep = append(keep, kv)
					}
					as["application_configuration"] = keep
				}
				if _, err := c.Do(ctx, http.MethodPut, path, nil, 2, rules, nil); err != nil {
					t.Fatal(err)
				}
			}
			removedSome(t, removed, "AppMobileFlowsHost key to remove")
		}},
	{name: "Teams connector deleted", service: "mobileflows", check: "uem.connector", fix: "flowsctl uem connector add",
		make: func(t *testing.T, e *env) {
			cfg := loadConfig(t, e)
			mf := cfg.UEM.MobileFlows
			if mf == nil || mf.Mode != "api" || len(mf.Connectors) == 0 {
				t.Skip("the sandbox config has no api-mode connectors")
			}
			hc := sandboxtest.Client(t, e.SB)
			c := uemClient(t, e, hc, cfg)
			name := mf.Connectors[0].Name
			for _, cn := range mf.Connectors {
				if cn.Catalog == "teams" {
					name = cn.Name
				}
			}
			ctx := context.Background()
			req, _ := http.NewRequestWithContext(ctx, http.MethodDelete,
				strings.TrimRight(string(mf.AdminURL), "/")+mobileflows.AdminBasePath+"/connectors/"+url.PathEscape(name), nil)
			if err := c.Authorize(ctx, req); err != nil {
				t.Fatal(err)
			}
			call(t, hc, req, nil)
		}},
}

// removedSome fails a drift that found nothing to change (n is how many it changed): "no " + what.
func removedSome(t *testing.T, n int, what string) {
	t.Helper()
	if n == 0 {
		t.Fatal("no " + what)
	}
}

func loadConfig(t *testing.T, e *env) *config.Config {
	t.Helper()
	cfg, err := config.Load(e.SB.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func accessClient(t *testing.T, e *env) *access.Client {
	t.Helper()
	c, err := access.New(sandboxtest.Client(t, e.SB), loadConfig(t, e))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func call(t *testing.T, hc *httpx.Client, req *http.Request, out any) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := httpx.ReadBody(resp)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
}

func uemClient(t *testing.T, e *env, hc *httpx.Client, cfg *config.Config) *uem.Client {
	t.Helper()
	c, err := uem.Open(hc, cfg, httpxOptions(e))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
