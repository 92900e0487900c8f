#!/usr/bin/env bash
# Every bundled .gv file (examples, stdlib) is in canonical form: `goversec fmt --check` passes,
# and formatting is idempotent (fmt of fmt is fmt). Keeps the files users copy from tidy.
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for f in "$root"/examples/*.gv "$root"/stdlib/*.gv; do
    name=${f#"$root"/}
    if "$bin" fmt --check "$f" 2>"$tmp/err"; then pass=$((pass + 1));
    else fail=$((fail + 1)); echo "FAIL $name is not formatted:"; "$bin" fmt "$f" | diff "$f" - | head -20; fi
    "$bin" fmt "$f" >"$tmp/once.gv"
    "$bin" fmt "$tmp/once.gv" >"$tmp/twice.gv"
    if cmp -s "$tmp/once.gv" "$tmp/twice.gv"; then pass=$((pass + 1));
    else fail=$((fail + 1)); echo "FAIL $name: formatting is not idempotent"; diff "$tmp/once.gv" "$tmp/twice.gv" | head -20; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
