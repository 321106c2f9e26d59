package sandboxtest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

type echo struct{}

func (echo) Name() string { return "echo" }
func (echo) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Method) })
}
func (echo) State() any { return map[string]any{"things": []string{"a"}} }
func (echo) Reset()     {}

func TestHelpers(t *testing.T) {
	sb := sandboxtest.Start(t, echo{})
	c := sandboxtest.Client(t, sb)
	for _, m := range []string{"GET", "PUT", "DELETE", "HEAD"} {
		req, _ := http.NewRequest(m, sb.Services["echo"].URL+"/x", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := len(sandboxtest.Requests(t, sb, "echo")); n != 4 {
		t.Errorf("Requests: %d entries; want 4", n)
	}
	w := sandboxtest.Writes(t, sb, "echo")
	if len(w) != 2 || w[0].Method != "PUT" || w[1].Method != "DELETE" {
		t.Errorf("Writes = %+v", w)
	}
	var st map[string][]string
	sandboxtest.Admin(t, sb, "echo", "GET", "/state", "", &st)
	if len(st["things"]) != 1 {
		t.Errorf("state = %v", st)
	}
	var rules []sandbox.FaultStatus
	sandboxtest.Admin(t, sb, "echo", "POST", "/faults", `{"rules":[{"kind":"503","count":1}]}`, nil)
	sandboxtest.Admin(t, sb, "echo", "GET", "/faults", "", &rules)
	if len(rules) != 1 || rules[0].Remaining == nil || *rules[0].Remaining != 1 {
		t.Errorf("faults = %+v", rules)
	}
	// The retrying client rides over the one 503.
	resp, err := c.Do(mustReq(t, sb.Services["echo"].URL+"/y"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("through one 503: %v %v", resp, err)
	}
	resp.Body.Close()
}

func mustReq(t *testing.T, u string) *http.Request {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
