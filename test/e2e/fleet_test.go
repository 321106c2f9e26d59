package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/test/harness"
	"gopkg.in/yaml.v3"
)

// fleetDir copies each sandbox's config into one folder (tenant-a.yaml, tenant-b.yaml, ...) and
// writes one CA bundle trusting them all; it returns the folder and the bundle.
func fleetDir(t *testing.T, envs ...*env) (string, string) { return fleetDirTB(t, envs...) }

func fleetDirTB(t testing.TB, envs ...*env) (string, string) {
	t.Helper()
	dir := t.TempDir()
	var ca []byte
	for i, e := range envs {
		b, err := os.ReadFile(e.SB.ConfigPath())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, tenantFile(i)), b, 0o600); err != nil {
			t.Fatal(err)
		}
		pem, err := os.ReadFile(e.SB.CAPath())
		if err != nil {
			t.Fatal(err)
		}
		ca = append(ca, pem...)
	}
	bundle := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(bundle, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, bundle
}

// A folder of tenants: a broken config is its own tenant's error, the others still run, the
// summary names each, junit has one suite per tenant, and the exit is the worst (1).
func TestFleetIsolatesBrokenTenant(t *testing.T) {
	a, b := startSandbox(t), startSandbox(t)
	dir, bundle := fleetDir(t, a, b)
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("apiVersion: nonsense/v9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := flowsctl(t, "apply", "-f", dir, "--ca-file", bundle, "--no-input", "--parallel", "2")
	if r.Code != 1 {
		t.Fatalf("fleet apply exit %d, want 1 (the broken tenant)\n%s\n%s", r.Code, r.Out, harness.Tail(r.Err, 30))
	}
	for _, want := range []string{`(?m)^tenant-a\s+(ok|pending)\s`, `(?m)^tenant-b\s+(ok|pending)\s`, `(?m)^broken\s+error\s`} {
		if !regexp.MustCompile(want).MatchString(r.Out) {
			t.Errorf("summary lacks %s:\n%s", want, r.Out)
		}
	}
	if !regexp.MustCompile(`(?m)^broken: .*`).MatchString(r.Err) {
		t.Errorf("the broken tenant's error is not on stderr, prefixed with its name:\n%s", harness.Tail(r.Err, 20))
	}
	for _, line := range strings.Split(strings.TrimSpace(r.Err), "\n") {
		if !regexp.MustCompile(`^(tenant-a|tenant-b|broken): `).MatchString(line) {
			t.Errorf("stderr line without a tenant prefix: %q", line)
		}
	}
	if len(a.Writes()) == 0 || len(b.Writes()) == 0 {
		t.Errorf("a healthy tenant was not applied: writes a=%d b=%d", len(a.Writes()), len(b.Writes()))
	}
	// Each tenant keeps its records in a folder of its own, none in the shared one.
	for _, name := range []string{"tenant-a", "tenant-b"} {
		if _, err := os.Stat(filepath.Join(dir, ".flowsctl", name, "okta-scim-token.json")); err != nil {
			t.Errorf("%s's token record: %v", name, err)
		}
	}
	if shared, _ := filepath.Glob(filepath.Join(dir, ".flowsctl", "*.json")); len(shared) != 0 {
		t.Errorf("records shared by the folder's tenants: %v", shared)
	}

	r = flowsctl(t, "doctor", "-f", filepath.Join(dir, "tenant-*.yaml"), "--ca-file", bundle, "--no-input", "-o", "junit")
	if n := strings.Count(r.Out, "<testsuite "); n != 2 {
		t.Errorf("junit has %d testsuites, want 2 (one per tenant):\n%s", n, r.Out)
	}
	for _, name := range []string{`name="tenant-a"`, `name="tenant-b"`} {
		if !strings.Contains(r.Out, name) {
			t.Errorf("junit lacks suite %s", name)
		}
	}

	r = flowsctl(t, "plan", "-f", filepath.Join(dir, "tenant-a.yaml"), "-f", filepath.Join(dir, "broken.yaml"), "--ca-file", bundle, "--no-input", "-o", "json")
	var res []struct {
		Tenant string `json:"tenant"`
		Status string `json:"status"`
		Exit   int    `json:"exit"`
		Report any    `json:"report"`
	}
	if err := json.Unmarshal([]byte(r.Out), &res); err != nil || len(res) != 2 {
		t.Fatalf("plan -o json over two -f: %v\n%s", err, r.Out)
	}
	if res[0].Tenant != "tenant-a" || res[0].Report == nil || res[1].Status != "error" || r.Code != 1 {
		t.Errorf("per-tenant json %+v, exit %d", res, r.Code)
	}
}

// doctor --fix repairs a drifted template with one write and nothing else; --dry-run shows the
// plan and writes nothing.
func TestDoctorFixDrift(t *testing.T) {
	e := sandboxWith(t, "access", "no Access emulator")
	if r := e.Run(t, "apply"); r.Code != 0 && r.Code != 3 {
		t.Fatalf("apply exit %d: %s", r.Code, harness.Tail(r.Err, 20))
	}
	var cfg map[string]any
	b, err := os.ReadFile(e.SB.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["access"].(map[string]any)["mobileFlowsTemplate"].(map[string]any)["accessTokenTTL"] = "2d"
	out, _ := yaml.Marshal(cfg)
	drift := filepath.Join(t.TempDir(), "drift.yaml")
	if err := os.WriteFile(drift, out, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-f", drift, "--ca-file", e.SB.CAPath(), "--no-input"}
	e.ClearLogs()
	r := flowsctl(t, append([]string{"doctor", "--fix", "--dry-run"}, args...)...)
	if w := e.Writes(); len(w) != 0 {
		t.Errorf("--fix --dry-run wrote: %v", w)
	}
	if r.Code != 2 || !strings.Contains(r.Out, "access.template") {
		t.Errorf("--fix --dry-run exit %d (want 2, changes pending), plan:\n%s\n%s", r.Code, r.Out, harness.Tail(r.Err, 10))
	}
	e.ClearLogs()
	r = flowsctl(t, append([]string{"doctor", "--fix"}, args...)...)
	if r.Code != 0 {
		t.Fatalf("--fix exit %d\n%s\n%s", r.Code, r.Out, harness.Tail(r.Err, 20))
	}
	w := e.Writes()
	n := 0
	for svc, ws := range w {
		n += len(ws)
		if svc != "access" {
			t.Errorf("--fix wrote to %s: %v", svc, ws)
		}
	}
	if n != 1 {
		t.Errorf("--fix made %d writes, want the one template update: %v", n, w)
	}
	r = flowsctl(t, append([]string{"doctor", "-o", "markdown"}, args...)...)
	if r.Code != 0 || !strings.Contains(r.Out, "| Status | Check | Detail | Fix |\n|---|---|---|---|\n| ✅ pass |") {
		t.Errorf("doctor -o markdown after --fix exit %d:\n%s", r.Code, r.Out)
	}
}

// tenantFile names the i-th tenant's config: tenant-a.yaml ... tenant-z.yaml, then tenant-26.yaml.
func tenantFile(i int) string {
	if i < 26 {
		return "tenant-" + string(rune('a'+i)) + ".yaml"
	}
	return "tenant-" + strconv.Itoa(i) + ".yaml"
}

// Two tenants of a folder whose configs write a secret to the same file are both refused
// before anything is sent, each naming the other; a third tenant runs.
func TestFleetRefusesSharedSink(t *testing.T) {
	a, b, c := startSandbox(t), startSandbox(t), startSandbox(t)
	dir, bundle := fleetDir(t, a, b, c)
	var ca, cb map[string]any
	read := func(name string, v *map[string]any) {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(raw, v); err != nil {
			t.Fatal(err)
		}
	}
	read("tenant-a.yaml", &ca)
	read("tenant-b.yaml", &cb)
	sinkOf := func(c map[string]any) map[string]any {
		return c["azure"].(map[string]any)["app"].(map[string]any)["secret"].(map[string]any)
	}
	sinkOf(cb)["sink"] = sinkOf(ca)["sink"]
	out, _ := yaml.Marshal(cb)
	if err := os.WriteFile(filepath.Join(dir, "tenant-b.yaml"), out, 0o600); err != nil {
		t.Fatal(err)
	}
	r := flowsctl(t, "plan", "-f", dir, "--ca-file", bundle, "--no-input", "--parallel", "3")
	if r.Code != 1 {
		t.Fatalf("fleet plan exit %d, want 1\n%s\n%s", r.Code, r.Out, harness.Tail(r.Err, 20))
	}
	for _, want := range []string{`(?m)^tenant-a\s+error\s`, `(?m)^tenant-b\s+error\s`, `(?m)^tenant-c\s+(ok|pending)\s`,
		`(?m)^tenant-a: azure\.app\.secret\.sink writes to .*tenant tenant-b`, `(?m)^tenant-b: azure\.app\.secret\.sink writes to .*tenant tenant-a`} {
		if !regexp.MustCompile(want).MatchString(r.Out + r.Err) {
			t.Errorf("output lacks %s:\n%s\n%s", want, r.Out, harness.Tail(r.Err, 20))
		}
	}
	if n := len(harness.FromFlowsctl(a.Log())) + len(harness.FromFlowsctl(b.Log())); n != 0 {
		t.Errorf("a refused tenant's services got requests from %d services", n)
	}
	if len(harness.FromFlowsctl(c.Log())) == 0 {
		t.Error("the third tenant did not run")
	}
}
