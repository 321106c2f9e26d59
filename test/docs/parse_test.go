package docs

import (
	"reflect"
	"testing"
)

// The shell the docs use: comments, quotes, redirections, ; and &, continuation lines, and
// flowsctl behind go run.
func TestExtractFile(t *testing.T) {
	md := "text\n```sh\n" +
		"flowsctl plan --no-input;   rc=$?    # 0 nothing to do, 2 drift\n" +
		"flowsctl doctor -f 'tenants/*.yaml' -o junit > doctor.xml # one \"<testsuite>\" per tenant\n" +
		"go run ./cmd/flowsctl sandbox up --dir ./sandbox &\n" +
		"curl --cacert sandbox/ca.pem \"$ADMIN/faults\" \\\n  -d '{}'\n" +
		"flowsctl uem connector add --name \"Jira (self-hosted)\" \\\n  --discovery-url https://x/\n" +
		"```\n```yaml\nflowsctl: not a command\n```\n"
	got, err := extractFile("d.md", md)
	if err != nil {
		t.Fatal(err)
	}
	want := []Command{
		{File: "d.md", Line: 3, Args: []string{"plan", "--no-input"}, Comment: "0 nothing to do, 2 drift"},
		{File: "d.md", Line: 4, Args: []string{"doctor", "-f", "tenants/*.yaml", "-o", "junit"}, Comment: `one "<testsuite>" per tenant`},
		{File: "d.md", Line: 5, Args: []string{"sandbox", "up", "--dir", "./sandbox"}},
		{File: "d.md", Line: 8, Args: []string{"uem", "connector", "add", "--name", "Jira (self-hosted)", "--discovery-url", "https://x/"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if _, err := extractFile("d.md", "```sh\nflowsctl plan 'open\n```\n"); err == nil {
		t.Error("an unterminated quote passed")
	}
}
