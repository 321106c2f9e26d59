package e2e

import (
	"context"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

func init() {
	drifts = append(drifts, drift{name: "Identity Services directory deleted", service: "identity", check: "identity.directory", fix: "flowsctl apply --only identity",
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
		}})
}
