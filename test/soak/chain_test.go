package soak

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/test/harness"
)

// TestApplyChainCuts: the round trips taken off apply's longest chain of dependent requests
// (issue 18 item 5) stay off it. A fresh apply against the sandbox must not
//   - activate Okta's provisioning connection with a second request (activate=true on the set),
//   - ask a directory it just created for its sync client (no token can exist yet),
//   - ask an Okta app it just created for its group assignments (it has none),
//   - list every UEM organization group to resolve a smart group's name,
//   - search the organization group, the Boxer apps and the smart groups again to read back the
//     Boxer assignment rules it wrote (the rules alone are read again),
//   - read the Microsoft Teams connector again for its signed-in users (the answers that
//     registered it had the count),
//   - read the mobile flows tenant twice (Hub Services' switch and the registration share one answer),
//
// and it must read Okta's connection and features, and the push mappings, exactly once.
// Requests are counted, not timed.
func TestApplyChainCuts(t *testing.T) {
	e := harness.Start(t, harness.Options{})
	e.Opts = options(e.SB, 30*time.Second)
	if r := e.Run(t, "apply"); r.Code != 0 {
		t.Fatalf("apply: exit %d\n%s", r.Code, harness.Tail(r.Err, 2000))
	}
	count := map[string]int{}
	var seen []string
	for name, es := range harness.FromFlowsctl(e.Log()) {
		for _, le := range es {
			k := name + " " + le.Method + " " + le.Path
			if le.Query != "" {
				k += "?" + le.Query
			}
			count[k]++
			seen = append(seen, k)
		}
	}
	match := func(pattern string) (n int) {
		re := regexp.MustCompile(pattern)
		for k, c := range count {
			if re.MatchString(k) {
				n += c
			}
		}
		return n
	}
	for _, c := range []struct {
		what    string
		pattern string
		want    int
	}{
		{"a separate activation of the provisioning connection", `^okta POST /api/v1/apps/[^/]+/connections/default/lifecycle/activate`, 0},
		{"the connection set with activate=true", `^okta POST /api/v1/apps/[^/]+/connections/default\?.*activate=true`, 1},
		{"the sync client of a directory this run created", `^identity GET /usergroup/broker/directories/[^/]+/sync-client`, 0},
		{"the group assignments of an app this run created", `^okta GET /api/v1/apps/[^/]+/groups`, 0},
		{"a list of every organization group", `^uem GET /api/system/groups/search\?page=`, 0},
		{"the connection read", `^okta GET /api/v1/apps/[^/]+/connections/default`, 1},
		{"the features read", `^okta GET /api/v1/apps/[^/]+/features/USER_PROVISIONING`, 1},
		{"the push mappings read", `^okta GET /api/v1/apps/[^/]+/group-push/mappings`, 1},
		{"the Boxer organization group search", `^uem GET /api/system/groups/search\?groupid=ACME&`, 1},
		{"the Boxer app search", `^uem GET /api/mam/apps/search\?applicationname=Boxer`, 1},
		{"the Boxer smart group search", `^uem GET /api/mdm/smartgroups/search\?name=All\+Boxer\+Users`, 1},
		{"the Boxer assignment rules read, before and after the write", `^uem GET /api/mam/apps/[^/]+/assignment-rules`, 2},
		{"the Microsoft Teams connector read", `^mobileflows GET /connector-management/v1/connectors/Microsoft Teams`, 1},
		{"the mobile flows tenant read", `^mobileflows GET /connector-management/v1/tenant`, 1},
	} {
		if n := match(c.pattern); n != c.want {
			t.Errorf("%s: %d requests, want %d", c.what, n, c.want)
		}
	}
	if t.Failed() {
		t.Logf("requests:\n  %s", strings.Join(seen, "\n  "))
	}
}

// TestApplyOneConnectionPerHost: a fresh apply opens one connection to each service it calls,
// however many requests it sends there at once (HTTP/2, and net/http's one-dial-per-waiting-
// request held back while the first connection is being opened). Each distinct User-Agent in a
// service's log is one client: flowsctl's, or an emulator calling another.
func TestApplyOneConnectionPerHost(t *testing.T) {
	e := harness.Start(t, harness.Options{})
	e.Opts = options(e.SB, 30*time.Second)
	if r := e.Run(t, "apply"); r.Code != 0 {
		t.Fatalf("apply: exit %d\n%s", r.Code, harness.Tail(r.Err, 2000))
	}
	conns := e.SB.Connections()
	for name, es := range e.Log() {
		clients := map[string]int{}
		for _, le := range es {
			clients[le.UserAgent]++
		}
		if conns[name] != int64(len(clients)) {
			t.Errorf("%s: %d connections for %d clients (requests by User-Agent: %v), want one each", name, conns[name], len(clients), clients)
		}
	}
}
