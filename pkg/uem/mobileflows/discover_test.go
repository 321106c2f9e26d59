package mobileflows_test

import (
	"testing"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

func TestConnectorsConfig(t *testing.T) {
	teams := mobileflows.WireConnector{Name: "Microsoft Teams", CatalogID: mobileflows.TeamsCatalogID, BaseURL: mobileflows.GraphBeta, Active: true,
		Categories: []string{"Collaboration"}, Authentication: mobileflows.WireAuth{Type: mobileflows.AuthOAuth2Code}}
	teams.Notification.Method = "poll"
	custom := mobileflows.WireConnector{Name: "Approvals", DiscoveryURL: "https://c.example.com/", BaseURL: "https://api.example.com",
		Categories: []string{"Approvals", "Finance"}, Authentication: mobileflows.WireAuth{Type: mobileflows.AuthWorkspaceONE}}
	custom.Notification.Method = "push"
	extra := mobileflows.WireConnector{Name: "A by hand", DiscoveryURL: "https://d.example.com/", Active: true,
		Authentication: mobileflows.WireAuth{Type: mobileflows.AuthBasic}}
	extra.Notification.Method = "poll"
	configured := []config.Connector{{Catalog: "teams"}, {Name: "Gone", DiscoveryURL: "https://g.example.com/"}, {Name: "approvals", DiscoveryURL: "https://old.example.com/"}}

	got, missing := mobileflows.ConnectorsConfig([]mobileflows.WireConnector{extra, custom, teams}, configured)
	if len(missing) != 1 || missing[0] != "Gone" {
		t.Errorf("missing = %q, want [Gone]", missing)
	}
	if len(got) != 4 {
		t.Fatalf("got %d connectors, want 4: %+v", len(got), got)
	}
	if c := got[0]; c.Catalog != "teams" || c.Name != "Microsoft Teams" || c.BaseURL != mobileflows.GraphBeta || c.Active != nil {
		t.Errorf("catalog connector: %+v (want the configured key kept)", c)
	}
	if got[1].Name != "Gone" {
		t.Errorf("a configured connector the API does not list is kept in place: %+v", got[1])
	}
	if c := got[2]; c.Name != "Approvals" || c.DiscoveryURL != "https://c.example.com/" || c.BaseURL != "https://api.example.com" ||
		c.Notification != "push" || len(c.Categories) != 2 || c.Active == nil || *c.Active {
		t.Errorf("custom connector: %+v", c)
	}
	if got[3].Name != "A by hand" {
		t.Errorf("connectors not in the config come last: %+v", got[3])
	}
	for i, c := range got {
		if _, err := mobileflows.SpecFrom(c, &mobileflows.EntraOutputs{ClientID: "x"}, nil); err != nil {
			t.Errorf("connector %d does not build a spec: %v", i, err)
		}
	}
}
