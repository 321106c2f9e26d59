package version

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
)

func TestVersionRun(t *testing.T) {
	build := cmdutil.BuildInfo{Version: "1.2.3", Commit: "abc1234", Date: "2026-01-02T03:04:05Z"}
	tests := []struct {
		output string
		check  func(t *testing.T, out string)
	}{
		{"text", func(t *testing.T, out string) {
			for _, want := range []string{"1.2.3", "abc1234", "2026-01-02T03:04:05Z", runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH} {
				if !strings.Contains(out, want) {
					t.Errorf("text output %q lacks %q", out, want)
				}
			}
		}},
		{"json", func(t *testing.T, out string) {
			var got map[string]string
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"version": "1.2.3", "commit": "abc1234", "date": "2026-01-02T03:04:05Z",
				"goVersion": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q; want %q", k, got[k], v)
				}
			}
		}},
		{"yaml", func(t *testing.T, out string) {
			if !strings.Contains(out, "version: 1.2.3\n") || !strings.Contains(out, "goVersion: ") {
				t.Errorf("yaml output %q", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.output, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			if err := versionRun(&Options{IO: ios, Build: build, Output: func() string { return tt.output }}); err != nil {
				t.Fatal(err)
			}
			tt.check(t, out.String())
		})
	}
}

func TestNewCmdVersionRejectsArgs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{Output: "text"}}
	cmd := NewCmdVersion(f, func(*Options) error { return nil })
	cmd.SetArgs([]string{"extra"})
	cmd.SetErr(ios.ErrOut)
	if err := cmd.Execute(); err == nil {
		t.Fatal("version accepted an argument")
	}
	if cmd.Example == "" {
		t.Error("no example")
	}
}
