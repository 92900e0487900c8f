#!/usr/bin/env bash
# run.sh - the diagnostics corpus: for each cases/NAME.gv, `goversec check` must print exactly
# cases/NAME.err on stderr and exit 1 when it holds an error (0 otherwise), and `goversec build`
# must create nothing when there are errors. Usage: run.sh GOVERSEC [--bless] (rewrites .err).
set -u
bin="" bless=0
for a in "$@"; do
    case $a in
    --bless) bless=1 ;;
    *) bin=$a ;;
    esac
done
if [ -z "$bin" ]; then
    echo "usage: run.sh GOVERSEC [--bless]" >&2
    exit 2
fi
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
cd "$(dirname "$0")" || exit 2
export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

for gv in cases/*.gv; do
    name=${gv%.gv}
    "$bin" check "$gv" >/dev/null 2>"$tmp/stderr"
    rc=$?
    if [ $bless = 1 ]; then
        cp "$tmp/stderr" "$name.err"
    fi
    problems=""
    if [ ! -f "$name.err" ]; then
        problems="missing $name.err"
    else
        expect=0
        grep -qE '(^|: )error: ' "$name.err" && expect=1
        if ! diff -u "$name.err" "$tmp/stderr" >"$tmp/diff"; then
            problems="stderr differs from $name.err"
        elif [ $rc != $expect ]; then
            problems="exit status $rc, expected $expect"
        elif [ $expect = 1 ]; then
            rm -rf "$tmp/out"
            "$bin" build "$gv" -o "$tmp/out" >/dev/null 2>&1
            if [ -e "$tmp/out" ]; then
                problems="build created output despite errors"
            fi
        fi
    fi
    if [ -n "$problems" ]; then
        fail=$((fail + 1))
        echo "FAIL $gv: $problems"
        [ -s "$tmp/diff" ] && sed 's/^/    /' "$tmp/diff"
    else
        pass=$((pass + 1))
    fi
    : >"$tmp/diff"
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
