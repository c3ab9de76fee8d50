#!/usr/bin/env bash
# RSS of the published agent over time with all host collectors at a short interval, pull
# mode. Prints one "seconds rss_kib" line per sample. Usage: bench/rss.sh [minutes] [interval]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
minutes="${1:-10}"
interval="${2:-1s}"
publish_agent
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port="$(free_port)"
pull_config "$interval" "$port"
"$bin" run --config "$work/agent.toml" >"$work/log" 2>&1 &
pid=$!
for ((s = 0; s <= minutes * 60; s += 30)); do
  sleep 30
  curl -fsS "http://127.0.0.1:$port/metrics" >/dev/null
  echo "$((s + 30)) $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
done
