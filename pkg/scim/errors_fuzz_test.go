package scim

import (
	"strings"
	"testing"
)

// FuzzParseError: any SCIM error body (RFC 7644, Access SCIM 1.1, HTML, garbage) decodes to an
// error naming the method and URL; no panic; a non-JSON body is cut to a short excerpt.
func FuzzParseError(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"exists"}`,
		`{"status":409}`, `{"Errors":[{"code":"DISTINGUISHEDNAME","description":"missing"}]}`,
		`{"errors":[{"code":"c","message":"m"},{"message":"n"}]}`, `{"status":"x"}`, `{"status":[1]}`,
		"<html>oops</html>", "", strings.Repeat("x", 1000), `{"status":"99999999999999999999"}`,
	} {
		f.Add(400, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := parseError("POST", "https://scim.example/scim/v2/Users", status, []byte(body))
		msg := e.Error()
		if !strings.Contains(msg, "POST https://scim.example/scim/v2/Users") {
			t.Fatalf("error does not name the endpoint: %q", msg)
		}
		if len(e.Detail) > 210 && len(e.Detail) > len(body) {
			t.Fatalf("detail longer than the body: %d > %d", len(e.Detail), len(body))
		}
		ErrorBodyHasSchema([]byte(body))
	})
}
