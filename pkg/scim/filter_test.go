package scim

import (
	"encoding/json"
	"testing"

	filter "github.com/scim2/filter-parser/v2"
)

func TestFilterStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f    Filter
		want string
	}{
		{Eq("userName", `a"b`), `userName eq "a\"b"`},
		{Eq("userName", `a\b`), `userName eq "a\\b"`},
		{Eq("userName", "a\x01b"), `userName eq "a\u0001b"`},
		{And(Eq("userName", "a"), Co("displayName", "b")), `(userName eq "a") and (displayName co "b")`},
		{And(Eq("userName", "a")), `userName eq "a"`},
		{Not(Pr("title")), `not (title pr)`},
		{EqBool("active", false), `active eq false`},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("got %s want %s", got, tt.want)
		}
		if _, err := filter.ParseFilter([]byte(tt.f.String())); err != nil {
			t.Errorf("%s does not parse: %v", tt.f, err)
		}
	}
}

func TestFilterDialect(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		f  Filter
		ok bool
	}{{Eq("a", "b"), true}, {And(Sw("a", "b"), Le("c", "d")), true}, {Ne("a", "b"), false}, {Pr("a"), false}, {Or(Eq("a", "b"), Eq("c", "d")), false}} {
		if err := tt.f.CheckDialect(Access11); (err == nil) != tt.ok {
			t.Errorf("%s: err=%v want ok=%v", tt.f, err, tt.ok)
		}
	}
}

// FuzzFilterParses: every filter the builder makes parses with scim2/filter-parser, and the
// parsed value decodes back (as a JSON string) to the input.
func FuzzFilterParses(f *testing.F) {
	for _, s := range []string{"", "a", `"`, `\`, "\x00", "\xff", "é", "a b", `\u0041`, "\n\t\r\b\f", "]", "(", "'"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, v1, v2 string) {
		for _, fl := range []Filter{Eq("userName", v1), Co("emails.value", v1), And(Eq("userName", v1), Sw("externalId", v2)),
			Or(Eq("displayName", v1), Not(Ew("title", v2))), Eq("urn:ietf:params:scim:schemas:core:2.0:User:userName", v1)} {
			e, err := filter.ParseFilter([]byte(fl.String()))
			if err != nil {
				t.Fatalf("%q does not parse: %v", fl.String(), err)
			}
			if ae, ok := e.(*filter.AttributeExpression); ok {
				var got string
				if err := json.Unmarshal([]byte(`"`+ae.CompareValue.(string)+`"`), &got); err != nil {
					t.Fatalf("value of %q is not a JSON string: %v", fl.String(), err)
				}
				want := []rune(v1)
				if string(want) != got {
					// invalid UTF-8 is replaced by U+FFFD
					if s := string([]rune(v1)); s != got {
						t.Fatalf("round trip %q -> %q", v1, got)
					}
				}
			}
		}
	})
}
