package config

import (
	"fmt"
	"net/url"
	"strings"
)

// GraphHosts are the Microsoft Graph service roots of the global service and the national
// clouds (Microsoft's "national cloud deployments" page): global, US Government L4 (GCC High),
// US Government L5 (DoD), and 21Vianet in China. A connector that calls Graph uses one of them.
var GraphHosts = []string{"graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"}

// graphVersionOf is the Graph version path each OOTB Graph connector needs.
var graphVersionOf = map[string]string{"teams": "beta", "microsoft-teams": "beta", "ms-teams": "beta", "planner": "v1.0", "microsoft-planner": "v1.0"}

// ConnectorBaseURLProblem says what is wrong with a catalog connector's base URL ("" when it is
// one of the allowed Graph endpoints, or when the connector is not a Graph connector). The Teams
// connector needs Graph beta on the tenant's cloud; the Teams web address (teams.microsoft.com)
// is the mistake the Teams mobile flows guide warns about: the connector calls Graph, not Teams.
func ConnectorBaseURLProblem(catalog, raw string) string {
	ver, ok := graphVersionOf[strings.ToLower(catalog)]
	if !ok || raw == "" {
		return ""
	}
	name := "Teams"
	if ver == "v1.0" {
		name = "Planner"
	}
	others := make([]string, 0, len(GraphHosts)-1)
	for _, h := range GraphHosts[1:] {
		others = append(others, "https://"+h+"/"+ver)
	}
	want := fmt.Sprintf("the %s connector needs https://%s/%s (national clouds: %s)", name, GraphHosts[0], ver, strings.Join(others, ", "))
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return fmt.Sprintf("%q is not a URL: %s", raw, want)
	}
	host := strings.ToLower(u.Hostname())
	if host == "teams.microsoft.com" || strings.HasSuffix(host, ".teams.microsoft.com") || host == "teams.microsoft.us" {
		return fmt.Sprintf("%q is the Teams web address, not an API: %s — the connector calls Microsoft Graph, as the Teams mobile flows guide warns", raw, want)
	}
	known := false
	for _, h := range GraphHosts {
		known = known || host == h
	}
	if !known || u.Scheme != "https" || u.Port() != "" {
		return fmt.Sprintf("%q is not a Microsoft Graph endpoint: %s", raw, want)
	}
	if p := strings.Trim(u.Path, "/"); p != ver || u.RawQuery != "" {
		if ver == "beta" {
			return fmt.Sprintf("%q: %s (v1.0 works only for Planner)", raw, want)
		}
		return fmt.Sprintf("%q: %s", raw, want)
	}
	return ""
}

// SameConnectorBaseURL compares two base URLs as the connector uses them: scheme and host
// case-insensitively, a trailing slash ignored.
func SameConnectorBaseURL(a, b string) bool {
	norm := func(s string) string {
		s = strings.TrimRight(strings.TrimSpace(s), "/")
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
			return u.String()
		}
		return s
	}
	return norm(a) == norm(b)
}
