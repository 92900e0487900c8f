#!/usr/bin/env bash
# Test suite for the helmrender tool. $1 (the goversec binary) is ignored.
# Builds the renderer offline (GOPATH mode over /usr/share/gocode), runs
# `go test -v` and prints "N passed, M failed" as the last line.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/helmrender-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if ! command -v go >/dev/null 2>&1; then
  echo "go toolchain not found (apt-get install golang-go)"; echo "0 passed, 1 failed"; exit 1
fi
if ! bash "$here/build.sh" "$work/helmrender"; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
mkdir -p "$work/gopath/src"
ln -s "$here" "$work/gopath/src/helmrender"
export GO111MODULE=off GOFLAGS= GOPATH="$work/gopath:/usr/share/gocode"
export GOCACHE="${GOCACHE:-${TMPDIR:-/tmp}/helmrender-gocache}"
export HELMRENDER_BIN="$work/helmrender"
(cd "$work/gopath/src/helmrender" && go test -count=1 -v .) 2>&1 | tee "$work/log"
rc=${PIPESTATUS[0]}
passed=$(grep -cE '^\s*--- (PASS|SKIP):' "$work/log")
failed=$(grep -cE '^\s*--- FAIL:' "$work/log")
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
