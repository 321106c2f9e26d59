package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/okta"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/sandbox/uememu"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// handEdits changes, through the services' own APIs, what import reads beyond the app,
// template and Okta label: the Entra app's client secret (a new one named by hand, 180 days,
// pasted into the sink and into the Teams connector), the mobile flows connectors (one edited,
// one added), the Okta apps' groups (one more assigned to both, one more pushed) and the Identity
// Services IdP's user identifiers, and the Boxer keys on a second smart group. It returns the check of an imported config.
func handEdits(t *testing.T, e *env, cfg *config.Config, g *graphClient, appObjectID, scimAppID string) func(*config.Config) {
	t.Helper()
	ctx := context.Background()
	hc := sandboxtest.Client(t, e.SB)
	var checks []func(*config.Config)

	// Entra: a client secret made by hand, its value pasted into the sink.
	var pw struct {
		SecretText string `json:"secretText"`
	}
	end := time.Now().Add(180 * 24 * time.Hour).UTC().Format(time.RFC3339)
	g.do(http.MethodPost, "/applications/"+url.PathEscape(appObjectID)+"/addPassword",
		`{"passwordCredential":{"displayName":"Teams connector 2026-01-05","endDateTime":"`+end+`"}}`, &pw)
	sink := string(cfg.Azure.App.Secret.Sink)
	if !strings.HasPrefix(sink, "file:") || pw.SecretText == "" {
		t.Fatalf("cannot paste the hand-made secret into %q", sink)
	}
	if err := os.WriteFile(strings.TrimPrefix(sink, "file:"), []byte(pw.SecretText), 0o600); err != nil {
		t.Fatal(err)
	}
	checks = append(checks, func(imp *config.Config) {
		s := imp.Azure.App.Secret
		if s.DisplayName != "Teams connector" || s.Lifetime.String() != "6mo" || s.Sink != cfg.Azure.App.Secret.Sink {
			t.Errorf("azure.app.secret not read from the hand-made secret: %+v", s)
		}
	})

	// Mobile flows: the Teams connector gets the pasted secret, Sample Approvals another base
	// URL, categories and push, and a connector is added by hand.
	if mf := cfg.UEM.MobileFlows; mf != nil && mf.Mode == "api" {
		uc := uemClient(t, e, hc, cfg)
		api := &mobileflows.API{HC: hc, Base: string(mf.AdminURL), Authorize: uc.Authorize, Config: cfg}
		var appID struct {
			AppID string `json:"appId"`
		}
		g.do(http.MethodGet, "/applications/"+url.PathEscape(appObjectID)+"?$select=appId", "", &appID)
		specs, err := mobileflows.SpecsFrom(mf, &mobileflows.EntraOutputs{ClientID: appID.AppID, SecretSink: cfg.Azure.App.Secret.Sink,
			TenantID: cfg.Azure.TenantID, Authority: cfg.Azure.Authority}, cfg.Azure.App.DelegatedPermissions)
		if err != nil {
			t.Fatal(err)
		}
		var custom mobileflows.ConnectorSpec
		for _, s := range specs {
			if s.CatalogID == "" {
				custom = s
			}
			if _, err := api.Apply(ctx, s); err != nil {
				t.Fatalf("connector %q: %v", s.Name, err)
			}
		}
		if custom.Name == "" {
			t.Fatal("the sandbox config has no custom connector")
		}
		edited := custom
		edited.BaseURL, edited.Categories, edited.Notification = "https://approvals.example.com/api", []string{"Approvals", "Finance"}, "push"
		added := custom
		added.Name, added.BaseURL = "Expenses (by hand)", "https://expenses.example.com"
		for _, s := range []mobileflows.ConnectorSpec{edited, added} {
			if _, err := api.Apply(ctx, s); err != nil {
				t.Fatalf("connector %q by hand: %v", s.Name, err)
			}
		}
		checks = append(checks, func(imp *config.Config) {
			got := map[string]config.Connector{}
			for _, c := range imp.UEM.MobileFlows.Connectors {
				got[c.Name] = c
			}
			c, a := got[custom.Name], got[added.Name]
			if c.BaseURL != edited.BaseURL || strings.Join(c.Categories, ",") != "Approvals,Finance" || c.Notification != "push" {
				t.Errorf("connector %q not read back: %+v", custom.Name, c)
			}
			if a.BaseURL != added.BaseURL || string(a.DiscoveryURL) != added.DiscoveryURL {
				t.Errorf("connector %q added by hand not imported: %+v", added.Name, imp.UEM.MobileFlows.Connectors)
			}
		})
	}

	// Okta: one more group assigned to the SCIM app, one more pushed.
	if cfg.Okta != nil && scimAppID != "" {
		oc, err := okta.New(hc, cfg)
		if err != nil {
			t.Fatal(err)
		}
		push, err := oc.FindGroup(ctx, "WS1 Push")
		users, err2 := oc.FindGroup(ctx, "WS1 Users")
		if err != nil || err2 != nil || push == nil || users == nil {
			t.Fatalf("okta groups: %v %v", err, err2)
		}
		apps := []string{scimAppID}
		if cfg.Okta.OIDCApp != nil { // flowsctl assigns its groups to both apps
			a, err := oc.FindApp(ctx, cfg.Okta.OIDCApp.Label)
			if err != nil || a == nil {
				t.Fatalf("okta OIDC app %q: %v", cfg.Okta.OIDCApp.Label, err)
			}
			apps = append(apps, a.ID)
		}
		for _, id := range apps {
			if err := oc.AssignGroup(ctx, id, push.ID); err != nil {
				t.Fatalf("assign WS1 Push by hand: %v", err)
			}
		}
		if _, err := oc.CreatePushMapping(ctx, scimAppID, users.ID, "WS1 Users"); err != nil {
			t.Fatalf("push WS1 Users by hand: %v", err)
		}
		checks = append(checks, func(imp *config.Config) {
			o := imp.Okta
			if !slices.Equal(o.AssignGroups, []string{"WS1 Users", "WS1 Push"}) || !slices.Equal(o.PushGroups, []string{"WS1 Push", "WS1 Users"}) {
				t.Errorf("okta groups not read back: assign %q, push %q", o.AssignGroups, o.PushGroups)
			}
		})
	}

	// Identity Services: the IdP's user identifiers changed in its console.
	if is := cfg.IdentityServices; is != nil && is.Enabled && is.OIDC != nil {
		ic, err := identity.FromConfig(hc, cfg)
		if err != nil {
			t.Fatal(err)
		}
		name := identity.IdPNameFor(is.Directory.Source)
		p, err := ic.FindIdP(ctx, name)
		if err != nil || p == nil {
			t.Fatalf("identity provider %q: %v", name, err)
		}
		if p, err = ic.IdP(ctx, p.ID); err != nil || p.OIDC == nil {
			t.Fatalf("identity provider %q: %v", name, err)
		}
		o := identity.NewIdPObject(ic, identity.OIDCSpec{Name: p.Name, SourceType: p.SourceType, ClientID: p.OIDC.ClientID,
			ClientSecret: "typed-in-the-console", ConfigurationURL: p.OIDC.ConfigurationURL, OIDCUserIdentifier: "preferred_username",
			WorkspaceOneUserIdentifier: "userName", DirectoryIDs: p.DirectoryIDs}, is.Directory.Name)
		o.Always = true
		if _, err := o.Apply(ctx); err != nil {
			t.Fatalf("edit the identity provider by hand: %v", err)
		}
		checks = append(checks, func(imp *config.Config) {
			oc := imp.IdentityServices.OIDC
			if oc == nil || oc.OIDCUserIdentifier != "preferred_username" || oc.WorkspaceOneUserIdentifier != "userName" {
				t.Errorf("identityServices.oidc not read from the IdP: %+v", oc)
			}
		})
	}
	// Boxer: the mobile flows keys copied by hand onto the Executives assignment too.
	if b := cfg.UEM.Boxer; b != nil && slices.Equal(b.SmartGroups, []string{uememu.AllBoxerUsersName}) {
		uc := uemClient(t, e, hc, cfg)
		path := "/api/mam/apps/" + uememu.BoxerAppUUID + "/assignment-rules"
		var rules map[string]any
		if _, err := uc.Do(ctx, http.MethodGet, path, nil, 2, nil, &rules); err != nil {
			t.Fatal(err)
		}
		as, _ := rules["assignments"].([]any)
		var keys []any
		var exec map[string]any
		for _, x := range as {
			a, _ := x.(map[string]any)
			groups := fmt.Sprint(a["distribution"])
			cfgs, _ := a["application_configuration"].([]any)
			switch {
			case strings.Contains(groups, uememu.AllBoxerUsersUUID):
				for _, kv := range cfgs {
					if k, _ := kv.(map[string]any)["key"].(string); strings.HasPrefix(k, "AppMobileFlows") {
						keys = append(keys, kv)
					}
				}
			case strings.Contains(groups, uememu.ExecutivesUUID):
				exec = a
			}
		}
		if len(keys) == 0 || exec == nil {
			t.Fatalf("the Boxer assignments are not as seeded: %v", rules)
		}
		cur, _ := exec["application_configuration"].([]any)
		exec["application_configuration"] = append(cur, keys...)
		if _, err := uc.Do(ctx, http.MethodPut, path, nil, 2, rules, nil); err != nil {
			t.Fatalf("copy the Boxer keys by hand: %v", err)
		}
		checks = append(checks, func(imp *config.Config) {
			if got := imp.UEM.Boxer.SmartGroups; !slices.Equal(got, []string{uememu.AllBoxerUsersName, "Executives"}) {
				t.Errorf("uem.boxer.smartGroups not read from the assignments holding the keys: %q", got)
			}
		})
	}
	return func(imp *config.Config) {
		for _, c := range checks {
			c(imp)
		}
	}
}
