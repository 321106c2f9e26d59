package scim_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/scim"
	"github.com/flowsctl/flowsctl/pkg/scim/scimtest"
)

// Issue 14 item 9: members are known from the users' groups attribute when the server returns
// it (Identity Services), else read per group (Access); either way a re-sync that moves a user
// between groups adds and removes exactly that membership, and an email differing only in case
// is no change.
func TestSyncMovesMembershipBothDialects(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"identity", "access"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			var c *scim.Client
			if dialect == "identity" {
				c, _, _ = scimtest.Identity(t)
			} else {
				c, _, _ = scimtest.Access(t)
			}
			ctx := context.Background()
			sync := func(doc string) *scim.SyncResult {
				t.Helper()
				src, err := scim.NewCSVSource(strings.NewReader(doc))
				if err != nil {
					t.Fatal(err)
				}
				res, err := c.Sync(ctx, src, scim.SyncOptions{Concurrency: 4})
				if err != nil {
					t.Fatalf("sync: %v %+v", err, res)
				}
				return res
			}
			const head = "userName,email,externalId,groups\n"
			sync(head + "ann,ann@x.example,e1,Red\nbob,bob@x.example,e2,Red;Blue\ncid,cid@x.example,e3,Blue\n")
			res := sync(head + "ann,ANN@x.example,e1,Red\nbob,bob@x.example,e2,Blue\ncid,cid@x.example,e3,Blue;Red\n")
			if res.MembershipsAdded != 1 || res.MembershipsRemoved != 1 || res.Unchanged != 3 || res.Updated != 0 {
				t.Fatalf("move: %+v", res)
			}
			gs, err := c.FindGroups(ctx, "Red")
			if err != nil || len(gs) != 1 {
				t.Fatalf("find Red: %v %v", err, gs)
			}
			g, err := c.GetGroup(ctx, gs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range g.Members {
				u, err := c.GetUser(ctx, m.Value)
				if err != nil {
					t.Fatal(err)
				}
				names = append(names, u.UserName)
			}
			slices.Sort(names)
			if strings.Join(names, ",") != "ann,cid" {
				t.Fatalf("Red has %v, want ann,cid", names)
			}
			if res := sync(head + "ann,ann@x.example,e1,Red\nbob,bob@x.example,e2,Blue\ncid,cid@x.example,e3,Blue;Red\n"); res.MembershipsAdded+res.MembershipsRemoved+res.Updated != 0 {
				t.Fatalf("re-sync wrote: %+v", res)
			}
		})
	}
}
