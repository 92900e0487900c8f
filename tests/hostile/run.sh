#!/usr/bin/env bash
# Hostile input and hostile output locations, through the real binary (issue "Robust and fast").
# Every case checks the exit status (1: errors in the input, 2: usage or I/O), that the message is
# a one-line `error:` (no crash, no sanitizer report), and - for `build` - that the previous
# output tree is byte-identical afterwards and no temporary directory is left beside it.
# CRLF line ends and tabs must WORK. docs/robustness.md lists the limits these cases exercise.
# Usage: bash tests/hostile/run.sh path/to/goversec     (prints `N passed, M failed`)
set -u
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export NO_COLOR=1
W="${HOSTILE_KEEP:-$(mktemp -d)}"
[ -n "${HOSTILE_KEEP:-}" ] || trap 'rm -rf "$W"' EXIT   # HOSTILE_KEEP=DIR keeps the inputs for a look
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/     ! /' "$W/err" 2>/dev/null | head -8; }

# A valid description (the base of the mutated inputs) and a previous output tree to protect.
GOOD="$ROOT/examples/dev.gv"
"$BIN" build "$GOOD" -o "$W/out" -q --no-sync 2>"$W/err" || { ko "setup: build $GOOD"; echo "$pass passed, $fail failed"; exit 1; }
snapshot() { (cd "$W/out" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$1"; }
snapshot "$W/before"

# expect NAME STATUS PATTERN CMD... : runs CMD, wants exit STATUS, stderr matching PATTERN (grep -E),
# no sanitizer/crash text, the previous tree unchanged and nothing left beside it.
expect() {
    local name="$1" want="$2" pat="$3"; shift 3
    local rc=0
    "$@" >"$W/stdout" 2>"$W/err" || rc=$?
    if [ "$rc" -ne "$want" ]; then ko "$name: exit $rc, want $want"; return; fi
    if ! grep -qE "$pat" "$W/err"; then ko "$name: message does not match /$pat/"; return; fi
    if grep -qE "Sanitizer|runtime error|Segmentation|Aborted|core dumped" "$W/err"; then ko "$name: crash"; return; fi
    snapshot "$W/after"
    if ! cmp -s "$W/before" "$W/after"; then ko "$name: the previous output tree changed"; return; fi
    if ls -A "$W" | grep -qE '^\.out\.(tmp|old)-'; then ko "$name: temporary directory left behind"; return; fi
    ok "$name"
}
build() { "$BIN" build "$1" -o "$W/out" -q --no-sync "${@:2}"; }

# --- input size and shape ---------------------------------------------------------------------
head -c $((4 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$W/huge.gv"
expect "file over SOURCE_MAX_BYTES (4 MiB)" 2 "error: .*(too large|larger|limit)" build "$W/huge.gv"
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
def put(name, text, mode="w"):
    with open(f"{w}/{name}", mode) as f:
        f.write(text)
hdr = 'cluster "hostile" {\n    namespace "goverse"\n'
ftr = '    nodes { image "goverse/node:1.2.0" }\n    gates { image "goverse/gate:1.2.0" }\n}\n'
put("deep.gv", hdr + "    nodes " + "{ " * 100000 + "}" * 100000 + "\n" + ftr)
put("deep-list.gv", hdr + "    zones " + "[" * 100000 + "]" * 100000 + "\n" + ftr)
put("longstr.gv", hdr + '    nodes { image "' + "a" * 3_000_000 + '" }\n' + ftr)
put("intover.gv", hdr + "    shards 99999999999999999999999999\n" + ftr)
put("intover64.gv", hdr + "    shards 9223372036854775808\n" + ftr)
put("qty.gv", hdr + '    nodes { image "goverse/node:1.2.0" memory 99999999999999999999Gi .. 1Gi }\n' + ftr.replace('    nodes { image "goverse/node:1.2.0" }\n', ''))
put("badutf8.gv", (hdr + '    nodes { image "goverse/node:\xff\xfe" }\n' + ftr).encode("latin-1"), "wb")
put("badutf8-comment.gv", (hdr + '    // \xc3\x28 \xed\xa0\x80\n' + ftr).encode("latin-1"), "wb")
put("nul.gv", (hdr + '    nodes { image "goverse/node\x00:1.2.0" }\n' + ftr).encode(), "wb")
put("nul-top.gv", b"\x00" + (hdr + ftr).encode(), "wb")
put("crlf.gv", (hdr + ftr).replace("\n", "\r\n").encode(), "wb")
put("tabs.gv", (hdr + ftr).replace("    ", "\t"))
put("escape-name.gv", 'cluster "../escape" {\n    namespace "goverse"\n' + ftr[0:])
put("slash-name.gv", 'cluster "a/b" {\n    namespace "goverse"\n' + ftr)
put("abs-name.gv", 'cluster "/tmp/x" {\n    namespace "goverse"\n' + ftr)
PY
expect "nesting 100000 deep (blocks)" 1 "error:" build "$W/deep.gv"
expect "nesting 100000 deep (lists)" 1 "error:" build "$W/deep-list.gv"
expect "a 3 MB string" 1 "error:" build "$W/longstr.gv"
expect "integer overflow (26 digits)" 1 "error:" build "$W/intover.gv"
expect "integer overflow (2^63)" 1 "error:" build "$W/intover64.gv"
expect "quantity overflow" 1 "error:" build "$W/qty.gv"
expect "invalid UTF-8 in a string" 1 "error:.*UTF-8" build "$W/badutf8.gv"
expect "invalid UTF-8 in a comment" 1 "error:.*UTF-8" build "$W/badutf8-comment.gv"
expect "NUL byte in a string" 1 "error:" build "$W/nul.gv"
expect "NUL byte first" 1 "error:" build "$W/nul-top.gv"

# CRLF and tabs must work (and give the same objects as LF/spaces).
for f in crlf tabs; do
    rc=0; "$BIN" build "$W/$f.gv" -o "$W/$f-out" -q --no-sync 2>"$W/err" || rc=$?
    if [ $rc -eq 0 ] && [ -f "$W/$f-out/hostile/manifests/kustomization.yaml" ]; then ok "$f input builds"
    else ko "$f input builds (exit $rc)"; fi
done
if [ -d "$W/crlf-out" ] && [ -d "$W/tabs-out" ] && diff -r "$W/crlf-out/hostile" "$W/tabs-out/hostile" >/dev/null; then
    ok "CRLF and tab inputs give identical trees"; else ko "CRLF and tab inputs give identical trees"; fi

# --- files and locations ----------------------------------------------------------------------
expect "missing input file" 2 "error: cannot read" build "$W/nope.gv"
mkdir -p "$W/adir.gv"
expect "a directory as input" 2 "error: cannot read" build "$W/adir.gv"
expect "no -o" 2 "error:.*-o" "$BIN" build "$GOOD"
expect "unknown option" 2 "error: unknown option" "$BIN" build "$GOOD" -o "$W/out" --frobnicate
: >"$W/afile"
expect "output under a regular file" 2 "error:" "$BIN" build "$GOOD" -o "$W/afile/out" -q
expect "output is a regular file" 2 "error:.*not a directory" "$BIN" build "$GOOD" -o "$W/afile" -q
expect "output is '.'" 2 "error:" "$BIN" build "$GOOD" -o . -q
expect "output is '/'" 2 "error:" "$BIN" build "$GOOD" -o / -q
# A full device: /dev/full is a character device, so it cannot be a parent directory; the honest
# test without root-only mounts is a write error mid-tree, which the unit test simulates (a file
# where a directory must go), and an unwritable parent for the temporary directory (read-only
# /proc), both exercising the same clean-up path as ENOSPC.
# A device filling up midway: RLIMIT_FSIZE makes write(2) fail (EFBIG, SIGXFSZ ignored) on the
# first file above 8 KiB, after several files were written - the path ENOSPC takes, as any user.
expect "write fails midway (file size limit, like a full disk)" 2 "error: cannot write .*(too large|File too large)" \
    bash -c 'trap "" XFSZ; ulimit -f 8; exec "$@"' _ "$BIN" build "$GOOD" -o "$W/out" -q
expect "output under /dev/full" 2 "error:" "$BIN" build "$GOOD" -o /dev/full/out -q
expect "output in a read-only filesystem (/proc)" 2 "error:" "$BIN" build "$GOOD" -o /proc/goversec-out -q
if [ -w /sys ] || mount | grep -q ' /sys .*ro'; then
    expect "output in sysfs" 2 "error:" "$BIN" build "$GOOD" -o /sys/goversec-out -q
fi

# --- names that would escape the output directory ---------------------------------------------
for f in escape-name slash-name abs-name; do
    expect "cluster name $f" 1 "error:" build "$W/$f.gv"
done
for c in ../x ../../etc x/y /abs; do
    expect "--cluster $c" 1 "error:" build "$GOOD" --cluster "$c"
done
if find "$W" -maxdepth 2 -name escape -o -maxdepth 2 -name x | grep -q .; then ko "nothing written outside -o"; else ok "nothing written outside -o"; fi

# --- symbolic links ---------------------------------------------------------------------------
mkdir -p "$W/elsewhere"
ln -s "$W/elsewhere" "$W/link"
expect "output is a symlink (refused)" 2 "symbolic link" "$BIN" build "$GOOD" -o "$W/link" -q
expect "output is a symlink, --force (refused)" 2 "symbolic link" "$BIN" build "$GOOD" -o "$W/link" -q --force
if [ -z "$(ls -A "$W/elsewhere")" ]; then ok "nothing written through the link"; else ko "nothing written through the link"; fi
# A link planted inside a previous tree is a foreign file: refused, and never followed.
cp -a "$W/out" "$W/out2"
ln -s "$W/elsewhere" "$W/out2/planted"
echo keep >"$W/elsewhere/keep"
rc=0; "$BIN" build "$GOOD" -o "$W/out2" -q --no-sync 2>"$W/err" || rc=$?
if [ $rc -eq 2 ] && grep -q "planted" "$W/err"; then ok "link inside the tree refused"; else ko "link inside the tree refused (exit $rc)"; fi
rc=0; "$BIN" build "$GOOD" -o "$W/out2" -q --no-sync --force 2>"$W/err" || rc=$?
if [ $rc -eq 0 ] && [ -f "$W/elsewhere/keep" ] && [ ! -e "$W/out2/planted" ]; then ok "--force removes the link, not its target"
else ko "--force removes the link, not its target (exit $rc)"; fi

# --- the previous tree after a successful rebuild is replaced, not merged ----------------------
rc=0; "$BIN" build "$GOOD" -o "$W/out" -q 2>"$W/err" || rc=$?   # default: synced
snapshot "$W/after"
if [ $rc -eq 0 ] && cmp -s "$W/before" "$W/after"; then ok "rebuild (with sync) reproduces the tree"; else ko "rebuild (with sync) reproduces the tree"; fi

# --- --time-report: the same tree, and on stderr every phase with a time; they and "other" add up
# to the total (to the printed precision), and the files' share of manifests + chart is no more than
# they took. Nothing on stdout with -q.
rc=0; "$BIN" build "$GOOD" -o "$W/out" -q --no-sync --time-report >"$W/stdout" 2>"$W/err" || rc=$?
snapshot "$W/after"
if [ $rc -eq 0 ] && cmp -s "$W/before" "$W/after" && [ ! -s "$W/stdout" ] \
   && awk 'NR == 1 && /^goversec: time report/ {head = 1}
           NR > 1 && $1 != "total" && $1 != "files" {n++; sum += $2; if ($2 !~ /^-?[0-9]+\.[0-9][0-9][0-9]$/) bad = 1}
           $1 == "manifests" || $1 == "chart" {emit += $2}
           $1 == "total" {total = $2}
           $1 == "files" {files = $2; nf++}
           END {exit !(head && n == 7 && !bad && total > 0 && sum - total < 0.01 && total - sum < 0.01 \
                       && nf == 1 && files > 0 && files <= emit + 0.001)}' "$W/err" \
   && grep -qE '^  parse\+check +[0-9.]+$' "$W/err" && grep -qE '^  chart +[0-9.]+$' "$W/err"; then
  ok "--time-report: the same tree, every phase timed, the phases add up to the total, files within them"
else ko "--time-report (exit $rc)"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
