package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/test/harness"
)

// BenchmarkApply measures a fresh apply and a re-run at 0 and 100 ms injected latency, next to
// the critical-path lower bound (longest chain of dependent requests × latency).
//
//	go test ./test/e2e -run '^$' -bench Apply -benchtime 1x
func BenchmarkApply(b *testing.B) {
	for _, lat := range []int{0, 100} {
		for _, phase := range []string{"fresh", "rerun"} {
			b.Run(fmt.Sprintf("%s/latency=%dms", phase, lat), func(b *testing.B) {
				var wall time.Duration
				var reqs, chain int64
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					e := startSandbox(b)
					if phase == "rerun" {
						if r := e.Run(b, "apply"); r.Code != 0 {
							b.Fatalf("setup apply: exit %d\n%s", r.Code, r.Err)
						}
					}
					e.ClearLogs()
					e.SetLatency(b, lat)
					b.StartTimer()
					start := time.Now()
					r := e.Run(b, "apply", "-o", "json")
					wall += time.Since(start)
					b.StopTimer()
					if r.Code != 0 {
						b.Fatalf("apply: exit %d\n%s", r.Code, r.Err)
					}
					steps := decodeSteps(b, r)
					chain += harness.CriticalPath(asSteps(steps))
					reqs += int64(e.Requests())
					e.SetLatency(b, 0)
				}
				n := float64(b.N)
				b.ReportMetric(float64(reqs)/n, "requests/op")
				b.ReportMetric(float64(wall.Milliseconds())/n, "wall-ms/op")
				b.ReportMetric(float64(chain)/n, "chain-requests/op")
				if lat > 0 {
					bound := float64(chain) / n * float64(lat)
					b.ReportMetric(bound, "bound-ms/op")
					b.ReportMetric(float64(wall.Milliseconds())/n/bound, "x-bound")
				}
			})
		}
	}
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

func asSteps(steps []stepJSON) []harness.Step {
	out := make([]harness.Step, len(steps))
	for i, s := range steps {
		out[i] = harness.Step{ID: s.ID, Requests: s.Requests, Needs: s.Needs}
	}
	return out
}
