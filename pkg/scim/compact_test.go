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
