package steps

import (
	"context"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// TestEveryStepRegisteredInOrder: every step of the graph exists for any config, in table order, and a
// config without a section skips its steps with a reason naming the section.
func TestEveryStepRegisteredInOrder(t *testing.T) {
	hc, _ := httpx.New(httpx.Options{})
	tests := []struct {
		name    string
		cfg     *config.Config
		skipped map[string]string // id -> substring of the reason
	}{
		{"empty config", &config.Config{}, map[string]string{
			"azure.app": "no azure section", "access.template": "no access section", "identity.directory": "identityServices",
			"uem.boxer": "no uem section", "uem.connectors": "uem.mobileFlows", "uem.integrations": "no uem section"}},
		{"access only", &config.Config{Access: &config.Access{URL: "https://a.example.com"}}, map[string]string{
			"access.scimClient": "access.scimClient", "access.directory": "access.directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, err := Build(Deps{Config: tt.cfg, HTTP: hc, NoInput: true})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range ss {
				ids = append(ids, s.ID())
			}
			if strings.Join(ids, ",") != strings.Join(IDs(), ",") || len(ids) != len(table) {
				t.Fatalf("steps %v, want %v", ids, IDs())
			}
			g, err := setup.NewGraph(ss...)
			if err != nil {
				t.Fatal(err)
			}
			rs, _ := g.Run(context.Background(), setup.ModePlan, setup.NewOutputs(tt.cfg), setup.Options{})
			for _, r := range rs {
				if want, ok := tt.skipped[r.ID]; ok && (r.Status != setup.Skipped || !strings.Contains(r.Reason, want)) {
					t.Errorf("%s: %s %q, want skipped naming %q", r.ID, r.Status, r.Reason, want)
				}
			}
		})
	}
}

func TestDependencies(t *testing.T) {
	hc, _ := httpx.New(httpx.Options{})
	ss, _ := Build(Deps{Config: &config.Config{}, HTTP: hc})
	needs := map[string][]string{}
	for _, s := range ss {
		needs[s.ID()] = s.Needs()
	}
	for id, want := range map[string]string{"uem.connectors": "azure.app", "identity.scimToken": "identity.directory", "identity.idp": "identity.directory", "uem.mobileflows.tenant": "access.template",
		"okta.provisioning": "access.directory"} {
		if !strings.Contains(strings.Join(needs[id], ","), want) {
			t.Errorf("%s needs %v, want %s", id, needs[id], want)
		}
	}
}
