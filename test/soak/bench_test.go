package soak

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/test/harness"
)

// BenchmarkApplyLatency: requests and wall time of a fresh apply and of a re-run at 0, 50 and
// 100 ms injected latency per request, next to the critical-path bound (the longest chain of
// dependent steps' requests × latency). scripts/bench.sh runs it:
//
//	go test ./test/soak -run '^$' -bench ApplyLatency -benchtime 1x
func BenchmarkApplyLatency(b *testing.B) {
	for _, lat := range []int{0, 50, 100} {
		for _, phase := range []string{"fresh", "rerun"} {
			b.Run(fmt.Sprintf("%s/latency=%dms", phase, lat), func(b *testing.B) {
				var wall time.Duration
				var reqs, chain int64
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					sb := sandboxtest.Start(b, emulators.All()...)
					if phase == "rerun" {
						if r := run(b, sb, 30*time.Second, "apply"); r.Code != 0 {
							b.Fatalf("setup apply: exit %d\n%s", r.Code, r.Err)
						}
					}
					for _, n := range sb.Names() {
						sb.ClearRequests(n)
						sb.SetLatency(n, sandbox.Latency{FixedMs: lat})
					}
					b.StartTimer()
					start := time.Now()
					r := run(b, sb, 30*time.Second, "apply", "-o", "json")
					wall += time.Since(start)
					b.StopTimer()
					if r.Code != 0 {
						b.Fatalf("apply: exit %d\n%s", r.Code, r.Err)
					}
					chain += chainRequests(b, r.Out)
					for _, n := range sb.Names() {
						reqs += int64(len(sb.Requests(n)))
					}
				}
				n := float64(b.N)
				b.ReportMetric(float64(reqs)/n, "requests/op")
				b.ReportMetric(float64(wall.Milliseconds())/n, "wall-ms/op")
				b.ReportMetric(float64(chain)/n, "chain-requests/op")
				if lat > 0 && chain > 0 {
					bound := float64(chain) / n * float64(lat)
					b.ReportMetric(bound, "bound-ms/op")
					b.ReportMetric(float64(wall.Milliseconds())/n/bound, "x-bound")
				}
			})
		}
	}
}

// chainRequests is harness.CriticalPath of an apply -o json answer.
func chainRequests(b *testing.B, out string) int64 {
	var rep struct{ Steps []harness.Step }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		b.Fatalf("apply -o json: %v", err)
	}
	return harness.CriticalPath(rep.Steps)
}
