package access

import (
	"strings"
	"testing"
)

// FuzzAPIError: any answer body decodes to an error that names the method, the object and
// the status, never panics, and never carries a raw HTML page or more than a bounded excerpt
// of a plain-text body.
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
		e := newAPIError(status, "POST", "https://access.example/SAAS/jersey/manager/api/x", "directory \"d\"", []byte(body))
		msg := e.Error()
		if !strings.Contains(msg, `directory "d"`) {
			t.Fatalf("error does not name the object: %q", msg)
		}
		if strings.Contains(strings.ToLower(msg), "<html") {
			t.Fatalf("error carries an HTML page: %q", msg)
		}
		if e.Text != "" && len(e.Text) > len(body) && len(e.Text) > 210 {
			t.Fatalf("plain-text excerpt is %d bytes for a %d-byte body", len(e.Text), len(body))
		}
		_ = decodeErrors([]byte(body))
		_ = oauthErrText([]byte(body))
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
