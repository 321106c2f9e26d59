package identity

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzDecodeError: any Identity Services answer decodes to an error naming the service, the
// method, the object and the status, with a bounded, single-line, printable message and never
// an HTML page; no panic.
func FuzzDecodeError(f *testing.F) {
	f.Add(409, `{"errors":[{"code":"directory.exists","message":"Directory with name Okta Directory already exists"}]}`)
	f.Add(400, `{"errors":[]}`)
	f.Add(400, `{"errors":[{"code":1}]}`)
	f.Add(401, `{"message":"Unauthorized"}`)
	f.Add(444, "<html><body>444</body></html>")
	f.Add(500, "")
	f.Add(502, "\x00\xff")
	f.Add(503, strings.Repeat("{", 300))
	f.Add(409, `{"errors":[{"message":"`+strings.Repeat("é", 4000)+`"}]}`)
	u, _ := url.Parse("https://tenant.example.com/usergroup/broker/directories")
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 0 {
			status = -(status + 1)
		}
		resp := &http.Response{StatusCode: 300 + status%300, Header: http.Header{"Content-Type": {"application/json"}}, Request: &http.Request{Method: "POST", URL: u}}
		msg := decodeError(resp, []byte(body), `directory "Okta Directory"`).Error()
		switch {
		case !strings.HasPrefix(msg, `identity: POST directory "Okta Directory": `):
			t.Fatalf("error does not name the object and method: %q", msg)
		case len(msg) > 600:
			t.Fatalf("error is %d bytes long", len(msg))
		case strings.ToValidUTF8(msg, "") != msg || strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			t.Fatalf("error has invalid or control characters: %q", msg)
		case strings.Contains(strings.ToLower(msg), "<html"):
			t.Fatalf("error carries an HTML page: %q", msg)
		}
	})
}
