#!/usr/bin/env bash
# Builds the helmrender binary offline to the path given as $1.
# GOPATH mode against Debian's Go library packages in /usr/share/gocode:
# the sources are symlinked into a throwaway GOPATH as package "helmrender".
set -euo pipefail
out="${1:?usage: build.sh OUTPUT_PATH}"
# Debian packages needed (install on a fresh machine):
#   apt-get install -y golang-go golang-github-masterminds-sprig-dev \
#       golang-k8s-sigs-yaml-dev golang-github-xeipuuv-gojsonschema-dev
need_pkgs="golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev golang-github-xeipuuv-gojsonschema-dev"
if ! command -v go >/dev/null 2>&1; then
  echo "helmrender/build.sh: go not found; apt-get install -y $need_pkgs" >&2; exit 1
fi
for d in github.com/Masterminds/sprig sigs.k8s.io/yaml github.com/xeipuuv/gojsonschema; do
  if [ ! -d "/usr/share/gocode/src/$d" ]; then
    echo "helmrender/build.sh: /usr/share/gocode/src/$d missing; apt-get install -y $need_pkgs" >&2; exit 1
  fi
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
gp="$(mktemp -d "${TMPDIR:-/tmp}/helmrender-gopath.XXXXXX")"
trap 'rm -rf "$gp"' EXIT
mkdir -p "$gp/src"
ln -s "$here" "$gp/src/helmrender"
export GO111MODULE=off GOFLAGS= GOPATH="$gp:/usr/share/gocode"
export GOCACHE="${GOCACHE:-${TMPDIR:-/tmp}/helmrender-gocache}"
cd "$gp/src/helmrender"
go build -o "$out" .
