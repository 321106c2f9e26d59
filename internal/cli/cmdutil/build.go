package cmdutil

import "runtime/debug"

// BuildInfo says which source a binary was built from: the release's ldflags values, else what
// the Go toolchain stamped (module version, VCS revision, time and modified flag).
type BuildInfo struct {
	Version string `json:"version" yaml:"version"`
	// Commit is the full VCS revision ("" when the build recorded none).
	Commit string `json:"commit" yaml:"commit"`
	// Date is the build date of a release, else the commit time.
	Date string `json:"date" yaml:"date"`
	// Modified is set when the checkout had uncommitted changes.
	Modified bool `json:"modified" yaml:"modified"`
}

// DevelVersion is the version of a binary built from a checkout that has no release tag.
const DevelVersion = "devel"

// ResolveBuild is ld (the -X main.version/commit/date values; empty when not set) completed
// from bi, the Go build info (nil when the binary has none): `go install ...@v1.2.3` records
// the module version, and `go build` in a git checkout records vcs.revision, vcs.time and
// vcs.modified (unless -buildvcs=false, or in a git worktree, where Go stamps nothing).
func ResolveBuild(ld BuildInfo, bi *debug.BuildInfo) BuildInfo {
	b := ld
	var vcs map[string]string
	if bi != nil {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		vcs = map[string]string{}
		for _, s := range bi.Settings {
			vcs[s.Key] = s.Value
		}
	}
	if b.Version == "" {
		b.Version = DevelVersion
	}
	if b.Commit == "" {
		b.Commit = vcs["vcs.revision"]
		b.Modified = vcs["vcs.modified"] == "true"
	}
	if b.Date == "" {
		b.Date = vcs["vcs.time"]
	}
	return b
}
