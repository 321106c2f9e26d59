package scim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx/httpxtest"
)

// FuzzParseError: any SCIM error body (RFC 7644, Access SCIM 1.1, HTML, garbage) decodes to an
// API error naming the method and URL; no panic; message and code are bounded, single-line,
// printable excerpts and never an HTML page.
func FuzzParseError(f *testing.F) {
	httpxtest.FuzzErrorText(f, 400, []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"exists"}`,
		`{"status":409}`, `{"Errors":[{"code":"DISTINGUISHEDNAME","description":"missing"}]}`,
		`{"errors":[{"code":"c","message":"m"},{"message":"n"}]}`, `{"status":"x"}`, `{"status":[1]}`,
		"<html>oops</html>", "", strings.Repeat("x", 1000), `{"status":"99999999999999999999"}`,
		`{"detail":"` + strings.Repeat("é", 4000) + `"}`, `{"detail":"one\ntwo\u0007"}`, "\x00\xff",
	}, "scim: POST https://scim.example/scim/v2/Users", 0, func(t *testing.T, status int, body string) string {
		e := parseError("POST", "https://scim.example/scim/v2/Users", status, http.Header{"Content-Type": {"application/scim+json"}}, []byte(body))
		if len(e.Message) > 303 || len(e.Code) > 83 {
			t.Fatalf("error is not a bounded excerpt: message %d, code %d bytes", len(e.Message), len(e.Code))
		}
		if e.Service != "scim" {
			t.Fatalf("error is not from the scim client: %q", e.Service)
		}
		ErrorBodyHasSchema([]byte(body))
		return e.Error()
	})
}
