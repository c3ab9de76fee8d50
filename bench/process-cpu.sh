#!/usr/bin/env bash
# CPU seconds per process collection: the published agent ([process] defaults: every process
# with a command line grouped by comm, threads on; host collectors off; 1 s interval, pull mode)
# against Debian's prometheus-process-exporter with the same grouping (its packaged config,
# threads on, smaps off), scraped once per second, same host, same run. For each level the
# script first tops the host up to that many live processes with sleepers, then measures both.
# Usage: bench/process-cpu.sh [seconds per level] [levels...]   (default: 30 100 1000 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds="${1:-30}"
shift || true
levels=("$@")
[[ ${#levels[@]} -eq 0 ]] && levels=(100 1000 5000)
publish_agent
sleepers=()
stop_sleepers() { if ((${#sleepers[@]})); then kill "${sleepers[@]}" 2>/dev/null || true; wait "${sleepers[@]}" 2>/dev/null || true; fi; sleepers=(); }
trap 'kill "${agent:-}" "${exporter:-}" 2>/dev/null || true; stop_sleepers; rm -rf "$work"' EXIT
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
live() { find /proc -maxdepth 1 -name '[0-9]*' | wc -l; }
ticks="$(getconf CLK_TCK)"
printf 'process_names:\n  - name: "{{.Comm}}"\n    cmdline:\n    - ".+"\n' >"$work/pe.yml"

for level in "${levels[@]}"; do
  stop_sleepers
  while (( $(live) < level )); do
    for ((i = $(live); i < level; i++)); do sleep 3600 & sleepers+=($!); done
    sleep 1
  done
  procs="$(live)"

  agent_port="$(free_port)"
  printf '[agent]\ninterval = "1s"\ndata_dir = "%s/data"\n[http]\nlisten = "127.0.0.1:%s"\n[host]\nenabled = false\n' "$work" "$agent_port" >"$work/agent.toml"
  "$bin" run --config "$work/agent.toml" >"$work/agent.log" 2>&1 &
  agent=$!
  sleep 5
  before="$(cpu "$agent")"; start="$(date +%s.%N)"
  sleep "$seconds"
  after="$(cpu "$agent")"; end="$(date +%s.%N)"
  agent_rss="$(awk '/VmRSS/ {print $2}' "/proc/$agent/status")"
  kill "$agent"; wait "$agent" 2>/dev/null || true
  cycles="$(echo "($end - $start) / 1" | bc)"
  agent_per="$(echo "scale=6; ($after - $before) / $ticks / $cycles" | bc)"

  pe_port="$(free_port)"
  prometheus-process-exporter -config.path "$work/pe.yml" -gather-smaps=false -web.listen-address "127.0.0.1:$pe_port" >"$work/pe.log" 2>&1 &
  exporter=$!
  # Its first pass over /proc happens before it listens: seconds with thousands of processes.
  until curl -fsS "http://127.0.0.1:$pe_port/metrics" >/dev/null 2>&1; do sleep 1; done
  before="$(cpu "$exporter")"; scrapes=0; start="$(date +%s)"
  while (( $(date +%s) - start < seconds )); do
    curl -fsS "http://127.0.0.1:$pe_port/metrics" >/dev/null
    scrapes=$((scrapes + 1))
    sleep 1
  done
  after="$(cpu "$exporter")"
  pe_rss="$(awk '/VmRSS/ {print $2}' "/proc/$exporter/status")"
  kill "$exporter"; wait "$exporter" 2>/dev/null || true
  pe_per="$(echo "scale=6; ($after - $before) / $ticks / $scrapes" | bc)"

  echo "processes $procs: agent cpu_seconds_per_cycle $agent_per ($cycles cycles, rss ${agent_rss} KiB)," \
    "process-exporter cpu_seconds_per_scrape $pe_per ($scrapes scrapes, rss ${pe_rss} KiB), ratio $(echo "scale=3; $agent_per / $pe_per" | bc)"
done
