package cli

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
)

// probe is a command that records what the root handed it.
type probe struct {
	deadline    time.Time
	hasDeadline bool
	flags       cmdutil.GlobalFlags
	ran         bool
}

func (p *probe) cmd(f *cmdutil.Factory, name string, annotations map[string]string, ret func(ctx context.Context) error) *cobra.Command {
	return &cobra.Command{Use: name, Annotations: annotations, RunE: func(c *cobra.Command, _ []string) error {
		p.ran = true
		p.deadline, p.hasDeadline = c.Context().Deadline()
		p.flags = *f.Flags
		if ret != nil {
			return ret(c.Context())
		}
		return nil
	}}
}

func testFactory() *cmdutil.Factory {
	ios, _, _, _ := iostreams.Test()
	return NewFactory(ios, cmdutil.BuildInfo{Version: "test"})
}

func stderrOf(f *cmdutil.Factory) string { return f.IO.ErrOut.(interface{ String() string }).String() }

func clearEnv(t *testing.T) {
	for _, k := range []string{"FLOWSCTL_FILE", "FLOWSCTL_OUTPUT", "FLOWSCTL_TIMEOUT", "FLOWSCTL_CA_FILE", "FLOWSCTL_DEBUG", "FLOWSCTL_NO_INPUT"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// runProbe runs `flowsctl probe args...` with only env's FLOWSCTL_* variables set.
func runProbe(t *testing.T, env map[string]string, args ...string) (*cmdutil.Factory, *probe, int) {
	t.Helper()
	clearEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	f := testFactory()
	p := &probe{}
	code := run(context.Background(), f, append([]string{"probe"}, args...), p.cmd(f, "probe", nil, nil))
	return f, p, code
}

func TestTimeoutBecomesDeadline(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		env          string
		annotations  map[string]string
		wantDeadline time.Duration // 0: none
	}{
		{"default", nil, "", nil, DefaultTimeout},
		{"flag", []string{"--timeout", "90s"}, "", nil, 90 * time.Second},
		{"env", nil, "3m", nil, 3 * time.Minute},
		{"flag beats env", []string{"--timeout", "2m"}, "3m", nil, 2 * time.Minute},
		{"zero means none", []string{"--timeout", "0"}, "", nil, 0},
		{"long-running command ignores the default", nil, "", map[string]string{AnnotationNoTimeout: "true"}, 0},
		{"long-running command honours an explicit flag", []string{"--timeout", "1m"}, "", map[string]string{AnnotationNoTimeout: "true"}, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			if tt.env != "" {
				t.Setenv("FLOWSCTL_TIMEOUT", tt.env)
			}
			f := testFactory()
			p := &probe{}
			start := time.Now()
			code := run(context.Background(), f, append([]string{"probe"}, tt.args...), p.cmd(f, "probe", tt.annotations, nil))
			if code != 0 || !p.ran {
				t.Fatalf("exit %d, ran %v: %s", code, p.ran, stderrOf(f))
			}
			if tt.wantDeadline == 0 {
				if p.hasDeadline {
					t.Fatalf("deadline set: %v", p.deadline)
				}
				return
			}
			if !p.hasDeadline {
				t.Fatal("no deadline")
			}
			if got := p.deadline.Sub(start); got > tt.wantDeadline+time.Minute/2 || got < tt.wantDeadline-time.Minute/2 {
				t.Fatalf("deadline in %v; want about %v", got, tt.wantDeadline)
			}
		})
	}
}

func TestTimeoutExpiryMessage(t *testing.T) {
	clearEnv(t)
	f := testFactory()
	p := &probe{}
	code := run(context.Background(), f, []string{"probe", "--timeout", "1ms"}, p.cmd(f, "probe", nil, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}))
	if code != 1 || !strings.Contains(stderrOf(f), "--timeout") {
		t.Fatalf("exit %d: %s", code, stderrOf(f))
	}
}

