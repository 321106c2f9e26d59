package identity

import "testing"

func TestIssuerOfInvertsOktaConfigurationURL(t *testing.T) {
	for _, issuer := range []string{"https://acme.okta.com", "https://acme.okta.com/oauth2/default"} {
		if got := IssuerOf(OktaConfigurationURL(issuer + "/")); got != issuer {
			t.Errorf("IssuerOf(OktaConfigurationURL(%q)) = %q", issuer, got)
		}
	}
}
