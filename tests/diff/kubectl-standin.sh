#!/usr/bin/env bash
# Stand-in for kubectl in tests/diff/run.sh: records its argv, refuses any verb but the read-only
# ones (a mutating call fails the suite through $STANDIN_VIOLATIONS), and prints fixture files.
#   STANDIN_LOG         file receiving one line per call (the argv, space separated)
#   STANDIN_VIOLATIONS  file receiving any forbidden call
#   STANDIN_NS          file printed for `get namespace NS`
#   STANDIN_LIST        file printed for `get KINDS -n NS`
#   STANDIN_FAIL        when set: behave like an unreachable cluster
echo "$*" >> "$STANDIN_LOG"
args=("$@")
i=0
while [ $i -lt ${#args[@]} ]; do
  case "${args[$i]}" in
    --context|--kubeconfig) i=$((i + 2)) ;;
    *) break ;;
  esac
done
verb="${args[$i]}"
case "$verb" in
  get|version|api-resources) ;;
  *) echo "forbidden verb: $*" >> "$STANDIN_VIOLATIONS"; echo "stand-in: verb $verb refused" >&2; exit 99 ;;
esac
if [ -n "${STANDIN_FAIL:-}" ]; then
  echo "Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout" >&2
  exit 1
fi
if [ "${args[$((i + 1))]}" = namespace ]; then
  cat "$STANDIN_NS"
else
  cat "$STANDIN_LIST"
fi
