package steps

import (
	"context"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// scimProbes: the SCIM endpoint Okta provisions into (Identity Services SCIM 2.0 when enabled,
// else Access SCIM 1.1 with the scimClient) answers, accepts the token flowsctl stored, the token
// is not about to expire, and (Access) no group sits in the System domain.
func scimProbes(d Deps) []doctor.Probe {
	cfg := d.Config
	enabled := cfg.IdentityServices != nil && cfg.IdentityServices.Enabled
	if !enabled && (cfg.Access == nil || cfg.Access.SCIMClient == nil) {
		return nil
	}
	warn := scim.DefaultWarnBefore
	if cfg.Doctor != nil && !cfg.Doctor.WarnSecretExpiryBefore.IsZero() {
		warn = cfg.Doctor.WarnSecretExpiryBefore.D
	}
	return []doctor.Probe{{ID: "scim", Title: "SCIM endpoint Okta provisions into", Run: func(ctx context.Context) []doctor.Check {
		t, err := scim.ResolveTarget(d.HTTP, cfg, scim.Override{})
		if err != nil {
			fix := "flowsctl apply (it creates the SCIM credentials), then flowsctl scim verify"
			return []doctor.Check{{ID: "scim.endpoint", Title: "SCIM endpoint and token configured", Status: doctor.Fail, Detail: err.Error(), Fix: fix}}
		}
		return t.Checks(ctx, warn)
	}}}
}
