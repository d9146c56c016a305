#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a bounded time, one after another.
#
# usage: scripts/fuzz.sh [FUZZTIME]     (default 60s; any value `go test -fuzztime` takes)
#
# Targets are discovered with `go test -list '^Fuzz'`, limited to the packages whose
# test files declare a `func Fuzz...`, so that discovery compiles only those.
set -euo pipefail

fuzztime=${1:-${FUZZTIME:-60s}}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Package directories with a fuzz target, as ./relative/paths (the go tool ignores
# testdata and directories starting with "." or "_", and so does this search).
mapfile -t dirs < <(
	find . \( -name testdata -o -name '.?*' -o -name '_*' -o -path ./bin \) -prune -o \
		-name '*_test.go' -type f -print |
		xargs -r grep -l '^func Fuzz' -- |
		xargs -r -n1 dirname | sort -u
)
if [[ ${#dirs[@]} -eq 0 ]]; then
	echo "fuzz: no fuzz targets in the module"
	exit 0
fi

# `go test -list` prints each package's matching names, then an "ok <import path>" line.
# It fails, and so does this script, when one of the packages does not build.
listing=$(go test -list '^Fuzz' "${dirs[@]}")
mapfile -t targets < <(
	awk '/^Fuzz/ { names[++n] = $1; next }
	     $1 == "ok" { for (i = 1; i <= n; i++) print $2, names[i]; n = 0 }' <<<"$listing"
)
if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz: no fuzz targets in the module"
	exit 0
fi

for target in "${targets[@]}"; do
	read -r pkg name <<<"$target"
	echo "fuzz: $name in $pkg for $fuzztime"
	go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg"
done
echo "fuzz: ${#targets[@]} target(s) passed"
