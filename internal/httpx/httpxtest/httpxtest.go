// Package httpxtest holds test helpers for the API clients built on httpx.
package httpxtest

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzErrorText fuzzes an API error decoder. Each seed is an answer body tried with
// seedStatus. For every input, errText decodes status and body (checking what is particular
// to its client with t) and returns the error's text, which must start with prefix, be
// printable single-line UTF-8, carry no HTML page and, when max > 0, be at most max bytes.
func FuzzErrorText(f *testing.F, seedStatus int, seeds []string, prefix string, max int, errText func(t *testing.T, status int, body string) string) {
	for _, s := range seeds {
		f.Add(seedStatus, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		msg := errText(t, status, body)
		if !strings.HasPrefix(msg, prefix) {
			t.Fatalf("error does not start with %q: %q", prefix, msg)
		}
		if strings.Contains(strings.ToLower(msg), "<html") {
			t.Fatalf("error carries an HTML page: %q", msg)
		}
		if !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
			t.Fatalf("error has invalid or control characters: %q", msg)
		}
		if max > 0 && len(msg) > max {
			t.Fatalf("error is %d bytes long", len(msg))
		}
	})
}