func TestGlobalFlagsFromEnv(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(t *testing.T, fl cmdutil.GlobalFlags)
	}{
		{"defaults", nil, nil, func(t *testing.T, fl cmdutil.GlobalFlags) {
			if fl.File != "flowsctl.yaml" || fl.Output != "text" || fl.Debug || fl.CAFile != "" {
				t.Errorf("%+v", fl)
			}
		}},
		{"env", map[string]string{"FLOWSCTL_FILE": "x.yaml", "FLOWSCTL_OUTPUT": "json", "FLOWSCTL_DEBUG": "1", "FLOWSCTL_CA_FILE": "/ca.pem"}, nil,
			func(t *testing.T, fl cmdutil.GlobalFlags) {
				if fl.File != "x.yaml" || fl.Output != "json" || !fl.Debug || fl.CAFile != "/ca.pem" {
					t.Errorf("%+v", fl)
				}
			}},
		{"flags beat env", map[string]string{"FLOWSCTL_FILE": "x.yaml", "FLOWSCTL_OUTPUT": "json", "FLOWSCTL_CA_FILE": "/ca.pem"},
			[]string{"-f", "y.yaml", "-o", "yaml", "--ca-file", "/other.pem"},
			func(t *testing.T, fl cmdutil.GlobalFlags) {
				if fl.File != "y.yaml" || fl.Output != "yaml" || fl.CAFile != "/other.pem" {
					t.Errorf("%+v", fl)
				}
			}},
		{"no input without a terminal", nil, nil, func(t *testing.T, fl cmdutil.GlobalFlags) {
			if !fl.NoInput {
				t.Error("--no-input not implied for non-TTY stdin")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, p, code := runProbe(t, tt.env, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderrOf(f))
			}
			tt.check(t, p.flags)
		})
	}
}

func TestBadGlobalValues(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown output", nil, []string{"-o", "xml"}, `--output "xml"`},
		{"junit elsewhere", nil, []string{"-o", "junit"}, "only for commands that print checks"},
		{"bad env bool", map[string]string{"FLOWSCTL_DEBUG": "maybe"}, nil, "FLOWSCTL_DEBUG"},
		{"bad env timeout", map[string]string{"FLOWSCTL_TIMEOUT": "soon"}, nil, "FLOWSCTL_TIMEOUT"},
		{"negative timeout", nil, []string{"--timeout", "-1s"}, "--timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, p, code := runProbe(t, tt.env, tt.args...)
			if code != 1 || p.ran || !strings.Contains(stderrOf(f), tt.want) {
				t.Fatalf("exit %d ran %v stderr %q; want 1 mentioning %q", code, p.ran, stderrOf(f), tt.want)
			}
		})
	}
}

func TestJUnitAllowedWhereItMeansSomething(t *testing.T) {
	root := &cobra.Command{Use: "flowsctl"}
	scim := &cobra.Command{Use: "scim"}
	other := &cobra.Command{Use: "access"}
	cmds := map[string]*cobra.Command{
		"doctor":      {Use: "doctor"},
		"verify":      {Use: "verify"},
		"scim test":   {Use: "test"},
		"access test": {Use: "test"},
		"annotated":   {Use: "annotated", Annotations: map[string]string{AnnotationJUnit: "true"}},
		"version":     {Use: "version"},
	}
	root.AddCommand(scim, other, cmds["doctor"], cmds["verify"], cmds["annotated"], cmds["version"])
	scim.AddCommand(cmds["scim test"])
	other.AddCommand(cmds["access test"])
	markJUnit(root, "scim test", "no such command")
	want := map[string]bool{"doctor": true, "verify": true, "scim test": true, "annotated": true, "access test": false, "version": false}
	for name, c := range cmds {
		if got := checkOutput(c, "junit") == nil; got != want[name] {
			t.Errorf("%s: junit allowed %v; want %v", name, got, want[name])
		}
		if checkOutput(c, "json") != nil {
			t.Errorf("%s: json refused", name)
		}
	}
}

// Every command of the real tree that prints checks accepts -o junit.
func TestJUnitOnEveryCheckCommand(t *testing.T) {
	root := NewCmdRoot(testFactory())
	for _, path := range []string{"doctor", "scim test", "uem integration check", "azure verify", "uem verify", "scim verify", "access template verify"} {
		c, _, err := root.Find(strings.Fields(path))
		if err != nil || c.CommandPath() != "flowsctl "+path {
			t.Errorf("%s: not in the tree (found %q, %v)", path, c.CommandPath(), err)
			continue
		}
		if err := checkOutput(c, "junit"); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		interrupted bool
		want        int
		stderr      string
		quiet       bool
	}{
		{"ok", nil, false, 0, "", true},
		{"failure", errors.New("boom"), false, 1, "error: boom", false},
		{"pending, silent", cmdutil.Silent(cmdutil.ExitPending), false, 2, "", true},
		{"operator", cmdutil.Exit(cmdutil.ExitOperator, errors.New("step 3 waits for you")), false, 3, "step 3 waits", false},
		{"auth", fmt.Errorf("%w: token rejected", httpx.ErrAuth), false, 4, "token rejected", false},
		{"interrupted", context.Canceled, true, 130, "re-run the same command to resume", false},
		{"interrupted with a wrapped error", errors.New("apply: step x: context canceled"), true, 130, "error: apply", false},
		{"pending survives an interrupt", cmdutil.Silent(cmdutil.ExitPending), true, 2, "", true},
		{"timeout", context.DeadlineExceeded, false, 1, "longer --timeout", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFactory()
			f.Flags.Timeout = time.Minute
			if got := exitCode(f, tt.err, tt.interrupted); got != tt.want {
				t.Errorf("code %d; want %d", got, tt.want)
			}
			stderr := stderrOf(f)
			if tt.quiet && stderr != "" {
				t.Errorf("printed %q", stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderr)
			}
			if tt.want == 130 && strings.Contains(stderr, "error: context canceled") {
				t.Errorf("bare context error printed on interrupt: %q", stderr)
			}
		})
	}
}

