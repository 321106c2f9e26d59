// Package text holds the small string helpers every part of flowsctl shares: edit distance
// and did-you-mean suggestions, slugs, and making untrusted text safe for a terminal.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Distance is the Damerau-Levenshtein (optimal string alignment) distance between a and b,
// so a swap of two neighbouring letters counts as one edit. Strings longer than 64 runes are
// either equal (0) or far apart (1<<20): suggestions are for names, not documents.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// Suggest returns the candidate closest to word (case-insensitive) when it is close enough
// to be a typo (at most 2 edits, or a third of the word's length), or when one is a prefix or
// suffix of the other ("secret" for "clientSecret"); "" otherwise.
func Suggest(word string, candidates []string) string {
	if s := Closest(word, candidates, 1); len(s) > 0 {
		return s[0]
	}
	lw := strings.ToLower(word)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if len(lw) >= 4 && (strings.HasPrefix(lc, lw) || strings.HasSuffix(lc, lw) || strings.HasPrefix(lw, lc)) {
			return c
		}
	}
	return ""
}

// Closest returns up to n candidates within typo distance of word, nearest first (ties keep
// the candidates' order).
func Closest(word string, candidates []string, n int) []string {
	limit := max(2, len([]rune(word))/3)
	type scored struct {
		v string
		d int
	}
	var cs []scored
	lw := strings.ToLower(word)
	for _, c := range candidates {
		if d := Distance(lw, strings.ToLower(c)); d <= limit {
			cs = append(cs, scored{c, d})
		}
	}
	// insertion sort: stable and the lists are short
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].d < cs[j-1].d; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	var out []string
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, c.v)
	}
	return out
}

// Slug is s in lower case with every run of other characters than a-z and 0-9 turned into
// one dash, without leading or trailing dashes ("Microsoft Teams (beta)" -> "microsoft-teams-beta").
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// Sanitize makes untrusted text (a server's answer, a CSV cell) safe to print on a terminal:
// control characters, escape sequences included, become U+FFFD, except tab; newlines become
// spaces so one value stays on one table row.
func Sanitize(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return r
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.IsControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}

// SanitizeBlock is Sanitize for text printed as an indented block: newlines stay (the caller
// indents the lines after the first), every other control character goes.
func SanitizeBlock(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Sanitize(l)
	}
	return strings.Join(lines, "\n")
}

// Terminal makes a whole text report safe to print: newlines and tabs stay, colour (SGR) escape
// sequences such as flowsctl's own "\x1b[1m" stay, every other control character (OSC titles,
// cursor movement, clear-screen, C1 controls) becomes U+FFFD. It is the last line of defence for
// text output that embeds server values; tables and reports sanitise their cells as well.
func Terminal(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := sgrLen(s[i:]); n > 0 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			r = '\uFFFD'
		}
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

// sgrLen is the length of the SGR sequence ESC [ digits/semicolons m at the start of s, or 0.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s) && i < 32; i++ {
		switch c := s[i]; {
		case c == 'm':
			return i + 1
		case c == ';' || (c >= '0' && c <= '9'):
		default:
			return 0
		}
	}
	return 0
}
