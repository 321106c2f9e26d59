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
	drifts = append(drifts, drift{name: "Teams connector deleted", service: "mobileflows", check: "uem.connector", fix: "flowsctl uem connector add",
		make: func(t *testing.T, e *env) {
			cfg := loadConfig(t, e)
			mf := cfg.UEM.MobileFlows
			if mf == nil || mf.Mode != "api" || len(mf.Connectors) == 0 {
				t.Skip("the sandbox config has no api-mode connectors")
			}
			hc := sandboxtest.Client(t, e.SB)
			c, err := uem.New(hc, cfg.UEM, httpxOptions(e))
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
