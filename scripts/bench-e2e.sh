#!/usr/bin/env bash
# End-to-end benchmark (BENCHMARKS.md): generate a deterministic synthetic French corpus of the
# given sizes, then time `kgsmith build` (read, extract, build the graph, write Turtle + GraphML +
# DOT) on it as files and as one JSONL, reporting MB/s, documents/s and peak RSS.
#   scripts/bench-e2e.sh 100 300        # sizes in MB; default 100
#   CORPUS=real scripts/bench-e2e.sh 100 # the repo's real articles, repeated, instead
#   CORPUS=real META=1 scripts/bench-e2e.sh 1000 # JSONL records with a title, URL and date too
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100}")
jobs=${JOBS:-2}
corpus=${CORPUS:-generated}
case $corpus in
  generated) gen=(); name=corpus; prefix= ;;
  real) gen=(--real); name=real; prefix=real- ;;
  *) echo "CORPUS must be generated or real" >&2; exit 2 ;;
esac
# with META=1, the JSONL records carry a title, a URL and a date, as a news archive's do (the files
# have none: only the JSONL row is run)
meta=()
if [ "${META:-0}" = 1 ]; then meta=(--meta); name=$name-meta; fi
work=${BENCH_DIR:-/tmp/kgsmith-bench}
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/kgsmith
printf '%-8s %-6s %10s %8s %10s %12s %10s\n' size input documents seconds "MB/s" "documents/s" "peak RSS"
for mb in "${sizes[@]}"; do
  files=$work/files-$prefix$mb jsonl=$work/$name-$mb.jsonl
  inputs=("$jsonl")
  if [ ${#meta[@]} = 0 ]; then
    inputs=("$files" "$jsonl")
    [ -d "$files" ] || python3 scripts/gen-corpus.py "${gen[@]}" --mb "$mb" --out "$files" >/dev/null
  fi
  [ -f "$jsonl" ] || python3 scripts/gen-corpus.py "${gen[@]}" "${meta[@]}" --mb "$mb" --jsonl "$jsonl" >/dev/null
  for input in "${inputs[@]}"; do
    kind=$([ -d "$input" ] && echo files || echo jsonl)
    # read once untimed, so that every row runs from the page cache (the first run over a
    # corpus just generated, or evicted by a larger one, would time the disk instead)
    find "$input" -type f -print0 | xargs -0 cat >/dev/null
    /usr/bin/time -v "$bin" build "$input" -j "$jobs" -o "$work/out" 2>"$work/time.txt" >"$work/summary.txt"
    docs=$(grep -o '^kgsmith: [0-9]*' "$work/summary.txt" | grep -o '[0-9]*$')
    wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(grep 'Maximum resident' "$work/time.txt" | awk '{print $NF}')
    awk -v mb="$mb" -v k="$kind" -v d="$docs" -v w="$wall" -v r="$rss" \
      'BEGIN { printf "%-8s %-6s %10d %8.2f %10.1f %12.0f %8.0f MiB\n", mb " MB", k, d, w, mb / w, d / w, r / 1024 }'
  done
done
