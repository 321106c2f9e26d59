package scim_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// BenchmarkSync syncs 1,000 users into a fresh emulator with 20 ms injected latency per
// request; it reports requests per op and the physical limit (N x latency / concurrency).
// The 10,000- and 100,000-user runs with peak RSS are pkg/scim/bench/bench.sh.
func BenchmarkSync(b *testing.B) {
	const n, lat = 1000, 20
	doc := csvUsers(n, nil)
	for _, conc := range []int{8, 32} {
		b.Run(fmt.Sprintf("users=%d/latency=%dms/concurrency=%d", n, lat, conc), func(b *testing.B) {
			var reqs int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				emu := identityemu.New()
				sb := sandboxtest.Start(b, emu)
				tok := emu.IssueSCIMToken("D", "example.com", time.Hour)
				sandboxtest.Admin(b, sb, "identity", "POST", "/latency", fmt.Sprintf(`{"fixedMs":%d}`, lat), nil)
				c := scim.New(sandboxtest.Client(b, sb), sb.Services["identity"].URL+"/usergroup/scim/v2", scim.Options{Tokens: scim.StaticToken(tok)})
				src, _ := scim.NewCSVSource(strings.NewReader(doc))
				b.StartTimer()
				res, err := c.Sync(context.Background(), src, scim.SyncOptions{Concurrency: conc})
				if err != nil || res.Created != n {
					b.Fatalf("%v %+v", err, res)
				}
				reqs += res.Requests
			}
			b.ReportMetric(float64(reqs)/float64(b.N), "requests/op")
			b.ReportMetric(float64(n*lat)/1000/float64(conc), "limit-s")
		})
	}
}
