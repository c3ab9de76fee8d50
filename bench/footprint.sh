#!/usr/bin/env bash
# Idle footprint with everything on (issue 19): host, process and container collectors with 20
# running containers, file and Docker logs, remote-write to a stock Prometheus and Loki pushes
# to a sink answering 204, at the default 15 s interval, started by hand (no unit environment).
# Prints binary size, RSS, and how RSS splits into the binary's file pages and anonymous memory.
# Usage: bench/footprint.sh [seconds=120] [containers=20]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds="${1:-120}"; count="${2:-20}"
publish_agent
prefix="footprint-$$"
cleanup() {
  kill "${pid:-}" "${receiver_pid:-}" "${sink_pid:-}" 2>/dev/null || true
  docker ps -aq --filter "name=$prefix" | xargs -r docker rm -f >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
image="${AGENT_TEST_IMAGE:-agent-test/busybox:latest}"
for ((i = 0; i < count; i++)); do
  docker run -d --name "$prefix-$i" "$image" sh -c 'while :; do echo "tick $(date)"; sleep 5; done' >/dev/null
done
rx_port="$(free_port)"; receiver "$rx_port" "$work/rx"
sink_port="$(free_port)"
sink "$sink_port"
mkdir -p "$work/logs"
( while :; do echo "$(date -Is) level=info app line" >> "$work/logs/app.log"; sleep 1; done ) &
writer=$!
port="$(free_port)"
cat > "$work/agent.toml" <<TOML
[agent]
data_dir = "$work/data"
[http]
listen = "127.0.0.1:$port"
[containers]
enabled = true
[logs.docker]
enabled = true
[[logs.files]]
paths = ["$work/logs/*.log"]
[[remote_write]]
url = "http://127.0.0.1:$rx_port/api/v1/write"
[[loki]]
url = "http://127.0.0.1:$sink_port/loki/api/v1/push"
TOML
env -u DOTNET_GCGen0MaxBudget "$bin" run --config "$work/agent.toml" >"$work/agent.log" 2>&1 &
pid=$!
sleep "$seconds"
kill "$writer" 2>/dev/null || true
echo "binary_bytes $(stat -c %s "$bin")"
echo "containers_running $(metric "http://127.0.0.1:$port/metrics" agent_docker_up) engine_up, $(docker ps -q --filter "name=$prefix" | wc -l) of ours"
echo "log_lines_sent $(metric "http://127.0.0.1:$port/metrics" agent_loki_entries_sent_total)"
echo "samples_sent $(metric "http://127.0.0.1:$port/metrics" agent_remote_write_samples_sent_total)"
awk '/VmRSS|VmHWM/ {print $1, $2, $3}' "/proc/$pid/status"
awk '/^Rss|^Pss_Anon|^Pss_File|^Anonymous/ {print "smaps", $1, $2, $3}' "/proc/$pid/smaps_rollup"
