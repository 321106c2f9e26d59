package configcmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
)

const minimal = "apiVersion: flowsctl/v1\n"

const withAccess = `apiVersion: flowsctl/v1
access:
  url: https://acme.vmwareidentity.com
  auth:
    clientId: flowsctl-admin
    clientSecret: env:FLOWSCTL_TEST_ACCESS_SECRET
`

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "flowsctl.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// example is the shared example config next to the checkout (this package is three levels
// below the module root), or "" when the shared directory is absent.
func example(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared", "flowsctl.example.yaml"))
	if err != nil {
		return ""
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// common is what config validate and show get: -f path, -o output, the config loaded from path.
func common(path, output string) (cmdutil.Common, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return cmdutil.Common{IO: ios, Flags: &cmdutil.GlobalFlags{File: path, Output: output},
		Config: func() (*config.Config, error) { return config.Load(path) }}, out, errOut
}

func validate(t *testing.T, path, output string) (string, string, error) {
	t.Helper()
	c, out, errOut := common(path, output)
	err := validateRun(&c)
	return out.String(), errOut.String(), err
}

func TestValidate(t *testing.T) {
	pos := regexp.MustCompile(`:\d+:\d+`)
	tests := []struct {
		name     string
		body     string
		wantCode int
		stderr   []string // substrings
		position bool
	}{
		{name: "minimal", body: minimal, wantCode: 0, stderr: []string{"valid"}},
		{name: "with access", body: withAccess, wantCode: 0, stderr: []string{"valid"}},
		{name: "unknown key", body: "apiVersion: flowsctl/v1\naccess:\n  urll: https://x.example.com\n", wantCode: 1,
			stderr: []string{"urll", "problem"}, position: true},
		{name: "literal secret", body: strings.Replace(withAccess, "env:FLOWSCTL_TEST_ACCESS_SECRET", "hunter2hunter2", 1), wantCode: 1,
			stderr: []string{"clientSecret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := validate(t, write(t, tt.body), "text")
			if got := cmdutil.CodeOf(err); got != tt.wantCode {
				t.Fatalf("exit %d; want %d; stderr:\n%s", got, tt.wantCode, stderr)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tt.position && !pos.MatchString(stderr) {
				t.Errorf("stderr has no line:col:\n%s", stderr)
			}
			if strings.Contains(stderr, "hunter2hunter2") {
				t.Error("validate echoed a literal secret")
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	body := "apiVersion: flowsctl/v1\naccess:\n  urll: https://x.example.com\n  tenantInPth: x\n"
	_, stderr, err := validate(t, write(t, body), "text")
	if cmdutil.CodeOf(err) != 1 {
		t.Fatalf("exit %d", cmdutil.CodeOf(err))
	}
	for _, k := range []string{"urll", "tenantInPth"} {
		if !strings.Contains(stderr, k) {
			t.Errorf("stderr lacks %q:\n%s", k, stderr)
		}
	}
	// One line per problem, then the summary.
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) < 3 {
		t.Errorf("want a line per problem and a summary:\n%s", stderr)
	}
}

func TestValidateJSON(t *testing.T) {
	p := write(t, "apiVersion: flowsctl/v1\naccess:\n  urll: https://x.example.com\n")
	out, _, err := validate(t, p, "json")
	if cmdutil.CodeOf(err) != 1 {
		t.Fatalf("exit %d", cmdutil.CodeOf(err))
	}
	var res struct {
		File     string           `json:"file"`
		Valid    bool             `json:"valid"`
		Problems []map[string]any `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if res.File != p || res.Valid || len(res.Problems) == 0 || res.Problems[0]["message"] == "" {
		t.Fatalf("result %+v", res)
	}
	out, _, err = validate(t, write(t, minimal), "json")
	if err != nil || !strings.Contains(out, `"problems": []`) {
		t.Fatalf("valid: %v %s", err, out)
	}
}

func TestValidateMissingFile(t *testing.T) {
	_, stderr, err := validate(t, filepath.Join(t.TempDir(), "nope.yaml"), "text")
	if cmdutil.CodeOf(err) != 1 || !strings.Contains(stderr, "nope.yaml") || !strings.Contains(stderr, "flowsctl init") {
		t.Fatalf("exit %d, stderr %q", cmdutil.CodeOf(err), stderr)
	}
}

func TestValidateExample(t *testing.T) {
	ex := example(t)
	if ex == "" {
		t.Skip("../shared/flowsctl.example.yaml is absent (it lives next to the checkout)")
	}
	if _, stderr, err := validate(t, ex, "text"); err != nil {
		t.Fatalf("the shared example is invalid: %s", stderr)
	}
}

func show(t *testing.T, path, output string) (string, error) {
	c, out, _ := common(path, output)
	err := showRun(&c)
	return out.String(), err
}

func TestShow(t *testing.T) {
	t.Setenv("FLOWSCTL_TEST_ACCESS_SECRET", "s3cret-value-never-shown")
	p := write(t, withAccess)
	for _, output := range []string{"text", "yaml", "json"} {
		t.Run(output, func(t *testing.T) {
			out, err := show(t, p, output)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out, "s3cret-value-never-shown") {
				t.Fatal("config show resolved a secret")
			}
			if !strings.Contains(out, "env:FLOWSCTL_TEST_ACCESS_SECRET") {
				t.Errorf("secret reference missing:\n%s", out)
			}
			var doc map[string]any
			if output == "json" {
				err = json.Unmarshal([]byte(out), &doc)
			} else {
				err = yaml.Unmarshal([]byte(out), &doc)
			}
			if err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			acc, _ := doc["access"].(map[string]any)
			if doc["apiVersion"] != "flowsctl/v1" || acc["url"] != "https://acme.vmwareidentity.com" {
				t.Errorf("keys are not the YAML names:\n%s", out)
			}
			if _, ok := acc["mobileFlowsTemplate"]; !ok {
				t.Errorf("defaults not shown (access.mobileFlowsTemplate):\n%s", out)
			}
		})
	}
}

func TestShowInvalid(t *testing.T) {
	_, err := show(t, write(t, "apiVersion: flowsctl/v1\nazure: {tenantIdd: x}\n"), "json")
	if err == nil || !strings.Contains(err.Error(), "tenantIdd") {
		t.Fatalf("err = %v", err)
	}
}
