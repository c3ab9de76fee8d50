#!/usr/bin/env bash
# Binary size and idle RSS of the published agent: host collectors on, pull mode only
# (no monitor needed), sampled after warm-up. Usage: bench/idle.sh [seconds] [interval]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds="${1:-60}"
interval="${2:-15s}"
publish_agent
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port="$(free_port)"
pull_config "$interval" "$port"
"$bin" run --config "$work/agent.toml" >"$work/log" 2>&1 &
pid=$!
sleep "$seconds"
curl -fsS "http://127.0.0.1:$port/metrics" >/dev/null
rss_kb="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
hwm_kb="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
ticks="$(getconf CLK_TCK)"
echo "binary_bytes $(stat -c %s "$bin")"
echo "rss_kib $rss_kb"
echo "peak_rss_kib $hwm_kb"
echo "cpu_seconds $(echo "scale=3; ($utime + $stime) / $ticks" | bc) over ${seconds}s at interval $interval"
