#!/usr/bin/env bash
# Build the graph of a large corpus in shards on one machine with GNU parallel:
# every JSONL shard is extracted apart into a partial graph, then the partials are merged.
#   scripts/shards-parallel.sh corpus/*.jsonl
# merge(extract(shards)) writes the same files, byte for byte, as `kgsmith build corpus/*.jsonl`.
set -euo pipefail
kgsmith=${KGSMITH:-kgsmith}
parts=$(mktemp -d)
trap 'rm -rf "$parts"' EXIT
parallel --halt now,fail=1 "$kgsmith" extract -q -j 1 {} -o "$parts/{#}.kgp" ::: "$@"
"$kgsmith" merge "$parts"/*.kgp -o out -f ttl,graphml,dot
