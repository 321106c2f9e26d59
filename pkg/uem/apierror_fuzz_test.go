package uem

import (
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzAPIError: any UEM answer body decodes to an error naming the method, path and status;
// no panic; a bounded, single-line, printable message, never an HTML page.
func FuzzAPIError(f *testing.F) {
	for _, s := range []string{
		`{"errorCode":1001,"message":"Invalid location group","activityId":"a-1"}`,
		`{"errorCode":"x"}`, `{"message":null}`, "<html><title>403</title></html>", "Forbidden", "",
		`{"errorCode":1e99}`, "\x00\x01", strings.Repeat("{", 300),
		`{"message":"` + strings.Repeat("é", 4000) + `","activityId":"a\nb"}`, `{"message":"one\ntwo"}`,
	} {
		f.Add(400, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 0 {
			status = -(status + 1)
		}
		status = 100 + status%500
		e := apiError("GET", "/api/mdm/apps/search", &http.Response{StatusCode: status, Header: http.Header{}}, []byte(body))
		msg := e.Error()
		if !strings.HasPrefix(msg, "uem: GET /api/mdm/apps/search: ") {
			t.Fatalf("error does not start with the endpoint: %q", msg)
		}
		if strings.Contains(strings.ToLower(msg), "<html") {
			t.Fatalf("error carries an HTML page: %q", msg)
		}
		if len(e.Message) > 303 || len(e.RequestID) > 83 {
			t.Fatalf("message %d, activity id %d bytes", len(e.Message), len(e.RequestID))
		}
		if !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
			t.Fatalf("error has invalid or control characters: %q", msg)
		}
	})
}
