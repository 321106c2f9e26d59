package scim

import (
	"encoding/json"
	"slices"
	"testing"

	filter "github.com/scim2/filter-parser/v2"
)

func TestFilterStrings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		f    Filter
		want string
	}{
		{Eq("userName", `a"b`), `userName eq "a\"b"`},
		{Eq("userName", `a\b`), `userName eq "a\\b"`},
		{Eq("userName", "a\x01b"), `userName eq "a\u0001b"`},
		{Eq("userName", "\xff"), `userName eq "\uFFFD"`},
	} {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("got %s want %s", got, tt.want)
		}
		if _, err := filter.ParseFilter([]byte(tt.f.String())); err != nil {
			t.Errorf("%s does not parse: %v", tt.f, err)
		}
	}
}

// TestFilterDialect: the operators of a user's filter are read outside quoted values, and the
// Access dialect refuses the ones Access does not support.
func TestFilterDialect(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		f   Filter
		ops []string
		ok  bool
	}{
		{Eq("a", "b"), []string{"eq"}, true},
		{Raw(`userName sw "a" and (title le "c")`), []string{"sw", "and", "le"}, true},
		{Raw(`userName eq "x or y pr"`), []string{"eq"}, true},
		{Raw(`userName eq "a \" or b"`), []string{"eq"}, true},
		{Raw(`userName pr`), []string{"pr"}, false},
		{Raw(`a eq "b" OR c eq "d"`), []string{"eq", "or", "eq"}, false},
		{Raw(`not (title ne "x")`), []string{"not", "ne"}, false},
		{Raw(`emails[type eq "work"]`), []string{"eq"}, true},
	} {
		if !slices.Equal(tt.f.ops, tt.ops) {
			t.Errorf("%s: ops %v, want %v", tt.f, tt.f.ops, tt.ops)
		}
		if err := tt.f.CheckDialect(Access11); (err == nil) != tt.ok {
			t.Errorf("%s: err=%v want ok=%v", tt.f, err, tt.ok)
		}
		if err := tt.f.CheckDialect(RFC7644); err != nil {
			t.Errorf("%s: RFC 7644 dialect refused it: %v", tt.f, err)
		}
	}
}

// FuzzFilterParses: every Eq filter parses with scim2/filter-parser, and the parsed value
// decodes back (as a JSON string) to the input (invalid UTF-8 becomes U+FFFD).
func FuzzFilterParses(f *testing.F) {
	for _, s := range []string{"", "a", `"`, `\`, "\x00", "\xff", "é", "a b", `\u0041`, "\n\t\r\b\f", "]", "(", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		fl := Eq("userName", v)
		e, err := filter.ParseFilter([]byte(fl.String()))
		if err != nil {
			t.Fatalf("%q does not parse: %v", fl.String(), err)
		}
		if ae, ok := e.(*filter.AttributeExpression); ok {
			var got string
			if err := json.Unmarshal([]byte(`"`+ae.CompareValue.(string)+`"`), &got); err != nil {
				t.Fatalf("value of %q is not a JSON string: %v", fl.String(), err)
			}
			if string([]rune(v)) != got {
				t.Fatalf("round trip %q -> %q", v, got)
			}
		}
		if ops := opsOf(fl.String()); !slices.Equal(ops, []string{"eq"}) {
			t.Fatalf("ops of %q: %v", fl.String(), ops)
		}
	})
}
