package azure

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	graphapps "github.com/microsoftgraph/msgraph-sdk-go/applications"
)

// Found is one Entra application import may adopt as the Teams connector's app, with what
// flowsctl.yaml needs to reproduce it: the scope names it requests on Microsoft Graph, whether
// tenant-wide consent covers them, and its client secrets' metadata (never a value).
type Found struct {
	App
	// Scopes are the Microsoft Graph delegated permissions the app requests, by name.
	Scopes []string `json:"delegatedPermissions" yaml:"delegatedPermissions"`
	// Consented reports a tenant-wide (AllPrincipals) grant covering every requested scope.
	Consented bool `json:"adminConsent" yaml:"adminConsent"`
	// Why says how the app matched: uniqueName, redirect URI or display name.
	Why string `json:"matchedBy" yaml:"matchedBy"`
}

// Discover finds the applications that look like the Teams connector's app, reading only: the
// app with the configured uniqueName when there is one (then it is the only candidate);
// otherwise every app whose redirect URIs hold the hero callback or whose display name is the
// configured one. Each candidate comes back with its scopes and consent resolved.
func (c *Client) Discover(ctx context.Context, spec Spec) ([]Found, error) {
	budget := spec.ReplicationBudget
	if budget <= 0 {
		budget = DefaultBudget
	}
	gsp, err := c.getSP(ctx, budget, GraphAppID, []string{"id", "appId", "oauth2PermissionScopes"}, retryRead)
	if err != nil {
		return nil, err
	}
	var apps []Found
	if spec.UniqueName != "" {
		a, err := c.getApp(ctx, budget, spec.UniqueName, retryRead)
		if err != nil {
			return nil, err
		}
		if a != nil {
			apps = append(apps, Found{App: *a, Why: "uniqueName " + spec.UniqueName})
		}
	}
	if len(apps) == 0 {
		all, err := c.listApps(ctx, budget)
		if err != nil {
			return nil, err
		}
		for _, a := range all {
			switch {
			case slices.Contains(a.RedirectURIs, HeroRedirectURI):
				apps = append(apps, Found{App: a, Why: "redirect URI " + HeroRedirectURI})
			case spec.DisplayName != "" && strings.EqualFold(a.DisplayName, spec.DisplayName):
				apps = append(apps, Found{App: a, Why: "display name " + a.DisplayName})
			}
		}
	}
	for i := range apps {
		if err := c.fillFound(ctx, budget, &apps[i], gsp); err != nil {
			return nil, err
		}
	}
	return apps, nil
}

// fillFound names the Graph scopes the app requests and checks the tenant-wide consent.
func (c *Client) fillFound(ctx context.Context, budget time.Duration, f *Found, gsp *ServicePrincipal) error {
	names := map[string]string{}
	if gsp != nil {
		for _, s := range gsp.Scopes {
			names[strings.ToLower(s.ID)] = s.Value
		}
	}
	for _, ra := range f.Resources {
		if ra.ResourceAppID != GraphAppID {
			continue
		}
		for _, a := range ra.Access {
			if n := names[strings.ToLower(a.ID)]; a.Type == "Scope" && n != "" {
				f.Scopes = append(f.Scopes, n)
			}
		}
	}
	sp, err := c.getSP(ctx, budget, f.AppID, []string{"id", "appId"}, retryRead)
	if err != nil || sp == nil || gsp == nil {
		return err
	}
	gs, err := c.listGrants(ctx, budget, sp.ID)
	if err != nil {
		return err
	}
	for _, g := range gs {
		if g.ConsentType != "AllPrincipals" || g.ResourceID != gsp.ID {
			continue
		}
		granted := strings.Fields(g.Scope)
		f.Consented = len(f.Scopes) > 0
		for _, s := range f.Scopes {
			if !slices.Contains(granted, s) {
				f.Consented = false
			}
		}
	}
	return nil
}

// listApps reads the tenant's applications (the first page of up to 999).
func (c *Client) listApps(ctx context.Context, budget time.Duration) ([]App, error) {
	var out []App
	err := c.call(ctx, budget, "list applications", retryRead, func(ctx context.Context) error {
		out = nil
		resp, err := graphapps.NewApplicationsRequestBuilderInternal(map[string]string{}, c.adapter).Get(ctx,
			&graphapps.ApplicationsRequestBuilderGetRequestConfiguration{
				QueryParameters: &graphapps.ApplicationsRequestBuilderGetQueryParameters{Select: appSelect, Top: ptr(int32(999))}})
		if err != nil {
			return err
		}
		for _, m := range resp.GetValue() {
			if a := appFrom(m); a != nil {
				out = append(out, *a)
			}
		}
		return nil
	})
	return out, err
}

// adoptable reads the app spec.AdoptAppID names, made by hand without a uniqueName: nil when
// it is gone; an error when it already has another uniqueName (Entra sets it only once).
func (c *Client) adoptable(ctx context.Context, spec Spec) (*App, error) {
	var out *App
	err := c.call(ctx, spec.ReplicationBudget, "read application of appId "+spec.AdoptAppID, retryRead, func(ctx context.Context) error {
		out = nil
		resp, err := graphapps.NewApplicationsRequestBuilderInternal(map[string]string{}, c.adapter).Get(ctx,
			&graphapps.ApplicationsRequestBuilderGetRequestConfiguration{
				QueryParameters: &graphapps.ApplicationsRequestBuilderGetQueryParameters{Select: appSelect,
					Filter: ptr("appId eq '" + strings.ReplaceAll(spec.AdoptAppID, "'", "''") + "'")}})
		if err != nil {
			return err
		}
		for _, m := range resp.GetValue() {
			out = appFrom(m)
		}
		return nil
	})
	if err != nil || out == nil {
		return nil, err
	}
	if out.UniqueName != "" && out.UniqueName != spec.UniqueName {
		return nil, fmt.Errorf("azure.app.adoptAppId %s: the app already has uniqueName %q, which Entra does not change; set azure.app.uniqueName: %s and remove adoptAppId",
			spec.AdoptAppID, out.UniqueName, out.UniqueName)
	}
	return out, nil
}
