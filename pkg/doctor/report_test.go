package doctor

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func sample() []Check {
	return []Check{
		{ID: "azure.app", Title: "Entra application exists", Status: Pass, Detail: `"Workspace ONE mobile flows" (appId 1111)`, DurationMs: 120},
		{ID: "azure.secret", Title: "Client secret is valid", Status: Warn, Detail: "expires in 12 days",
			Fix: "flowsctl azure secret rotate", DurationMs: 80},
		{ID: "access.template", Title: "OAuth2 template registered", Status: Fail, Detail: `template "mobileflows" not found`,
			Fix: "flowsctl apply --only access.template", DurationMs: 1500},
		{ID: "access.client", Title: "OAuth2 client can get a token", Status: Fail, Detail: "401 Unauthorized:\ninvalid_client",
			Fix: "flowsctl access client create\nor Access console: Settings > OAuth 2.0 Management", DurationMs: 2},
		{ID: "scim", Title: "SCIM provisioning", Status: Skip, Detail: "identityServices.enabled is false"},
		{ID: "uem.connector.teams-with-a-very-long-identifier-x", Title: "Connector <Teams> & co", Status: Pass},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/doctor -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestWriteTextGolden(t *testing.T) {
	tests := []struct {
		name   string
		checks []Check
		color  bool
	}{
		{"text.golden", sample(), false},
		{"text-color.golden", sample(), true},
		{"text-empty.golden", nil, false},
		{"text-pass.golden", []Check{{ID: "env.go", Title: "Go toolchain", Status: Pass}, {ID: "env.ca", Title: "CA file readable", Status: Warn, Detail: "not set"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteText(&b, tt.checks, tt.color); err != nil {
				t.Fatal(err)
			}
			if !tt.color && strings.Contains(b.String(), "\x1b[") {
				t.Errorf("colour codes without color")
			}
			golden(t, tt.name, b.Bytes())
		})
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		s    Summary
		want string
	}{
		{Summary{Pass: 14, Warn: 1, Fail: 2}, "checks: 14 passed, 1 warning, 2 failed, 0 skipped"},
		{Summary{Pass: 1, Warn: 2, Skip: 3}, "checks: 1 passed, 2 warnings, 0 failed, 3 skipped"},
		{Summary{}, "checks: 0 passed, 0 warnings, 0 failed, 0 skipped"},
	}
	for _, tt := range tests {
		if got := tt.s.Verdict(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestJSONReport(t *testing.T) {
	tests := []struct {
		name   string
		checks []Check
		want   Summary
		ok     bool
	}{
		{"sample", sample(), Summary{Total: 6, Pass: 2, Warn: 1, Fail: 2, Skip: 1}, false},
		{"all good", []Check{{ID: "a", Status: Pass}, {ID: "b", Status: Warn}}, Summary{Total: 2, Pass: 1, Warn: 1}, true},
		{"none", nil, Summary{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := json.NewEncoder(&b).Encode(NewReport(tt.checks)); err != nil {
				t.Fatal(err)
			}
			var got struct {
				OK      *bool            `json:"ok"`
				Summary Summary          `json:"summary"`
				Checks  []map[string]any `json:"checks"`
			}
			if err := json.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatalf("%v\n%s", err, b.String())
			}
			if got.OK == nil || *got.OK != tt.ok || got.Summary != tt.want || got.Checks == nil || len(got.Checks) != len(tt.checks) {
				t.Errorf("got %s", b.String())
			}
			for _, c := range got.Checks {
				for _, k := range []string{"id", "title", "status"} {
					if _, ok := c[k]; !ok {
						t.Errorf("check lacks %q: %v", k, c)
					}
				}
			}
		})
	}
}

// junit mirrors the schema CI systems read, to parse the report back.
type junit struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestWriteJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, sample()); err != nil {
		t.Fatal(err)
	}
	golden(t, "junit.golden", b.Bytes())
	var got junit
	if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	if len(got.Suites) != 1 {
		t.Fatalf("%d suites", len(got.Suites))
	}
	s := got.Suites[0]
	if s.Name != "flowsctl doctor" || s.Tests != 6 || s.Failures != 2 || s.Skipped != 1 || s.Time != "1.702" || len(s.Cases) != 6 {
		t.Errorf("suite %+v", s)
	}
	wantCases := []struct {
		class, name string
		fail, skip  bool
		out         string
	}{
		{"azure", "azure.app: Entra application exists", false, false, `"Workspace ONE mobile flows" (appId 1111)`},
		{"azure", "azure.secret: Client secret is valid", false, false, "warning: expires in 12 days\nfix: flowsctl azure secret rotate"},
		{"access", "access.template: OAuth2 template registered", true, false, ""},
		{"access", "access.client: OAuth2 client can get a token", true, false, ""},
		{"scim", "scim: SCIM provisioning", false, true, ""},
		{"uem", "uem.connector.teams-with-a-very-long-identifier-x: Connector <Teams> & co", false, false, ""},
	}
	for i, w := range wantCases {
		c := s.Cases[i]
		if c.Classname != w.class || c.Name != w.name || (c.Failure != nil) != w.fail || (c.Skipped != nil) != w.skip || c.SystemOut != w.out {
			t.Errorf("case %d: %+v, want %+v", i, c, w)
		}
	}
	if f := s.Cases[2].Failure; f == nil || f.Message != `template "mobileflows" not found` ||
		!strings.Contains(f.Text, "fix: flowsctl apply --only access.template") {
		t.Errorf("failure element %+v", f)
	}
	if sk := s.Cases[4].Skipped; sk == nil || sk.Message != "identityServices.enabled is false" {
		t.Errorf("skipped element %+v", sk)
	}
}

func TestWriteJUnitEmptyAndOddText(t *testing.T) {
	var b bytes.Buffer
	odd := []Check{{ID: "x", Title: "control \x01 chars ]]> and \"quotes\"", Status: Fail, Detail: "line1\nline2 <b> ]]> \x02 end"}}
	for _, cs := range [][]Check{nil, odd} {
		b.Reset()
		if err := WriteJUnit(&b, cs); err != nil {
			t.Fatal(err)
		}
		var got junit
		if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("not XML: %v\n%s", err, b.String())
		}
		if len(got.Suites) != 1 || got.Suites[0].Tests != len(cs) || len(got.Suites[0].Cases) != len(cs) {
			t.Errorf("got %+v", got)
		}
	}
}

// TestOperatorStatuses: confirmed and todo are never counted or shown as passes: their own marks
// in text, counts in the summary, and in JUnit a property (confirmed) or a skip (todo).
func TestOperatorStatuses(t *testing.T) {
	cs := []Check{
		{ID: "uem.connector.teams", Title: "connector added", Status: Confirmed, Detail: "confirmed by the operator"},
		{ID: "okta.provisioning", Title: "provisioning", Status: Todo, Detail: "an operator step", Fix: "flowsctl okta provisioning confirm"},
		{ID: "access.template", Title: "template", Status: Pass},
	}
	var txt, xml strings.Builder
	if err := WriteText(&txt, cs, false); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"☑ uem.connector.teams", "☐ okta.provisioning", "1 passed", "1 confirmed by an operator, 1 to do by hand"} {
		if !strings.Contains(txt.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, txt.String())
		}
	}
	if err := WriteJUnit(&xml, cs); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`skipped="1"`, `<property name="flowsctl.status" value="confirmed">`, `<property name="flowsctl.status" value="todo">`, `to do by hand: an operator step`} {
		if !strings.Contains(xml.String(), w) {
			t.Errorf("junit lacks %q:\n%s", w, xml.String())
		}
	}
	if s := Summarize(cs); s.Pass != 1 || s.Confirmed != 1 || s.Todo != 1 || Failed(cs) {
		t.Errorf("summary %+v", s)
	}
}
