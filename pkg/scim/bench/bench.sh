#!/usr/bin/env bash
# Benchmark `flowsctl scim sync` against the sandbox's identity emulator (Identity Services SCIM 2.0).
#
#   pkg/scim/bench/bench.sh [N] [LATENCY_MS] [CONCURRENCY...]      (defaults: 10000 20 1 8 32)
#   MEMORY_N=100000 pkg/scim/bench/bench.sh 0                       (only the memory run)
#
# For each concurrency: reset the emulator, regenerate the SCIM token, inject LATENCY_MS on every
# request, sync N users (each in the groups Sales or Sales;Field) and print wall time, requests,
# peak RSS of the flowsctl process, and the physical limit N x latency / concurrency.
# Then (MEMORY_N > 0) a run of MEMORY_N users without latency at concurrency 32, for peak RSS,
# and a re-sync of the same file, which must make 0 writes. The sandbox runs in its own process:
# peak RSS is that of the `flowsctl scim sync` process alone.
set -euo pipefail
N=${1:-10000}
LAT=${2:-20}
shift $(( $# > 2 ? 2 : $# )) || true
CONCS=("$@")
[ ${#CONCS[@]} -eq 0 ] && CONCS=(1 8 32)
MEMORY_N=${MEMORY_N:-100000}   # SYNC_TIMEOUT (default 60m) bounds each sync: a 1,000,000-user run outlasts the 10m default

root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
bin="$work/flowsctl"
(cd "$root" && go build -o "$bin" ./cmd/flowsctl)
"$bin" sandbox up --dir "$work/sb" >"$work/sandbox.log" 2>&1 &
sbpid=$!
trap 'kill $sbpid 2>/dev/null; wait $sbpid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/sb/sandbox.json" ] && break; sleep 0.2; done
cfg="$work/sb/flowsctl.yaml"
admin=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['services']['identity']['admin'])" "$work/sb/sandbox.json")
ca="$work/sb/ca.pem"

gen() { # N FILE
	python3 - "$1" "$2" <<'PY'
import sys
n, p = int(sys.argv[1]), sys.argv[2]
with open(p, "w") as f:
    f.write("userName,givenName,familyName,email,externalId,active,groups\n")
    for i in range(n):
        f.write("bench.user%06d@example.com,Bench,User%06d,bench.user%06d@example.com,ext-%06d,true,%s\n" % (i, i, i, i, "Sales" if i % 2 else "Sales;Field"))
PY
}

run() { # N CONC LAT
	local n=$1 c=$2 lat=$3
	curl -sf --cacert "$ca" -X POST "$admin/reset" >/dev/null
	curl -sf --cacert "$ca" -X POST -H 'Content-Type: application/json' -d "{\"fixedMs\":$lat,\"jitterMs\":0}" "$admin/latency" >/dev/null
	"$bin" identity token generate -f "$cfg" --no-input >/dev/null 2>&1
	/usr/bin/time -f '%e %M' -o "$work/time" "$bin" scim sync --from "$work/users-$n.csv" --concurrency "$c" --timeout "${SYNC_TIMEOUT:-60m}" -f "$cfg" --no-input -o json >"$work/out.json"
	read -r wall rss <"$work/time"
	python3 - "$work/out.json" "$n" "$c" "$lat" "$wall" "$rss" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n, c, lat, wall, rss = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
limit = n * lat / 1000.0 / c
ratio = wall / limit if limit else 0
print("N=%-7d conc=%-3d latency=%dms  wall=%7.2fs  requests=%-7d created=%-7d memberships=%-7d peakRSS=%6.1fMB  limit N*lat/c=%7.2fs  ratio=%.2f"
      % (n, c, lat, wall, r["requests"], r["created"], r.get("membershipsAdded", 0), rss / 1024.0, limit, ratio))
PY
}

if [ "$N" -gt 0 ]; then
	gen "$N" "$work/users-$N.csv"
	for c in "${CONCS[@]}"; do run "$N" "$c" "$LAT"; done
fi
if [ "$MEMORY_N" -gt 0 ]; then
	gen "$MEMORY_N" "$work/users-$MEMORY_N.csv"
	run "$MEMORY_N" 32 0
	# Re-sync of the same file: must make 0 writes (every user unchanged).
	/usr/bin/time -f '%e %M' -o "$work/time" "$bin" scim sync --from "$work/users-$MEMORY_N.csv" --concurrency 32 --timeout "${SYNC_TIMEOUT:-60m}" -f "$cfg" --no-input -o json >"$work/out.json"
	read -r wall rss <"$work/time"
	python3 - "$work/out.json" "$MEMORY_N" "$wall" "$rss" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n, wall, rss = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
writes = sum(r.get(k, 0) for k in ("created", "adopted", "updated", "deactivated", "deleted", "groupsCreated", "membershipsAdded", "membershipsRemoved"))
print("re-sync N=%-7d wall=%7.2fs  users/s=%8.0f  requests=%-7d writes=%d unchanged=%d peakRSS=%6.1fMB"
      % (n, wall, n / wall if wall else 0, r["requests"], writes, r["unchanged"], rss / 1024.0))
PY
fi