func TestInterruptedRunExits130(t *testing.T) {
	clearEnv(t)
	f := testFactory()
	ctx, cancel := context.WithCancel(context.Background())
	p := &probe{}
	code := run(ctx, f, []string{"probe"}, p.cmd(f, "probe", nil, func(c context.Context) error {
		cancel()
		<-c.Done()
		return c.Err()
	}))
	if code != 130 || !strings.Contains(stderrOf(f), "resume") {
		t.Fatalf("exit %d: %s", code, stderrOf(f))
	}
}

// TestSandboxCATrust: the CA of a sandbox.json beside the config is trusted only when the
// config is bound to it (same sandbox id) and only for loopback hosts, and flowsctl says so on
// stderr; --ca-file wins. At 322035c any sandbox.json next to a config made its CA trusted for
// every host, silently: two planted files intercepted a real tenant's secrets.
func TestSandboxCATrust(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pemOfTestCA(t), 0o600)
	os.WriteFile(filepath.Join(dir, "sandbox.json"), []byte(`{"ca": "`+ca+`", "id": "abc123def456", "services": {}}`), 0o600)
	for _, tt := range []struct {
		name, doc, flag string
		trusted         bool
	}{
		{"bound to the sandbox", "apiVersion: flowsctl/v1\nsandbox: abc123def456\n", "", true},
		{"no sandbox key: planted sandbox.json ignored", "apiVersion: flowsctl/v1\n", "", false},
		{"another sandbox's id", "apiVersion: flowsctl/v1\nsandbox: 000000000000\n", "", false},
		{"--ca-file wins", "apiVersion: flowsctl/v1\nsandbox: abc123def456\n", ca, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, "flowsctl.yaml")
			os.WriteFile(cfg, []byte(tt.doc), 0o600)
			f := testFactory()
			f.Flags.File, f.Flags.CAFile = cfg, tt.flag
			o := f.HTTPOptions()
			if got := len(o.LoopbackCAPEM) > 0; got != tt.trusted {
				t.Errorf("sandbox CA trusted = %v, want %v", got, tt.trusted)
			}
			said := strings.Contains(stderrOf(f), "trusting the sandbox CA "+ca+" for loopback hosts only")
			if said != tt.trusted {
				t.Errorf("stderr %q", stderrOf(f))
			}
			if tt.flag != "" && o.CAFile != tt.flag {
				t.Errorf("--ca-file not used: %q", o.CAFile)
			}
		})
	}
}

// pemOfTestCA is any PEM certificate.
func pemOfTestCA(t *testing.T) []byte {
	t.Helper()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

func TestEveryCommandHasAnExample(t *testing.T) {
	f := testFactory()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() && strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example (every command shows one in --help)", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewCmdRoot(f))
}

func TestFlagErrorsPointAtHelp(t *testing.T) {
	clearEnv(t)
	f := testFactory()
	p := &probe{}
	code := run(context.Background(), f, []string{"probe", "--no-such-flag"}, p.cmd(f, "probe", nil, nil))
	if code != 1 || !strings.Contains(stderrOf(f), "flowsctl probe --help") {
		t.Fatalf("exit %d: %s", code, stderrOf(f))
	}
}

// TestErrorsAreMasked: a secret the run resolved never reaches stderr through an error a
// server echoed it into (at 322035c the Access admin secret came back from a Basic-auth echo).
func TestErrorsAreMasked(t *testing.T) {
	f := testFactory()
	f.Redactor.Add("s3cret-admin-value")
	code := exitCode(f, fmt.Errorf("access: 400 Bad Request: invalid client s3cret-admin-value"), false)
	if code != 1 || strings.Contains(stderrOf(f), "s3cret-admin-value") || !strings.Contains(stderrOf(f), "[REDACTED]") {
		t.Errorf("exit %d, stderr %q", code, stderrOf(f))
	}
}
