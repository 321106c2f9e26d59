package version

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
)

func TestVersionRun(t *testing.T) {
	build := cmdutil.BuildInfo{Version: "1.2.3", Commit: "abc1234def5678", Date: "2026-01-02T03:04:05Z", Modified: true}
	tests := []struct {
		output string
		check  func(t *testing.T, out string)
	}{
		{"text", func(t *testing.T, out string) {
			for _, want := range []string{"1.2.3", "commit abc1234def56 with uncommitted changes", "2026-01-02T03:04:05Z", runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH} {
				if !strings.Contains(out, want) {
					t.Errorf("text output %q lacks %q", out, want)
				}
			}
		}},
		{"json", func(t *testing.T, out string) {
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"version": "1.2.3", "commit": "abc1234def5678", "date": "2026-01-02T03:04:05Z", "modified": true,
				"goVersion": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %v; want %v", k, got[k], v)
				}
			}
		}},
		{"yaml", func(t *testing.T, out string) {
			if !strings.Contains(out, "version: 1.2.3\n") || !strings.Contains(out, "commit: abc1234def5678\n") || !strings.Contains(out, "goVersion: ") {
				t.Errorf("yaml output %q", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.output, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			opts := &VersionOptions{Common: cmdutil.Common{IO: ios, Flags: &cmdutil.GlobalFlags{Output: tt.output}}, Build: build}
			if err := versionRun(opts); err != nil {
				t.Fatal(err)
			}
			tt.check(t, out.String())
		})
	}
}

// A plain go build or go install (no ldflags) reports what the toolchain stamped; ldflags win.
func TestResolveBuild(t *testing.T) {
	stamped := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-03-04T05:06:07Z"}, {Key: "vcs.modified", Value: "true"}}}
	installed := &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}
	tests := []struct {
		name     string
		ld       cmdutil.BuildInfo
		bi       *debug.BuildInfo
		want     cmdutil.BuildInfo
		wantText string
	}{
		{"go build in a checkout", cmdutil.BuildInfo{}, stamped,
			cmdutil.BuildInfo{Version: "devel", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-03-04T05:06:07Z", Modified: true},
			"flowsctl devel (commit 0123456789ab with uncommitted changes, 2026-03-04T05:06:07Z)"},
		{"go install @version", cmdutil.BuildInfo{}, installed, cmdutil.BuildInfo{Version: "v1.4.0"}, "flowsctl v1.4.0 (no VCS stamp"},
		{"release ldflags", cmdutil.BuildInfo{Version: "1.5.0", Commit: "feedface", Date: "2026-05-01T00:00:00Z"}, stamped,
			cmdutil.BuildInfo{Version: "1.5.0", Commit: "feedface", Date: "2026-05-01T00:00:00Z"}, "flowsctl 1.5.0 (commit feedface, 2026-05-01T00:00:00Z)"},
		{"ldflags version only", cmdutil.BuildInfo{Version: "1.5.0"}, stamped,
			cmdutil.BuildInfo{Version: "1.5.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-03-04T05:06:07Z", Modified: true},
			"flowsctl 1.5.0 (commit 0123456789ab"},
		{"no build info", cmdutil.BuildInfo{}, nil, cmdutil.BuildInfo{Version: "devel"}, "flowsctl devel (no VCS stamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cmdutil.ResolveBuild(tt.ld, tt.bi)
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			text := newInfo(got).String()
			if !strings.HasPrefix(text, tt.wantText) {
				t.Errorf("text %q; want it to start with %q", text, tt.wantText)
			}
			for _, bad := range []string{"commit none", "(dev)", "unknown"} {
				if strings.Contains(text, bad) {
					t.Errorf("text %q says %q", text, bad)
				}
			}
		})
	}
}

func TestNewCmdVersionRejectsArgs(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	f := &cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{Output: "text"}}
	cmd := NewCmdVersion(f)
	cmd.SetArgs([]string{"extra"})
	cmd.SetErr(ios.ErrOut)
	if err := cmd.Execute(); err == nil {
		t.Fatal("version accepted an argument")
	}
	if cmd.Example == "" || out.Len() != 0 {
		t.Errorf("example %q, printed %q", cmd.Example, out.String())
	}
}
