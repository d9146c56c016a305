#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a bounded time, one after another.
#
# usage: scripts/fuzz.sh [FUZZTIME]     (default 60s; any value `go test -fuzztime` takes:
#                                       a duration, or a count of inputs such as 5000x)
#
# Go 1.26's fuzzing coordinator can fail a target whose duration budget ends while a worker is
# still busy ("context deadline exceeded", golang/go#75804, fixed in Go 1.27). A count budget
# has no deadline; with a duration, that failure is retried once when it found no input.
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

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in "${targets[@]}"; do
	read -r pkg name <<<"$target"
	for attempt in 1 2; do
		echo "fuzz: $name in $pkg for $fuzztime"
		if go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg" 2>&1 | tee "$log"; then
			break
		fi
		# The coordinator's deadline race: no failing input, only the expired deadline.
		if ((attempt == 1)) && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
			echo "fuzz: $name stopped at its deadline without a failing input (golang/go#75804); once more"
			continue
		fi
		exit 1
	done
done
echo "fuzz: ${#targets[@]} target(s) passed"
