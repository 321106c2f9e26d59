package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/test/harness"
)

var troubleRow = regexp.MustCompile("^\\| `([^`]+)` \\| [^|]+ \\| (.+) \\|$")

// The troubleshooting page says: paste any error text into `flowsctl explain`. For every message
// its tables quote, explain must know it (exit 0) and name a flowsctl command of the fix column
// (when the column names any), so the page and explain give the same fix.
func TestExplainKnowsTroubleshooting(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "docs", "troubleshooting.md"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		m := troubleRow.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(m[1], "/") {
			continue
		}
		n++
		msg, fix := m[1], m[2]
		r := harness.Run(t, harness.Options{Version: "docs"}, "explain", msg)
		if r.Code != 0 {
			t.Errorf("explain %q: exit %d\n%s%s", msg, r.Code, r.Out, r.Err)
			continue
		}
		cmds := regexp.MustCompile("`(flowsctl [^`]+)`").FindAllStringSubmatch(fix, -1)
		named := len(cmds) == 0
		for _, c := range cmds {
			named = named || strings.Contains(r.Out+r.Err, c[1])
		}
		if !named {
			t.Errorf("explain %q names none of the commands troubleshooting.md gives (%s):\n%s", msg, fix, r.Out)
		}
	}
	if n < 4 {
		t.Fatalf("%d messages found in troubleshooting.md's tables", n)
	}
}
