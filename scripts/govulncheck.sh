#!/usr/bin/env bash
# Runs govulncheck on the module. Where vuln.go.dev cannot be reached (this workplace reaches only
# the Go module proxy), it builds the same database offline from the golang.org/x/vulndb module's
# data/osv entries (fetched through the module proxy like any module) and points govulncheck at it.
#   scripts/govulncheck.sh            online if possible, else offline
#   VULNDB=v0.0.0-... scripts/...     pin the vulndb snapshot used offline
set -euo pipefail
cd "$(dirname "$0")/.."

GOVULNCHECK_VERSION=v1.9.0
VULNDB=${VULNDB:-v0.0.0-20261105234957-e22db6528018}
gobin=$(go env GOPATH)/bin
if ! "$gobin/govulncheck" -version 2>/dev/null | grep -q "govulncheck@${GOVULNCHECK_VERSION}"; then
  go install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION"
fi

if "$gobin/govulncheck" ./... 2>/tmp/govulncheck.$$; then
  rm -f /tmp/govulncheck.$$
  exit 0
elif ! grep -q "fetching vulnerabilities" /tmp/govulncheck.$$; then
  cat /tmp/govulncheck.$$ >&2
  rm -f /tmp/govulncheck.$$
  exit 1
fi
rm -f /tmp/govulncheck.$$
echo "govulncheck: vuln.go.dev unreachable; using golang.org/x/vulndb@$VULNDB from the module proxy" >&2

src=$(cd "$(mktemp -d)" && go mod download -json "golang.org/x/vulndb@$VULNDB" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
python3 - "$src/data/osv" "$db" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "ID"))
os.makedirs(os.path.join(out, "index"))
mods, vulns, newest = {}, [], ""
for name in sorted(os.listdir(src)):
    if not name.endswith(".json"):
        continue
    with open(os.path.join(src, name)) as f:
        e = json.load(f)
    with open(os.path.join(out, "ID", name), "w") as f:
        json.dump(e, f)
    newest = max(newest, e["modified"])
    vulns.append({"id": e["id"], "modified": e["modified"], "aliases": e.get("aliases", [])})
    for a in e.get("affected", []):
        path = a["package"]["name"]
        fixed = ""
        for r in a.get("ranges", []):
            for ev in r.get("events", []):
                fixed = ev.get("fixed", fixed)
        v = {"id": e["id"], "modified": e["modified"]}
        if fixed:
            v["fixed"] = fixed
        mods.setdefault(path, []).append(v)
with open(os.path.join(out, "index", "db.json"), "w") as f:
    json.dump({"modified": newest}, f)
with open(os.path.join(out, "index", "vulns.json"), "w") as f:
    json.dump(vulns, f)
with open(os.path.join(out, "index", "modules.json"), "w") as f:
    json.dump([{"path": p, "vulns": v} for p, v in sorted(mods.items())], f)
PY
"$gobin/govulncheck" -db "file://$db" ./...
