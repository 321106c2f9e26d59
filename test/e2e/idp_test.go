package e2e

import (
	"strings"
	"testing"
)

// TestIdPCreateFromOktaApp: on the Okta path the config leaves the identity provider's client id
// and secret to the Okta OIDC app (the Identity Services with Okta guide). `identity idp create
// oidc` alone takes them from that app once `okta apply` made it, and before that names the
// command to run first instead of asking for a secret reference.
func TestIdPCreateFromOktaApp(t *testing.T) {
	e := sandboxWith(t, "okta", "no Okta emulator")
	for _, step := range [][]string{{"identity", "directory", "create"}, {"identity", "token", "generate"}} {
		if r := e.Run(t, step...); r.Code != 0 {
			t.Fatalf("%v: exit %d\n%s", step, r.Code, r.Err)
		}
	}
	r := e.Run(t, "identity", "idp", "create", "oidc")
	if r.Code != 1 || !strings.Contains(r.Err, "does not exist yet") || !strings.Contains(r.Err, "flowsctl okta apply") {
		t.Fatalf("before the Okta OIDC app: exit %d\n%s", r.Code, r.Err)
	}
	if r := e.Run(t, "okta", "apply"); r.Code != 0 {
		t.Fatalf("okta apply: exit %d\n%s", r.Code, r.Err)
	}
	r = e.Run(t, "identity", "idp", "create", "oidc")
	if r.Code != 0 || !strings.Contains(r.Err, "identity provider") {
		t.Fatalf("after okta apply: exit %d\nstdout: %s\nstderr: %s", r.Code, r.Out, r.Err)
	}
	if d := e.Run(t, "doctor", "--only", "identity.idp"); d.Code != 0 {
		t.Errorf("doctor --only identity.idp after the create: exit %d\n%s", d.Code, d.Out)
	}
}
