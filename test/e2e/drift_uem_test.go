package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

func init() {
	drifts = append(drifts, drift{name: "Boxer key removed", service: "uem", check: "uem.boxer", fix: "flowsctl uem boxer configure",
		make: func(t *testing.T, e *env) {
			cfg := loadConfig(t, e)
			c, err := uem.New(sandboxtest.Client(t, e.SB), cfg.UEM, httpxOptions(e))
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
		}})
}
