#!/usr/bin/env bash
# Bounded fuzzing smoke run (issue: hostile input). Builds the libFuzzer harness with clang
# (ASan+UBSan+fuzzer) in a temporary directory, replays every regression input, then fuzzes for
# FUZZ_SECONDS (default 60) seeded from the examples, the stdlib and the diagnostic corpus.
# A crash, leak or sanitizer report fails the suite; save the reproducer printed by libFuzzer
# under tests/fuzz/regressions/ so it is replayed forever after.
# Then the YAML writer's differential target (fuzz_yaml_writer.c: goversec's writer against
# libyaml's emitter and parser) for YAML_FUZZ_SECONDS (default: FUZZ_SECONDS), from scratch.
# Longer runs: FUZZ_SECONDS=3600 bash tests/fuzz/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
if ! command -v clang >/dev/null 2>&1; then
    echo "clang is not installed (bash .ci/deps test installs it)"; echo "0 passed, 1 failed"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
CC=clang cmake -S "$root" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Debug -DGOVERSEC_FUZZ=ON \
    -DGOVERSEC_TESTS=OFF >/dev/null
cmake --build "$tmp/build" --target fuzz_pipeline fuzz_yaml_writer -j2 >/dev/null
fuzzer="$tmp/build/fuzz_pipeline"

mkdir -p "$tmp/corpus"
cp "$root"/examples/*.gv "$root"/stdlib/*.gv "$root"/tests/diagnostics/cases/*.gv "$tmp/corpus/"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

regressions=("$here"/regressions/*)
if [ -e "${regressions[0]}" ]; then
    if "$fuzzer" -runs=1 "${regressions[@]}" >"$tmp/replay.log" 2>&1; then pass=$((pass + 1));
    else fail=$((fail + 1)); echo "FAIL: a regression input crashes again"; tail -40 "$tmp/replay.log"; fi
fi
# The seeds themselves must pass, then a bounded fuzzing run.
if "$fuzzer" -runs=0 "$tmp/corpus" >"$tmp/seeds.log" 2>&1; then pass=$((pass + 1));
else fail=$((fail + 1)); echo "FAIL: a seed input crashes"; tail -40 "$tmp/seeds.log"; fi
if "$fuzzer" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$tmp/" "$tmp/corpus" >"$tmp/fuzz.log" 2>&1; then
    pass=$((pass + 1))
    grep -E "^#[0-9]+.*(DONE|pulse)" "$tmp/fuzz.log" | tail -1
else
    fail=$((fail + 1)); echo "FAIL: fuzzing found a crash"; tail -60 "$tmp/fuzz.log"
    for f in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-*; do [ -e "$f" ] && base64 "$f" | head -20; done
fi
# The YAML writer against libyaml (byte-identical text, and the text parses back to the tree).
mkdir -p "$tmp/yaml-corpus"
yaml_seconds=${YAML_FUZZ_SECONDS:-$seconds}
if "$tmp/build/fuzz_yaml_writer" -max_total_time="$yaml_seconds" -max_len=4096 -rss_limit_mb=2048 \
    -timeout=10 -artifact_prefix="$tmp/yaml-" "$tmp/yaml-corpus" >"$tmp/yaml-fuzz.log" 2>&1; then
    pass=$((pass + 1))
    grep -E "^#[0-9]+.*(DONE|pulse)" "$tmp/yaml-fuzz.log" | tail -1
else
    fail=$((fail + 1)); echo "FAIL: the YAML writer differs from libyaml (or does not read back)"
    grep -A12 "fuzz_yaml_writer:" "$tmp/yaml-fuzz.log" | head -30; tail -20 "$tmp/yaml-fuzz.log"
    for f in "$tmp"/yaml-crash-*; do [ -e "$f" ] && base64 "$f" | head -20; done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
