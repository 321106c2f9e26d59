package soak

import (
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/test/harness"
)

// BenchmarkApplyLatency: requests and wall time of a fresh apply and of a re-run at 0, 50 and
// 100 ms injected latency per request, next to the critical-path bound (the longest chain of
// dependent steps' requests × latency). scripts/bench.sh runs it:
//
//	go test ./test/soak -run '^$' -bench ApplyLatency -benchtime 1x
func BenchmarkApplyLatency(b *testing.B) {
	harness.BenchApply(b, []int{0, 50, 100}, func(t testing.TB) *harness.Env {
		e := harness.Start(t, harness.Options{})
		e.Opts = options(e.SB, 30*time.Second)
		return e
	})
}
