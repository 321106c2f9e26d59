package access

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzAPIError: any answer body decodes to an error that names the method, the object and
// the status, never panics, and never carries a raw HTML page, control characters or more
// than a bounded excerpt of the body.
func FuzzAPIError(f *testing.F) {
	for _, s := range []string{
		`{"errors":[{"code":"directory.name.exists","message":"Directory name exists"}]}`,
		`{"message":"bad request"}`, `{"errors":[]}`, `{"errors":[{}]}`, `{"errors":null,"message":""}`,
		"<html><body><h1>502 Bad Gateway</h1></body></html>", "plain text\nsecond line", "",
		`{"errors":[{"code":"x"`, "\xff\xfe", strings.Repeat("a", 5000),
	} {
		f.Add(400, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		status = 100 + abs(status)%500
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Request: httptest.NewRequest("POST", "https://access.example/SAAS/jersey/manager/api/x", nil)}
		e := newAPIError(resp, `directory "d"`, []byte(body))
		msg := e.Error()
		if !strings.HasPrefix(msg, `access: POST directory "d": `) {
			t.Fatalf("error does not name the method and object: %q", msg)
		}
		if strings.Contains(strings.ToLower(msg), "<html") {
			t.Fatalf("error carries an HTML page: %q", msg)
		}
		if !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
			t.Fatalf("error has invalid or control characters: %q", msg)
		}
		if len(msg) > 1200 {
			t.Fatalf("error is %d bytes long", len(msg))
		}
		_ = decodeErrors([]byte(body))
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n {
			return 0
		}
		return -n
	}
	return n
}
