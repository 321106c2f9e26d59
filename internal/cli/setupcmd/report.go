package setupcmd

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// DoctorReport is what `doctor -o json|yaml` prints.
type DoctorReport struct {
	OK      bool                  `json:"ok" yaml:"ok"`
	Summary map[doctor.Status]int `json:"summary" yaml:"summary"`
	Checks  []doctor.Check        `json:"checks" yaml:"checks"`
	// WallMs is doctor's wall time; SlowestMs the slowest single check (they run concurrently).
	WallMs    int64 `json:"wallMs" yaml:"wallMs"`
	SlowestMs int64 `json:"slowestMs" yaml:"slowestMs"`
}

// group is the part of a check id before its last dot-separated component that names a step
// ("access.template.ttl" -> "access.template"), or "env" for environment checks.
func group(id string) string {
	if strings.HasPrefix(id, "env.") {
		return "env"
	}
	parts := strings.Split(id, ".")
	if len(parts) <= 2 {
		return parts[0]
	}
	return strings.Join(parts[:2], ".")
}

func writeDoctorText(w io.Writer, cs []doctor.Check, color bool) error {
	label := map[doctor.Status]string{doctor.Pass: "PASS", doctor.Warn: "WARN", doctor.Fail: "FAIL", doctor.Skip: "SKIP"}
	colour := map[doctor.Status]string{doctor.Pass: "\033[32m", doctor.Warn: "\033[33m", doctor.Fail: "\033[31m", doctor.Skip: "\033[2m"}
	for _, c := range cs {
		l := label[c.Status]
		if color {
			l = colour[c.Status] + l + "\033[0m"
		}
		title := c.Title
		if title == "" {
			title = c.ID
		}
		fmt.Fprintf(w, "%s  %-34s %s\n", l, c.ID, title)
		if c.Detail != "" && c.Status != doctor.Pass {
			fmt.Fprintf(w, "      %s\n", c.Detail)
		}
		if c.Fix != "" && (c.Status == doctor.Fail || c.Status == doctor.Warn) {
			fmt.Fprintf(w, "      fix: %s\n", c.Fix)
		}
	}
	n := doctor.Counts(cs)
	fmt.Fprintf(w, "\n%d passed, %d warnings, %d failed, %d skipped\n", n[doctor.Pass], n[doctor.Warn], n[doctor.Fail], n[doctor.Skip])
	return nil
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func secs(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

// writeJUnit renders checks as JUnit XML: one testsuite per step (and "env"), one testcase per
// check; fail -> <failure> with the detail and the fix, skip -> <skipped>, warn -> passes with the
// warning in system-out (CI shows it without failing the build).
func writeJUnit(w io.Writer, cs []doctor.Check, wallMs int64) error {
	bySuite := map[string]*junitSuite{}
	var order []string
	root := junitSuites{Name: "flowsctl doctor", Time: secs(wallMs)}
	for _, c := range cs {
		g := group(c.ID)
		s := bySuite[g]
		if s == nil {
			s = &junitSuite{Name: g}
			bySuite[g] = s
			order = append(order, g)
		}
		name := c.ID
		if c.Title != "" {
			name = c.ID + ": " + c.Title
		}
		tc := junitCase{Name: name, Classname: "flowsctl.doctor." + g, Time: secs(c.DurationMs)}
		switch c.Status {
		case doctor.Fail:
			tc.Failure = &junitFailure{Message: c.Detail, Type: "fail", Text: strings.TrimSpace(c.Detail + "\nfix: " + c.Fix)}
			s.Failures++
			root.Failures++
		case doctor.Skip:
			tc.Skipped = &junitSkipped{Message: c.Detail}
			s.Skipped++
			root.Skipped++
		case doctor.Warn:
			tc.SystemOut = "WARN: " + c.Detail + "\nfix: " + c.Fix
		default:
			tc.SystemOut = c.Detail
		}
		if c.DurationMs > 0 {
			var t float64
			fmt.Sscan(s.Time, &t)
			s.Time = fmt.Sprintf("%.3f", t+float64(c.DurationMs)/1000)
		}
		s.Cases = append(s.Cases, tc)
		s.Tests++
		root.Tests++
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i] == "env" && order[j] != "env" })
	for _, g := range order {
		if bySuite[g].Time == "" {
			bySuite[g].Time = "0.000"
		}
		root.Suites = append(root.Suites, *bySuite[g])
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
