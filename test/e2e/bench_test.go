package e2e

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/flowsctl/flowsctl/test/harness"
)

// BenchmarkApply measures a fresh apply and a re-run at 0 and 100 ms injected latency, next to
// the critical-path lower bound (longest chain of dependent requests × latency).
//
//	go test ./test/e2e -run '^$' -bench Apply -benchtime 1x
func BenchmarkApply(b *testing.B) {
	harness.BenchApply(b, []int{0, 100}, startSandbox)
}

// BenchmarkDoctor measures doctor's wall time next to its slowest single check at 0 and 100 ms.
//
//	go test ./test/e2e -run '^$' -bench Doctor -benchtime 1x
func BenchmarkDoctor(b *testing.B) {
	for _, lat := range []int{0, 100} {
		b.Run(fmt.Sprintf("latency=%dms", lat), func(b *testing.B) {
			e := startSandbox(b)
			if r := e.Run(b, "apply"); r.Code != 0 {
				b.Fatalf("apply: exit %d\n%s", r.Code, r.Err)
			}
			e.SetLatency(b, lat)
			var wall, slowest int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := e.Run(b, "doctor", "-o", "json")
				if r.Code != 0 {
					b.Fatalf("doctor: exit %d\n%s", r.Code, r.Out)
				}
				var rep struct {
					WallMs    int64 `json:"wallMs"`
					SlowestMs int64 `json:"slowestMs"`
				}
				json.Unmarshal([]byte(r.Out), &rep)
				wall += rep.WallMs
				slowest += rep.SlowestMs
			}
			b.ReportMetric(float64(wall)/float64(b.N), "wall-ms/op")
			b.ReportMetric(float64(slowest)/float64(b.N), "slowest-check-ms/op")
			if slowest > 0 {
				b.ReportMetric(float64(wall)/float64(slowest), "x-slowest")
			}
		})
	}
}
