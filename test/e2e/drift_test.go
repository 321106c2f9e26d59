package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
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
			if n == 0 {
				t.Fatal("no directory to delete")
			}
		}},
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
