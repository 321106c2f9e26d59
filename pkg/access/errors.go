package access

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// ErrorItem is one entry of Access's error body {"errors":[{code,message,parameters}]}.
type ErrorItem struct {
	Code       string         `json:"code"`
	Message    string         `json:"message"`
	Parameters map[string]any `json:"parameters"`
}

func itemText(it ErrorItem) string {
	it.Code, it.Message = httpx.Excerpt(it.Code, 80), httpx.Excerpt(it.Message, 300)
	switch {
	case it.Message != "" && it.Code != "":
		return it.Message + " [" + it.Code + "]"
	case it.Message != "":
		return it.Message
	}
	return it.Code
}

// decodeErrors renders an Access error list, or "" when b is not one.
func decodeErrors(b []byte) string {
	var body struct {
		Errors []ErrorItem `json:"errors"`
	}
	if json.Unmarshal(b, &body) != nil || len(body.Errors) == 0 {
		return ""
	}
	parts := make([]string, 0, len(body.Errors))
	for _, it := range body.Errors {
		parts = append(parts, itemText(it))
	}
	return strings.Join(parts, "; ")
}

// newAPIError decodes an Access answer (an error list, a {"message"} object or plain text)
// into an *httpx.APIError naming the object, with Access's first error code and the fix.
func newAPIError(resp *http.Response, object string, b []byte) *httpx.APIError {
	e := httpx.NewAPIError("access", resp, b)
	e.Object = object
	var body struct {
		Errors  []ErrorItem `json:"errors"`
		Message string      `json:"message"`
	}
	e.Message = ""
	if json.Unmarshal(b, &body) == nil {
		if len(body.Errors) > 0 {
			e.Code, e.Message = httpx.Excerpt(body.Errors[0].Code, 80), decodeErrors(b)
		} else {
			e.Message = httpx.Excerpt(body.Message, 300)
		}
	}
	if e.Message == "" && e.Code == "" {
		e.Message = plainText(b)
	}
	e.FixMsg = defaultFix(e.Status, object)
	return e
}

// plainText keeps the first line of a text body, bounded, so HTML error pages stay short.
func plainText(b []byte) string { return httpx.Excerpt(string(b), 200) }

func defaultFix(status int, object string) string {
	switch status {
	case http.StatusUnauthorized:
		return "check access.auth.clientId and access.auth.clientSecret; the client needs the client_credentials grant"
	case http.StatusForbidden:
		return "give the client in access.auth scope admin: Access console > Catalog > Settings > Remote App Access > the client > Scope"
	case http.StatusNotFound:
		return "check access.url (and access.tenantInPath for on-premises tenants); run: flowsctl doctor --only access"
	case http.StatusNotAcceptable, http.StatusUnsupportedMediaType:
		return "pin the media types with access.mediaType: vendor (pre-2025 tenants) or json"
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return "Access is busy or unreachable; re-run the same command (every step looks up before it writes)"
	}
	if status >= 500 {
		return "re-run the same command; if it persists, check the Access audit log (Dashboard > Audit events) for " + object
	}
	return ""
}

// transient reports a failure after which a create may or may not have been applied and the
// same request may succeed: 429/5xx (Access also answers 500 to a duplicate create) or a lost
// connection.
func transient(err error) bool {
	if s := httpx.StatusOf(err); s != 0 {
		return httpx.TransientStatus(s)
	}
	return httpx.TransientError(err)
}

// withFix gives a failed Plan or Apply the command that retries it (the step's fix).
func withFix(err *error, fix string) {
	if *err != nil {
		*err = setup.Errorf("", *err, fix)
	}
}

// fixed is err with the command that retries it.
func fixed(err error, fix string) error {
	withFix(&err, fix)
	return err
}
