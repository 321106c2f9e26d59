package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ErrAuth marks an authentication or authorization failure: a credential that is missing or
// rejected, a token endpoint's refusal, a missing scope. The command layer maps every error
// that IsAuth recognises to exit code 4.
var ErrAuth = errors.New("authentication failed")

// APIError is a non-success answer from any service flowsctl talks to. Every service decoder
// fills the same fields, so errors read alike whichever console answered:
//
//	access: POST oauth2clients "OktaSCIM": 409 Conflict: client exists [client.exists] (request id 4f2…) — fix: …
//
// Body keeps the raw (capped) answer for callers that need to look deeper; Error never
// prints it, and every string field is a bounded excerpt.
type APIError struct {
	Service   string // "access", "identity", "uem", "mobileflows", "scim", "graph", "okta"
	Method    string
	URL       string // redacted
	Object    string // what the request was about ("template MobileFlows_Server_Template"); URL's path when empty
	Status    int
	Code      string // the service's own error code ("client.exists", "Request_ResourceNotFound")
	Message   string // the service's message (bounded excerpt)
	RequestID string // the service's request or activity id, for its support
	FixMsg    string // the next command or console path that fixes it
	// Auth forces the authentication classification (a token endpoint's 400 invalid_client).
	Auth bool
	Body []byte `json:"-"`
	// ContentType is the answer's media type ("" when none).
	ContentType string
}

// requestIDHeaders are where the services put their request ids.
var requestIDHeaders = []string{"request-id", "x-request-id", "client-request-id", "x-ms-request-id", "X-Okta-Request-Id", "aw-activity-id"}

// NewAPIError starts an APIError from a response and its (already read) body: method, URL,
// status, request id and a generic message from the common error shapes. The service's
// decoder then sets Service, Code, Message and FixMsg as it knows better.
func NewAPIError(service string, resp *http.Response, body []byte) *APIError {
	e := &APIError{Service: service, Body: body}
	if resp == nil {
		return e
	}
	e.Status = resp.StatusCode
	e.ContentType = resp.Header.Get("Content-Type")
	if resp.Request != nil {
		e.Method = resp.Request.Method
		if resp.Request.URL != nil {
			e.URL = RedactURL(resp.Request.URL)
		}
	}
	for _, h := range requestIDHeaders {
		if v := resp.Header.Get(h); v != "" {
			e.RequestID = Excerpt(v, 80)
			break
		}
	}
	e.Message = errorMessage(e.ContentType, body)
	return e
}

func (e *APIError) Error() string {
	var b strings.Builder
	if e.Service != "" {
		b.WriteString(e.Service + ": ")
	}
	what := e.Object
	if what == "" {
		what = e.URL
	}
	switch {
	case e.Method != "" && what != "":
		b.WriteString(e.Method + " " + what + ": ")
	case what != "":
		b.WriteString(what + ": ")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	} else {
		b.WriteString("failed")
	}
	if e.Object != "" && e.URL != "" {
		b.WriteString(" from " + origin(e.URL)) // which server answered, as well as what was asked
	}
	msg, code := Excerpt(e.Message, 300), Excerpt(e.Code, 80)
	switch {
	case msg != "" && code != "" && !strings.Contains(msg, code):
		b.WriteString(": " + msg + " [" + code + "]")
	case msg != "":
		b.WriteString(": " + msg)
	case code != "":
		b.WriteString(": " + code)
	default:
		if mt := mediaType(e.ContentType); mt != "" && !isJSONType(mt) {
			b.WriteString(" (expected JSON, got " + mt + ")")
		}
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	if e.FixMsg != "" {
		b.WriteString("; fix: " + e.FixMsg)
	}
	return b.String()
}

// Fix is the next step that fixes the error (the setup engine and doctor show it).
func (e *APIError) Fix() string { return e.FixMsg }

// Is makes errors.Is(err, ErrAuth) true for authentication and authorization failures.
func (e *APIError) Is(target error) bool {
	return target == ErrAuth && (e.Auth || e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden)
}

// IsAuth reports whether err is an authentication or authorization failure anywhere in its
// chain: ErrAuth itself, or an APIError with 401, 403 or Auth set.
func IsAuth(err error) bool { return err != nil && errors.Is(err, ErrAuth) }

// StatusOf returns the HTTP status of the first APIError in err's chain, or 0.
func StatusOf(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// origin is scheme://host[:port] of a URL (the URL itself when it does not parse).
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Scheme + "://" + u.Host
}
