package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSecretInOutput: no secret of the sandbox (the ones it was given and the ones apply
// created: Entra client secret, SCIM client secret, Identity Services token) appears in the
// output of plan, apply, doctor or a --debug trace.
func TestNoSecretInOutput(t *testing.T) {
	e := startSandbox(t)
	var outs []string
	for _, args := range [][]string{{"plan"}, {"apply", "--debug"}, {"apply", "-o", "json", "--debug"}, {"plan", "-o", "yaml"},
		{"doctor", "--debug"}, {"doctor", "-o", "json"}, {"doctor", "-o", "junit"}} {
		r := e.Run(t, args...)
		outs = append(outs, r.Out, r.Err)
	}
	dir := filepath.Join(filepath.Dir(e.SB.ConfigPath()), "secrets")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(outs, "\n")
	if !strings.Contains(all, "Authorization") && !strings.Contains(all, "GET ") {
		t.Log("note: --debug printed no trace lines")
	}
	n := 0
	for _, de := range ents {
		b, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		v := strings.TrimSpace(string(b))
		if len(v) < 8 {
			continue
		}
		n++
		if strings.Contains(all, v) {
			t.Errorf("the value of secret %s appears in the output", de.Name())
		}
	}
	if n < 3 {
		t.Fatalf("only %d secrets checked; apply should have created some", n)
	}
}
