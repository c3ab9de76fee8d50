#!/usr/bin/env bash
# RSS of the published agent over time with all host collectors at a short interval, pull
# mode. Prints one "seconds rss_kib" line per sample. Usage: bench/rss.sh [minutes] [interval]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
interval="${2:-1s}"
./build.sh publish linux-x64 >/dev/null
bin=artifacts/linux-x64/agent
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
printf '[agent]\ninterval = "%s"\ndata_dir = "%s/data"\n[http]\nlisten = "127.0.0.1:%s"\n' "$interval" "$work" "$port" > "$work/agent.toml"
"$bin" run --config "$work/agent.toml" >"$work/log" 2>&1 &
pid=$!
for ((s = 0; s <= minutes * 60; s += 30)); do
  sleep 30
  curl -fsS "http://127.0.0.1:$port/metrics" >/dev/null
  echo "$((s + 30)) $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
done
