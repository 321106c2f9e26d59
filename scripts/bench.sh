#!/usr/bin/env bash
# Performance figures of flowsctl in one run (about 3-5 minutes on 2 cores), all against the
# loopback sandbox. Public tools only: go test -bench, /usr/bin/time -v, python3 for arithmetic.
#
#   scripts/bench.sh                 # everything
#   SCIM_N=10000 MEMORY_N=100000 scripts/bench.sh
#
# Prints: apply requests fresh and re-run; apply wall at 0/50/100 ms latency next to the
# critical-path bound; doctor wall next to its slowest check; scim sync throughput next to its
# limit and the peak RSS of a MEMORY_N-user sync; the stripped binary size (goreleaser flags);
# `flowsctl --help` and `flowsctl version` start-up time; peak RSS of apply.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
SCIM_N=${SCIM_N:-10000}
MEMORY_N=${MEMORY_N:-100000}
STARTS=${STARTS:-20}

if [ ! -x /usr/bin/time ]; then
	echo "installing GNU time (/usr/bin/time -v)" >&2
	apt-get install -y time >/dev/null
fi

work=$(mktemp -d)
sbpid=""
cleanup() { [ -n "$sbpid" ] && kill "$sbpid" 2>/dev/null && wait "$sbpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

section() { printf '\n== %s\n' "$*"; }
peak_rss_mb() { awk -F: '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$1"; }

section "machine"
echo "$(go version), $(nproc) CPUs, $(uname -sr), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

section "binary size (go build -trimpath -ldflags \"-s -w\", as goreleaser builds it)"
go build -trimpath -ldflags "-s -w" -o "$work/flowsctl" ./cmd/flowsctl
bin="$work/flowsctl"
size=$(stat -c %s "$bin")
python3 -c "import sys; print('flowsctl %s/%s: %d bytes (%.1f MiB)' % (sys.argv[2], sys.argv[3], int(sys.argv[1]), int(sys.argv[1])/1048576))" "$size" "$(go env GOOS)" "$(go env GOARCH)"

section "start-up time (mean of $STARTS runs, wall clock)"
for args in "--help" "version"; do
	"$bin" $args >/dev/null 2>&1 # warm the page cache
	start=$(date +%s%N)
	for _ in $(seq "$STARTS"); do "$bin" $args >/dev/null 2>&1; done
	end=$(date +%s%N)
	/usr/bin/time -v "$bin" $args >/dev/null 2>"$work/time.txt"
	python3 -c "import sys; print('flowsctl %-7s %6.1f ms   peak RSS %s MB' % (sys.argv[1], (int(sys.argv[3])-int(sys.argv[2]))/1e6/int(sys.argv[4]), sys.argv[5]))" \
		"$args" "$start" "$end" "$STARTS" "$(peak_rss_mb "$work/time.txt")"
done

section "apply: requests fresh and re-run, wall at 0/50/100 ms latency next to the critical-path bound"
echo "(go test ./test/soak -run '^\$' -bench ApplyLatency -benchtime 1x; chain = longest run of flowsctl's requests each starting after the previous ended; bound = chain x latency)"
go test ./test/soak -run '^$' -bench ApplyLatency -benchtime 1x 2>&1 | python3 -c '
import re, sys
for line in sys.stdin:
    if not line.startswith("BenchmarkApplyLatency/"):
        continue
    name = line.split()[0].split("/", 1)[1].rsplit("-", 1)[0]
    m = dict((k, float(v)) for v, k in re.findall(r"([\d.]+) ([\w-]+/op|x-bound)", line))
    bound = "bound %6.0f ms  (x%.2f)" % (m["bound-ms/op"], m["x-bound"]) if "bound-ms/op" in m else "bound        -"
    chain = "%3.0f" % m["chain-requests/op"] if "chain-requests/op" in m else "  -"
    print("%-22s requests %3.0f  chain %s  wall %6.0f ms  %s" % (name, m["requests/op"], chain, m["wall-ms/op"], bound))
'

section "doctor: wall next to its slowest single check"
echo "(go test ./test/e2e -run '^\$' -bench Doctor -benchtime 3x)"
go test ./test/e2e -run '^$' -bench Doctor -benchtime 3x 2>&1 | python3 -c '
import re, sys
for line in sys.stdin:
    if not line.startswith("BenchmarkDoctor/"):
        continue
    name = line.split()[0].split("/", 1)[1].rsplit("-", 1)[0]
    m = dict((k, float(v)) for v, k in re.findall(r"([\d.]+) ([\w-]+/op|x-slowest)", line))
    print("doctor %-14s wall %6.0f ms  slowest check %6.0f ms  (x%.2f)" % (name, m.get("wall-ms/op", 0), m.get("slowest-check-ms/op", 0), m.get("x-slowest", 0)))
'

section "peak RSS of apply (real binary against flowsctl sandbox up)"
"$bin" sandbox up --dir "$work/sb" >"$work/sandbox.log" 2>&1 &
sbpid=$!
for _ in $(seq 100); do [ -s "$work/sb/sandbox.json" ] && break; sleep 0.2; done
for phase in fresh re-run; do
	rc=0
	(cd "$work" && /usr/bin/time -v "$bin" apply -f "$work/sb/flowsctl.yaml" --no-input >/dev/null 2>"$work/apply-time.txt") || rc=$?
	echo "apply ($phase): exit $rc  wall $(awk -F': ' '/Elapsed/ {print $2}' "$work/apply-time.txt")  peak RSS $(peak_rss_mb "$work/apply-time.txt") MB"
done
kill "$sbpid" 2>/dev/null; wait "$sbpid" 2>/dev/null || true
sbpid=""

section "scim sync: throughput next to its limit (N x latency / concurrency), peak RSS of a $MEMORY_N-user sync"
echo "(pkg/scim/bench/bench.sh $SCIM_N 20 8 32 with MEMORY_N=$MEMORY_N)"
MEMORY_N=$MEMORY_N bash pkg/scim/bench/bench.sh "$SCIM_N" 20 8 32 | python3 -c '
import re, sys
for line in sys.stdin:
    m = re.search(r"N=(\d+)\s+conc=(\d+)\s+latency=(\d+)ms\s+wall=\s*([\d.]+)s.*peakRSS=\s*([\d.]+)MB\s+limit N\*lat/c=\s*([\d.]+)s", line)
    if not m:
        sys.stdout.write(line); continue
    n, c, lat, wall, rss, limit = int(m[1]), int(m[2]), int(m[3]), float(m[4]), float(m[5]), float(m[6])
    lim = "limit %6.2f s (%6.0f users/s, x%.2f)" % (limit, n/limit, wall/limit) if limit else "limit -"
    print("users %-7d conc %-3d latency %3d ms  wall %7.2f s  %7.0f users/s  %s  peak RSS %6.1f MB" % (n, c, lat, wall, n/wall, lim, rss))
'
