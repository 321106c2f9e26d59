package mobileflows

import (
	"net/http"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx/httpxtest"
)

// FuzzParseError: any mobile flows admin API answer decodes to an error naming the API, the
// method, the path and the status, with a bounded, single-line, printable message; no panic.
func FuzzParseError(f *testing.F) {
	httpxtest.FuzzErrorText(f, 409, []string{
		`{"code":"connector.exists","message":"A connector named Microsoft Teams exists"}`,
		`{"code":123}`, `{"message":null}`, "<html><title>502</title></html>", "Bad Gateway", "",
		`{"message":"line one\nline two"}`, "\x00\xff", strings.Repeat("[", 300),
		`{"code":"` + strings.Repeat("x", 5000) + `"}`,
	}, "mobileflows: PUT /connectors/Microsoft%20Teams: ", 600, func(t *testing.T, status int, body string) string {
		if status < 0 {
			status = -(status + 1)
		}
		status = 300 + status%300
		return ParseError("PUT", "/connectors/Microsoft%20Teams", &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/html"}}}, []byte(body)).Error()
	})
}
