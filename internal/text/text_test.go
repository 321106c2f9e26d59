package text

import (
	"slices"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"kitten", "sitting", 3}, {"", "abc", 3},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q,%q)=%d want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"clientId", "clientSecret", "tenantId", "authority"}
	for _, tt := range []struct{ in, want string }{
		{"clientID", "clientId"}, {"tenantid", "tenantId"}, {"secret", "clientSecret"}, {"autority", "authority"}, {"zzz", ""},
	} {
		if got := Suggest(tt.in, keys); got != tt.want {
			t.Errorf("Suggest(%q)=%q want %q", tt.in, got, tt.want)
		}
	}
	if got := Closest("teams", []string{"steams", "teamz", "box"}, 2); !slices.Equal(got, []string{"steams", "teamz"}) {
		t.Errorf("Closest = %v", got)
	}
}

func TestSlug(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Microsoft Teams (beta)", "microsoft-teams-beta"}, {"--A--b--", "a-b"}, {"", ""},
	} {
		if got := Slug(tt.in); got != tt.want {
			t.Errorf("Slug(%q)=%q want %q", tt.in, got, tt.want)
		}
	}
}

func TestSanitize(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\x1b]0;title\x07b", "a\uFFFD]0;title\uFFFDb"},
		{"row\nfake row", "row fake row"},
		{"x\x1b[2Jy", "x\uFFFD[2Jy"},
		{"tab\there", "tab\there"},
	} {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q)=%q want %q", tt.in, got, tt.want)
		}
	}
}

func TestSanitizeBlock(t *testing.T) {
	if got := SanitizeBlock("line one\x1b[2J\nline two\r\x07"); got != "line one\uFFFD[2J\nline two \uFFFD" {
		t.Errorf("got %q", got)
	}
}

func TestTerminal(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "a\tb\nc", "a\tb\nc"},
		{"colour kept", "\x1b[1mfix:\x1b[0m x", "\x1b[1mfix:\x1b[0m x"},
		{"osc title", "a\x1b]0;owned\x07b", "a\uFFFD]0;owned\uFFFDb"},
		{"clear screen", "\x1b[2J\x1b[H", "\uFFFD[2J\uFFFD[H"},
		{"carriage return", "ok\rFAIL", "ok\uFFFDFAIL"},
		{"c1 csi", "a\u009b2Jb", "a\uFFFD2Jb"},
		{"unterminated", "\x1b[31", "\uFFFD[31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terminal(tt.in); got != tt.want {
				t.Errorf("Terminal(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
