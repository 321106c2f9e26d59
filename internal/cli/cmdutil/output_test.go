package cmdutil

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// Text output that embeds a server's value cannot drive the terminal: only colour survives.
func TestPrintTextNeutralisesEscapes(t *testing.T) {
	name := "app\x1b]0;pwned\x07\x1b[2J"
	var b strings.Builder
	err := Print(&b, "text", nil, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "\x1b[1mapplication:\x1b[0m %s\n", name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); strings.Contains(got, "\x1b]") || strings.Contains(got, "\x1b[2J") || !strings.HasPrefix(got, "\x1b[1m") {
		t.Errorf("printed %q", got)
	}
}
