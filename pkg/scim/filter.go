package scim

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Filter is a SCIM filter expression: built with Eq (which quotes and escapes the value, so any
// input yields a filter that parses) or written by a user (Raw).
type Filter struct {
	s   string
	ops []string // comparison operators used, for dialect checks
}

// String is the filter text (not URL-encoded; url.Values does that).
func (f Filter) String() string { return f.s }

// IsZero reports an empty filter (list everything).
func (f Filter) IsZero() bool { return f.s == "" }

// Raw wraps filter text written by a user (--filter). Its operators are read (outside quoted
// values) so that the Access dialect check refuses what Access would not understand.
func Raw(s string) Filter {
	s = strings.TrimSpace(s)
	return Filter{s: s, ops: opsOf(s)}
}

// Eq is attr eq "value".
func Eq(attr, value string) Filter {
	return Filter{s: attr + " eq " + Quote(value), ops: []string{"eq"}}
}

// filterOps are SCIM's comparison and logical operators (RFC 7644 §3.4.2.2).
var filterOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true,
	"lt": true, "le": true, "pr": true, "and": true, "or": true, "not": true}

// opsOf lists the operators of filter text, skipping quoted values.
func opsOf(s string) []string {
	var ops []string
	var word strings.Builder
	flush := func() {
		if w := strings.ToLower(word.String()); filterOps[w] {
			ops = append(ops, w)
		}
		word.Reset()
	}
	inQuote, esc := false, false
	for _, r := range s {
		switch {
		case inQuote:
			switch {
			case esc:
				esc = false
			case r == '\\':
				esc = true
			case r == '"':
				inQuote = false
			}
		case r == '"':
			flush()
			inQuote = true
		case r == ' ' || r == '(' || r == ')' || r == '[' || r == ']' || r == '\t':
			flush()
		default:
			word.WriteRune(r)
		}
	}
	flush()
	return ops
}

// accessOps are the comparison operators the Access SCIM 1.1 API accepts, plus and.
var accessOps = map[string]bool{"eq": true, "co": true, "sw": true, "gt": true, "ge": true, "lt": true, "le": true, "and": true}

// CheckDialect reports an operator the dialect does not support.
func (f Filter) CheckDialect(d Dialect) error {
	if d != Access11 {
		return nil
	}
	for _, op := range f.ops {
		if !accessOps[op] {
			return fmt.Errorf("filter %q uses %q, which the Access SCIM 1.1 API does not support (it accepts eq, co, sw, gt, ge, lt, le and and)", f.s, op)
		}
	}
	return nil
}

// Quote renders s as a SCIM (JSON) string literal: quotes, backslashes and control characters
// escaped, \u escapes in upper-case hex (the RFC 7644 ABNF allows only A-F), invalid UTF-8
// replaced by U+FFFD.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\uFFFD`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
