package access

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// ErrorItem is one entry of Access's error body {"errors":[{code,message,parameters}]}.
type ErrorItem struct {
	Code       string         `json:"code"`
	Message    string         `json:"message"`
	Parameters map[string]any `json:"parameters"`
}

// APIError is a non-success answer from Access, naming the object and the fix.
type APIError struct {
	Status int
	Method string
	URL    string
	Object string
	Items  []ErrorItem
	Text   string // plain-text body (trimmed, truncated) when it was not an error list
	Fix    string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "access: %s %s: %d %s", e.Method, e.Object, e.Status, http.StatusText(e.Status))
	if len(e.Items) > 0 {
		for i, it := range e.Items {
			sep := "; "
			if i == 0 {
				sep = ": "
			}
			b.WriteString(sep + itemText(it))
		}
	} else if e.Text != "" {
		b.WriteString(": " + e.Text)
	}
	if e.Fix != "" {
		b.WriteString(" (fix: " + e.Fix + ")")
	}
	return b.String()
}

// Code returns the first error code Access sent ("" when none).
func (e *APIError) Code() string {
	if len(e.Items) > 0 {
		return e.Items[0].Code
	}
	return ""
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

// newAPIError decodes a body as an error list, a {"message"} object or plain text.
func newAPIError(status int, method, url, object string, b []byte) *APIError {
	e := &APIError{Status: status, Method: methodVerb(method), URL: url, Object: object}
	var body struct {
		Errors  []ErrorItem `json:"errors"`
		Message string      `json:"message"`
	}
	if json.Unmarshal(b, &body) == nil {
		e.Items = body.Errors
		if len(e.Items) == 0 && body.Message != "" {
			e.Text = httpx.Excerpt(body.Message, 300)
		}
	}
	if len(e.Items) == 0 && e.Text == "" {
		e.Text = plainText(b)
	}
	e.Fix = defaultFix(status, object)
	return e
}

func methodVerb(m string) string {
	switch m {
	case http.MethodGet:
		return "read"
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodDelete:
		return "delete"
	}
	return strings.ToLower(m)
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
	var e *APIError
	if errors.As(err, &e) {
		return httpx.TransientStatus(e.Status)
	}
	return httpx.TransientError(err)
}
