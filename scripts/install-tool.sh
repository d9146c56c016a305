#!/usr/bin/env bash
# Installs a Go command at an exact version into the project's ./bin, unless the
# binary there already is that version. Tools are kept out of the project's go.mod
# on purpose: they would raise its `go` line and upgrade shared dependencies.
#
# usage: scripts/install-tool.sh NAME PACKAGE VERSION
#   e.g. scripts/install-tool.sh golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint v2.15.0
set -euo pipefail

if [[ $# -ne 3 ]]; then
	echo "usage: $0 NAME PACKAGE VERSION" >&2
	exit 2
fi
name=$1 pkg=$2 version=$3

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/bin/$name"

# `go version -m` reads the module version stamped into a binary built by go install.
if [[ -x $bin ]]; then
	have=$(go version -m "$bin" 2>/dev/null | awk '$1 == "mod" && !seen++ { print $3 }')
	if [[ $have == "$version" ]]; then
		exit 0
	fi
	echo "bin/$name is ${have:-of unknown version}, want $version: reinstalling" >&2
fi

echo "installing $name $version into bin/ (the first time takes a minute or two)" >&2
mkdir -p "$root/bin"
GOBIN="$root/bin" go install "$pkg@$version"
