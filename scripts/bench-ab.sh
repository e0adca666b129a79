#!/usr/bin/env bash
# Compares kgsmith binaries on one input (BENCHMARKS.md, "Comparing two builds"): runs them in
# turn, round after round, so that a drift of the machine's speed hits them alike, and reports per
# binary the best and median wall time, the best user + system time and the largest peak RSS.
# Also checks that every binary wrote the same bytes as the first.
#   scripts/bench-ab.sh [-n ROUNDS] [-j JOBS] INPUT BIN...
#   e.g. scripts/bench-ab.sh -n 3 /tmp/kgsmith-bench/corpus-100.jsonl /tmp/kg-before target/release/kgsmith
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
jobs=2
while getopts "n:j:" opt; do
  case $opt in
    n) rounds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) echo "usage: $0 [-n ROUNDS] [-j JOBS] INPUT BIN..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -lt 2 ]; then
  echo "usage: $0 [-n ROUNDS] [-j JOBS] INPUT BIN..." >&2
  exit 2
fi
input=$1
shift
bins=("$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq "$rounds"); do
  for i in "${!bins[@]}"; do
    /usr/bin/time -o "$work/time" -f "%e %U %S %M" \
      "${bins[$i]}" build "$input" -q -j "$jobs" -o "$work/out-$i" >/dev/null
    echo "$i $(cat "$work/time")" >>"$work/runs"
  done
done
same=yes
for i in "${!bins[@]}"; do
  [ "$i" = 0 ] || diff -rq "$work/out-0" "$work/out-$i" >/dev/null || same=no
done
printf '%-40s %9s %9s %13s %14s\n' binary "best s" "median s" "best user+sys" "peak RSS KiB"
for i in "${!bins[@]}"; do
  awk -v i="$i" '$1 == i { print $2, $3 + $4, $5 }' "$work/runs" | sort -n | awk -v name="${bins[$i]}" '
    { wall[NR] = $1; cpu = (NR == 1 || $2 < cpu) ? $2 : cpu; rss = ($3 > rss) ? $3 : rss }
    END {
      median = (NR % 2) ? wall[(NR + 1) / 2] : (wall[NR / 2] + wall[NR / 2 + 1]) / 2
      printf "%-40s %9.2f %9.2f %13.2f %14d\n", name, wall[1], median, cpu, rss
    }'
done
echo "outputs identical to the first binary's: $same"
[ "$same" = yes ]
