package config

import (
	"strings"
	"testing"
)

func TestOktaSection(t *testing.T) {
	const idsPath = okAccess + "identityServices:\n  enabled: true\n  directory: {name: Okta Directory, domain: okta.example.com}\n  scimToken: {sink: file:secrets/scim-token}\n"
	const accessPath = okAccess + "  scimClient: {clientId: OktaSCIM, secretSink: file:secrets/oktascim}\n"
	for _, tt := range []struct {
		name, doc string
		want      []string // problems (substrings); none = valid
	}{
		{"identity services path, service app", idsPath + "okta:\n  url: https://acme.okta.com\n  auth: {clientId: 0oa1, privateKey: env:OKTA_KEY, keyId: k1}\n  assignGroups: [WS1 Users]\n  pushGroups: [WS1 Users]\n", nil},
		{"access path, api token", accessPath + "okta:\n  url: https://acme.okta.com\n  auth: {apiToken: env:OKTA_API_TOKEN}\n  assignGroups: [WS1 Users]\n  pushGroups: [WS1 Push]\n", nil},
		{"access path refuses a group both assigned and pushed", accessPath + "okta:\n  url: https://acme.okta.com\n  auth: {apiToken: env:OKTA_API_TOKEN}\n  assignGroups: [WS1 Users]\n  pushGroups: [ws1 users]\n", []string{"okta.pushGroups[0]", "separate group"}},
		{"no auth", accessPath + "okta:\n  url: https://acme.okta.com\n", []string{"okta.auth: is required"}},
		{"both auths", accessPath + "okta:\n  url: https://acme.okta.com\n  auth: {apiToken: env:T, clientId: c, privateKey: env:K}\n", []string{"either apiToken or clientId"}},
		{"literal token", accessPath + "okta:\n  url: https://acme.okta.com\n  auth: {apiToken: 00abcdef}\n", []string{"okta.auth.apiToken", "literal secret"}},
		{"oidc app on the access path", accessPath + "okta:\n  url: https://acme.okta.com\n  auth: {apiToken: env:T}\n  oidcApp: {label: x}\n", []string{"okta.oidcApp: is for the Identity Services path"}},
		{"no target", okAccess + "okta:\n  url: https://acme.okta.com\n  auth: {apiToken: env:T}\n", []string{"configure one of them"}},
		{"unknown key", accessPath + "okta:\n  url: https://acme.okta.com\n  auth: {apiToken: env:T}\n  pushGroup: [x]\n", []string{"pushGroup", "did you mean \"pushGroups\""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("flowsctl.yaml", []byte(tt.doc))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if c.Okta.SCIMApp.Label == "" || c.Okta.SCIMApp.CatalogName == "" {
					t.Errorf("scimApp defaults missing: %+v", c.Okta.SCIMApp)
				}
				if c.OktaIdentityPath() != (c.Okta.OIDCApp != nil) {
					t.Errorf("oidcApp default: identity path %v, oidcApp %+v", c.OktaIdentityPath(), c.Okta.OIDCApp)
				}
				return
			}
			if err == nil {
				t.Fatal("want problems")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems %q lack %q", err, w)
				}
			}
		})
	}
}
