package setupcmd

import (
	"io"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// DoctorReport is what `doctor -o json|yaml` prints: pkg/doctor's report plus timings.
type DoctorReport struct {
	doctor.Report `yaml:",inline"`
	// WallMs is doctor's wall time; SlowestMs the slowest single check (they run concurrently).
	WallMs    int64 `json:"wallMs" yaml:"wallMs"`
	SlowestMs int64 `json:"slowestMs" yaml:"slowestMs"`
}

func newDoctorReport(checks []doctor.Check, wall int64) DoctorReport {
	var slowest int64
	for _, c := range checks {
		slowest = max(slowest, c.DurationMs)
	}
	return DoctorReport{Report: doctor.NewReport(checks), WallMs: wall, SlowestMs: slowest}
}

func printDoctor(w io.Writer, format string, checks []doctor.Check, wall int64, color bool) error {
	if format == "junit" {
		return doctor.WriteJUnit(w, checks)
	}
	return cmdutil.Print(w, format, newDoctorReport(checks, wall), func(w io.Writer) error { return doctor.WriteText(w, checks, color) })
}
