package explain

import (
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
	"github.com/flowsctl/flowsctl/internal/iostreams"
)

func TestExplainFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantText string
		wantList bool
	}{
		{[]string{"Matching", "user not found"}, "Matching user not found", false},
		{[]string{"--list"}, "", true},
	}
	for _, tt := range tests {
		var got *ExplainOptions
		cmd := NewCmdExplain(cmdtest.Factory(cmdutil.GlobalFlags{}), func(o *ExplainOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		if err := cmd.Execute(); err != nil || got == nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if got.Text != tt.wantText || got.List != tt.wantList {
			t.Errorf("%v: text %q list %v", tt.args, got.Text, got.List)
		}
	}
}

// Every troubleshooting message of the Okta SCIM to Access guide (as Okta shows it) and the Identity Services 409s.
func TestEveryKnownMessage(t *testing.T) {
	tests := []struct{ text, want string }{
		{`ERRORS REPORTED BY REMOTE SERVER: REQUIRED USER ATTRIBUTES: [DISTINGUISHEDNAME] ARE MISSING.`, "required-attribute-missing"},
		{`Errors reported by remote server: User creation is not supported for specified directory id.`, "creation-not-supported-for-directory"},
		{`ERRORS REPORTED BY REMOTE SERVER: USER DOMAIN NAME SPECIFIED FOR THE USER RESOURCE DOESN'T BELONG TO THE DIRECTORY.`, "domain-not-in-directory"},
		{`AUTOMATIC PROVISIONING OF USER ann@acme.com TO APP VMWARE WORKSPACE ONE FAILED: MATCHING USER NOT FOUND.`, "matching-user-not-found"},
		{`1 group has an error. Click Retry All Groups`, "push-groups-error"},
		{`{"errors":[{"code":"directory.with.name.already.exists","message":"Directory with name Okta already exists."}]}`, "is-directory-name-exists"},
		{`Domain example.com is already associated with directory Okta.`, "is-directory-domain-exists"},
		{`identity.provider.with.name.already.exists`, "is-idp-name-exists"},
		{`OAuth2 Client with client id c1 already exists.`, "is-oauth-client-exists"},
		{`409 Conflict (scimType uniqueness)`, "scim-uniqueness"},
		{`User is not authorized to perform the task.`, "scim-unauthorized"},
	}
	for _, tt := range tests {
		es := Match(tt.text)
		if len(es) == 0 || es[0].ID != tt.want {
			ids := []string{}
			for _, e := range es {
				ids = append(ids, e.ID)
			}
			t.Errorf("%q: got %v, want %s first", tt.text, ids, tt.want)
		}
		for _, e := range es {
			if e.Cause == "" || e.Fix == "" {
				t.Errorf("%s has no cause or fix", e.ID)
			}
		}
	}
}

func TestRun(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	o := &ExplainOptions{Common: cmdutil.Common{IO: ios}, Text: "MATCHING USER NOT FOUND"}
	if err := explainRun(o); err != nil || !strings.Contains(out.String(), "Deactivate Users") {
		t.Fatalf("%v %s", err, out)
	}
	o.Text = "something else entirely"
	if err := explainRun(o); err == nil {
		t.Fatal("unknown text must fail")
	}
}
