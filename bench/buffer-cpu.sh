#!/usr/bin/env bash
# What the disk buffer costs (issue 13): the published agent pushing host + process metrics at
# a 1 s interval to a live stock Prometheus, SECONDS with buffer = "memory", then SECONDS with
# buffer = "disk". Prints CPU seconds per cycle (/proc/<pid>/stat) and bytes written to storage
# per sample sent (/proc/<pid>/io write_bytes: segments, ledger and fsyncs included).
# Usage: bench/buffer-cpu.sh [seconds=120] [rounds=2] [process=true]  (false: host collectors only,
# a steadier sample count on a machine whose process count moves)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds="${1:-120}"; rounds="${2:-2}"; process="${3:-true}"
publish_agent
agent=""
trap 'kill "$agent" "$receiver_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
written() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }
ticks="$(getconf CLK_TCK)"
rx_port="$(free_port)"
receiver "$rx_port" "$work/rx"

for ((round = 1; round <= rounds; round++)); do
  for buffer in memory disk; do
    port="$(free_port)"
    rm -rf "$work/data"
    printf '[agent]\ninterval = "1s"\ndata_dir = "%s/data"\n[http]\nlisten = "127.0.0.1:%s"\n[process]\nenabled = %s\n[containers]\nenabled = false\n[[remote_write]]\nurl = "http://127.0.0.1:%s/api/v1/write"\nbuffer = "%s"\n' \
      "$work" "$port" "$process" "$rx_port" "$buffer" > "$work/agent.toml"
    "$bin" run --config "$work/agent.toml" >"$work/agent.log" 2>&1 &
    agent=$!
    sleep 10
    url="http://127.0.0.1:$port/metrics"
    cpu0="$(cpu "$agent")"; w0="$(written "$agent")"; s0="$(metric "$url" agent_remote_write_samples_sent_total)"; c0="$(metric "$url" agent_collection_cycles_total)"
    sleep "$seconds"
    cpu1="$(cpu "$agent")"; w1="$(written "$agent")"; s1="$(metric "$url" agent_remote_write_samples_sent_total)"; c1="$(metric "$url" agent_collection_cycles_total)"
    kill "$agent"; wait "$agent" 2>/dev/null || true; agent=""
    samples=$((s1 - s0)); cycles=$((c1 - c0))
    printf 'round %d buffer %-6s cpu_seconds_per_cycle %.5f  samples_per_cycle %d  written_bytes_per_sample %.1f  (%d cycles)\n' \
      "$round" "$buffer" "$(echo "scale=6; ($cpu1 - $cpu0) / $ticks / $cycles" | bc)" $((samples / cycles)) \
      "$(echo "scale=3; ($w1 - $w0) / $samples" | bc)" "$cycles"
  done
done
