package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/uem"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

func init() {
	drifts = append(drifts, drift{name: "Boxer key removed", service: "uem", check: "uem.boxer", fix: "flowsctl uem boxer configure",
		make: func(t *testing.T, e *env) {
			cfg := loadConfig(t, e)
			c, err := uem.Open(sandboxtest.Client(t, e.SB), cfg, httpxOptions(e))
			if err != nil {
				t.Fatal(err)
			}
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
			if removed == 0 {
				t.Fatal("no AppMobileFlowsHost key to remove")
			}
		}},
		drift{name: "Teams connector deleted", service: "mobileflows", check: "uem.connector", fix: "flowsctl uem connector add",
			make: func(t *testing.T, e *env) {
				cfg := loadConfig(t, e)
				mf := cfg.UEM.MobileFlows
				if mf == nil || mf.Mode != "api" || len(mf.Connectors) == 0 {
					t.Skip("the sandbox config has no api-mode connectors")
				}
				hc := sandboxtest.Client(t, e.SB)
				c, err := uem.Open(hc, cfg, httpxOptions(e))
				if err != nil {
					t.Fatal(err)
				}
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
			}})
}
