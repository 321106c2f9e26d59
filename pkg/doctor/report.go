package doctor

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/text"
)

// Summary counts checks by status.
type Summary struct {
	Total int `json:"total" yaml:"total"`
	Pass  int `json:"pass" yaml:"pass"`
	// Confirmed counts operator confirmations (not observed); Todo operator steps not done.
	Confirmed int `json:"confirmed" yaml:"confirmed"`
	Todo      int `json:"todo" yaml:"todo"`
	Warn      int `json:"warn" yaml:"warn"`
	Fail      int `json:"fail" yaml:"fail"`
	Skip      int `json:"skip" yaml:"skip"`
}

// Summarize tallies checks.
func Summarize(cs []Check) Summary {
	s := Summary{Total: len(cs)}
	for _, c := range cs {
		switch c.Status {
		case Pass:
			s.Pass++
		case Confirmed:
			s.Confirmed++
		case Todo:
			s.Todo++
		case Warn:
			s.Warn++
		case Fail:
			s.Fail++
		case Skip:
			s.Skip++
		}
	}
	return s
}

// Verdict is the closing line of the text report, e.g.
// "checks: 14 passed, 1 warning, 2 failed, 0 skipped". It closes doctor and every noun's verify
// alike, so it names no command.
func (s Summary) Verdict() string { return "checks: " + s.Counts() }

// Counts is the verdict without its label: "14 passed, 1 warning, 2 failed, 0 skipped".
func (s Summary) Counts() string {
	warn := "warnings"
	if s.Warn == 1 {
		warn = "warning"
	}
	v := fmt.Sprintf("%d passed, %d %s, %d failed, %d skipped", s.Pass, s.Warn, warn, s.Fail, s.Skip)
	if s.Confirmed > 0 || s.Todo > 0 {
		// What an operator said, and what is still to do by hand, are never counted as passes.
		v += fmt.Sprintf(", %d confirmed by an operator, %d to do by hand", s.Confirmed, s.Todo)
	}
	return v
}

// Report is the JSON (and YAML) shape of a doctor run: ok is false when any check failed.
type Report struct {
	OK      bool    `json:"ok" yaml:"ok"`
	Summary Summary `json:"summary" yaml:"summary"`
	Checks  []Check `json:"checks" yaml:"checks"`
}

// NewReport builds the report of checks.
func NewReport(cs []Check) Report {
	if cs == nil {
		cs = []Check{}
	}
	return Report{OK: !Failed(cs), Summary: Summarize(cs), Checks: cs}
}

// marks are each status's one-character mark in the text report (iostreams' set of marks) and
// the icon a color scheme paints it as.
var marks = map[Status]struct {
	symbol string
	icon   func(*iostreams.ColorScheme) string
}{
	Pass:      {iostreams.MarkSuccess, (*iostreams.ColorScheme).SuccessIcon},
	Warn:      {iostreams.MarkWarning, (*iostreams.ColorScheme).WarningIcon},
	Fail:      {iostreams.MarkFailure, (*iostreams.ColorScheme).FailureIcon},
	Skip:      {iostreams.MarkSkip, (*iostreams.ColorScheme).SkipIcon},
	Confirmed: {iostreams.MarkConfirmed, (*iostreams.ColorScheme).ConfirmedIcon},
	Todo:      {iostreams.MarkTodo, (*iostreams.ColorScheme).TodoIcon},
}

// Symbol is the one-character mark of a status in the text report (iostreams' set of marks).
func (s Status) Symbol() string {
	if m, ok := marks[s]; ok {
		return m.symbol
	}
	return "?"
}

// Icon is Symbol painted by cs.
func (s Status) Icon(cs *iostreams.ColorScheme) string {
	if m, ok := marks[s]; ok {
		return m.icon(cs)
	}
	return cs.Gray(s.Symbol())
}

// maxIDWidth bounds the ID column so one long ID does not push every title right.
const maxIDWidth = 32

// WriteText writes the text report (see WriteTextColor) in colour when color is set; the
// caller decides it from iostreams (a terminal, no NO_COLOR, not CI).
func WriteText(w io.Writer, checks []Check, color bool) error {
	return WriteTextColor(w, checks, iostreams.NewColorScheme(color))
}

