#!/usr/bin/env bash
# Regenerate the golden trees ON PURPOSE: tests/golden/NAME/ := `goversec build examples/NAME.gv`.
# Usage: bash tests/golden/bless.sh PATH/TO/goversec [NAME...]   (default: every examples/*.gv)
# Run it only after a deliberate change to goversec's output; then inspect `git diff tests/golden`
# and commit the trees together with the compiler change that explains them. Golden trees of
# examples that no longer exist are reported (not deleted).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [[ $# -lt 1 ]]; then echo "usage: bash tests/golden/bless.sh PATH/TO/goversec [NAME...]" >&2; exit 2; fi
GOVERSEC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
[[ -x "$GOVERSEC" ]] || { echo "bless: $GOVERSEC is not an executable" >&2; exit 2; }

# Refuse a binary older than the sources it should have been built from: blessing the output of a
# stale build records the wrong trees (BLESS_STALE_OK=1 overrides).
newest="$(find "$ROOT/compiler" "$ROOT/grammar" "$ROOT/stdlib" "$ROOT/runtime" -type f -newer "$GOVERSEC" \
           2>/dev/null | head -n 3)"
if [[ -n "$newest" && "${BLESS_STALE_OK:-}" != 1 ]]; then
  echo "bless: $GOVERSEC is older than these sources (rebuild it first, or BLESS_STALE_OK=1):" >&2
  sed 's/^/  /' <<<"$newest" >&2
  exit 1
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-bless.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  for gv in "$ROOT"/examples/*.gv; do [[ -e "$gv" ]] && names+=("$(basename "$gv" .gv)"); done
fi
[[ ${#names[@]} -gt 0 ]] || { echo "bless: no examples/*.gv" >&2; exit 1; }

for name in "${names[@]}"; do
  [[ -f "$ROOT/examples/$name.gv" ]] || { echo "bless: examples/$name.gv does not exist" >&2; exit 1; }
  # Same invocation as run.sh: from the repository root, relative input path.
  (cd "$ROOT" && "$GOVERSEC" build "examples/$name.gv" -o "$TMP/$name") \
    || { echo "bless: goversec build examples/$name.gv failed; golden tree left unchanged" >&2; exit 1; }
  rm -rf "${HERE:?}/$name"
  cp -R "$TMP/$name" "$HERE/$name"
  echo "blessed tests/golden/$name/ ($(find "$HERE/$name" -type f | wc -l) files)"
done

for d in "$HERE"/*/; do
  n="$(basename "$d")"
  [[ -f "$ROOT/examples/$n.gv" ]] || echo "note: tests/golden/$n/ has no examples/$n.gv (stale? remove it by hand)"
done
echo "review: git diff --stat -- tests/golden"
