package explain

import (
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/iostreams"
)

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
	o := &Options{IO: ios, Output: func() string { return "text" }, Text: "MATCHING USER NOT FOUND"}
	if err := run(o); err != nil || !strings.Contains(out.String(), "Deactivate Users") {
		t.Fatalf("%v %s", err, out)
	}
	o.Text = "something else entirely"
	if err := run(o); err == nil {
		t.Fatal("unknown text must fail")
	}
}
