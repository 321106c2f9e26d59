package accessemu

import "github.com/flowsctl/flowsctl/pkg/sandbox"

// Secret file names under DIR/secrets.
const (
	AdminSecretFile    = "access-admin-secret"
	OktaSCIMSecretFile = "access-oktascim-secret"
)

// ConfigFragment is the access section of the generated flowsctl.yaml: the emulator's URL, the
// seeded admin client, the Teams mobile flows guide's template values, the OktaSCIM client and an Other directory.
func (e *Emulator) ConfigFragment(env *sandbox.Env) (map[string]any, map[string]string) {
	access := map[string]any{
		"url": env.URL("access"),
		"auth": map[string]any{
			"clientId":     AdminClientID,
			"clientSecret": "file:" + env.SecretPath(AdminSecretFile),
		},
		"mobileFlowsTemplate": map[string]any{
			"templateId":        "MobileFlows_Server_Template",
			"scope":             []string{"email", "profile", "user", "openid"},
			"redirectUri":       "https://prod.hero.vmwservices.com/token-exchange/oauth2/callback",
			"tokenType":         "Bearer",
			"tokenLength":       32,
			"issueRefreshToken": true,
			"accessTokenTTL":    "1d",
			"refreshTokenTTL":   "90d",
			"idleTokenTTL":      "10d",
			"userGrant":         false,
		},
		"scimClient": map[string]any{
			"clientId":       "OktaSCIM",
			"scope":          []string{"admin"},
			"accessTokenTTL": "1y",
			"secretSink":     "file:" + env.SecretPath(OktaSCIMSecretFile),
		},
		"directory": map[string]any{
			"name":    "Okta Universal Directory",
			"domains": []string{"okta.example.com"},
		},
	}
	return map[string]any{"access": access}, map[string]string{AdminSecretFile: e.adminSecret}
}
