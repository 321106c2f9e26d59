package access_test

import (
	"context"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// BenchmarkEnsureNoOp measures a converged re-run of the three Access objects (template, SCIM
// client, directory) against the emulator, and reports the HTTP requests each run makes.
func BenchmarkEnsureNoOp(b *testing.B) {
	e := startB(b)
	ctx := context.Background()
	rs := e.resourcesB(b)
	for _, name := range []string{"template", "client", "directory"} {
		if _, err := rs[name].Apply(ctx); err != nil {
			b.Fatal(err)
		}
	}
	cctx, n := httpx.WithCounter(ctx)
	b.ResetTimer()
	for b.Loop() {
		for _, name := range []string{"template", "client", "directory"} {
			if _, err := rs[name].Apply(cctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n.Load())/float64(b.N), "requests/op")
}
