package scim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/scim"
	"github.com/flowsctl/flowsctl/pkg/scim/scimtest"
)

// Issue 14 item 1: --delete-missing and group membership replacement stay inside flowsctl's
// directory (its domain) and objects with an externalId; a same-named group of another
// directory is neither matched nor changed.
func TestSyncScopedToDirectory(t *testing.T) {
	t.Parallel()
	c, _, sb := scimtest.Access(t)
	scimtest.AddDirectory(t, sb, "Contractors", "other.example.com")
	ctx := context.Background()
	mk := func(name, domain, ext string) string {
		u, _, err := c.CreateUser(ctx, scim.User{UserName: name, ExternalID: ext, Domain: domain, Active: true})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return u.ID
	}
	otherUser := mk("carl", "other.example.com", "00uC")
	mk("handmade", scimtest.Domain, "")
	for i := range 20 {
		mk("okta"+string(rune('a'+i)), scimtest.Domain, "00u"+string(rune('a'+i)))
	}
	og, _, err := c.CreateGroup(ctx, scim.Group{DisplayName: "Sales", Domain: "other.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateMembers(ctx, og.ID, []string{otherUser}, nil); err != nil {
		t.Fatal(err)
	}
	// The file lists 19 of the 20 Okta users, one of them in "sales" (another case).
	var b strings.Builder
	b.WriteString("userName,externalId,groups\n")
	for i := range 19 {
		g := ""
		if i == 0 {
			g = "sales"
		}
		b.WriteString("okta" + string(rune('a'+i)) + ",00u" + string(rune('a'+i)) + "," + g + "\n")
	}
	src, _ := scim.NewCSVSource(strings.NewReader(b.String()))
	res, err := c.Sync(ctx, src, scim.SyncOptions{DeleteMissing: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.DeletedUsers, ",") != "oktat" {
		t.Fatalf("dry run would delete %v, want only oktat (not carl of another directory, not the hand-made user)", res.DeletedUsers)
	}
	if res.GroupsCreated != 1 {
		t.Fatalf("another directory's Sales matched the file's sales: %+v", res)
	}
	src, _ = scim.NewCSVSource(strings.NewReader(b.String()))
	if res, err = c.Sync(ctx, src, scim.SyncOptions{DeleteMissing: true}); err != nil || res.Deleted != 1 {
		t.Fatalf("sync: %v %+v", err, res)
	}
	for _, name := range []string{"carl", "handmade"} {
		if u, err := c.FindUser(ctx, name); err != nil || u == nil {
			t.Fatalf("%s was deleted (%v)", name, err)
		}
	}
	got, err := c.GetGroup(ctx, og.ID)
	if err != nil || len(got.Members) != 1 || got.Members[0].Value != otherUser {
		t.Fatalf("another directory's group changed: %v %+v", err, got)
	}
}
