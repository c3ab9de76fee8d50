#!/usr/bin/env bash
# How fast a 30-minute backlog drains (issue 13). With the receiver down, the published agent
# (host + process collectors, buffer = "disk") runs at a 100 ms interval for 180 s: 1,800
# cycles, what 30 minutes at 1 s would buffer. Then it is stopped, the stock Prometheus
# receiver starts, the agent starts again at 1 s, and we time until its buffer is empty.
# Usage: bench/drain.sh [cycles=1800]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
cycles="${1:-1800}"
publish_agent
agent=""; receiver_pid=""
trap 'kill "$agent" "$receiver_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
rx_port="$(free_port)"; port="$(free_port)"
config() {
  printf '[agent]\ninterval = "%s"\ndata_dir = "%s/data"\n[http]\nlisten = "127.0.0.1:%s"\n[containers]\nenabled = false\n[[remote_write]]\nurl = "http://127.0.0.1:%s/api/v1/write"\nbuffer = "disk"\n' \
    "$1" "$work" "$port" "$rx_port" > "$work/agent.toml"
}
url="http://127.0.0.1:$port/metrics"
config 100ms
"$bin" run --config "$work/agent.toml" >"$work/agent.log" 2>&1 &
agent=$!
until [[ "$(metric "$url" agent_collection_cycles_total)" -ge "$cycles" ]] 2>/dev/null; do sleep 0.5; done
kill "$agent"; wait "$agent" 2>/dev/null || true
backlog_bytes="$(du -sb "$work/data/remote_write" | cut -f1)"
receiver "$rx_port" "$work/rx"
config 1s
start="$(date +%s.%N)"
"$bin" run --config "$work/agent.toml" >>"$work/agent.log" 2>&1 &
agent=$!
sleep 1
until [[ "$(metric "$url" agent_remote_write_buffer_records)" == 0 ]]; do sleep 0.1; done
took="$(echo "$(date +%s.%N) - $start" | bc)"
sent="$(metric "$url" agent_remote_write_samples_sent_total)"
printf 'backlog %d cycles, %d bytes on disk; drained %d samples in %.1f s (%.0f samples/s), rejected %s\n' \
  "$cycles" "$backlog_bytes" "$sent" "$took" "$(echo "$sent / $took" | bc)" "$(curl -fsS "$url" | awk '/reason="rejected"/ {print $2}')"
grep -E "catching up" "$work/agent.log" | tail -1
