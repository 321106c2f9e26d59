#!/usr/bin/env bash
# Fleet figures: `flowsctl apply -f DIR --parallel N` over FLEET_N tenants (default 50; one
# sandbox each, all in one test process) at 100 ms injected latency, next to one tenant's apply
# alone at that latency, the CPU time (user+system) of each run, and the peak RSS of the process
# (sandboxes included). CPU time does not depend on what else the machine runs; wall time does.
# FLEET_CPUPROFILE=fleet.prof writes a CPU profile of the fleet run alone; with
# FLEET_CPUPROFILE_FOR=400ms, of its first 400 ms only (where all tenants sign in and connect).
# FLEET_PREFAULT_MB=250 touches that much heap before the fleet runs and lets it go, so that the
# fleet allocates into memory the process already has: a diagnostic of what first-touch page
# faults cost on this machine, not a figure of the product (a real fleet pays them).
# FLEET_BINARY=1 runs the built binary (as a user runs it) instead of the command tree in the test
# process, and adds the binary's own peak RSS: flowsctl alone, without the sandboxes.
#
#   scripts/bench-fleet.sh
#   FLEET_N=20 scripts/bench-fleet.sh
#   FLEET_RUNS=5 scripts/bench-fleet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "$(go version), $(nproc) CPUs, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
# FLEET_RUNS=5 runs it five times (each a fresh process) and ends with the median of each figure:
# the wall of a CPU-bound fleet on a shared machine moves by a tenth from run to run.
runs=${FLEET_RUNS:-1}
for _ in $(seq "$runs"); do
  FLEET_N=${FLEET_N:-50} FLEET_PREFAULT_MB=${FLEET_PREFAULT_MB:-} FLEET_BINARY=${FLEET_BINARY:-} go test ./test/e2e -run '^$' -bench '^BenchmarkFleet$' -benchtime 1x -count 1 2>&1 | grep '^BenchmarkFleet' || true
done | python3 -c '
import os, re, statistics, sys
ncpu = os.cpu_count() or 1
rows = []
for line in sys.stdin:
    m = dict((k, float(v)) for v, k in re.findall(r"([\d.]+) ([\w/-]+)", line.split(None, 2)[2]))
    rows.append(m)
    if len(rows) > 1 or os.environ.get("FLEET_RUNS", "1") != "1":
        print("run %d:" % len(rows))
    print("tenants %d at 100 ms latency, --parallel %d" % (m["tenants"], m["tenants"]))
    print("one tenant apply  %7.0f ms" % m["single-wall-ms"])
    print("fleet apply       %7.0f ms  (%.2fx one tenant)" % (m["fleet-wall-ms"], m["fleet-x-single"]))
    print("CPU, one tenant   %7.0f ms  (user+system, its sandbox included)" % m["single-cpu-ms"])
    print("CPU, fleet        %7.0f ms  (%.0f ms per tenant)" % (m["fleet-cpu-ms"], m["fleet-cpu-ms/tenant"]))
    print("CPU-bound floor   %7.0f ms  (fleet CPU / %d CPUs: the fleet wall cannot be lower)" % (m["fleet-cpu-ms"] / ncpu, ncpu))
    print("page faults       %7.0f     per tenant (minor: first touches of new heap and stacks)" % m.get("fleet-faults/tenant", 0))
    print("peak RSS          %7.1f MB  (test process: every sandbox%s)" % (m["peak-rss-MB"], "" if "fleet-binary-rss-MB" in m else " and flowsctl"))
    if "fleet-binary-rss-MB" in m:
        print("binary peak RSS   %7.1f MB  (flowsctl alone: fleet; one tenant %.1f MB)" % (m["fleet-binary-rss-MB"], m["single-binary-rss-MB"]))
if not rows:
    sys.exit("no benchmark line: run the go test command above to see why")
if len(rows) > 1:
    med = lambda k: statistics.median(r[k] for r in rows)
    lo = lambda k: min(r[k] for r in rows)
    hi = lambda k: max(r[k] for r in rows)
    print("median of %d runs: fleet %.2fx one tenant (%.2f-%.2f), %.0f ms CPU per tenant (%.0f-%.0f), %.0f page faults per tenant, peak RSS %.1f MB" % (
        len(rows), med("fleet-x-single"), lo("fleet-x-single"), hi("fleet-x-single"),
        med("fleet-cpu-ms/tenant"), lo("fleet-cpu-ms/tenant"), hi("fleet-cpu-ms/tenant"), med("fleet-faults/tenant"), med("peak-rss-MB")))
    if all("fleet-binary-rss-MB" in r for r in rows):
        print("binary peak RSS: fleet %.1f MB (%.1f-%.1f), one tenant %.1f MB" % (
            med("fleet-binary-rss-MB"), lo("fleet-binary-rss-MB"), hi("fleet-binary-rss-MB"), med("single-binary-rss-MB")))
'
