package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// StatusError is a non-2xx answer. Body holds the raw (capped) body so a client can parse the
// service's own error format; Error() shows only a short message from it, never the body.
type StatusError struct {
	Method      string
	URL         string // redacted
	StatusCode  int
	Status      string // "404 Not Found"
	ContentType string
	Message     string // the service's error message, when one could be found; JWTs masked
	Body        []byte
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Method, e.URL, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	} else if mt := mediaType(e.ContentType); mt != "" && !isJSONType(mt) {
		s += " (expected JSON, got " + mt + ")"
	}
	return s
}

// DecodeJSON reads resp's body (capped at MaxBody, closed) and decodes it into v.
//   - A non-2xx status is a *StatusError naming the method, URL and status, with the
//     service's error message when the body holds a recognisable one.
//   - A 204 or an empty body leaves v untouched and returns nil.
//   - A body that is not JSON (an HTML error page from a proxy or a login page) is an error
//     saying "expected JSON, got text/html".
//
// v may be nil to only check the status.
func DecodeJSON(resp *http.Response, v any) error {
	b, err := ReadBody(resp)
	if err != nil {
		return err
	}
	method, u := "", ""
	if resp.Request != nil {
		method = resp.Request.Method
		if resp.Request.URL != nil {
			u = RedactURL(resp.Request.URL)
		}
	}
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Method: method, URL: u, StatusCode: resp.StatusCode, Status: statusText(resp),
			ContentType: ct, Message: errorMessage(ct, b), Body: b}
	}
	if v == nil || resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	mt := mediaType(ct)
	if mt != "" && !isJSONType(mt) && !looksJSON(b) {
		return fmt.Errorf("%s %s: %s: expected JSON, got %s (%d bytes)", method, u, statusText(resp), mt, len(b))
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s %s: %s: decoding the JSON answer: %w", method, u, statusText(resp), err)
	}
	return nil
}

func statusText(resp *http.Response) string {
	if resp.Status != "" {
		return resp.Status
	}
	return fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
}

// looksJSON accepts JSON served under a wrong media type (text/plain), as some consoles do.
func looksJSON(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t)
}

// errorMessage finds the human message in the common error shapes: OAuth
// {"error","error_description"}, Graph {"error":{"code","message"}}, SCIM {"detail"},
// UEM {"message"}, Access {"errors":[{"message"}]}. Capped and JWT-masked.
func errorMessage(ct string, b []byte) string {
	mt := mediaType(ct)
	if !(isJSONType(mt) || looksJSON(b)) {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	msg := pickMessage(m, 0)
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return maskJWT(msg)
}

func pickMessage(m map[string]any, depth int) string {
	if depth > 3 {
		return ""
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	if d := str("error_description"); d != "" {
		if e := str("error"); e != "" {
			return e + ": " + d
		}
		return d
	}
	for _, k := range []string{"message", "Message", "detail", "errorMessage", "description"} {
		if s := str(k); s != "" {
			if c := str("code"); c != "" && c != s {
				return c + ": " + s
			}
			return s
		}
	}
	if inner, ok := m["error"].(map[string]any); ok {
		return pickMessage(inner, depth+1)
	}
	if list, ok := m["errors"].([]any); ok && len(list) > 0 {
		if inner, ok := list[0].(map[string]any); ok {
			return pickMessage(inner, depth+1)
		}
		if s, ok := list[0].(string); ok {
			return s
		}
	}
	if s := str("error"); s != "" {
		return s
	}
	return ""
}
