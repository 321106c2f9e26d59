package okta

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// TestFailureReasons: the causes of the failed users come from the newest System Log event of
// each, grouped with a count; users the log does not name are counted apart; the text for
// flowsctl explain is the first cause, safe inside double quotes in a shell.
func TestFailureReasons(t *testing.T) {
	event := func(user, reason string) string {
		return fmt.Sprintf(`{"eventType":"application.provision.user.push","outcome":{"result":"FAILURE","reason":%q},"target":[{"id":%q,"type":"User"},{"id":"0oaApp","type":"AppInstance"}]}`, reason, user)
	}
	const domain = "ERRORS REPORTED BY REMOTE SERVER: USER DOMAIN NAME SPECIFIED FOR THE USER RESOURCE DOESN'T BELONG TO THE DIRECTORY."
	for _, tt := range []struct {
		name        string
		logs        bool
		events      []string // newest first
		bad         []string
		why         []string
		explain     string
		noRequests  bool
		statusOfLog int
	}{
		{name: "one cause", logs: true, bad: []string{"u1", "u2"},
			events:  []string{event("u1", "Automatic provisioning of user Ann to app WS1 failed: "+domain), event("u2", "Automatic provisioning of user Bob to app WS1 failed: "+domain)},
			why:     []string{`Okta's System Log: "` + domain + `" (2 users)`},
			explain: domain},
		{name: "the newest event of a user counts", logs: true, bad: []string{"u1"},
			events:  []string{event("u1", "Automatic provisioning of user Ann to app WS1 failed: now"), event("u1", "Automatic provisioning of user Ann to app WS1 failed: before")},
			why:     []string{`"now" (1 user)`},
			explain: "now"},
		{name: "two causes and a user the log does not name", logs: true, bad: []string{"u1", "u2", "u3"},
			events:  []string{event("u1", "x failed: first"), event("u2", "x failed: second"), event("u9", "x failed: other app user")},
			why:     []string{`"first" (1 user); "second" (1 user); no failure in the System Log of the last week for 1 user`},
			explain: "first"},
		{name: "a reason without Okta's prefix, with shell characters", logs: true, bad: []string{"u1"},
			events:  []string{event("u1", "User \"a$b\" or `c` is taken.")},
			why:     []string{`"User \"a$b\" or ` + "`c`" + ` is taken." (1 user)`},
			explain: "User ab or c is taken."},
		{name: "no scope", logs: false, bad: []string{"u1"}, noRequests: true,
			why: []string{"add okta.logs.read to okta.auth.scopes"}, explain: "<the error shown in Okta>"},
		{name: "log unreadable", logs: true, bad: []string{"u1"}, statusOfLog: 403,
			why: []string{"Okta's System Log could not be read: HTTP 403 You do not have permission"}, explain: "<the error shown in Okta>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				f := r.URL.Query().Get("filter")
				if r.URL.Path != "/api/v1/logs" || !strings.Contains(f, `target.id eq "0oaApp"`) || !strings.Contains(f, `outcome.result eq "FAILURE"`) || r.URL.Query().Get("sortOrder") != "DESCENDING" {
					t.Errorf("request %s", r.URL)
				}
				w.Header().Set("Content-Type", "application/json")
				if tt.statusOfLog != 0 {
					w.WriteHeader(tt.statusOfLog)
					w.Write([]byte(`{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}`))
					return
				}
				w.Write([]byte("[" + strings.Join(tt.events, ",") + "]"))
			}))
			defer srv.Close()
			hc, _ := httpx.New(httpx.Options{MaxRetries: -1})
			c := &Client{hc: hc, base: srv.URL, logs: tt.logs, authz: func(context.Context) (string, error) { return "SSWS t0k3n-value", nil }}
			var bad []AppUser
			for _, id := range tt.bad {
				bad = append(bad, AppUser{ID: id, SyncState: "ERROR"})
			}
			why, explain := (&Provisioning{c: c}).failureReasons(context.Background(), "0oaApp", bad)
			for _, w := range tt.why {
				if !strings.Contains(why, w) {
					t.Errorf("why %q\nwants %q", why, w)
				}
			}
			if explain != tt.explain {
				t.Errorf("explain %q, want %q", explain, tt.explain)
			}
			if (requests.Load() == 0) != tt.noRequests {
				t.Errorf("%d requests to the System Log", requests.Load())
			}
		})
	}
}
