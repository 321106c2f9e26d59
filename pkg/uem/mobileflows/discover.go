package mobileflows

import (
	"slices"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// ConnectorsConfig is uem.mobileFlows.connectors as the admin API lists the connectors ws:
// the configured entries first (in their order, matched by name), then the others by name.
// A catalog connector keeps the configured catalog key when it names the same entry. Values
// the API never returns (client secrets) stay references in the Entra section. missing are the
// configured connectors the API does not list (kept, so plan will create them).
func ConnectorsConfig(ws []WireConnector, configured []config.Connector) (out []config.Connector, missing []string) {
	byName := map[string]WireConnector{}
	for _, w := range ws {
		byName[strings.ToLower(w.Name)] = w
	}
	done := map[string]bool{}
	for _, c := range configured {
		name := c.Name
		if name == "" {
			if e, ok := Lookup(c.Catalog); ok {
				name = e.Name
			}
		}
		w, ok := byName[strings.ToLower(name)]
		if !ok {
			out, missing = append(out, c), append(missing, name)
			continue
		}
		done[strings.ToLower(w.Name)] = true
		out = append(out, connectorConfig(w, c.Catalog))
	}
	var rest []WireConnector
	for _, w := range ws {
		if !done[strings.ToLower(w.Name)] {
			rest = append(rest, w)
		}
	}
	slices.SortFunc(rest, func(a, b WireConnector) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	for _, w := range rest {
		out = append(out, connectorConfig(w, ""))
	}
	return out, missing
}

// connectorConfig is one connector as config; key is the configured catalog key, if any.
func connectorConfig(w WireConnector, key string) config.Connector {
	c := config.Connector{Name: w.Name, BaseURL: w.BaseURL, Authentication: w.Authentication.Type,
		Notification: w.Notification.Method, Categories: append([]string(nil), w.Categories...)}
	if w.CatalogID != "" {
		c.Catalog = w.CatalogID
		if e, ok := Lookup(key); ok && e.ID == w.CatalogID {
			c.Catalog = key
		}
	} else {
		c.DiscoveryURL = config.URL(w.DiscoveryURL)
	}
	if !w.Active {
		off := false
		c.Active = &off
	}
	return c
}
