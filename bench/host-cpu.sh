#!/usr/bin/env bash
# CPU seconds per host collection: the published agent (all default host collectors, 1 s
# interval, pull mode) against Debian's prometheus-node-exporter (default collectors,
# scraped once per second), same host, same run. Usage: bench/host-cpu.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds="${1:-120}"
publish_agent
trap 'kill "$agent" "$exporter" 2>/dev/null || true; rm -rf "$work"' EXIT
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks="$(getconf CLK_TCK)"

ne_port="$(free_port)"
prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" >"$work/ne.log" 2>&1 &
exporter=$!
agent_port="$(free_port)"
pull_config 1s "$agent_port"
# Host collection only: per-process metrics are measured by bench/process-cpu.sh.
printf '[process]\nenabled = false\n' >>"$work/agent.toml"
"$bin" run --config "$work/agent.toml" >"$work/agent.log" 2>&1 &
agent=$!
sleep 5
curl -fsS "http://127.0.0.1:$ne_port/metrics" >/dev/null

ne_before="$(cpu "$exporter")"; agent_before="$(cpu "$agent")"; start="$(date +%s.%N)"
for ((i = 0; i < seconds; i++)); do
  curl -fsS "http://127.0.0.1:$ne_port/metrics" >/dev/null
  sleep 1
done
ne_after="$(cpu "$exporter")"; agent_after="$(cpu "$agent")"; end="$(date +%s.%N)"
cycles="$(echo "($end - $start) / 1" | bc)"
ne_per="$(echo "scale=6; ($ne_after - $ne_before) / $ticks / $seconds" | bc)"
agent_per="$(echo "scale=6; ($agent_after - $agent_before) / $ticks / $cycles" | bc)"
echo "node_exporter cpu_seconds_per_scrape $ne_per ($seconds scrapes)"
echo "agent cpu_seconds_per_cycle $agent_per ($cycles cycles, collection + idle overhead)"
echo "ratio $(echo "scale=3; $agent_per / $ne_per" | bc)"
echo "node_exporter rss_kib $(awk '/VmRSS/ {print $2}' "/proc/$exporter/status")"
echo "agent rss_kib $(awk '/VmRSS/ {print $2}' "/proc/$agent/status")"
