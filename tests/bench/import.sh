#!/usr/bin/env bash
# Registry benchmark: generation and all-or-nothing import of N synthetic
# people into a fresh database, with wall time, rows/s and peak RSS.
# Usage: tests/bench/import.sh [--10m] [IDP]   (default 1,000,000 rows)
set -euo pipefail
count=1000000
if [ "${1:-}" = "--10m" ]; then count=10000000; shift; fi
idp=${1:-build/idp}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

measure() {	# label, command...: prints label, seconds, peak RSS in MB
	local label=$1; shift
	/usr/bin/time -f '%e %M' -o "$dir/time" "$@" >/dev/null
	read -r secs kb < "$dir/time"
	echo "$label $secs $((kb / 1024))"
}

read -r _ gsecs grss < <(measure gen "$idp" registry generate --count "$count" --seed 1 --out "$dir/people.csv")
read -r _ isecs irss < <(measure import "$idp" registry import --db "$dir/idp.db" "$dir/people.csv")
printf '%-28s %12s %10s %12s\n' "benchmark" "rows" "seconds" "peak RSS MB"
printf '%-28s %12d %10.2f %12d   %.0f rows/s\n' "registry generate" "$count" "$gsecs" "$grss" \
	"$(echo "$count / $gsecs" | bc -l)"
printf '%-28s %12d %10.2f %12d   %.0f rows/s (target >= 220000, RSS < 64 MB)\n' \
	"registry import" "$count" "$isecs" "$irss" "$(echo "$count / $isecs" | bc -l)"
