package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(okAzure + okAccess + okUEM))
	f.Add([]byte("azure:\n  app:\n    displayNme: x\n"))
	f.Add([]byte("uem:\n  integrations:\n    - &a {name: a, deviceSyncInterval: 15m}\n    - {<<: *a, name: b}\n"))
	f.Add([]byte("a: &a [x, x]\nb: [*a, *a]\n"))
	f.Add([]byte("access: {auth: {clientSecret: {x: y}}, mobileFlowsTemplate: {tokenLength: 1e9}}\n"))
	f.Add([]byte("doctor: {warnSecretExpiryBefore: 999999999y}\n"))
	if b, err := Marshal(Default(), "yaml"); err == nil {
		f.Add(b)
	}
	dir, _ := os.Getwd()
	if s := findShared(dir); s != "" {
		if b, err := os.ReadFile(filepath.Join(s, "flowsctl.example.yaml")); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := Parse("fuzz.yaml", doc)
		if err != nil {
			var errs *Errors
			if !errors.As(err, &errs) || errs.Len() == 0 {
				t.Fatalf("error is not a non-empty *Errors: %T %v", err, err)
			}
			for _, p := range errs.Problems {
				if strings.Contains(p.String(), "\n") && !strings.HasPrefix(p.Message, "invalid YAML") {
					t.Fatalf("problem spans lines: %q", p.String())
				}
			}
			return
		}
		if _, err := Marshal(c, "json"); err != nil {
			t.Fatalf("Marshal json of a valid config: %v", err)
		}
		y, err := Marshal(c, "yaml")
		if err != nil {
			t.Fatalf("Marshal yaml of a valid config: %v", err)
		}
		// What config show prints loads again, to the same config.
		c2, err := Parse("fuzz.yaml", y)
		if err != nil {
			t.Fatalf("Marshal output does not parse: %v\n%s", err, y)
		}
		if y2, _ := Marshal(c2, "yaml"); string(y2) != string(y) {
			t.Fatalf("round trip changed the config:\n%s\n---\n%s", y, y2)
		}
		_ = c.LogoutURL()
		_ = c.IdentityURL()
	})
}

func findShared(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			s := filepath.Join(dir, "..", "shared")
			if _, err := os.Stat(s); err == nil {
				return s
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"10m", "24h", "10d", "90d", "12mo", "1y", "2w", "0m", " 5min ", "", "m", "1", "999999999y", "100y", "36500d", "1d2h", "-1d", "１d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d.D < 0 || d.D > 100*Year {
			t.Fatalf("%q parsed to %v", s, d.D)
		}
		if d.Raw != strings.TrimSpace(s) {
			t.Fatalf("%q: Raw = %q", s, d.Raw)
		}
		for _, again := range []string{d.String(), FormatDuration(d.D)} {
			d2, err := ParseDuration(again)
			if err != nil || d2.D != d.D {
				t.Fatalf("%q -> %q does not parse back to %v: %v %v", s, again, d.D, d2.D, err)
			}
		}
	})
}
