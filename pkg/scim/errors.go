package scim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// tokenFix is the next step after the SCIM endpoint refused the token.
const tokenFix = "the SCIM token is missing, expired or wrong: run `flowsctl identity token generate` (Identity Services) or check access.scimClient, or pass --token-file"

// IsNotFound reports a 404.
func IsNotFound(err error) bool { return httpx.StatusOf(err) == http.StatusNotFound }

// IsConflict reports a 409 (scimType uniqueness, or Access's duplicate).
func IsConflict(err error) bool { return httpx.StatusOf(err) == http.StatusConflict }

// parseError decodes a non-2xx answer of either dialect, RFC 7644 §3.12 (status as string or
// number, scimType, detail) or Access's {"errors":[{code,message}]}, into the one API error:
// Code is the scimType (or Access's code), Message the detail, FixMsg the next step.
func parseError(method, rawURL string, status int, h http.Header, body []byte) *httpx.APIError {
	req := &http.Request{Method: method}
	req.URL, _ = url.Parse(rawURL)
	e := httpx.NewAPIError("scim", &http.Response{StatusCode: status, Header: h, Request: req}, body)
	if req.URL == nil {
		e.URL = httpx.Excerpt(rawURL, 200)
	}
	var rfc struct {
		Status   json.RawMessage `json:"status"`
		ScimType string          `json:"scimType"`
		Detail   string          `json:"detail"`
		Errors   []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &rfc) != nil {
		e.Message = httpx.Excerpt(string(body), 200) // "" for an HTML page
	} else {
		if n := statusNumber(rfc.Status); n > 0 {
			e.Status = n
		}
		e.Code, e.Message = httpx.Excerpt(rfc.ScimType, 80), rfc.Detail
		if len(rfc.Errors) > 0 {
			if e.Code == "" {
				e.Code = httpx.Excerpt(rfc.Errors[0].Code, 80)
			}
			msgs := make([]string, 0, len(rfc.Errors))
			for _, x := range rfc.Errors {
				msgs = append(msgs, x.Message)
			}
			e.Message = strings.Join(msgs, "; ")
		}
		e.Message = httpx.Excerpt(e.Message, 300)
	}
	switch up := strings.ToUpper(e.Message); {
	case httpx.IsAuth(e):
		e.FixMsg = tokenFix
	case strings.Contains(up, "REMOTE SERVER") || strings.Contains(up, "DIRECTORY"):
		e.FixMsg = "run `flowsctl explain \"" + e.Message + "\"` for the cause and fix"
	}
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
