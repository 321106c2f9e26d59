// Command flowsctl sets up a Workspace ONE tenant end to end and proves it works.
package main

import (
	"os"
	"runtime/debug"

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
	os.Exit(cli.Execute(buildInfo()))
}

// buildInfo is the ldflags values, completed from the Go build info when they were not set
// (go install ...@v1.2.3 records the module version; a build in a checkout records the commit).
func buildInfo() cmdutil.BuildInfo {
	b := cmdutil.BuildInfo{Version: version, Commit: commit, Date: date}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	if rev := vcs["vcs.revision"]; b.Commit == "none" && rev != "" {
		b.Commit = rev[:min(len(rev), 12)]
		if vcs["vcs.modified"] == "true" {
			b.Commit += "-dirty"
		}
	}
	if t := vcs["vcs.time"]; b.Date == "unknown" && t != "" {
		b.Date = t
	}
	return b
}
