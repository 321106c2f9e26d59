package config

// Default is a complete config: every section present with its defaults, and placeholder
// example values (example.com hosts, env: secret references) where there is no default.
// Tests start from it (round trips, fuzzing, benchmarks).
func Default() *Config {
	yes := true
	c := &Config{
		APIVersion: APIVersion,
		Azure: &Azure{
			TenantID: "11111111-2222-3333-4444-555555555555",
			SignIn:   AzureSignIn{Method: "devicecode"},
			App:      AzureApp{AdminConsent: true},
		},
		Access: &Access{
			URL:        "https://access.example.com",
			Auth:       AccessAuth{ClientID: "flowsctl-admin", ClientSecret: "env:FLOWSCTL_ACCESS_SECRET"},
			SCIMClient: &SCIMClient{},
			Directory:  &AccessDirectory{Domains: []string{"okta.example.com"}},
			MobileFlowsTemplate: MobileFlowsTemplate{
				IssueRefreshToken: true,
			},
		},
		IdentityServices: &IdentityServices{
			Directory: IdentityDirectory{Name: "Okta", Domain: "example.com"},
			OIDC: &IdentityOIDC{
				IssuerURL:    "https://example.okta.com",
				ClientID:     "0oa1example",
				ClientSecret: "env:FLOWSCTL_OKTA_OIDC_SECRET",
			},
		},
		UEM: &UEM{
			URL: "https://uem.example.com",
			Auth: UEMAuth{OAuth: &UEMOAuth{
				Region: "na", ClientID: "flowsctl", ClientSecret: "env:FLOWSCTL_UEM_OAUTH_SECRET",
			}},
			OrganizationGroup: "ACME",
			MobileFlows: &MobileFlows{
				Connectors: []Connector{{Catalog: "teams", Name: "Microsoft Teams", Active: &yes}},
			},
			Boxer: &Boxer{Enabled: true, SmartGroups: []string{"All Boxer Users"}},
			Integrations: []Integration{{
				Name:                    "harmony-mobile",
				Groups:                  []string{"ACME/Corporate"},
				DeviceDeletionThreshold: 100,
				DeviceDeletionAfter:     3,
				Tagging:                 Tagging{Status: true, Risk: true, ThreatFactors: true},
			}},
		},
		Doctor: &Doctor{},
	}
	ApplyDefaults(c)
	return c
}
