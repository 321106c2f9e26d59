// Command flowsctl sets up a Workspace ONE tenant end to end and proves it works.
package main

import (
	"os"
	"runtime/debug"

	"github.com/flowsctl/flowsctl/internal/cli"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// Set by a release build's ldflags: -X main.version=... -X main.commit=... -X main.date=...
// Left empty, they are filled from what the Go toolchain stamped (see cmdutil.ResolveBuild).
var (
	version string
	commit  string
	date    string
)

func main() {
	bi, _ := debug.ReadBuildInfo()
	os.Exit(cli.Execute(cmdutil.ResolveBuild(cmdutil.BuildInfo{Version: version, Commit: commit, Date: date}, bi)))
}
