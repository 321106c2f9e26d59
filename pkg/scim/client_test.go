package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
	"github.com/flowsctl/flowsctl/pkg/scim/scimtest"
)

// startIdentity serves the identity emulator and returns an RFC 7644 client with a valid token.
func startIdentity(t *testing.T) (*sandbox.Sandbox, *identityemu.Emulator, *scim.Client) {
	c, emu, sb := scimtest.Identity(t)
	return sb, emu, c
}

func TestRFCUserLifecycle(t *testing.T) {
	t.Parallel()
	_, _, c := startIdentity(t)
	ctx := context.Background()
	u, adopted, err := c.CreateUser(ctx, scim.User{UserName: "ann@okta.example.com", ExternalID: "00u1",
		Name: scim.Name{GivenName: "Ann", FamilyName: "Lee"}, Emails: []scim.Email{{Value: "ann@okta.example.com", Primary: true}}, Active: true})
	if err != nil || adopted || u.ID == "" {
		t.Fatalf("create: %v adopted=%v %+v", err, adopted, u)
	}
	// A second create is a 409, answered by adopting the existing user.
	u2, adopted, err := c.CreateUser(ctx, scim.User{UserName: "ANN@okta.example.com", Active: true})
	if err != nil || !adopted || u2.ID != u.ID {
		t.Fatalf("409 adopt: %v adopted=%v id=%s want %s", err, adopted, u2.ID, u.ID)
	}
	if err := c.PatchUser(ctx, u.ID, u.Version, map[string]any{"name.givenName": "Anne", "active": false}); err != nil {
		t.Fatalf("patch: %v", err)
	}
	got, err := c.GetUser(ctx, u.ID)
	if err != nil || got.Name.GivenName != "Anne" || got.Active {
		t.Fatalf("after patch: %v %+v", err, got)
	}
	// A stale ETag is refused with 412.
	err = c.PatchUser(ctx, u.ID, u.Version, map[string]any{"displayName": "x"})
	if httpx.StatusOf(err) != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: want 412, got %v", err)
	}
	g, _, err := c.CreateGroup(ctx, scim.Group{DisplayName: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateMembers(ctx, g.ID, []string{u.ID}, nil); err != nil {
		t.Fatal(err)
	}
	gg, _ := c.GetGroup(ctx, g.ID)
	if len(gg.Members) != 1 {
		t.Fatalf("members %+v", gg.Members)
	}
	if err := c.UpdateMembers(ctx, g.ID, nil, []string{u.ID}); err != nil {
		t.Fatal(err)
	}
	gg, _ = c.GetGroup(ctx, g.ID)
	if len(gg.Members) != 0 {
		t.Fatalf("members after remove %+v", gg.Members)
	}
	if err := c.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(ctx, u.ID); !scim.IsNotFound(err) {
		t.Fatalf("after delete: want 404, got %v", err)
	}
}

func TestPagingOddSizes(t *testing.T) {
	t.Parallel()
	_, _, c := startIdentity(t)
	ctx := context.Background()
	const n = 23
	for i := 0; i < n; i++ {
		if _, _, err := c.CreateUser(ctx, scim.User{UserName: fmt.Sprintf("u%02d@x.test", i), Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []int{1, 2, 7, 22, 23, 24, 100, 5000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			seen := map[string]bool{}
			for u, err := range c.Users(ctx, scim.ListOptions{PageSize: size}) {
				if err != nil {
					t.Fatal(err)
				}
				if seen[u.ID] {
					t.Fatalf("user %s twice", u.UserName)
				}
				seen[u.ID] = true
			}
			if len(seen) != n {
				t.Fatalf("page size %d: %d users, want %d", size, len(seen), n)
			}
		})
	}
}

func TestFilterLookupEscapes(t *testing.T) {
	t.Parallel()
	_, _, c := startIdentity(t)
	ctx := context.Background()
	names := []string{`quote"d@x.test`, `back\slash@x.test`, "tab\there@x.test", "uni\u00e9@x.test"}
	for _, n := range names {
		if _, _, err := c.CreateUser(ctx, scim.User{UserName: n, Active: true}); err != nil {
			t.Fatalf("%q: %v", n, err)
		}
	}
	for _, n := range names {
		u, err := c.FindUser(ctx, n)
		if err != nil || u == nil || u.UserName != n {
			t.Fatalf("find %q: %v %+v", n, err, u)
		}
	}
}

func TestBadTokenIs401(t *testing.T) {
	t.Parallel()
	sb, _, _ := startIdentity(t)
	c := scim.New(sandboxtest.Client(t, sb), sb.Services["identity"].URL+"/usergroup/scim/v2",
		scim.Options{Tokens: scim.StaticToken("nope")})
	_, err := c.GetUser(context.Background(), "x")
	if !httpx.IsAuth(err) || httpx.StatusOf(err) != 401 || !strings.Contains(err.Error(), "flowsctl identity token generate") {
		t.Fatalf("want 401 with the fix, got %v", err)
	}
}
