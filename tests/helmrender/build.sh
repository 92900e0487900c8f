#!/usr/bin/env bash
# Builds the helmrender binary offline to the path given as $1.
# GOPATH mode against Debian's Go library packages in /usr/share/gocode:
# the sources are symlinked into a throwaway GOPATH as package "helmrender".
set -euo pipefail
out="${1:?usage: build.sh OUTPUT_PATH}"
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
