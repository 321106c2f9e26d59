package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// NewJSONRequest builds a request to u with the query q (when not empty) and body, when not
// nil, sent as JSON. It accepts application/json and, with a body, says so in Content-Type.
func NewJSONRequest(ctx context.Context, method, u string, q url.Values, body any) (*http.Request, error) {
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// DecodeJSON reads resp's body (capped at MaxBody, closed) and decodes it into v.
//   - A non-2xx status is an *APIError naming the method, URL and status, with the
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
		e := NewAPIError("", resp, b)
		e.Method, e.URL = method, u
		return e
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
