package steps

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// TestIdentityRowsFromAnEmptyTenant: plan then apply on one graph (as flowsctl apply runs it)
// creates the directory, and the token and identity provider, built during the plan before
// the directory existed, use its id; doctor then passes and a second apply writes nothing.
func TestIdentityRowsFromAnEmptyTenant(t *testing.T) {
	sink := filepath.Join(t.TempDir(), "scim-token")
	sb, cfg := identityTenant(t, sink)
	only := setup.Options{Only: []string{"identity.directory", "identity.scimToken", "identity.idp"}}
	run := func(modes ...setup.Mode) ([]setup.Result, setup.Values) {
		g, err := Graph(Deps{Config: cfg, HTTP: sandboxtest.Client(t, sb), NoInput: true})
		if err != nil {
			t.Fatal(err)
		}
		out := setup.NewOutputs(cfg)
		var rs []setup.Result
		for _, m := range modes {
			rs, _ = g.Run(context.Background(), m, out, only)
		}
		// Dependencies outside --only (okta.oidcApp: no okta section here) are not reported on.
		kept := rs[:0]
		for _, r := range rs {
			if slices.Contains(only.Only, r.ID) {
				kept = append(kept, r)
			}
		}
		return kept, out.Get()
	}
	rs, v := run(setup.ModePlan, setup.ModeApply)
	for _, r := range rs {
		if r.Status != setup.Done {
			t.Errorf("%s: %s %s", r.ID, r.Status, r.Error)
		}
	}
	if v.Identity.DirectoryID == "" || v.Identity.IdPID == "" || v.Identity.TokenSink == "" {
		t.Errorf("values %+v", v.Identity)
	}
	if b, err := os.ReadFile(sink); err != nil || len(b) < 16 {
		t.Fatalf("token sink: %v", err)
	}
	rs, _ = run(setup.ModeVerify)
	for _, r := range rs {
		for _, c := range r.Checks {
			if c.Status != doctor.Pass {
				t.Errorf("doctor %s: %s %s", c.ID, c.Status, c.Detail)
			}
		}
	}
	rs, _ = run(setup.ModePlan, setup.ModeApply)
	for _, r := range rs {
		if r.Status != setup.Unchanged {
			t.Errorf("second apply %s: %s %+v", r.ID, r.Status, r.Changes)
		}
	}
	// Drift on every field flowsctl sets is planned and failed by doctor.
	for _, tt := range []struct{ field, set string }{
		{"oidc_profile.client_id", "client"}, {"oidc_profile.configuration_url", "issuer"}, {"oidc_profile.open_id_user_identifier_attribute", "claim"},
	} {
		old := *cfg.IdentityServices.OIDC
		switch tt.set {
		case "client":
			cfg.IdentityServices.OIDC.ClientID = "0oaRotatedClient42"
		case "issuer":
			cfg.IdentityServices.OIDC.IssuerURL = "https://other.okta.com"
		case "claim":
			cfg.IdentityServices.OIDC.OIDCUserIdentifier = "preferred_username"
		}
		rs, _ = run(setup.ModePlan)
		var idp setup.Result
		for _, r := range rs {
			if r.ID == "identity.idp" {
				idp = r
			}
		}
		if idp.Status != setup.Pending || len(idp.Changes) == 0 || !slices.ContainsFunc(idp.Changes[0].Fields, func(f plan.FieldChange) bool { return f.Path == tt.field }) {
			t.Errorf("%s drift not planned: %s %+v", tt.field, idp.Status, idp.Changes)
		}
		rs, _ = run(setup.ModeVerify)
		for _, r := range rs {
			for _, c := range r.Checks {
				if c.ID == "identity.idp" && (c.Status != doctor.Fail || !strings.Contains(c.Detail, tt.field)) {
					t.Errorf("%s drift: doctor %s %q", tt.field, c.Status, c.Detail)
				}
			}
		}
		*cfg.IdentityServices.OIDC = old
	}
}

// TestIdentityIdPReadsAhead: apply looks the identity provider up once the directory exists,
// not after okta.oidcApp (the look-up needs only the provider's name), and Apply uses that
// answer: one look-up per apply (issue 18 item 5, apply's longest chain).
func TestIdentityIdPReadsAhead(t *testing.T) {
	if !slices.Equal(identityIdP.ReadAfter, []string{"identity.directory"}) || identityIdP.ReadAhead == nil {
		t.Fatalf("identity.idp reads after %v (ReadAhead set: %v), want after identity.directory alone", identityIdP.ReadAfter, identityIdP.ReadAhead != nil)
	}
	sb, cfg := identityTenant(t, filepath.Join(t.TempDir(), "scim-token"))
	g, err := Graph(Deps{Config: cfg, HTTP: sandboxtest.Client(t, sb), NoInput: true})
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := g.Run(context.Background(), setup.ModeApply, setup.NewOutputs(cfg), setup.Options{Only: []string{"identity.directory", "identity.idp"}})
	for _, r := range rs {
		if r.ID == "identity.idp" && r.Status != setup.Done {
			t.Fatalf("identity.idp: %s %s", r.Status, r.Error)
		}
	}
	n := 0
	for _, le := range sb.Requests("identity") {
		if le.Method == "GET" && le.Path == "/federation/broker/identity-providers" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d look-ups of the identity providers in one apply, want 1 (the one read ahead)", n)
	}
}

// identityTenant is an empty Identity Services emulator and a config for it: the Okta
// directory, the SCIM token written to sink, the Okta OIDC identity provider.
func identityTenant(t *testing.T, sink string) (*sandbox.Sandbox, *config.Config) {
	t.Helper()
	t.Setenv("FLOWSCTL_TEST_IS_OIDC", "oidc-secret")
	emu := identityemu.New()
	sb := sandboxtest.Start(t, emu)
	id, secret := emu.AdminCredentials()
	t.Setenv("FLOWSCTL_TEST_IS_ADMIN", secret)
	cfg := &config.Config{Access: &config.Access{Auth: config.AccessAuth{ClientID: id, ClientSecret: "env:FLOWSCTL_TEST_IS_ADMIN"}},
		IdentityServices: &config.IdentityServices{Enabled: true, URL: config.URL(sb.Services["identity"].URL),
			Directory: config.IdentityDirectory{Name: "Okta Directory", Domain: "example.com", Source: "OKTA"},
			SCIMToken: config.IdentitySCIMToken{Sink: config.SecretRef("file:" + sink)},
			OIDC:      &config.IdentityOIDC{IssuerURL: "https://acme.okta.com", ClientID: "0oa1", ClientSecret: "env:FLOWSCTL_TEST_IS_OIDC"}}}
	return sb, cfg
}
