package cmdutil

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// A detail with a pipe, a newline and HTML stays inside its cell: every table row has exactly
// the four cells of the header.
func TestPrintChecksMarkdownEscapes(t *testing.T) {
	checks := []doctor.Check{
		{ID: "access.template", Title: "template matches", Status: doctor.Fail, Detail: "accessTokenTTL: a|b\nwant 1d <script>", Fix: "run: flowsctl apply --only access.template"},
		{ID: "access.template", Title: "scopes", Status: doctor.Pass},
		{ID: "env.dns", Title: "DNS `x`", Status: doctor.Warn, Detail: "slow\r\nanswer"},
	}
	var b bytes.Buffer
	if err := PrintChecks(&b, "markdown", checks, 5, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Count(out, "| Status | Check | Detail | Fix |") != 2 {
		t.Fatalf("want one table per step:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cells != 5 {
			t.Errorf("row has %d separators, want 5: %q", cells, line)
		}
	}
	for _, want := range []string{`a\|b<br>want 1d &lt;script&gt;`, "slow<br>answer", "❌ fail", "run: flowsctl apply --only access.template"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script>") {
		t.Errorf("raw HTML passed through:\n%s", out)
	}
}
