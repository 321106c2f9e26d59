package azure

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

type staticToken struct{}

func (staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "t", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// graphStub is a loopback Graph that answers with answer(n) for the n-th request (from 1),
// counting every send that reaches it; its clock moves only when the client waits.
func graphStub(t *testing.T, answer func(n int) (int, string)) (*Client, *atomic.Int64) {
	t.Helper()
	var sends atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := answer(int(sends.Add(1)))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	hc, err := httpx.New(httpx.Options{CAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}),
		BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, CreateBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	clock := time.Unix(1_800_000_000, 0)
	c := &Client{hc: hc, cred: staticToken{}, method: "test", tenant: "t", graphBase: srv.URL + "/v1.0",
		scopes: []string{srv.URL + "/.default"}, now: func() time.Time { return clock },
		sleep: func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil }}
	if err := c.newAdapter(u.Hostname()); err != nil {
		t.Fatal(err)
	}
	return c, &sends
}

const (
	unavailable = `{"error":{"code":"ServiceUnavailable","message":"try later"}}`
	notYet      = `{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present."}}`
	appJSON     = `{"id":"00000000-0000-4000-8000-0000000000a1","appId":"00000000-0000-4000-8000-0000000000a2","uniqueName":"x"}`
)

// TestOneLayerOfRetries: a Graph that answers 503 forever gets exactly 1 + httpx's
// MaxRetries (5) sends of one idempotent call, and one send of a POST httpx may not repeat:
// pkg/azure adds no repeats of its own on top of the transport's.
func TestOneLayerOfRetries(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func(c *Client) error
		sends int64
	}{
		{"GET application", func(c *Client) error { _, err := c.getApp(ctx, time.Minute, "x", retryFreshRead); return err }, 6},
		{"PATCH application", func(c *Client) error {
			return c.patchApp(ctx, time.Minute, "o", "x", nil, true)
		}, 6},
		{"POST addPassword", func(c *Client) error {
			_, _, err := c.addPassword(ctx, time.Minute, "o", "x", "flowsctl", time.Now().Add(time.Hour), true)
			return err
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, sends := graphStub(t, func(int) (int, string) { return http.StatusServiceUnavailable, unavailable })
			err := tc.call(c)
			if httpx.StatusOf(err) != http.StatusServiceUnavailable {
				t.Fatalf("err = %v, want Graph's 503", err)
			}
			if got := sends.Load(); got != tc.sends {
				t.Errorf("%d sends of one call, want exactly %d", got, tc.sends)
			}
		})
	}
}

// TestReplicationWaits: replication 404s right after a create are waited out until they stop,
// one send per wait; a plain read does not wait; a replica that never catches up ends within
// azure.replicationBudget.
func TestReplicationWaits(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, 4} {
		c, sends := graphStub(t, func(i int) (int, string) {
			if i <= n {
				return http.StatusNotFound, notYet
			}
			return http.StatusOK, appJSON
		})
		app, err := c.getApp(ctx, time.Minute, "x", retryFreshRead)
		if err != nil || app == nil || app.UniqueName != "x" {
			t.Fatalf("after %d replication 404s: %v %+v", n, err, app)
		}
		if got := sends.Load(); got != int64(n+1) {
			t.Errorf("%d replication 404s: %d sends, want %d", n, got, n+1)
		}
	}

	c, sends := graphStub(t, func(int) (int, string) { return http.StatusNotFound, notYet })
	if app, err := c.getApp(ctx, time.Minute, "x", retryRead); err != nil || app != nil || sends.Load() != 1 {
		t.Errorf("plain read of a missing app: %v %v, %d sends", err, app, sends.Load())
	}

	c, sends = graphStub(t, func(int) (int, string) { return http.StatusNotFound, notYet })
	err := c.patchApp(ctx, time.Minute, "o", "x", nil, true)
	if err == nil || !strings.Contains(err.Error(), "azure.replicationBudget=1m0s") || httpx.StatusOf(err) != http.StatusNotFound {
		t.Fatalf("err = %v", err)
	}
	// 0.5+1+2+4+8+10+10+10 s of backoff (with jitter) fit in a minute: about ten sends, never more than 20.
	if got := sends.Load(); got < 5 || got > 20 {
		t.Errorf("%d sends within a one-minute replication budget", got)
	}
}
