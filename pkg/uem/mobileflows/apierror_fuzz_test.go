package mobileflows

import (
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParseError: any mobile flows admin API answer decodes to an error naming the API, the
// method, the path and the status, with a bounded, single-line, printable message; no panic.
func FuzzParseError(f *testing.F) {
	for _, s := range []string{
		`{"code":"connector.exists","message":"A connector named Microsoft Teams exists"}`,
		`{"code":123}`, `{"message":null}`, "<html><title>502</title></html>", "Bad Gateway", "",
		`{"message":"line one\nline two"}`, "\x00\xff", strings.Repeat("[", 300),
		`{"code":"` + strings.Repeat("x", 5000) + `"}`,
	} {
		f.Add(409, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 0 {
			status = -(status + 1)
		}
		status = 300 + status%300
		msg := ParseError("PUT", "/connectors/Microsoft%20Teams", &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/html"}}}, []byte(body)).Error()
		if !strings.HasPrefix(msg, "mobileflows: PUT /connectors/Microsoft%20Teams: ") {
			t.Fatalf("error does not name the endpoint: %q", msg)
		}
		if len(msg) > 600 {
			t.Fatalf("error is %d bytes long", len(msg))
		}
		if !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
			t.Fatalf("error has invalid or control characters: %q", msg)
		}
		if strings.Contains(strings.ToLower(msg), "<html") {
			t.Fatalf("error carries an HTML page: %q", msg)
		}
	})
}
