package scim_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

func csvUsers(n int, mutate func(i int) string) string {
	var b strings.Builder
	b.WriteString("userName,givenName,familyName,email,externalId,active,groups\n")
	for i := 0; i < n; i++ {
		groups := "Sales"
		if i%2 == 0 {
			groups = "Sales;Field"
		}
		given := "Bar"
		if mutate != nil {
			given = mutate(i)
		}
		fmt.Fprintf(&b, "bar.user%04d@example.com,%s,User%04d,bar.user%04d@example.com,ext-%04d,true,%s\n", i, given, i, i, i, groups)
	}
	return b.String()
}

func TestSyncThenResyncZeroWrites(t *testing.T) {
	t.Parallel()
	sb, emu, c := startIdentity(t)
	ctx := context.Background()
	src, err := scim.NewCSVSource(strings.NewReader(csvUsers(1000, nil)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Sync(ctx, src, scim.SyncOptions{Concurrency: 8})
	if err != nil {
		t.Fatalf("sync: %v (%+v)", err, res)
	}
	if res.Created != 1000 || res.GroupsCreated != 2 || res.MembershipsAdded != 1500 {
		t.Fatalf("first sync: %+v", res)
	}
	st := emu.State().(map[string]any)
	if n := len(st["Users"].([]map[string]any)); n != 1000 {
		t.Fatalf("state has %d users", n)
	}
	before := len(sandboxtest.Writes(t, sb, "identity"))
	src, _ = scim.NewCSVSource(strings.NewReader(csvUsers(1000, nil)))
	res, err = c.Sync(ctx, src, scim.SyncOptions{Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	if w := len(sandboxtest.Writes(t, sb, "identity")) - before; w != 0 || res.Unchanged != 1000 {
		t.Fatalf("re-sync made %d writes: %+v", w, res)
	}
	// One changed name is one PATCH.
	src, _ = scim.NewCSVSource(strings.NewReader(csvUsers(1000, func(i int) string {
		if i == 7 {
			return "Changed"
		}
		return "Bar"
	})))
	res, err = c.Sync(ctx, src, scim.SyncOptions{Concurrency: 8})
	if err != nil || res.Updated != 1 {
		t.Fatalf("third sync: %v %+v", err, res)
	}
	if w := len(sandboxtest.Writes(t, sb, "identity")) - before; w != 1 {
		t.Fatalf("third sync made %d writes, want 1", w)
	}
}

func TestSyncMissingAndDryRun(t *testing.T) {
	t.Parallel()
	sb, _, c := startIdentity(t)
	ctx := context.Background()
	src, _ := scim.NewCSVSource(strings.NewReader(csvUsers(10, nil)))
	if _, err := c.Sync(ctx, src, scim.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	before := len(sandboxtest.Writes(t, sb, "identity"))
	src, _ = scim.NewCSVSource(strings.NewReader(csvUsers(6, nil)))
	res, err := c.Sync(ctx, src, scim.SyncOptions{DeleteMissing: true, DryRun: true})
	if err != nil || res.Deleted != 4 || len(sandboxtest.Writes(t, sb, "identity")) != before {
		t.Fatalf("dry run: %v %+v", err, res)
	}
	// The dry run names every user it would delete.
	if len(res.DeletedUsers) != 4 || !strings.HasPrefix(res.DeletedUsers[0], "bar.user0006") {
		t.Fatalf("dry run names %v", res.DeletedUsers)
	}
	// 4 of 10 is more than the default 10 %: refused, nothing written, until forced.
	src, _ = scim.NewCSVSource(strings.NewReader(csvUsers(6, nil)))
	_, err = c.Sync(ctx, src, scim.SyncOptions{DeactivateMissing: true})
	var ge *scim.GuardError
	if !errors.As(err, &ge) || ge.Would != 4 || ge.Scoped != 10 || !strings.Contains(err.Error(), "--force") ||
		len(sandboxtest.Writes(t, sb, "identity")) != before {
		t.Fatalf("guard: %v", err)
	}
	src, _ = scim.NewCSVSource(strings.NewReader(csvUsers(6, nil)))
	res, err = c.Sync(ctx, src, scim.SyncOptions{DeactivateMissing: true, Force: true})
	if err != nil || res.Deactivated != 4 {
		t.Fatalf("deactivate missing: %v %+v", err, res)
	}
	src, _ = scim.NewCSVSource(strings.NewReader(csvUsers(6, nil)))
	res, err = c.Sync(ctx, src, scim.SyncOptions{DeleteMissing: true, MaxDeleteShare: 0.5})
	if err != nil || res.Deleted != 4 {
		t.Fatalf("delete missing: %v %+v", err, res)
	}
	n := 0
	for _, err := range c.Users(ctx, scim.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 6 {
		t.Fatalf("%d users left, want 6", n)
	}
}

func TestSyncJSONSource(t *testing.T) {
	t.Parallel()
	_, _, c := startIdentity(t)
	doc := `[{"userName":"j1@x.test","name":{"givenName":"J","familyName":"One"},"emails":[{"value":"j1@x.test","primary":true}],"groups":["Eng"]},
	{"userName":"j2@x.test","active":false,"groups":[{"display":"Eng"}]}]`
	src, err := scim.NewJSONSource(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Sync(context.Background(), src, scim.SyncOptions{})
	if err != nil || res.Created != 2 || res.MembershipsAdded != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	u, _ := c.FindUser(context.Background(), "j2@x.test")
	if u == nil || u.Active {
		t.Fatalf("j2 should be inactive: %+v", u)
	}
}

func TestSyncBacksOffOn429(t *testing.T) {
	t.Parallel()
	sb, _, c := startIdentity(t)
	sandboxtest.Admin(t, sb, "identity", "POST", "/faults", `{"seed":1,"rules":[{"method":"POST","path":"/usergroup/scim/v2/Users","kind":"429","count":6}]}`, nil)
	src, _ := scim.NewCSVSource(strings.NewReader(csvUsers(40, nil)))
	res, err := c.Sync(context.Background(), src, scim.SyncOptions{Concurrency: 8})
	if err != nil || res.Created+res.Adopted != 40 || res.Throttled == 0 {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestConformancePassesOnEmulator(t *testing.T) {
	t.Parallel()
	_, _, c := startIdentity(t)
	checks := c.Conformance(context.Background())
	if len(checks) != 13 {
		t.Fatalf("%d checks", len(checks))
	}
	for _, ch := range checks {
		if ch.Status != doctor.Pass {
			t.Errorf("%s %s: %s %s", ch.ID, ch.Title, ch.Status, ch.Detail)
		}
	}
}

// A deliberately broken server: accepts any token, never 404s, never 409s.
func TestConformanceNamesFailures(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		switch {
		case r.Method == http.MethodPost:
			w.WriteHeader(201)
			fmt.Fprint(w, `{"id":"1","userName":"x"}`)
		case strings.HasPrefix(r.URL.Path, "/Users/"):
			fmt.Fprint(w, `{"id":"1","userName":"x"}`)
		default:
			fmt.Fprint(w, `{"totalResults":1,"Resources":[{"id":"1","userName":"x"}]}`)
		}
	}))
	defer srv.Close()
	hc, _ := httpx.New(httpx.Options{MaxRetries: 1})
	c := scim.New(hc, srv.URL, scim.Options{Tokens: scim.StaticToken("t")})
	failed := map[string]bool{}
	for _, ch := range c.Conformance(context.Background()) {
		if ch.Status == doctor.Fail {
			failed[ch.ID] = true
			if ch.Fix == "" {
				t.Errorf("%s fails without a fix", ch.ID)
			}
		}
	}
	for _, id := range []string{"R3", "R4", "R8", "R11"} {
		if !failed[id] {
			t.Errorf("%s should fail against the broken server (failed: %v)", id, failed)
		}
	}
}

// TestJSONSourceShapes: a complete array yields its users; a truncated or malformed file is an
// error, never a shorter list.
func TestJSONSourceShapes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, doc string
		want      int
		wantErr   string
	}{
		{"empty array", `[]`, 0, ""},
		{"two users", `[{"userName":"a@x.test"},{"userName":"b@x.test"}]`, 2, ""},
		{"trailing newline", "[{\"userName\":\"a@x.test\"}]\n", 1, ""},
		{"cut inside an element", `[{"userName":"a@x.test"`, 0, "element 1"},
		{"cut after an element", `[{"userName":"a@x.test"},`, 1, "element 2: unexpected EOF"},
		{"cut after the first element without comma", `[{"userName":"a@x.test"}`, 1, "not closed"},
		{"only the bracket", `[`, 0, "not closed"},
		{"not an array", `{"userName":"a@x.test"}`, 0, "not an array"},
		{"empty file", ``, 0, "the file is empty"},
		{"element of the wrong type", `[{"userName":"a@x.test"},"b"]`, 1, "element 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := scim.NewJSONSource(strings.NewReader(tt.doc))
			n := 0
			for err == nil {
				if _, err = src.Next(); err == nil {
					n++
				}
			}
			if errors.Is(err, io.EOF) {
				err = nil
			}
			if n != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("%d users, err %v; want %d users, error containing %q", n, err, tt.want, tt.wantErr)
			}
		})
	}
}
