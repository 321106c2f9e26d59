package httpx

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Excerpt makes text from a server fit an error message: the first non-empty line, control
// characters and invalid UTF-8 dropped, at most max bytes (cut at a rune, "…" appended).
// Text that starts like markup ("<") is an HTML page, not a message: it gives "".
func Excerpt(s string, max int) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<") {
		return ""
	}
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
