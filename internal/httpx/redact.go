package httpx

import (
	"net/url"
	"regexp"
	"strings"
)

var sensitiveHeader = map[string]bool{"authorization": true, "cookie": true, "set-cookie": true, "aw-tenant-code": true, "proxy-authorization": true}

var secretName = regexp.MustCompile(`(?i)(secret|password|passwd|token|client_secret|secrettext|assertion|api[_-]?key|credential)`)

// RedactHeader hides the value of credential headers.
func RedactHeader(k, v string) string {
	if sensitiveHeader[strings.ToLower(k)] {
		if i := strings.IndexByte(v, ' '); i > 0 && i < 12 {
			return v[:i] + " [REDACTED]"
		}
		return "[REDACTED]"
	}
	return v
}

// RedactURL hides query values whose names look secret.
func RedactURL(u *url.URL) string {
	if u.RawQuery == "" {
		return u.Redacted()
	}
	q := u.Query()
	for k := range q {
		if secretName.MatchString(k) || strings.EqualFold(k, "code") {
			q[k] = []string{"[REDACTED]"}
		}
	}
	c := *u
	c.RawQuery = q.Encode()
	return c.Redacted()
}

// RedactBody hides secret-named fields of JSON and form bodies. TODO(httpx helper): JSON at any depth.
func RedactBody(contentType string, b []byte) string {
	return "[body " + contentType + " redacted]"
}
