package config

import (
	"strings"
	"testing"
)

// TestConnectorBaseURLAllowList: the Teams connector takes Graph beta on the global service and
// on every national cloud; the Teams web address, another host, v1.0, http or a port are refused
// with what to use instead; non-Graph connectors are not judged.
func TestConnectorBaseURLAllowList(t *testing.T) {
	for _, ok := range []string{"https://graph.microsoft.com/beta", "https://graph.microsoft.com/beta/", "https://graph.microsoft.us/beta",
		"https://dod-graph.microsoft.us/beta", "https://microsoftgraph.chinacloudapi.cn/beta", "https://GRAPH.microsoft.com/beta", ""} {
		if why := ConnectorBaseURLProblem("teams", ok); why != "" {
			t.Errorf("%q refused: %s", ok, why)
		}
	}
	for raw, want := range map[string]string{
		"https://teams.microsoft.com/":                  "Teams web address",
		"https://teams.microsoft.com/beta":              "Teams web address",
		"https://graph.microsoft.com/v1.0":              "v1.0 works only for Planner",
		"https://graph.microsoft.de/beta":               "not a Microsoft Graph endpoint",
		"http://graph.microsoft.com/beta":               "not a Microsoft Graph endpoint",
		"https://graph.microsoft.com:8443/beta":         "not a Microsoft Graph endpoint",
		"https://evil.example/graph.microsoft.com/beta": "not a Microsoft Graph endpoint",
	} {
		why := ConnectorBaseURLProblem("microsoft-teams", raw)
		if !strings.Contains(why, want) || !strings.Contains(why, "https://graph.microsoft.com/beta") || !strings.Contains(why, "dod-graph.microsoft.us") {
			t.Errorf("%q: %q, want %q and the allowed endpoints", raw, why, want)
		}
	}
	if why := ConnectorBaseURLProblem("planner", "https://graph.microsoft.us/v1.0"); why != "" {
		t.Errorf("planner on US Gov: %s", why)
	}
	if why := ConnectorBaseURLProblem("planner", "https://graph.microsoft.com/beta"); why == "" {
		t.Error("planner on beta accepted")
	}
	if why := ConnectorBaseURLProblem("servicenow", "https://acme.service-now.com/"); why != "" {
		t.Errorf("non-Graph connector judged: %s", why)
	}
	if !SameConnectorBaseURL("https://graph.microsoft.com/beta/", "https://Graph.Microsoft.com/beta") || SameConnectorBaseURL("https://graph.microsoft.com/beta", "https://graph.microsoft.com/v1.0") {
		t.Error("SameConnectorBaseURL")
	}
}

// TestMobileFlowsVIDM: AppMobileFlowsvIDM is the tenant URL without /SAAS or a trailing slash.
func TestMobileFlowsVIDM(t *testing.T) {
	for in, want := range map[string]string{
		"https://acme.vmwareidentity.com":        "https://acme.vmwareidentity.com",
		"https://acme.vmwareidentity.com/":       "https://acme.vmwareidentity.com",
		"https://acme.vmwareidentity.com/SAAS":   "https://acme.vmwareidentity.com",
		"https://acme.vmwareidentity.com/SAAS/ ": "https://acme.vmwareidentity.com",
	} {
		if got := MobileFlowsVIDM(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
