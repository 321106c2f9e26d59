// Package e2e drives the real command tree (plan, apply, doctor, demo) against the in-process
// sandbox of every registered emulator: the end-to-end contract of flowsctl.
package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/test/harness"
)

type (
	result = harness.Result
	env    = harness.Env
)

// flowsctl runs the command tree in-process (no TTY: --no-input implied).
func flowsctl(t testing.TB, args ...string) result {
	t.Helper()
	return harness.Run(t, harness.Options{Version: "e2e"}, args...)
}

func startSandbox(t testing.TB) *env {
	t.Helper()
	return harness.Start(t, harness.Options{Version: "e2e"})
}

// sandboxWith starts the sandbox and skips the test when it has no emulator for service
// (skip says which one, as in "no Graph emulator").
func sandboxWith(t testing.TB, service, skip string) *env {
	t.Helper()
	e := startSandbox(t)
	if !e.Has(service) {
		t.Skip(skip)
	}
	return e
}

// apiModeConfig is the sandbox config file's text; the test is skipped unless it puts mobile
// flows in api mode.
func apiModeConfig(t testing.TB, e *env) string {
	t.Helper()
	b, err := os.ReadFile(e.SB.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "mode: api") {
		t.Skip("the sandbox config does not use api mode")
	}
	return string(b)
}

// guidedArgs writes guided.yaml beside the sandbox config, the same config with mobile flows in
// guided mode, and returns the global flags that run flowsctl on it with --no-input.
func guidedArgs(t testing.TB, e *env) []string {
	t.Helper()
	guided := filepath.Join(filepath.Dir(e.SB.ConfigPath()), "guided.yaml")
	if err := os.WriteFile(guided, []byte(strings.Replace(apiModeConfig(t, e), "mode: api", "mode: guided", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"-f", guided, "--ca-file", e.SB.CAPath(), "--no-input"}
}

type stepJSON struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Requests   int64  `json:"requests"`
	DurationMs int64  `json:"durationMs"`
	Error      string `json:"error"`
	Fix        string `json:"fix"`
	Reason     string `json:"reason"`
	Needs      []string
	Objects    []struct{ Kind, Key, ID string }
}

func decodeSteps(t testing.TB, r result) []stepJSON {
	t.Helper()
	var rep struct {
		Steps []stepJSON `json:"steps"`
	}
	if err := json.Unmarshal([]byte(r.Out), &rep); err != nil {
		t.Fatalf("not JSON (%v): %s\nstderr: %s", err, r.Out, r.Err)
	}
	return rep.Steps
}

type checkJSON struct {
	ID, Title, Status, Detail, Fix string
}

func decodeChecks(t testing.TB, r result) []checkJSON {
	t.Helper()
	var rep struct {
		Checks []checkJSON `json:"checks"`
	}
	if err := json.Unmarshal([]byte(r.Out), &rep); err != nil {
		t.Fatalf("doctor output is not JSON (%v): %s", err, r.Out)
	}
	return rep.Checks
}

func failed(cs []checkJSON) []checkJSON {
	var out []checkJSON
	for _, c := range cs {
		if c.Status == "fail" {
			out = append(out, c)
		}
	}
	return out
}

func dump(cs []checkJSON) string {
	var b bytes.Buffer
	for _, c := range cs {
		b.WriteString(c.Status + " " + c.ID + ": " + c.Detail + " (fix: " + c.Fix + ")\n")
	}
	return b.String()
}

func httpxOptions(e *env) httpx.Options {
	return httpx.Options{CAPEM: e.SB.CA.CertPEM, UserAgent: "flowsctl/e2e"}
}
