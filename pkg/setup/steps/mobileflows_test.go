package steps

import (
	"context"
	"net/http"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/mfemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// TestTenantStatusReadOnceForTwoSteps: hub.mobileflows and uem.mobileflows.tenant share one
// answer of GET /tenant (issue 18 item 5); a third read asks the API again, and a failed read
// is never handed on.
func TestTenantStatusReadOnceForTwoSteps(t *testing.T) {
	sb := sandboxtest.Start(t, mfemu.New())
	bearer := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer test-admin-token")
		return nil
	}
	a := &mobileflows.API{HC: sandboxtest.Client(t, sb), Base: sb.Services["mobileflows"].URL, Authorize: bearer}
	reads := func() int {
		n := 0
		for _, le := range sandboxtest.Requests(t, sb, "mobileflows") {
			if le.Method == http.MethodGet && le.Path == mobileflows.AdminBasePath+"/tenant" {
				n++
			}
		}
		return n
	}
	ctx := context.Background()
	r := &tenantReads{}
	for i, want := range []int{1, 1, 2} {
		if _, err := r.read(ctx, a); err != nil {
			t.Fatal(err)
		}
		if n := reads(); n != want {
			t.Errorf("after read %d: %d requests, want %d", i+1, n, want)
		}
	}
	// A failed first read: the second asks again instead of taking the error.
	r = &tenantReads{}
	bad := &mobileflows.API{HC: a.HC, Base: a.Base, Authorize: func(context.Context, *http.Request) error { return nil }}
	if _, err := r.read(ctx, bad); err == nil {
		t.Fatal("a read without credentials succeeded")
	}
	before := reads()
	if _, err := r.read(ctx, a); err != nil {
		t.Fatalf("the read after a failed one: %v", err)
	}
	if n := reads(); n != before+1 {
		t.Errorf("the read after a failed one made %d requests, want 1", n-before)
	}
}
