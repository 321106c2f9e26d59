package httpx

import (
	"strings"
	"testing"
)

func TestRedactorMask(t *testing.T) {
	for _, tt := range []struct {
		name    string
		secrets []string
		text    string
		want    string
	}{
		{"nothing registered", nil, "client secret abcd1234", "client secret abcd1234"},
		{"no secret in the text", []string{"abcd1234"}, "all is well", "all is well"},
		{"raw, every occurrence", []string{"abcd1234"}, "a=abcd1234 b=abcd1234.", "a=[REDACTED] b=[REDACTED]."},
		{"shorter than 4 is ignored", []string{"abc"}, "abc", "abc"},
		{"query-escaped", []string{"p@ss word+1"}, "secret=p%40ss+word%2B1&x=1", "secret=[REDACTED]&x=1"},
		{"path-escaped", []string{"p@ss word+1"}, "/keys/p@ss%20word+1/x", "/keys/[REDACTED]/x"},
		{"JSON-escaped", []string{`se"cr\et`}, `{"v":"se\"cr\\et"}`, `{"v":"[REDACTED]"}`},
		{"HTML-escaped JSON", []string{"a<b>&c"}, `{"v":"a\u003cb\u003e\u0026c"}`, `{"v":"[REDACTED]"}`},
		{"a secret inside another is masked whole", []string{"inner", "outer-inner-x"}, "is outer-inner-x and inner", "is [REDACTED] and [REDACTED]"},
		// The earlier replacer masked the first match and went on after it, so the end of a
		// second secret that shared characters with the first stayed in the text ("ijkl").
		{"overlapping secrets leave nothing", []string{"abcdEFGH", "EFGHijkl"}, "x abcdEFGHijkl y", "x [REDACTED] y"},
		{"repeats of one secret overlapping", []string{"aaaa"}, "aaaaaa", "[REDACTED]"},
		{"touching secrets", []string{"abcd", "efgh"}, "abcdefgh!", "[REDACTED]!"},
		{"at both ends", []string{"abcd"}, "abcd-abcd", "[REDACTED]-[REDACTED]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r Redactor
			for _, s := range tt.secrets {
				r.Add(s)
			}
			if got := r.Mask(tt.text); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// Adding a secret later masks it from then on, in text masked before and after the others.
func TestRedactorAddAfterUse(t *testing.T) {
	var r Redactor
	r.Add("first-secret")
	if got := r.Mask("first-secret second-secret"); got != "[REDACTED] second-secret" {
		t.Fatalf("got %q", got)
	}
	r.Add("second-secret")
	r.Add("first-secret") // again: no change
	if got := r.Mask("first-secret second-secret"); got != "[REDACTED] [REDACTED]" {
		t.Fatalf("got %q", got)
	}
}

// Masking text without a secret in it allocates nothing (every progress line goes through it).
func TestRedactorMaskCleanTextAllocatesNothing(t *testing.T) {
	var r Redactor
	for _, s := range []string{"client-secret-value-1", "p@ss word+1", "token.abc.def"} {
		r.Add(s)
	}
	line := strings.Repeat("✓ access.template  created MobileFlows_Server_Template ", 3)
	if n := testing.AllocsPerRun(100, func() { r.Mask(line) }); n != 0 {
		t.Errorf("Mask of clean text: %v allocations, want 0", n)
	}
}

func BenchmarkRedactorMask(b *testing.B) {
	var r Redactor
	for _, s := range []string{"client-secret-value-1", "p@ss word+1", "token.abc.def", "0123456789abcdef", "scim-token-xyz", "ZmxvdXJ0aGlz"} {
		r.Add(s)
	}
	line := "✓ identity.scimToken  generated the SCIM token (saved to secrets/identity-scim-token)"
	b.ReportAllocs()
	for b.Loop() {
		r.Mask(line)
	}
}

// FuzzRedactorMask: whatever the text and however the secrets overlap, no secret is left in
// the masked text, and text without a secret comes back unchanged. Secrets are lower-case
// letters so that none can be spelled by the marker itself.
func FuzzRedactorMask(f *testing.F) {
	f.Add("abcdefgh", "defghijk", "xx abcdefghijk yy")
	f.Add("aaaa", "aaab", "aaaaaab")
	f.Fuzz(func(t *testing.T, s1, s2, text string) {
		lower := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r >= 'a' && r <= 'z' {
					return r
				}
				return -1
			}, s)
		}
		s1, s2 = lower(s1), lower(s2)
		var r Redactor
		r.Add(s1)
		r.Add(s2)
		got := r.Mask(text)
		for _, s := range []string{s1, s2} {
			if len(s) >= minSecretLen && strings.Contains(got, s) {
				t.Fatalf("Mask(%q) with %q, %q = %q: %q is left", text, s1, s2, got, s)
			}
		}
		clean := true
		for _, s := range []string{s1, s2} {
			if len(s) >= minSecretLen && strings.Contains(text, s) {
				clean = false
			}
		}
		if clean && got != text {
			t.Fatalf("Mask(%q) changed text without a secret: %q", text, got)
		}
	})
}
