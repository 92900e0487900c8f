#!/usr/bin/env bash
# tests/tools/build.sh SET - build the real upstream programs a test tier needs, from their Go
# modules at the versions pinned in tests/tools/SET/go.mod (`tool` directives; go.sum verifies
# every module), and cache the binaries outside the repository. Prints the directory holding
# them on stdout. Cache key: the pinned go.mod + go.sum and the Go version, so a changed pin or
# toolchain rebuilds; a build goes to a temporary directory renamed into place, so concurrent or
# interrupted builds never leave a half-filled cache entry.
#   GOVERSEC_TOOLS_CACHE  cache root (default ~/.cache/goversec-tools)
# Fails (exit 1, with the build log's tail) when a program cannot be built: callers must fail too.
set -euo pipefail
set_name="${1:?usage: tests/tools/build.sh SET}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/$set_name"
[[ -f "$src/go.mod" ]] || { echo "tools/build.sh: no tool set $set_name ($src/go.mod)" >&2; exit 2; }
command -v go >/dev/null || { echo "tools/build.sh: go is not installed" >&2; exit 1; }
cache="${GOVERSEC_TOOLS_CACHE:-$HOME/.cache/goversec-tools}"
# (every optional file is read only when present: a missing one must not end the script under
# pipefail; the key of a set with all three files is the same as before)
key="$(for f in go.mod go.sum rename ldflags; do [[ ! -f "$src/$f" ]] || cat "$src/$f"; done | { cat; go version; } | sha256sum | cut -c1-16)"
out="$cache/$set_name-$key"
if [[ -f "$out/.complete" ]]; then echo "$out/bin"; exit 0; fi
mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.$set_name.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp "$src/go.mod" "$tmp/"; [[ -f "$src/go.sum" ]] && cp "$src/go.sum" "$tmp/"
start=$(date +%s)
echo "tools/build.sh: building tool set '$set_name' (first run on this machine; cached in $out)" >&2
# SET/ldflags: linker flags, e.g. the version a program reports (Kubernetes' -X .../version.gitVersion:
# built outside its own build scripts it would say v0.0.0-master, and Helm refuses charts' kubeVersion).
ldflags=""; [[ -f "$src/ldflags" ]] && ldflags="$(tr '\n' ' ' <"$src/ldflags")"
if ! (cd "$tmp" && mkdir -p bin && GOFLAGS="-buildvcs=false -mod=readonly" go build -trimpath -ldflags "$ldflags" -o bin/ tool) >"$tmp/build.log" 2>&1; then
  echo "tools/build.sh: FAILED to build tool set '$set_name' from $src/go.mod:" >&2
  tail -n 30 "$tmp/build.log" >&2
  exit 1
fi
echo "tools/build.sh: built '$set_name' in $(( $(date +%s) - start )) s: $(ls "$tmp/bin" | tr '\n' ' ')" >&2
# SET/rename: lines "FROM TO" for binaries named after an unhelpful package path (server -> etcd).
if [[ -f "$src/rename" ]]; then
  while read -r from to; do [[ -n "$from" ]] && mv "$tmp/bin/$from" "$tmp/bin/$to"; done <"$src/rename"
fi
touch "$tmp/.complete"
rm -rf "$out"; mv "$tmp" "$out"; trap - EXIT
echo "$out/bin"