// WriteTextColor writes one line per check ("✓ ID  Title: detail"), the fix indented under
// each failure or warning ("    fix: ..."), then the verdict line, painted by cs.
func WriteTextColor(w io.Writer, checks []Check, cs *iostreams.ColorScheme) error {
	width := 0
	for _, c := range checks {
		if n := len(c.ID); n > width && n <= maxIDWidth {
			width = n
		}
	}
	var b strings.Builder
	for _, c := range checks {
		// Titles, details and fixes may quote a server's answer: no terminal control reaches the screen.
		line := fmt.Sprintf("%s %-*s  %s", c.Status.Icon(cs), width, text.Sanitize(c.ID), text.Sanitize(c.Title))
		if d := strings.TrimSpace(text.SanitizeBlock(c.Detail)); d != "" {
			line += ": " + indentRest(d, "    ")
		}
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
		if (c.Status == Fail || c.Status == Warn) && strings.TrimSpace(c.Fix) != "" {
			b.WriteString("    " + cs.Bold("fix:") + " " + indentRest(strings.TrimSpace(text.SanitizeBlock(c.Fix)), "         ") + "\n")
		}
	}
	sum := Summarize(checks)
	verdict := sum.Verdict()
	switch {
	case sum.Fail > 0:
		verdict = cs.Bold(cs.Red(verdict))
	case sum.Warn > 0:
		verdict = cs.Bold(cs.Yellow(verdict))
	default:
		verdict = cs.Bold(cs.Green(verdict))
	}
	b.WriteString(verdict + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// indentRest indents every line after the first, so multi-line details stay under their check.
func indentRest(s, indent string) string {
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

// JUnit XML, the subset CI systems read (Jenkins, GitLab, GitHub reporters, Azure DevOps).
type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	junitTotals
	Suites []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	junitTotals
	Cases []junitCase `xml:"testcase"`
}

// junitTotals are the attributes a suite and the whole report both carry.
type junitTotals struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

type junitCase struct {
	Classname  string           `xml:"classname,attr"`
	Name       string           `xml:"name,attr"`
	Time       string           `xml:"time,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Failure    *junitMessage    `xml:"failure,omitempty"`
	Skipped    *junitMessage    `xml:"skipped,omitempty"`
	SystemOut  *junitText       `xml:"system-out,omitempty"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// JUnitSuiteName names the single test suite of the JUnit report.
const JUnitSuiteName = "flowsctl doctor"

// WriteJUnit writes JUnit XML: one <testsuite name="flowsctl doctor"> (inside <testsuites>)
// with one <testcase> per check, classname = the ID before its first dot. A failure becomes
// <failure> (detail and fix), a skip <skipped>, a warning passes with the detail and fix in
// <system-out>.
func WriteJUnit(w io.Writer, checks []Check) error {
	return WriteJUnitSuites(w, []Suite{{Name: JUnitSuiteName, Checks: checks}})
}

// Suite is one named set of checks: one tenant's doctor run in a fleet.
type Suite struct {
	Name   string
	Checks []Check
}

// WriteJUnitSuites writes one <testsuite> per suite inside one <testsuites>, each as WriteJUnit
// writes its single suite; the totals add up.
func WriteJUnitSuites(w io.Writer, suites []Suite) error {
	doc := junitSuites{junitTotals: junitTotals{Name: JUnitSuiteName}}
	var allMs int64
	for _, s := range suites {
		js, ms := junitSuiteOf(s.Name, s.Checks)
		allMs += ms
		doc.Tests += js.Tests
		doc.Failures += js.Failures
		doc.Skipped += js.Skipped
		doc.Suites = append(doc.Suites, js)
	}
	if len(suites) == 1 {
		doc.Name = doc.Suites[0].Name
	}
	doc.Time = seconds(allMs)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitSuiteOf is the suite of checks and the sum of their durations.
func junitSuiteOf(name string, checks []Check) (junitSuite, int64) {
	sum := Summarize(checks)
	var totalMs int64
	suite := junitSuite{junitTotals: junitTotals{Name: xmlSafe(name), Tests: len(checks), Failures: sum.Fail, Skipped: sum.Skip + sum.Todo}, Cases: []junitCase{}}
	for _, c := range checks {
		totalMs += c.DurationMs
		class, _, _ := strings.Cut(c.ID, ".")
		tc := junitCase{Classname: xmlSafe(class), Name: xmlSafe(c.ID + ": " + c.Title), Time: seconds(c.DurationMs)}
		detail, fix := strings.TrimSpace(c.Detail), strings.TrimSpace(c.Fix)
		withFix := detail
		if fix != "" {
			withFix = strings.TrimSpace(detail + "\nfix: " + fix)
		}
		switch c.Status {
		case Fail:
			msg := detail
			if msg == "" {
				msg = "failed"
			}
			tc.Failure = &junitMessage{Message: xmlSafe(msg), Type: "fail", Text: xmlSafe(withFix)}
		case Skip:
			tc.Skipped = &junitMessage{Message: xmlSafe(detail)}
		case Todo:
			// An operator step not done: skipped with what to do (doctor --strict fails it).
			tc.Skipped = &junitMessage{Message: xmlSafe(strings.TrimSpace("to do by hand: " + withFix))}
			tc.Properties = &junitProperties{[]junitProperty{{"flowsctl.status", "todo"}}}
		case Confirmed:
			// Passed on an operator's word, marked so that CI can tell it from an observed pass.
			tc.Properties = &junitProperties{[]junitProperty{{"flowsctl.status", "confirmed"}}}
			tc.SystemOut = &junitText{xmlSafe(detail)}
		case Warn:
			tc.SystemOut = &junitText{xmlSafe(strings.TrimSpace("warning: " + withFix))}
		default:
			if detail != "" {
				tc.SystemOut = &junitText{xmlSafe(detail)}
			}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Time = seconds(totalMs)
	return suite, totalMs
}

// xmlSafe replaces characters XML 1.0 cannot carry at all (most control characters), which
// would otherwise make the whole report unreadable to a CI parser.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }
