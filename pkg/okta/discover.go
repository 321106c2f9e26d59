package okta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// FindApps returns the app labelled label when there is one (the only candidate then), else
// every app made from the catalog app name (e.g. "oidc_client", "scim2testapp"). Reads only.
func (c *Client) FindApps(ctx context.Context, label, name string) ([]App, error) {
	if label != "" {
		a, err := c.FindApp(ctx, label)
		if err != nil || a != nil {
			if a != nil {
				return []App{*a}, nil
			}
			return nil, err
		}
	}
	if name == "" {
		return nil, nil
	}
	all, err := list[App](ctx, c, apps, url.Values{"filter": {"name eq " + strconv.Quote(name)}, "limit": {"200"}})
	if err != nil {
		return nil, err
	}
	var out []App
	for _, a := range all {
		if a.Name == name && a.Status != "DELETED" {
			out = append(out, a)
		}
	}
	return out, nil
}

// AppGroupNames are the names of the groups assigned to the app appID, and of the groups its
// ACTIVE group push mappings push (what okta.assignGroups and okta.pushGroups hold). Names
// listed in keep come first, in that order, when present; the rest follow sorted. Reads only:
// one request per group the app names.
func (c *Client) AppGroupNames(ctx context.Context, appID string, keepAssign, keepPush []string) (assigned, pushed []string, err error) {
	ids, err := c.AppGroups(ctx, appID)
	if err != nil {
		return nil, nil, err
	}
	ms, err := c.PushMappings(ctx, appID)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	name := func(id string) (string, error) {
		if n, ok := names[id]; ok {
			return n, nil
		}
		var g Group
		if _, err := c.do(ctx, http.MethodGet, "/api/v1/groups/"+url.PathEscape(id), nil, nil, &g); err != nil {
			return "", fmt.Errorf("okta: read group %s: %w", id, err)
		}
		names[id] = g.Profile.Name
		return g.Profile.Name, nil
	}
	for id := range ids {
		n, err := name(id)
		if err != nil {
			return nil, nil, err
		}
		assigned = append(assigned, n)
	}
	for _, m := range ms {
		if m.Status != "ACTIVE" {
			continue
		}
		n, err := name(m.SourceGroupID)
		if err != nil {
			return nil, nil, err
		}
		pushed = append(pushed, n)
	}
	return keepOrder(assigned, keepAssign), keepOrder(pushed, keepPush), nil
}

// keepOrder is have with the names of keep (case-insensitive) first, in keep's order, then the
// others sorted.
func keepOrder(have, keep []string) []string {
	var out, rest []string
	used := make([]bool, len(have))
	for _, k := range keep {
		for i, h := range have {
			if !used[i] && strings.EqualFold(h, k) {
				out, used[i] = append(out, h), true
				break
			}
		}
	}
	for i, h := range have {
		if !used[i] {
			rest = append(rest, h)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}
