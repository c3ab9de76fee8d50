#!/usr/bin/env bash
# Months in minutes (issue 19): the published agent with file and Docker logs, host, process and
# container collectors at a 1 s interval, while ROTATIONS rename rotations of a log, CONTAINERS
# containers created, run and removed, and PROCESSES short-lived processes go by. Prints RSS,
# open descriptors, positions.json entries and series on /metrics after warm-up and at the end,
# when they should be back to their size.
# Usage: bench/months.sh [rotations=1000] [containers=100] [processes=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rotations="${1:-1000}"; containers="${2:-100}"; processes="${3:-2000}"
publish_agent
prefix="months-$$"
cleanup() {
  kill "${pid:-}" "${sink_pid:-}" 2>/dev/null || true
  docker ps -aq --filter "name=$prefix" | xargs -r docker rm -f >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
sink_port="$(free_port)"
sink "$sink_port"
mkdir -p "$work/logs"; : > "$work/logs/app.log"
port="$(free_port)"
cat > "$work/agent.toml" <<TOML
[agent]
interval = "1s"
data_dir = "$work/data"
[http]
listen = "127.0.0.1:$port"
[containers]
enabled = true
[logs.docker]
enabled = true
[[logs.files]]
paths = ["$work/logs/app.log"]
[[loki]]
url = "http://127.0.0.1:$sink_port/loki/api/v1/push"
TOML
"$bin" run --config "$work/agent.toml" >"$work/agent.log" 2>&1 &
pid=$!
state() {
  local entries series
  entries="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["files"]), len(d["containers"]))' "$work/data/positions.json" 2>/dev/null || echo "? ?")"
  series="$(curl -fsS "http://127.0.0.1:$port/metrics" | grep -vc '^#')"
  echo "$1: rss_kib $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") fds $(ls "/proc/$pid/fd" | wc -l) positions_files_containers $entries metrics_series $series"
}
sleep 20
state "warm"
start=$(date +%s)
for ((r = 0; r < rotations; r++)); do
  echo "line $r" >> "$work/logs/app.log"
  mv "$work/logs/app.log" "$work/logs/app.log.$((r % 5))"
  : > "$work/logs/app.log"
  sleep 0.05
done
echo "rotations: $rotations in $(( $(date +%s) - start )) s"
start=$(date +%s)
for ((c = 0; c < containers; c++)); do
  docker run -d --name "$prefix-$c" agent-test/busybox:latest sh -c 'echo hello; sleep 2' >/dev/null
  if (( c >= 8 )); then docker rm -f "$prefix-$((c - 8))" >/dev/null; fi
done
docker ps -aq --filter "name=$prefix" | xargs -r docker rm -f >/dev/null
echo "containers: $containers created and removed in $(( $(date +%s) - start )) s"
start=$(date +%s)
for ((p = 0; p < processes; p++)); do /bin/true; done
echo "processes: $processes in $(( $(date +%s) - start )) s"
sleep 30
state "end"
