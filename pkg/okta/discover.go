package okta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/object"
)

// FindApps returns the app labelled label when there is one (the only candidate then), else
// every app made from the catalog app name (e.g. "oidc_client", "scim2testapp"). Reads only.
func (c *Client) FindApps(ctx context.Context, label, name string) ([]App, error) {
	return object.Candidates(label, func() (*App, error) { return c.FindApp(ctx, label) }, func() ([]App, error) {
		if name == "" {
			return nil, nil
		}
		all, err := list[App](ctx, c, apps, url.Values{"filter": {"name eq " + strconv.Quote(name)}, "limit": {"200"}})
		if err != nil {
			return nil, err
		}
		return object.Keep(all, func(a App) bool { return a.Name == name && a.Status != "DELETED" }, nil), nil
	})
}

// AssignedGroupNames are the names of the groups assigned to the app appID (what
// okta.assignGroups holds), the names in keep first (in keep's order), the rest sorted. Reads
// only: one request per assigned group.
func (c *Client) AssignedGroupNames(ctx context.Context, appID string, keep []string) ([]string, error) {
	ids, err := c.AppGroups(ctx, appID)
	if err != nil {
		return nil, err
	}
	var out []string
	for id := range ids {
		n, err := c.groupName(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return keepOrder(out, keep), nil
}

// PushedGroupNames are the names of the groups the app's ACTIVE group push mappings push (what
// okta.pushGroups holds), ordered as AssignedGroupNames orders them. Reads only.
func (c *Client) PushedGroupNames(ctx context.Context, appID string, keep []string) ([]string, error) {
	ms, err := c.PushMappings(ctx, appID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		if m.Status != "ACTIVE" {
			continue
		}
		n, err := c.groupName(ctx, m.SourceGroupID)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return keepOrder(out, keep), nil
}

func (c *Client) groupName(ctx context.Context, id string) (string, error) {
	var g Group
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/groups/"+url.PathEscape(id), nil, nil, &g); err != nil {
		return "", fmt.Errorf("okta: read group %s: %w", id, err)
	}
	return g.Profile.Name, nil
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
