package scim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// Issue 14 item 9: a page over the 16 MiB response cap (two users with 9 MiB attributes) no
// longer breaks every later list: pages are decoded one resource at a time, and only a single
// resource over the cap is refused (stream_test.go).
func TestListShrinksPagesOverTheCap(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 9<<20)
	users := []map[string]any{{"id": "1", "userName": "a"}, {"id": "2", "userName": "b", "displayName": big},
		{"id": "3", "userName": "c", "displayName": big}, {"id": "4", "userName": "d"}}
	var counts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		n, _ := strconv.Atoi(r.URL.Query().Get("count"))
		counts.Add(1)
		lo, hi := min(start-1, len(users)), min(start-1+n, len(users))
		w.Header().Set("Content-Type", "application/scim+json")
		json.NewEncoder(w).Encode(map[string]any{"totalResults": len(users), "startIndex": start, "Resources": users[lo:hi]})
	}))
	defer srv.Close()
	hc, _ := httpx.New(httpx.Options{MaxRetries: 1})
	c := scim.New(hc, srv.URL, scim.Options{Tokens: scim.StaticToken("t")})
	var got []string
	for u, err := range c.Users(context.Background(), scim.ListOptions{PageSize: 4}) {
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		got = append(got, u.UserName)
	}
	if strings.Join(got, ",") != "a,b,c,d" {
		t.Fatalf("listed %v", got)
	}
}
