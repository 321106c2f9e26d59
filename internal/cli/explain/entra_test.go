package explain

import (
	"strings"
	"testing"
)

// TestEntraMessages: the Entra sign-in and Graph messages map to their entry, and every known
// entry's own example message round-trips to itself (so --list never shows an entry that
// explain cannot find again).
func TestEntraMessages(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"AADSTS65001: The user or administrator has not consented to use the application with ID 'f1e2' named 'Workspace ONE mobile flows - Microsoft Teams'.", "entra-consent-required"},
		{"Need admin approval", "entra-need-admin-approval"},
		{"AADSTS90094: The grant requires admin permission.", "entra-admin-policy-blocks-consent"},
		{"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'f1e2'.", "entra-invalid-client-secret"},
		{"AADSTS7000222: The provided client secret keys for app 'f1e2' are expired. Visit the Azure portal to create new keys for your app.", "entra-client-secret-expired"},
		{"AADSTS50011: The redirect URI 'https://x/cb' specified in the request does not match the redirect URIs configured for the application 'f1e2'.", "entra-redirect-uri-mismatch"},
		{"AADSTS700016: Application with identifier 'f1e2' was not found in the directory 'contoso'.", "entra-app-not-found"},
		{"Resource '8a9b' does not exist or one of its queried reference-property objects are not present.", "graph-replication-not-found"},
		{"The appId 'f1e2' of the service principal does not reference a valid application object.", "graph-replication-no-app"},
	} {
		es := Match(tt.text)
		if len(es) == 0 || es[0].ID != tt.want {
			t.Errorf("%q: got %v, want %s first", tt.text, ids(es), tt.want)
		}
	}
	for _, e := range All() {
		got := Match(e.Message)
		if len(got) == 0 || !containsID(got, e.ID) {
			t.Errorf("%s: its own message %q does not match it (got %v)", e.ID, e.Message, ids(got))
		}
		if e.Cause == "" || e.Fix == "" || e.Source == "" {
			t.Errorf("%s lacks cause, fix or source", e.ID)
		}
		if strings.Contains(strings.ToLower(e.Source), "seed") {
			t.Errorf("%s: source %q names a seed, not a procedure", e.ID, e.Source)
		}
	}
}

func ids(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func containsID(es []Entry, id string) bool {
	for _, e := range es {
		if e.ID == id {
			return true
		}
	}
	return false
}
