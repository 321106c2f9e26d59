package scim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/scim"
	"github.com/flowsctl/flowsctl/pkg/scim/scimtest"
)

func startAccess(t *testing.T) *scim.Client {
	c, _, _ := scimtest.Access(t)
	return c
}

func TestAccessDialect(t *testing.T) {
	t.Parallel()
	c := startAccess(t)
	ctx := context.Background()
	u, _, err := c.CreateUser(ctx, scim.User{UserName: "ann", ExternalID: "00u1", Name: scim.Name{GivenName: "Ann", FamilyName: "Lee"},
		Emails: []scim.Email{{Value: "ann@okta.example.com"}}, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.Domain != "okta.example.com" || u.InternalUserType != "PROVISIONED" {
		t.Fatalf("extension not round-tripped: %+v", u)
	}
	if _, adopted, err := c.CreateUser(ctx, scim.User{UserName: "ANN", Active: true}); err != nil || !adopted {
		t.Fatalf("409 adopt: %v %v", err, adopted)
	}
	if err := c.SetActive(ctx, u.ID, false); err != nil {
		t.Fatalf("PATCH (204): %v", err)
	}
	got, _ := c.GetUser(ctx, u.ID)
	if got.Active || got.UserStatus != "2" {
		t.Fatalf("deactivated user: %+v", got)
	}
	// Filters outside Access's operators are refused client-side.
	for _, err := range c.Users(ctx, scim.ListOptions{Filter: scim.Raw("userName pr")}) {
		if err == nil || !strings.Contains(err.Error(), "does not support") {
			t.Fatalf("pr filter: %v", err)
		}
		break
	}
}

func TestAccessGuideErrorMessages(t *testing.T) {
	t.Parallel()
	c, emu, _ := scimtest.Access(t)
	ctx := context.Background()
	emu.SetRequiredUserAttributes("distinguishedName")
	if _, _, err := c.CreateUser(ctx, scim.User{UserName: "dn", Active: true}); err == nil || !strings.Contains(err.Error(), "REQUIRED USER ATTRIBUTES: [DISTINGUISHEDNAME] ARE MISSING.") {
		t.Fatalf("required attribute: %v", err)
	}
	emu.SetRequiredUserAttributes()
	tests := []struct{ domain, want string }{
		{"jit.example.com", "USER CREATION IS NOT SUPPORTED FOR SPECIFIED DIRECTORY ID."},
		{"elsewhere.example.com", "USER DOMAIN NAME SPECIFIED FOR THE USER RESOURCE DOESN'T BELONG TO THE DIRECTORY."},
	}
	for _, tt := range tests {
		_, _, err := c.CreateUser(ctx, scim.User{UserName: "x@" + tt.domain, Domain: tt.domain, Active: true})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("domain %s: got %v, want %q", tt.domain, err, tt.want)
		}
	}
}

func TestAccessConformanceAndGroupsDomain(t *testing.T) {
	t.Parallel()
	c := startAccess(t)
	ctx := context.Background()
	for _, ch := range c.Conformance(ctx) {
		if ch.Status == doctor.Fail {
			t.Errorf("%s: %s", ch.ID, ch.Detail)
		}
	}
	// An Okta-style push (no domain) lands in the System domain.
	raw, err := c.Raw(ctx, "POST", "/Groups", nil, map[string]any{"schemas": []string{scim.SchemaCore1}, "displayName": "Pushed"}, nil)
	if err != nil || raw.Status != 201 {
		t.Fatalf("push group: %v %v", err, raw)
	}
	gs, _ := c.FindGroups(ctx, "Pushed")
	if len(gs) != 1 || !scim.IsSystemDomain(gs[0].Domain) {
		t.Fatalf("pushed group domain: %+v", gs)
	}
	tg := &scim.Target{Client: c, URL: c.Base(), Source: "test", Domain: "okta.example.com"}
	var found bool
	for _, ch := range tg.Checks(ctx, 0) {
		if ch.ID == "scim.groups-domain" {
			found = true
			if ch.Status != doctor.Fail || !strings.Contains(ch.Fix, "fix-domain") {
				t.Fatalf("groups-domain check: %+v", ch)
			}
		}
	}
	if !found {
		t.Fatal("no groups-domain check")
	}
}

func TestAccessSyncResyncZeroWrites(t *testing.T) {
	t.Parallel()
	c := startAccess(t)
	ctx := context.Background()
	src, _ := scim.NewCSVSource(strings.NewReader(csvUsers(200, nil)))
	res, err := c.Sync(ctx, src, scim.SyncOptions{})
	if err != nil || res.Created != 200 || res.GroupsCreated != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	src, _ = scim.NewCSVSource(strings.NewReader(csvUsers(200, nil)))
	res, err = c.Sync(ctx, src, scim.SyncOptions{})
	if err != nil || res.Unchanged != 200 || res.MembershipsAdded != 0 || res.Updated != 0 {
		t.Fatalf("re-sync: %v %+v", err, res)
	}
}
