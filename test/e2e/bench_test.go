package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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

// BenchmarkFleet applies a fleet of FLEET_N tenants (default 50, one sandbox each, all in this
// process) at 100 ms injected latency with --parallel equal to the fleet, next to one tenant's
// apply alone at the same latency: fleet-x-single is the fleet's wall time as a multiple of one
// tenant's. single-cpu-ms and fleet-cpu-ms are the user+system CPU time of each run (emulators
// included), fleet-cpu-ms/tenant the fleet's per tenant, fleet-faults/tenant its minor page
// faults per tenant. peak-rss-MB is this process's high-water mark (VmHWM: every sandbox and
// flowsctl). FLEET_BINARY=1 runs the built binary instead of the command tree in this process
// and adds the binary's own peak RSS (single-binary-rss-MB, fleet-binary-rss-MB).
//
//	go test ./test/e2e -run '^$' -bench Fleet -benchtime 1x
func BenchmarkFleet(b *testing.B) {
	n := 50
	if v, err := strconv.Atoi(os.Getenv("FLEET_N")); err == nil && v > 0 {
		n = v
	}
	const lat = 100
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		single := startSandbox(b)
		envs := make([]*env, n)
		for j := range envs {
			envs[j] = startSandbox(b)
		}
		dir, bundle := fleetDirTB(b, envs...)
		single.SetLatency(b, lat)
		for _, e := range envs {
			e.SetLatency(b, lat)
		}
		run := fleetRunner(b, os.Getenv("FLEET_BINARY") == "1")
		runtime.GC()
		t0, c0 := time.Now(), cpuTime()
		r, oneChild := run(append([]string{"apply"}, single.Args...)...)
		if r.Code != 0 {
			b.Fatalf("single apply: exit %d\n%s", r.Code, harness.Tail(r.Err, 20))
		}
		one, oneCPU := time.Since(t0), cpuTime()-c0+oneChild.cpu
		restore := prefault(os.Getenv("FLEET_PREFAULT_MB"))
		runtime.GC()
		stop := profileRegion(b, os.Getenv("FLEET_CPUPROFILE"))
		if d, err := time.ParseDuration(os.Getenv("FLEET_CPUPROFILE_FOR")); err == nil {
			go func() { time.Sleep(d); stop() }() // the fleet's start alone (FLEET_CPUPROFILE_FOR=400ms)
		}
		b.StartTimer()
		t0, c0, f0 := time.Now(), cpuTime(), pageFaults()
		r, allChild := run("apply", "-f", dir, "--ca-file", bundle, "--no-input", "--parallel", strconv.Itoa(n))
		all, allCPU, faults := time.Since(t0), cpuTime()-c0+allChild.cpu, pageFaults()-f0+allChild.faults
		b.StopTimer()
		stop()
		restore()
		if r.Code != 0 {
			b.Fatalf("fleet apply: exit %d\n%s\n%s", r.Code, r.Out, harness.Tail(r.Err, 20))
		}
		b.ReportMetric(float64(n), "tenants")
		b.ReportMetric(float64(one.Milliseconds()), "single-wall-ms")
		b.ReportMetric(float64(all.Milliseconds()), "fleet-wall-ms")
		b.ReportMetric(float64(all)/float64(one), "fleet-x-single")
		b.ReportMetric(float64(oneCPU.Milliseconds()), "single-cpu-ms")
		b.ReportMetric(float64(allCPU.Milliseconds()), "fleet-cpu-ms")
		b.ReportMetric(float64(allCPU.Milliseconds())/float64(n), "fleet-cpu-ms/tenant")
		b.ReportMetric(float64(faults)/float64(n), "fleet-faults/tenant")
		b.ReportMetric(peakRSSMB(), "peak-rss-MB")
		if allChild.rssMB > 0 {
			b.ReportMetric(oneChild.rssMB, "single-binary-rss-MB")
			b.ReportMetric(allChild.rssMB, "fleet-binary-rss-MB")
		}
	}
}

// childUse is what a run of the flowsctl binary used: CPU, minor page faults, peak RSS (all
// zero for a run in this process, whose use the process's own figures already hold).
type childUse struct {
	cpu    time.Duration
	faults int64
	rssMB  float64
}

// fleetRunner runs flowsctl: the command tree in this process, or with binary (FLEET_BINARY=1)
// the built binary in a process of its own, as a user runs it. The binary's figures are then
// its own: its start-up counts in its wall, and its peak RSS holds flowsctl alone (the test
// process's holds the sandboxes).
func fleetRunner(b *testing.B, binary bool) func(args ...string) (harness.Result, childUse) {
	if !binary {
		return func(args ...string) (harness.Result, childUse) { return flowsctl(b, args...), childUse{} }
	}
	p := harness.Process{Bin: harness.Binary(b), Dir: b.TempDir(), Home: b.TempDir()}
	return func(args ...string) (harness.Result, childUse) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		c, out, errb := p.Command(ctx, args...)
		code, err := harness.ExitCode(c.Run())
		if err != nil {
			b.Fatalf("flowsctl %v: %v", args, err)
		}
		use := childUse{cpu: c.ProcessState.UserTime() + c.ProcessState.SystemTime()}
		use.faults, use.rssMB = processUse(c.ProcessState)
		return harness.Result{Out: out.String(), Err: errb.String(), Code: code}, use
	}
}

// prefault touches mb MiB of fresh heap and lets it go before the fleet runs
// (FLEET_PREFAULT_MB=250), with the collector at the fleet's own +400 % so that the process
// keeps the pages: the fleet then allocates into memory it already has. A diagnostic, not a
// figure of the product: it shows what first-touch page faults cost the fleet on this machine
// (a real fleet starts in a fresh process and pays them). The returned func restores GOGC.
func prefault(mb string) func() {
	n, err := strconv.Atoi(mb)
	if err != nil || n <= 0 {
		return func() {}
	}
	old := debug.SetGCPercent(400)
	chunks := make([][]byte, n)
	for i := range chunks {
		chunks[i] = make([]byte, 1<<20)
		for j := 0; j < len(chunks[i]); j += 4096 {
			chunks[i][j] = 1
		}
	}
	runtime.KeepAlive(chunks)
	return func() { debug.SetGCPercent(old) }
}

// profileRegion writes a CPU profile of the fleet run alone (not the sandboxes' start) to path
// when path is set (FLEET_CPUPROFILE=fleet.prof); the returned func stops it.
func profileRegion(b *testing.B, path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		b.Fatalf("FLEET_CPUPROFILE: %v (not with -cpuprofile)", err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}
}

// peakRSSMB is VmHWM of this process in MB (0 where /proc is absent).
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}
