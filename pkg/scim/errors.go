package scim

import (
	"github.com/flowsctl/flowsctl/internal/httpx"

	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error is a non-2xx SCIM answer: RFC 7644 §3.12 (status as string or number, scimType,
// detail) or Access's {"errors":[{code,message}]} body.
type Error struct {
	Method   string
	URL      string // redacted of nothing secret: SCIM URLs hold ids, never tokens
	Status   int
	ScimType string
	Detail   string
	// Code is Access's error code (e.g. "forbidden").
	Code string
	// Object names what the request was about, e.g. `user "a@b.c"`.
	Object string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Object != "" {
		b.WriteString(e.Object + ": ")
	}
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.ScimType != "" {
		b.WriteString(" (scimType " + e.ScimType + ")")
	}
	if e.Code != "" {
		b.WriteString(" [" + e.Code + "]")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if hint := e.hint(); hint != "" {
		b.WriteString("; " + hint)
	}
	return b.String()
}

func (e *Error) hint() string {
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden && e.Code == "forbidden":
		return "the SCIM token is missing, expired or wrong: run `flowsctl identity token generate` (Identity Services) or check access.scimClient, or pass --token-file"
	case strings.Contains(strings.ToUpper(e.Detail), "REMOTE SERVER") || strings.Contains(strings.ToUpper(e.Detail), "DIRECTORY"):
		return "run `flowsctl explain \"" + e.Detail + "\"` for the cause and fix"
	}
	return ""
}

// IsStatus reports whether err is a SCIM error with that HTTP status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool { return IsStatus(err, http.StatusNotFound) }

// IsConflict reports a 409 (scimType uniqueness, or Access's duplicate).
func IsConflict(err error) bool { return IsStatus(err, http.StatusConflict) }

// IsAuth reports a 401 (or Access's 403 forbidden for a bad token).
func IsAuth(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden && e.Code == "forbidden")
}

// parseError decodes an error body of either dialect.
func parseError(method, url string, status int, body []byte) *Error {
	e := &Error{Method: method, URL: url, Status: status}
	var rfc struct {
		Schemas  []string        `json:"schemas"`
		Status   json.RawMessage `json:"status"`
		ScimType string          `json:"scimType"`
		Detail   string          `json:"detail"`
		Errors   []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &rfc) != nil {
		e.Detail = httpx.Excerpt(string(body), 200) // "" for an HTML page
		return e
	}
	if n := statusNumber(rfc.Status); n > 0 {
		e.Status = n
	}
	e.ScimType, e.Detail = httpx.Excerpt(rfc.ScimType, 80), rfc.Detail
	if len(rfc.Errors) > 0 {
		e.Code = httpx.Excerpt(rfc.Errors[0].Code, 80)
		msgs := make([]string, 0, len(rfc.Errors))
		for _, x := range rfc.Errors {
			msgs = append(msgs, x.Message)
		}
		e.Detail = strings.Join(msgs, "; ")
	}
	e.Detail = httpx.Excerpt(e.Detail, 300)
	return e
}

// statusNumber reads "409" or 409.
func statusNumber(raw json.RawMessage) int {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	n, _ := strconv.Atoi(s)
	return n
}

// ErrorBodyHasSchema reports whether body is an RFC error (schemas holds the Error URN) with
// status given as string or number; the conformance checks use it.
func ErrorBodyHasSchema(body []byte) (bool, int) {
	var v struct {
		Schemas []string        `json:"schemas"`
		Status  json.RawMessage `json:"status"`
	}
	if json.Unmarshal(body, &v) != nil {
		return false, 0
	}
	for _, s := range v.Schemas {
		if s == SchemaError2 {
			return true, statusNumber(v.Status)
		}
	}
	return false, statusNumber(v.Status)
}
