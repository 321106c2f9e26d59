package scim

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParseError: any SCIM error body (RFC 7644, Access SCIM 1.1, HTML, garbage) decodes to an
// error naming the method and URL; no panic; the detail is a bounded, single-line, printable
// excerpt and never an HTML page.
func FuzzParseError(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"exists"}`,
		`{"status":409}`, `{"Errors":[{"code":"DISTINGUISHEDNAME","description":"missing"}]}`,
		`{"errors":[{"code":"c","message":"m"},{"message":"n"}]}`, `{"status":"x"}`, `{"status":[1]}`,
		"<html>oops</html>", "", strings.Repeat("x", 1000), `{"status":"99999999999999999999"}`,
		`{"detail":"` + strings.Repeat("é", 4000) + `"}`, `{"detail":"one\ntwo\u0007"}`, "\x00\xff",
	} {
		f.Add(400, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := parseError("POST", "https://scim.example/scim/v2/Users", status, []byte(body))
		msg := e.Error()
		if !strings.Contains(msg, "POST https://scim.example/scim/v2/Users") {
			t.Fatalf("error does not name the endpoint: %q", msg)
		}
		if len(e.Detail) > 303 || len(e.Code) > 83 || len(e.ScimType) > 83 {
			t.Fatalf("detail %d, code %d, scimType %d bytes", len(e.Detail), len(e.Code), len(e.ScimType))
		}
		if !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
			t.Fatalf("error has invalid or control characters: %q", msg)
		}
		if strings.Contains(strings.ToLower(e.Detail), "<html") {
			t.Fatalf("detail carries an HTML page: %q", e.Detail)
		}
		ErrorBodyHasSchema([]byte(body))
	})
}
