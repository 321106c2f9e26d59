package okta

import (
	"context"
	"net/url"
	"strconv"
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
