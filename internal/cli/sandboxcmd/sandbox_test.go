package sandboxcmd

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

type fake struct{ name string }

func (e fake) Name() string          { return e.name }
func (e fake) Handler() http.Handler { return http.NotFoundHandler() }
func (e fake) State() any            { return map[string]any{"things": []any{}} }
func (e fake) Reset()                {}

func TestUpWritesFilesAndStopsOnCancel(t *testing.T) {
	tests := []struct {
		name     string
		printEnv bool
		output   string
		stdout   func(t *testing.T, out, dir string)
	}{
		{"text", false, "text", func(t *testing.T, out, _ string) {
			if out != "" {
				t.Errorf("stdout %q; want nothing", out)
			}
		}},
		{"print-env", true, "text", func(t *testing.T, out, dir string) {
			want := "export FLOWSCTL_FILE='" + filepath.Join(dir, "flowsctl.yaml") + "'\nexport FLOWSCTL_CA_FILE='" + filepath.Join(dir, "ca.pem") + "'\n"
			if out != want {
				t.Errorf("stdout %q; want %q", out, want)
			}
		}},
		{"json", false, "json", func(t *testing.T, out, _ string) {
			var m sandbox.Meta
			if err := json.Unmarshal([]byte(out), &m); err != nil || len(m.Services) != 2 {
				t.Errorf("stdout %q: %v", out, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sb")
			os.MkdirAll(dir, 0o700)
			os.WriteFile(filepath.Join(dir, "sandbox.json"), []byte(`{"stale": true}`), 0o600)
			ios, _, out, errOut := iostreams.Test()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var meta sandbox.Meta
			opts := &UpOptions{Common: cmdutil.Common{IO: ios, Ctx: ctx, Flags: &cmdutil.GlobalFlags{Output: tt.output}}, Dir: dir, PrintEnv: tt.printEnv,
				Emulators: func() []sandbox.Emulator { return []sandbox.Emulator{fake{"alpha"}, fake{"beta"}} },
				Ready: func(sb *sandbox.Sandbox) {
					b, err := os.ReadFile(filepath.Join(dir, "sandbox.json"))
					if err == nil {
						err = json.Unmarshal(b, &meta)
					}
					if err != nil {
						t.Error(err)
					}
					cancel()
				}}
			if err := upRun(opts); err != nil {
				t.Fatal(err)
			}
			if meta.CA != filepath.Join(dir, "ca.pem") || meta.Services["alpha"].URL == "" || meta.Services["beta"].Admin == "" {
				t.Errorf("sandbox.json = %+v", meta)
			}
			for _, f := range []string{"ca.pem", "flowsctl.yaml"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
			stderr := errOut.String()
			for _, want := range []string{meta.Services["alpha"].URL, meta.Services["beta"].Admin, "sandbox ready\n", "sandbox stopped"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if i, j := strings.Index(stderr, "sandbox ready"), strings.Index(stderr, "sandbox: stopping"); i < 0 || j < i {
				t.Errorf("\"sandbox ready\" is not the last startup line:\n%s", stderr)
			}
			tt.stdout(t, out.String(), dir)
		})
	}
}

func TestUpFlags(t *testing.T) {
	f := cmdtest.Factory(cmdutil.GlobalFlags{Output: "text"})
	var got *UpOptions
	cmd := NewCmdUp(f, func(o *UpOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--dir", "/tmp/x", "--print-env"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Dir != "/tmp/x" || !got.PrintEnv {
		t.Fatalf("options %+v", got)
	}
	if cmd.Annotations[cmdutil.AnnotationNoTimeout] == "" {
		t.Error("sandbox up must not inherit the default --timeout")
	}
	def := NewCmdUp(f, nil).Flags().Lookup("dir").DefValue
	if def != "sandbox" {
		t.Errorf("--dir default %q", def)
	}
}

func TestUpEmptyDir(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	if err := upRun(&UpOptions{Common: cmdutil.Common{IO: ios}}); err == nil {
		t.Fatal("empty --dir accepted")
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"/a/b": "'/a/b'", "/it's": `'/it'\''s'`, "a b": "'a b'"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s; want %s", in, got, want)
		}
	}
}
