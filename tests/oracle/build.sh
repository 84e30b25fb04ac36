#!/bin/bash
# Builds hcl1json (tests/oracle/hcl1json), the reference HCL1 decoder Consul uses, wrapped
# as a command that prints the generic tree it decodes as JSON. Usage:
#   tests/oracle/build.sh OUT_PATH        (default: ./hcl1json)
# Needs Debian's golang-go and golang-github-hashicorp-hcl-dev (installed by .ci/ when
# missing); the test tests/syntax/hcl_oracle.rs builds the same way itself.
set -euo pipefail
out=${1:-./hcl1json}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/hcl1json/main.go" "$tmp/"
(cd "$tmp" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$tmp/cache" go build -o hcl1json main.go)
mkdir -p "$(dirname "$out")"
cp "$tmp/hcl1json" "$out"
echo "built $out"
