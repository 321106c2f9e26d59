#!/usr/bin/env bash
# Generates the shell completions and man pages shipped in release archives, with the binary itself.
# Used by .goreleaser.yaml's before hooks; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf completions manpages
mkdir -p completions manpages
bin=$(mktemp -d)/flowsctl
go build -o "$bin" ./cmd/flowsctl
for sh in bash zsh fish powershell; do
  "$bin" completion "$sh" > "completions/flowsctl.$sh"
done
"$bin" docs --man manpages >/dev/null
gzip -n -9 -f manpages/*.1
rm -f "$bin"
