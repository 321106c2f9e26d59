package uem

import (
	"net/http"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx/httpxtest"
)

// FuzzAPIError: any UEM answer body decodes to an error naming the method, path and status;
// no panic; a bounded, single-line, printable message, never an HTML page.
func FuzzAPIError(f *testing.F) {
	httpxtest.FuzzErrorText(f, 400, []string{
		`{"errorCode":1001,"message":"Invalid location group","activityId":"a-1"}`,
		`{"errorCode":"x"}`, `{"message":null}`, "<html><title>403</title></html>", "Forbidden", "",
		`{"errorCode":1e99}`, "\x00\x01", strings.Repeat("{", 300),
		`{"message":"` + strings.Repeat("é", 4000) + `","activityId":"a\nb"}`, `{"message":"one\ntwo"}`,
	}, "uem: GET /api/mdm/apps/search: ", 0, func(t *testing.T, status int, body string) string {
		if status < 0 {
			status = -(status + 1)
		}
		status = 100 + status%500
		e := apiError("GET", "/api/mdm/apps/search", &http.Response{StatusCode: status, Header: http.Header{}}, []byte(body))
		if len(e.Message) > 303 || len(e.RequestID) > 83 {
			t.Fatalf("message %d, activity id %d bytes", len(e.Message), len(e.RequestID))
		}
		return e.Error()
	})
}
