package access

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx/httpxtest"
)

// FuzzAPIError: any answer body decodes to an error that names the method, the object and
// the status, never panics, and never carries a raw HTML page, control characters or more
// than a bounded excerpt of the body.
func FuzzAPIError(f *testing.F) {
	httpxtest.FuzzErrorText(f, 400, []string{
		`{"errors":[{"code":"directory.name.exists","message":"Directory name exists"}]}`,
		`{"message":"bad request"}`, `{"errors":[]}`, `{"errors":[{}]}`, `{"errors":null,"message":""}`,
		"<html><body><h1>502 Bad Gateway</h1></body></html>", "plain text\nsecond line", "",
		`{"errors":[{"code":"x"`, "\xff\xfe", strings.Repeat("a", 5000),
	}, `access: POST directory "d": `, 1200, func(t *testing.T, status int, body string) string {
		status = 100 + abs(status)%500
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Request: httptest.NewRequest("POST", "https://access.example/SAAS/jersey/manager/api/x", nil)}
		_ = decodeErrors([]byte(body))
		return newAPIError(resp, `directory "d"`, []byte(body)).Error()
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
