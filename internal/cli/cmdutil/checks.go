package cmdutil

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// AnnotationNoTimeout marks a command that runs until interrupted (sandbox up): the default
// --timeout does not apply to it, an explicit --timeout does.
const AnnotationNoTimeout = "flowsctl/no-timeout"

// AnnotationJUnit marks a command that accepts -o junit although its name is not "verify" or
// "doctor" (scim test, uem integration check): it prints its checks with PrintChecks.
const AnnotationJUnit = "flowsctl/junit"

// MarkJUnit sets AnnotationJUnit on cmd and returns it.
func MarkJUnit(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[AnnotationJUnit] = "true"
	return cmd
}

// AcceptsJUnit reports whether cmd prints checks, and so accepts -o junit: doctor, every
// verify, and every command marked with AnnotationJUnit.
func AcceptsJUnit(cmd *cobra.Command) bool {
	switch cmd.Name() {
	case "doctor", "verify":
		return true
	}
	return cmd.Annotations[AnnotationJUnit] != ""
}

// CheckReport is what every verify-like command prints with -o json|yaml: pkg/doctor's report
// plus timings. doctor, verify and test commands share this shape.
type CheckReport struct {
	doctor.Report `yaml:",inline"`
	// WallMs is the wall time; SlowestMs the slowest single check (they run concurrently).
	WallMs    int64 `json:"wallMs" yaml:"wallMs"`
	SlowestMs int64 `json:"slowestMs" yaml:"slowestMs"`
}

// NewCheckReport builds the report of checks that took wallMs in all.
func NewCheckReport(checks []doctor.Check, wallMs int64) CheckReport {
	var slowest int64
	for _, c := range checks {
		slowest = max(slowest, c.DurationMs)
	}
	return CheckReport{Report: doctor.NewReport(checks), WallMs: wallMs, SlowestMs: slowest}
}

// PrintChecks is the one printer of check results: doctor and every verify or test command
// print through it, so each accepts text, json, yaml, junit and markdown alike. wallMs may be 0. color
// is Common.Color(): a terminal, no NO_COLOR, not CI.
func PrintChecks(w io.Writer, format string, checks []doctor.Check, wallMs int64, color bool) error {
	switch format {
	case "junit":
		return doctor.WriteJUnit(w, checks)
	case "markdown":
		return writeMarkdown(w, checks)
	}
	return Print(w, format, NewCheckReport(checks, wallMs), func(w io.Writer) error { return doctor.WriteText(w, checks, color) })
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

// ReportChecks is how a verify-like command ends: it prints checks, timed from start, in the
// -o format with PrintChecks and returns ChecksExit(checks, authFailed).
func (c *Common) ReportChecks(checks []doctor.Check, start time.Time, authFailed bool) error {
	if err := PrintChecks(c.IO.Out, c.Output(), checks, time.Since(start).Milliseconds(), c.Color()); err != nil {
		return err
	}
	return ChecksExit(checks, authFailed)
}

// PrintCheckSuites prints several named sets of checks (one per tenant of a fleet): junit as
// one <testsuite> per set, markdown as a section per set.
func PrintCheckSuites(w io.Writer, format string, suites []doctor.Suite) error {
	if format == "junit" {
		return doctor.WriteJUnitSuites(w, suites)
	}
	for _, s := range suites {
		if _, err := fmt.Fprintf(w, "### %s\n\n", mdCell(s.Name)); err != nil {
			return err
		}
		if err := writeMarkdown(w, s.Checks); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}
