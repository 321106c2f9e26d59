// Package version is `flowsctl version`.
package version

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
)

// Options of `flowsctl version`.
type Options struct {
	IO     *iostreams.IOStreams
	Build  cmdutil.BuildInfo
	Output func() string
}

// Info is what version prints.
type Info struct {
	Version   string `json:"version" yaml:"version"`
	Commit    string `json:"commit" yaml:"commit"`
	Date      string `json:"date" yaml:"date"`
	GoVersion string `json:"goVersion" yaml:"goVersion"`
	Platform  string `json:"platform" yaml:"platform"`
}

// NewCmdVersion builds `flowsctl version`; runF replaces the run in tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Build: f.Build, Output: func() string { return f.Flags.Output }}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the flowsctl version, commit, build date, Go version and platform",
		Args:  cobra.NoArgs,
		Example: `  flowsctl version
  flowsctl version -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *Options) error {
	info := Info{
		Version:   opts.Build.Version,
		Commit:    opts.Build.Commit,
		Date:      opts.Build.Date,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	return cmdutil.Print(opts.IO.Out, opts.Output(), info, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "flowsctl %s (commit %s, built %s) %s %s\n",
			info.Version, info.Commit, info.Date, info.GoVersion, info.Platform)
		return err
	})
}
