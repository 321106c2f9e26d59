package scim

import (
	"fmt"
	"testing"
)

// The compact user index finds every user by userName in any case, by id, and survives a
// userName hash collision (simulated) without matching the wrong user.
func TestRemoteUsersIndex(t *testing.T) {
	t.Parallel()
	r := newRemoteUsers()
	const n = 70000 // more than one record chunk
	for i := range n {
		if _, err := r.add(fmt.Sprintf("id-%d", i), fmt.Sprintf("User%d@Example.com", i), [nAttr]string{"G", "F", "", "U@X", ""}, fActive); err != nil {
			t.Fatal(err)
		}
	}
	// Make "collide@example.com" hash onto user 5's slot, as a 64-bit collision would.
	r.byName[r.hash("collide@example.com")] = 5
	ci, err := r.add("id-c", "Collide@example.com", [nAttr]string{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want int32
	}{{"user0@example.com", 0}, {"USER69999@EXAMPLE.COM", 69999}, {"collide@EXAMPLE.com", ci}, {"user5@example.com", 5}} {
		if i, ok := r.lookup(tc.name); !ok || i != tc.want {
			t.Errorf("lookup %s = %d %v, want %d", tc.name, i, ok, tc.want)
		}
	}
	if _, ok := r.lookup("nobody@example.com"); ok {
		t.Error("found a user who is not there")
	}
	if i, ok := r.lookupID("id-65537"); !ok || r.userName(i) != "User65537@Example.com" {
		t.Errorf("lookupID: %d %v", i, ok)
	}
	if _, ok := r.lookupID("id-x"); ok {
		t.Error("found an id that is not there")
	}
	// Changes: only managed, non-empty attributes that differ; email case is no change.
	if ch := r.changes(3, User{Name: Name{GivenName: "G"}, Emails: []Email{{Value: "u@x"}}, Active: true}); ch != nil {
		t.Errorf("no change expected, got %v", ch)
	}
	ch := r.changes(3, User{Name: Name{FamilyName: "New"}, DisplayName: "D", Active: false})
	if len(ch) != 3 || ch["name.familyName"] != "New" || ch["displayName"] != "D" || ch["active"] != false {
		t.Errorf("changes = %v", ch)
	}
}

// Issue 14 item 1: what is flowsctl's (may lose members, be deleted) and what is another
// directory's (never updated or adopted); a resource reporting no directory is neither.
func TestDirectoryScope(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		domain, dirID, d, dir string
		ours, foreign         bool
	}{
		{"", "", "", "", true, false},
		{"", "D1", "", "D1", true, false},
		{"", "D1", "", "D2", false, true},
		{"", "D1", "", "", false, false},
		{"okta.example.com", "", "OKTA.example.com", "", true, false},
		{"okta.example.com", "", "other.example.com", "", false, true},
		{"okta.example.com", "D1", "okta.example.com", "D2", false, true},
	} {
		if got := ours(tc.domain, tc.dirID, tc.d, tc.dir); got != tc.ours {
			t.Errorf("ours%v = %v", tc, got)
		}
		if got := foreign(tc.domain, tc.dirID, tc.d, tc.dir); got != tc.foreign {
			t.Errorf("foreign%v = %v", tc, got)
		}
	}
	u := User{ExternalID: "00u1", DirectoryID: "D2"}
	if InScope("", "D1", &u) || !InScope("", "D2", &u) || InScope("", "D1", &User{ExternalID: "00u1"}) {
		t.Error("InScope does not follow the directory id")
	}
}
