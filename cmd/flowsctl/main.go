// Command flowsctl sets up a Workspace ONE tenant end to end and proves it works.
package main

import (
	"os"

	"github.com/flowsctl/flowsctl/internal/cli"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// Set by ldflags: -X main.version=... -X main.commit=... -X main.date=...
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(cli.Execute(cmdutil.BuildInfo{Version: version, Commit: commit, Date: date}))
}
