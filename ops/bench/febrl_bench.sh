#!/bin/sh
# Record linkage on FEBRL 4 (FEBRL, Australian National University; via the Python Record Linkage Toolkit):
# dataset4a against dataset4b, 5,000 records each, 5,000 true links. Converts the files (febrl_to_jsonl.sh), runs
# `gateway link` with ops/bench/febrl4.linkage.json under GNU time, and prints pairwise precision, recall and F1,
# the pairs compared, wall time, CPU time and peak RSS.
#
# Usage: ops/bench/febrl_bench.sh [DATA_DIR]   (default: ../shared/data/febrl beside the repository)
# Environment: BUILD_DIR (default build/), GATEWAY (the executable; default $BUILD_DIR/gateway/gateway),
#              THREADS (default: all cores), KEEP (a folder to keep the input, clusters, review pairs and model in).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
gateway=${GATEWAY:-$build/gateway/gateway}
data=${1:-$root/../shared/data/febrl}
threads=${THREADS:-$(nproc)}
config=$root/ops/bench/febrl4.linkage.json

if [ ! -x "$gateway" ]; then
    echo "$0: $gateway: not built (ops/build.sh, or set BUILD_DIR or GATEWAY)" >&2
    exit 69
fi
if [ -n "${KEEP:-}" ]; then
    work=$KEEP
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/febrl-bench.XXXXXX")
    trap 'rm -rf "$work"' EXIT INT TERM
fi

"$root/ops/bench/febrl_to_jsonl.sh" "$data" "$work/febrl4.jsonl" "$work/febrl4_truth.csv"
records=$(wc -l <"$work/febrl4.jsonl" | tr -d ' ')

load=$(cut -d' ' -f1-3 /proc/loadavg)
set -- "$gateway" link --input "$work/febrl4.jsonl" --config "$config" --out "$work/clusters.csv" \
    --truth "$work/febrl4_truth.csv" --review-out "$work/review.csv" --model-out "$work/model.json" \
    --threads "$threads"
if [ -x /usr/bin/time ]; then
    status=0
    /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/stdout.txt" 2>"$work/stderr.txt" || status=$?
else
    echo "$0: /usr/bin/time (GNU time) is missing: no peak RSS (apt-get install time)" >&2
    start=$(date +%s)
    status=0
    "$@" >"$work/stdout.txt" 2>"$work/stderr.txt" || status=$?
    echo "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:$(($(date +%s) - start))" >"$work/time.txt"
fi
if [ "$status" -ne 0 ]; then
    cat "$work/stderr.txt" >&2
    echo "$0: gateway link failed (exit $status)" >&2
    exit 1
fi

score=$(tail -n 1 "$work/stdout.txt")
summary=$(grep '^link: [0-9]* records, ' "$work/stderr.txt" | tail -n 1)
truth_line=$(grep '^link: truth: ' "$work/stderr.txt" | tail -n 1)
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, part, ":"); s = 0
    for (i = 1; i <= n; ++i) s = s * 60 + part[i]
    printf "%.2f", s }' "$work/time.txt")
rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$work/time.txt")
cpu=$(awk -F': ' '/User time \(seconds\)/ { u = $2 } /System time \(seconds\)/ { s = $2 }
    END { if (u != "") printf "%.2f", u + s }' "$work/time.txt")

echo "FEBRL 4 (FEBRL, Australian National University; via the Python Record Linkage Toolkit)"
echo "machine:        $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "records:        $records (dataset4a + dataset4b), threads $threads"
echo "config:         ops/bench/febrl4.linkage.json"
echo "$summary" | sed -E 's/^link: [0-9]+ records, ([0-9]+) pairs compared, ([0-9]+) deterministic and ([0-9]+) scored links, ([0-9]+) held back, ([0-9]+) persons, ([0-9]+) for review.*/pairs compared: \1\nlinks:          \3 scored, \2 deterministic, \4 held back\npersons:        \5\nfor review:     \6/'
grep '^link:   ' "$work/stderr.txt" | sed -E 's/^link:   /  by rule:      /'
echo "$truth_line" | sed -E 's/^.*pairs: ([0-9]+) true, ([0-9]+) predicted, ([0-9]+) correct.*/true pairs:     \1, predicted \2, correct \3/'
echo "wall time:      ${wall} s (CPU user+sys ${cpu:-n/a} s; load average before the run: $load)"
echo "peak RSS:       ${rss:-n/a} MB"
echo "$score"
