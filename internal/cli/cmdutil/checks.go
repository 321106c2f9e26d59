package cmdutil

import (
	"io"

	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// CheckReport is what every verify-like command prints with -o json|yaml: pkg/doctor's report
// plus timings.
type CheckReport struct {
	doctor.Report `yaml:",inline"`
	// WallMs is the wall time; SlowestMs the slowest single check (they run concurrently).
	WallMs    int64 `json:"wallMs,omitempty" yaml:"wallMs,omitempty"`
	SlowestMs int64 `json:"slowestMs,omitempty" yaml:"slowestMs,omitempty"`
}

// PrintChecks is the one printer of check results: doctor and every verify or test command
// print through it, so each accepts text, json, yaml and junit alike. wallMs may be 0.
func PrintChecks(w io.Writer, format string, checks []doctor.Check, wallMs int64, color bool) error {
	if format == "junit" {
		return doctor.WriteJUnit(w, checks)
	}
	var slowest int64
	for _, c := range checks {
		slowest = max(slowest, c.DurationMs)
	}
	rep := CheckReport{Report: doctor.NewReport(checks), WallMs: wallMs, SlowestMs: slowest}
	return Print(w, format, rep, func(w io.Writer) error { return doctor.WriteText(w, checks, color) })
}

// ChecksExit is the exit a verify-like command ends with after printing checks: 4 when a
// check failed because authentication was refused (authFailed), else doctor's code (2 when a
// check failed), else nil.
func ChecksExit(checks []doctor.Check, authFailed bool) error {
	if authFailed {
		return Silent(ExitAuth)
	}
	if code := doctor.ExitCode(checks); code != 0 {
		return Silent(code)
	}
	return nil
}
