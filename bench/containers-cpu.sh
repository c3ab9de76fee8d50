#!/usr/bin/env bash
# CPU per container collection cycle and RSS of the published agent with N running containers
# (job "cadvisor" only: host and process collectors off), for each N given. The containers are
# busybox `sleep`s from the test image; the script removes them at the end.
# Usage: bench/containers-cpu.sh [seconds] [N ...]    (default: 60 s, N = 10 50 200)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds="${1:-60}"; shift || true
counts=("${@:-10 50 200}"); read -r -a counts <<<"${counts[*]}"
image=agent-test/busybox:latest
publish_agent
agent=""
cleanup() {
  [[ -n "$agent" ]] && kill "$agent" 2>/dev/null || true
  docker ps -aq --filter label=agent-bench=containers | xargs -r docker rm -f >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks="$(getconf CLK_TCK)"

if ! docker image inspect "$image" >/dev/null 2>&1; then
  mkdir -p "$work/root/bin" && cp /bin/busybox "$work/root/bin/" && ln -s busybox "$work/root/bin/sleep"
  tar -C "$work/root" -c . | docker import - "$image" >/dev/null
fi

# run_agent CONTAINERS_ENABLED: starts the agent in pull mode at a 1 s interval
run_agent() {
  local port; port="$(free_port)"
  printf '[agent]\ninterval = "1s"\ndata_dir = "%s/data"\n[http]\nlisten = "127.0.0.1:%s"\n[host]\nenabled = false\n[process]\nenabled = false\n[containers]\nenabled = %s\n' \
    "$work" "$port" "$1" > "$work/agent.toml"
  "$bin" run --config "$work/agent.toml" >"$work/agent.log" 2>&1 &
  agent=$!
  metrics_url="http://127.0.0.1:$port/metrics"
  sleep 5
}

# measure: CPU seconds per cycle over $seconds, then RSS
measure() {
  local before after start end
  before="$(cpu "$agent")"; start="$(date +%s.%N)"
  sleep "$seconds"
  after="$(cpu "$agent")"; end="$(date +%s.%N)"
  per_cycle="$(echo "scale=6; ($after - $before) / $ticks / (($end - $start) / 1)" | bc)"
  rss="$(awk '/VmRSS/ {print $2}' "/proc/$agent/status")"
}

run_agent false
measure
idle="$per_cycle"
echo "baseline (containers off): cpu_seconds_per_cycle $idle rss_kib $rss"
kill "$agent"; wait "$agent" 2>/dev/null || true; agent=""

running=0
for n in "${counts[@]}"; do
  while ((running < n)); do
    docker run -d --label agent-bench=containers --name "bench-c-$running" "$image" sleep 3600 >/dev/null
    running=$((running + 1))
  done
  run_agent true
  measure
  series="$(curl -fsS "$metrics_url" | grep -c '^container_cpu_usage_seconds_total{' || true)"
  collector="$(curl -fsS "$metrics_url" | awk -F' ' '/^agent_scrape_collector_duration_seconds\{collector="containers"/ {print $2}')"
  echo "containers $n: cpu_seconds_per_cycle $per_cycle (minus baseline $(echo "scale=6; $per_cycle - $idle" | bc)) rss_kib $rss containers_reported $series last_collector_wall_seconds ${collector:-n/a}"
  kill "$agent"; wait "$agent" 2>/dev/null || true; agent=""
done
