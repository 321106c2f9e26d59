package identity

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzDecodeError: any Identity Services answer decodes to an error naming the service, the
// method, the object and the status, with a bounded, single-line, printable message; no panic.
func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{
		`{"errors":[{"code":"directory.exists","message":"Directory with name Okta Directory already exists"}]}`,
		`{"errors":[]}`, `{"errors":[{"code":1}]}`, `{"message":"Unauthorized"}`, "<html><body>444</body></html>",
		"", "\x00\xff", strings.Repeat("{", 300), `{"errors":[{"message":"` + strings.Repeat("é", 4000) + `"}]}`,
	} {
		f.Add(409, s)
	}
	u, _ := url.Parse("https://tenant.example.com/usergroup/broker/directories")
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 0 {
			status = -(status + 1)
		}
		status = 300 + status%300
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}, Request: &http.Request{Method: "POST", URL: u}}
		msg := decodeError(resp, []byte(body), `directory "Okta Directory"`).Error()
		if !strings.HasPrefix(msg, `identity: POST directory "Okta Directory": `) {
			t.Fatalf("error does not name the object and method: %q", msg)
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
