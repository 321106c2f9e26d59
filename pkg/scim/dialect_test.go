package scim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

func TestAccessPagingOddSizes(t *testing.T) {
	t.Parallel()
	c := startAccess(t)
	ctx := context.Background()
	for i := 0; i < 23; i++ {
		if _, _, err := c.CreateUser(ctx, scim.User{UserName: fmt.Sprintf("p%02d", i), Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []int{1, 3, 20, 22, 23, 500} {
		n := 0
		for _, err := range c.Users(ctx, scim.ListOptions{PageSize: size}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 23 {
			t.Errorf("page size %d: %d users", size, n)
		}
	}
}

func TestAccessMethodOverride(t *testing.T) {
	t.Parallel()
	c := startAccess(t)
	ctx := context.Background()
	u, _, err := c.CreateUser(ctx, scim.User{UserName: "mo", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	// PATCH sent as POST + X-HTTP-Method-Override: PATCH (priam's form).
	if err := c.WithMethodOverride().PatchUser(ctx, u.ID, "", map[string]any{"name.givenName": "Mo"}); err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetUser(ctx, u.ID)
	if got.Name.GivenName != "Mo" {
		t.Fatalf("%+v", got)
	}
}

// Okta's examples send status as a number; the RFC as a string. Both parse.
func TestErrorStatusStringOrNumber(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":409,"scimType":"uniqueness","detail":"dup"}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"dup"}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, body)
		}))
		hc, _ := httpx.New(httpx.Options{MaxRetries: 1})
		c := scim.New(hc, srv.URL, scim.Options{Tokens: scim.StaticToken("t")})
		_, err := c.GetGroup(context.Background(), "g")
		var se *httpx.APIError
		if !scim.IsConflict(err) || !errors.As(err, &se) || se.Service != "scim" || se.Code != "uniqueness" || se.Message != "dup" {
			t.Errorf("%s: %v", body, err)
		}
		srv.Close()
	}
}

func TestVerifyChecks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ttl    time.Duration
		token  string
		expiry doctor.Status
		tokenS doctor.Status
	}{
		{365 * 24 * time.Hour, "", doctor.Pass, doctor.Pass},
		{10 * 24 * time.Hour, "", doctor.Warn, doctor.Pass},
		{time.Hour, "bogus", doctor.Skip, doctor.Fail},
	} {
		emu := identityemu.New()
		sb := sandboxtest.Start(t, emu)
		tok := emu.IssueSCIMToken("D", "example.com", tt.ttl)
		if tt.token != "" {
			tok = tt.token
		}
		hc := sandboxtest.Client(t, sb)
		tg, err := scim.ResolveTarget(hc, nil, scim.Override{URL: sb.Services["identity"].URL + "/usergroup/scim/v2", TokenFile: writeTemp(t, tok)})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]doctor.Check{}
		for _, ch := range tg.Checks(context.Background(), 0) {
			got[ch.ID] = ch
		}
		if got["scim.endpoint"].Status != doctor.Pass || got["scim.token"].Status != tt.tokenS || got["scim.token-expiry"].Status != tt.expiry {
			t.Errorf("ttl %v: %+v", tt.ttl, got)
		}
		if tt.tokenS == doctor.Fail && got["scim.token"].Fix == "" {
			t.Error("a failing token check needs a fix")
		}
	}
}

func writeTemp(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
