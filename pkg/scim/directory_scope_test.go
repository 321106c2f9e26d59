package scim_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
	"github.com/flowsctl/flowsctl/pkg/scim/scimtest"
)

// Issue 14 item 1 (regression): two Identity Services directories in one tenant, the same
// domain. flowsctl syncs with its directory's token; a user of the other directory with the
// same domain and an externalId is never deleted, deactivated or updated, and the other
// directory's group of the same name never has its members replaced.
func TestSyncScopedToIdentityDirectoryID(t *testing.T) {
	t.Parallel()
	emu := identityemu.New()
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	url := sb.Services["identity"].URL + config.IdentitySCIMPath
	ctx := context.Background()

	// The other directory provisions carl and dave (externalIds, flowsctl's domain) and Sales.
	other := scim.New(hc, url, scim.Options{Tokens: scim.StaticToken(emu.IssueSCIMToken("Contractors", scimtest.Domain, time.Hour))})
	var otherIDs []string
	for _, n := range []string{"carl", "dave"} {
		u, _, err := other.CreateUser(ctx, scim.User{UserName: n + "@" + scimtest.Domain, ExternalID: "00u" + n, Name: scim.Name{GivenName: "Other"}, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		otherIDs = append(otherIDs, u.ID)
	}
	og, _, err := other.CreateGroup(ctx, scim.Group{DisplayName: "Sales", ExternalID: "00gS"})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.UpdateMembers(ctx, og.ID, otherIDs, nil); err != nil {
		t.Fatal(err)
	}

	// flowsctl's target: its directory's token from a file; the directory comes from the token.
	tokFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokFile, []byte(emu.IssueSCIMToken("Okta Directory", scimtest.Domain, time.Hour)), 0o600); err != nil {
		t.Fatal(err)
	}
	tg, err := scim.ResolveTarget(hc, nil, scim.Override{URL: url, TokenFile: tokFile})
	if err != nil {
		t.Fatal(err)
	}
	if tg.DirectoryID == "" {
		t.Fatal("the target does not know its directory from the token")
	}
	c := tg.Client
	doc := func(n int, extra string) string {
		var b strings.Builder
		b.WriteString("userName,givenName,externalId,groups\n")
		for i := range n {
			g := ""
			if i == 0 {
				g = "Sales"
			}
			b.WriteString("okta" + string(rune('a'+i)) + "@" + scimtest.Domain + ",Okta,00u" + string(rune('a'+i)) + "," + g + "\n")
		}
		return b.String() + extra
	}
	sync := func(d string, o scim.SyncOptions) (*scim.SyncResult, error) {
		src, err := scim.NewCSVSource(strings.NewReader(d))
		if err != nil {
			t.Fatal(err)
		}
		return c.Sync(ctx, src, o)
	}
	// First sync: 20 users; the file's Sales is the other directory's name: refused, not adopted.
	res, err := sync(doc(20, ""), scim.SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "another directory") || res.Created != 20 {
		t.Fatalf("first sync: %v %+v", err, res)
	}
	// A row naming the other directory's dave is refused, dave is not updated.
	res, err = sync(doc(20, "dave@"+scimtest.Domain+",Changed,00udave,\n"), scim.SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "another directory") || res.Updated != 0 {
		t.Fatalf("dave's row: %v %+v", err, res)
	}
	// Missing users: only flowsctl's directory's oktat; never carl or dave.
	for _, o := range []scim.SyncOptions{{DeactivateMissing: true, DryRun: true}, {DeleteMissing: true, DryRun: true}} {
		res, _ = sync(doc(19, ""), o)
		if got := strings.Join(append(res.DeletedUsers, res.DeactivatedUsers...), ","); got != "oktat@"+scimtest.Domain {
			t.Fatalf("%+v would remove %s, want only oktat", o, got)
		}
	}
	res, _ = sync(doc(19, ""), scim.SyncOptions{DeleteMissing: true})
	if res.Deleted != 1 {
		t.Fatalf("delete-missing: %+v", res)
	}
	for i, id := range otherIDs {
		u, err := other.GetUser(ctx, id)
		if err != nil || !u.Active || u.Name.GivenName != "Other" {
			t.Fatalf("the other directory's user %d was touched: %v %+v", i, err, u)
		}
	}
	g, err := other.GetGroup(ctx, og.ID)
	if err != nil || len(g.Members) != 2 {
		t.Fatalf("the other directory's Sales changed: %v %+v", err, g)
	}
}
