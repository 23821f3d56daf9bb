#!/usr/bin/env bash
# Registry benchmark: generation and all-or-nothing import of N synthetic
# people into a fresh database, with wall time, rows/s, peak RSS and CPU
# per row (user + system time of the process / rows). Its ceiling: the same
# rows imported from a file sorted by personal ID,
# which spares SQLite's B-trees the random insertion order.
# Usage: tests/bench/import.sh [--10m] [--json FILE] [IDP]
#   (default 1,000,000 rows; --json appends the rows for tests/bench/run)
set -euo pipefail
count=1000000
json=
while [ $# -gt 0 ]; do
	case $1 in
	--10m) count=10000000; shift ;;
	--json) json=$2; shift 2 ;;
	*) break ;;
	esac
done
idp=${1:-build/idp}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

measure() {	# label, command...: prints label, seconds, peak RSS in KiB, CPU s
	local label=$1; shift
	/usr/bin/time -f '%e %M %U %S' -o "$dir/time" "$@" >/dev/null
	read -r secs kb user sys < "$dir/time"
	echo "$label $secs $kb $(echo "$user + $sys" | bc -l)"
}

num() {	# an expression's value as a JSON number (bc writes ".5")
	printf '%.3f' "$(echo "$1" | bc -l)"
}

row() {	# path, rows, seconds, RSS KiB, CPU s, minimum rows/s, RSS bound MB, ceiling
	[ -n "$json" ] || return 0
	local rss_max=${7:-null} ceilings=${8:+\"$8\"}
	printf '{"kind": "row", "bench": "import", "path": "%s", "rate": %s, "unit": "rows/s", "p50_ms": null, "p99_ms": null, "peak_rss_mb": %s, "cpu_us": %s, "ceilings": [%s], "share_of": null, "bad": 0, "target": {"rate_min": %s, "p99_max_ms": null, "share_min": null, "rss_max_mb": %s}, "note": "%s rows in %s s"}\n' \
		"$1" "$(num "$2 / $3")" "$(num "$4 / 1024")" "$(num "1000000 * $5 / $2")" \
		"$ceilings" "$6" "$rss_max" "$2" "$3" >> "$json"
}

read -r _ gsecs grss gcpu < <(measure gen "$idp" registry generate --count "$count" --seed 1 --out "$dir/people.csv")
read -r _ isecs irss icpu < <(measure import "$idp" registry import --db "$dir/idp.db" "$dir/people.csv")
# The ceiling: the same rows sorted by personal ID, into another fresh database.
{ head -n 1 "$dir/people.csv"; tail -n +2 "$dir/people.csv" | LC_ALL=C sort -t, -k1,1 -T "$dir"; } \
	> "$dir/sorted.csv"
rm -f "$dir/people.csv"
read -r _ ssecs srss scpu < <(measure sorted "$idp" registry import --db "$dir/sorted.db" "$dir/sorted.csv")
printf '%-28s %12s %10s %12s %12s\n' "benchmark" "rows" "seconds" "peak RSS MB" "CPU us/row"
printf '%-28s %12d %10.2f %12d %12.2f   %.0f rows/s\n' "registry generate" "$count" \
	"$gsecs" "$((grss / 1024))" "$(echo "1000000 * $gcpu / $count" | bc -l)" \
	"$(echo "$count / $gsecs" | bc -l)"
printf '%-28s %12d %10.2f %12d %12.2f   %.0f rows/s (target >= 220000, RSS < 64 MB)\n' \
	"registry import" "$count" "$isecs" "$((irss / 1024))" \
	"$(echo "1000000 * $icpu / $count" | bc -l)" "$(echo "$count / $isecs" | bc -l)"
printf '%-28s %12d %10.2f %12d %12.2f   %.0f rows/s (the ceiling)\n' \
	"import of ID-sorted rows" "$count" "$ssecs" "$((srss / 1024))" \
	"$(echo "1000000 * $scpu / $count" | bc -l)" "$(echo "$count / $ssecs" | bc -l)"
# Generation: 1 M rows in under 10 s (the registry issue's target).
row "registry generate" "$count" "$gsecs" "$grss" "$gcpu" 100000
row "registry import" "$count" "$isecs" "$irss" "$icpu" 220000 64 import_sorted
if [ -n "$json" ]; then
	printf '{"kind": "ceiling", "bench": "import", "key": "import_sorted", "name": "registry import of ID-sorted rows", "value": %s, "unit": "/s", "detail": "%s rows in %s s, peak RSS %s MB"}\n' \
		"$(num "$count / $ssecs")" "$count" "$ssecs" "$((srss / 1024))" >> "$json"
fi
