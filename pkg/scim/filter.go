package scim

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Filter is a SCIM filter expression built with Eq, Co, And, ... Its String form quotes and
// escapes every value, so any input value yields a filter that parses.
type Filter struct {
	s   string
	ops []string // comparison operators used, for dialect checks
}

// String is the filter text (not URL-encoded; url.Values does that).
func (f Filter) String() string { return f.s }

// IsZero reports an empty filter (list everything).
func (f Filter) IsZero() bool { return f.s == "" }

// Ops lists the comparison and logical operators the filter uses.
func (f Filter) Ops() []string { return append([]string(nil), f.ops...) }

// Raw wraps filter text written by a user (validated by the server, not here).
func Raw(s string) Filter { return Filter{s: strings.TrimSpace(s)} }

func cmp(attr, op, value string) Filter {
	return Filter{s: attr + " " + op + " " + Quote(value), ops: []string{op}}
}

// Eq is attr eq "value".
func Eq(attr, value string) Filter { return cmp(attr, "eq", value) }

// Ne is attr ne "value" (not in the Access dialect).
func Ne(attr, value string) Filter { return cmp(attr, "ne", value) }

// Co is attr co "value".
func Co(attr, value string) Filter { return cmp(attr, "co", value) }

// Sw is attr sw "value".
func Sw(attr, value string) Filter { return cmp(attr, "sw", value) }

// Ew is attr ew "value" (not in the Access dialect).
func Ew(attr, value string) Filter { return cmp(attr, "ew", value) }

// Gt, Ge, Lt, Le compare strings (dates are strings in SCIM).
func Gt(attr, value string) Filter { return cmp(attr, "gt", value) }
func Ge(attr, value string) Filter { return cmp(attr, "ge", value) }
func Lt(attr, value string) Filter { return cmp(attr, "lt", value) }
func Le(attr, value string) Filter { return cmp(attr, "le", value) }

// EqBool is attr eq true|false.
func EqBool(attr string, v bool) Filter {
	return Filter{s: fmt.Sprintf("%s eq %t", attr, v), ops: []string{"eq"}}
}

// Pr is attr pr (not in the Access dialect).
func Pr(attr string) Filter { return Filter{s: attr + " pr", ops: []string{"pr"}} }

// And joins filters with and; each operand is parenthesised.
func And(fs ...Filter) Filter { return join("and", fs) }

// Or joins filters with or; each operand is parenthesised.
func Or(fs ...Filter) Filter { return join("or", fs) }

// Not negates f (not in the Access dialect).
func Not(f Filter) Filter {
	return Filter{s: "not (" + f.s + ")", ops: append([]string{"not"}, f.ops...)}
}

func join(op string, fs []Filter) Filter {
	var parts []string
	var ops []string
	for _, f := range fs {
		if f.IsZero() {
			continue
		}
		parts = append(parts, "("+f.s+")")
		ops = append(ops, f.ops...)
	}
	switch len(parts) {
	case 0:
		return Filter{}
	case 1:
		return Filter{s: strings.TrimSuffix(strings.TrimPrefix(parts[0], "("), ")"), ops: ops}
	}
	return Filter{s: strings.Join(parts, " "+op+" "), ops: append(ops, op)}
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
