package azure

import (
	"errors"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// FuzzGraphError: a Graph error body, decoded the way the SDK decodes it (an ODataError from a
// JSON parse node), becomes an httpx.APIError naming the operation (auth-classified for 401
// and 403); nothing panics.
func FuzzGraphError(f *testing.F) {
	for _, s := range []string{
		`{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist","innerError":{"date":"2024-01-01T00:00:00","request-id":"r"}}}`,
		`{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}`,
		`{"error":{}}`, `{"error":null}`, `{"error":{"code":1,"message":[]}}`, `{}`, `[]`, `"x"`, `{"error":{"details":[{"code":"a"}]}}`,
	} {
		f.Add(403, s)
		f.Add(404, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		node, err := jsonserialization.NewJsonParseNode([]byte(body))
		if err != nil {
			return
		}
		v, err := node.GetObjectValue(odataerrors.CreateODataErrorFromDiscriminatorValue)
		if err != nil || v == nil {
			return
		}
		oe, ok := v.(*odataerrors.ODataError)
		if !ok {
			return
		}
		oe.ResponseStatusCode = status
		c := &Client{}
		got := c.graphErr(`PATCH application "ws1-mobile-flows-teams"`, oe)
		if got == nil {
			t.Fatal("nil error for a Graph error")
		}
		var ae *httpx.APIError
		if !errors.As(got, &ae) || ae.Service != "graph" || ae.Status != status {
			t.Fatalf("unexpected error %T %v", got, got)
		}
		if (status == 401 || status == 403) != httpx.IsAuth(got) {
			t.Fatalf("status %d: IsAuth = %v", status, httpx.IsAuth(got))
		}
		if !strings.Contains(got.Error(), "ws1-mobile-flows-teams") {
			t.Fatalf("error does not name the object: %q", got.Error())
		}
	})
}
