#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Host latency on 1 and 2 cores, without and with competing load, side by
# side: runs bench_host once as the machine is, then again with one busy
# process per core (a shell loop this script starts, and stops by its pid).
# Run it on an idle machine for the "idle" figures.
#   bench/host_idle_loaded.sh [BENCH_HOST] [PAIRS]
# BENCH_HOST defaults to build/release/bench/bench_host, PAIRS to 1000.
set -eu
bench=${1:-build/release/bench/bench_host}
pairs=${2:-1000}
[ -x "$bench" ] || { echo "usage: $0 [BENCH_HOST] [PAIRS] ('$bench' is not an executable)" >&2; exit 2; }
cores=$(nproc)
out=$(mktemp -d)
pids=""
stop_load() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  pids=""
}
trap 'stop_load; rm -rf "$out"' EXIT
trap 'exit 1' INT TERM

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $cores cores; $pairs inferences per model and core count"
"$bench" --tsv "$pairs" > "$out/idle"
i=0
while [ "$i" -lt "$cores" ]; do
  sh -c 'while :; do :; done' &
  pids="$pids $!"
  i=$((i + 1))
done
sleep 1
"$bench" --tsv "$pairs" > "$out/loaded"
stop_load

echo
echo "latency of one inference (ms): median (p10 speedup); loaded: one busy process per core besides the benchmark"
echo
echo "| model | 1 core | 2 cores | speedup | p10 speedup | CPU ms / 2-core inf. | loaded: 1 core | 2 cores | speedup | p10 speedup | CPU ms / 2-core inf. |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -F'\t' 'NR == FNR { idle[$1] = $0; order[++n] = $1; next } { loaded[$1] = $0 }
  END {
    for (k = 1; k <= n; ++k) {
      split(idle[order[k]], a, "\t"); split(loaded[order[k]], b, "\t")
      printf "| %s | %.3f | %.3f | %.2fx | %.2fx | %.3f | %.3f | %.3f | %.2fx | %.2fx | %.3f |\n", order[k],
        a[2], a[3], a[2] / a[3], a[4] / a[5], a[6], b[2], b[3], b[2] / b[3], b[4] / b[5], b[6]
    }
  }' "$out/idle" "$out/loaded"
