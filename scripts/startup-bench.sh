#!/usr/bin/env bash
# Measures how long `passport serve` takes to answer /readyz on an empty data
# directory, and its resident memory once idle. Usage: scripts/startup-bench.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=$(mktemp -d)/passport
go build -trimpath -o "$bin" ./cmd/passport
port=18089
for i in $(seq "$runs"); do
  data=$(mktemp -d)
  start=$(date +%s%N)
  "$bin" serve --data "$data" --listen 127.0.0.1:$port >/dev/null 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.002; done
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 5
  rss_kib=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill -TERM $pid
  wait $pid
  echo "run $i: ready in ${ready_ms} ms, idle RSS $((rss_kib / 1024)) MiB"
  rm -rf "$data"
done
