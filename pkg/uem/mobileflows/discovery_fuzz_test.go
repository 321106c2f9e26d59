package mobileflows

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseDiscovery: the discovery validator never panics; it either returns a summary or a
// *DiscoveryError with at least one problem, each on one line.
func FuzzParseDiscovery(f *testing.F) {
	for _, s := range []string{
		`{"image":{"href":"https://c.example/i.png"},"object_types":{"card":{"doc":{"href":"https://x"},"pollable":true,"endpoint":{"href":"https://c.example/cards"}}}}`,
		`{"actions":{"a":{"url":{"href":"https://c.example/a"},"type":"POST"}}}`,
		`{"config":{"k":{"default":1}}}`, `[]`, `null`, `{"object_types":[]}`, `{"image":"x"}`,
		`{"object_types":{"c":{"endpoint":{"href":"/rel"}}}}`, `{`, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		d, err := ParseDiscovery([]byte(doc))
		if err != nil {
			var de *DiscoveryError
			if !errors.As(err, &de) || len(de.Problems) == 0 {
				t.Fatalf("error is not a *DiscoveryError with problems: %T %v", err, err)
			}
			for _, p := range de.Problems {
				if p == "" {
					t.Fatal("empty problem")
				}
			}
			_ = err.Error()
			return
		}
		if d == nil {
			t.Fatal("nil summary and nil error")
		}
		for _, w := range d.Warnings {
			if strings.TrimSpace(w) == "" {
				t.Fatal("empty warning")
			}
		}
	})
}
