package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The example config of docs/ci.md (the yaml block after the ci-example-config marker) passes
// `flowsctl config validate`, so a reader who copies it starts from a config flowsctl accepts.
func TestCIDocExampleConfigValidates(t *testing.T) {
	clearEnv(t)
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "<!-- ci-example-config")
	if i < 0 {
		t.Fatal("docs/ci.md has no <!-- ci-example-config --> marker before its example config")
	}
	rest := doc[i:]
	start := strings.Index(rest, "```yaml\n")
	if start < 0 {
		t.Fatal("no yaml block after the marker")
	}
	rest = rest[start+len("```yaml\n"):]
	end := strings.Index(rest, "\n```")
	if end < 0 {
		t.Fatal("unterminated yaml block")
	}
	path := filepath.Join(t.TempDir(), "flowsctl.yaml")
	if err := os.WriteFile(path, []byte(rest[:end+1]), 0o600); err != nil {
		t.Fatal(err)
	}
	f := testFactory()
	if code := run(context.Background(), f, []string{"config", "validate", "-f", path, "--no-input"}); code != 0 {
		t.Fatalf("config validate exit %d: %s", code, stderrOf(f))
	}
}
