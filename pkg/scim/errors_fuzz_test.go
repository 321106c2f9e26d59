package scim

import (
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParseError: any SCIM error body (RFC 7644, Access SCIM 1.1, HTML, garbage) decodes to an
// API error naming the method and URL; no panic; message and code are bounded, single-line,
// printable excerpts and never an HTML page.
func FuzzParseError(f *testing.F) {
	seeds := []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"exists"}`,
		`{"status":409}`, `{"Errors":[{"code":"DISTINGUISHEDNAME","description":"missing"}]}`,
		`{"errors":[{"code":"c","message":"m"},{"message":"n"}]}`, `{"status":"x"}`, `{"status":[1]}`,
		"<html>oops</html>", "", strings.Repeat("x", 1000), `{"status":"99999999999999999999"}`,
		`{"detail":"` + strings.Repeat("é", 4000) + `"}`, `{"detail":"one\ntwo\u0007"}`, "\x00\xff",
	}
	for _, s := range seeds {
		f.Add(400, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := parseError("POST", "https://scim.example/scim/v2/Users", status, http.Header{"Content-Type": {"application/scim+json"}}, []byte(body))
		msg := e.Error()
		bad := map[string]bool{
			"does not name the endpoint":  !strings.Contains(msg, "POST https://scim.example/scim/v2/Users"),
			"is not a bounded excerpt":    len(e.Message) > 303 || len(e.Code) > 83,
			"has control characters":      !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl),
			"carries an HTML page":        strings.Contains(strings.ToLower(e.Message), "<html"),
			"is not from the scim client": e.Service != "scim",
		}
		for what, yes := range bad {
			if yes {
				t.Fatalf("error %s: %q", what, msg)
			}
		}
		ErrorBodyHasSchema([]byte(body))
	})
}
