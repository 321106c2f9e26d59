// Package version is `flowsctl version`.
package version

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// VersionOptions of `flowsctl version`.
type VersionOptions struct {
	cmdutil.Common
	Build cmdutil.BuildInfo
}

// Info is what version prints.
type Info struct {
	cmdutil.BuildInfo `yaml:",inline"`
	GoVersion         string `json:"goVersion" yaml:"goVersion"`
	Platform          string `json:"platform" yaml:"platform"`
}

// NewCmdVersion builds `flowsctl version`.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	opts := &VersionOptions{Common: cmdutil.NewCommon(f), Build: f.Build}
	return cmdutil.Command(&cobra.Command{
		Use:   "version",
		Short: "Print the flowsctl version, the commit it was built from, Go version and platform",
		Long: `Print the release version (or "devel" for a build from a checkout), the VCS revision and its time,
whether the checkout had uncommitted changes, the Go version and the platform. A release build
carries the values goreleaser set; a plain go build or go install carries what the Go toolchain
stamped from the git checkout.`,
		Example: `  flowsctl version
  flowsctl version -o json`,
	}, opts, &opts.Common, nil, versionRun)
}

func newInfo(b cmdutil.BuildInfo) Info {
	return Info{BuildInfo: b, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
}

// String is the text line: "flowsctl v1.2.3 (commit 0123456789ab, 2026-01-02T03:04:05Z) go1.26 linux/amd64".
func (i Info) String() string {
	if i.Commit == "" {
		return fmt.Sprintf("flowsctl %s (no VCS stamp: built with -buildvcs=false, from a git worktree or outside a checkout) %s %s",
			i.Version, i.GoVersion, i.Platform)
	}
	src := []string{"commit " + i.Commit[:min(len(i.Commit), 12)]}
	if i.Modified {
		src[0] += " with uncommitted changes"
	}
	if i.Date != "" {
		src = append(src, i.Date)
	}
	return fmt.Sprintf("flowsctl %s (%s) %s %s", i.Version, strings.Join(src, ", "), i.GoVersion, i.Platform)
}

func versionRun(opts *VersionOptions) error {
	info := newInfo(opts.Build)
	return cmdutil.Print(opts.IO.Out, opts.Output(), info, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, info)
		return err
	})
}
