package config

import "testing"

func BenchmarkParseDefault(b *testing.B) {
	doc, err := Marshal(Default(), "yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Parse("flowsctl.yaml", doc); err != nil {
			b.Fatal(err)
		}
	}
}
