#!/usr/bin/env bash
# Metrics through a monitor outage, side by side (issue 13). A stock Prometheus receiver is
# stopped for OUTAGE seconds while three senders push at a 1 s interval: the published agent
# (buffer = "disk"), vmagent scraping node_exporter (-remoteWrite.tmpDataPath) and Prometheus
# in agent mode scraping node_exporter. Inside the outage every sender is stopped with SIGTERM
# once and killed with -9 twice, each time restarted at once. The receiver then starts again on
# the same data directory; after DRAIN seconds every sender is stopped and, per sender, the 1 s
# cycles it ran are set against the cycles stored in the receiver.
# Usage: bench/outage.sh [outage_seconds=600] [drain_seconds=180]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
outage="${1:-600}"; drain="${2:-180}"
publish_agent
declare -A pid=() started=() ran=()
cleanup() { for p in "${pid[@]}" "${receiver_pid:-}" "${exporter:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

rx_port="$(free_port)"; rx="http://127.0.0.1:$rx_port"
ne_port="$(free_port)"
prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" >"$work/ne.log" 2>&1 &
exporter=$!
agent_port="$(free_port)"
printf '[agent]\nhostname = "bench-agent"\ninterval = "1s"\ndata_dir = "%s/agent"\n[http]\nlisten = "127.0.0.1:%s"\n[process]\nenabled = false\n[containers]\nenabled = false\n[[remote_write]]\nurl = "%s/api/v1/write"\nbuffer = "disk"\n' \
  "$work" "$agent_port" "$rx" > "$work/agent.toml"
scrape() { printf 'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n        labels: {sender: %s}\n' "$ne_port" "$1"; }
scrape vmagent > "$work/vmagent.yml"
{ scrape promagent; printf 'remote_write:\n  - url: %s/api/v1/write\n' "$rx"; } > "$work/promagent.yml"
vm_port="$(free_port)"; pa_port="$(free_port)"

start() {
  case "$1" in
    agent) "$bin" run --config "$work/agent.toml" >>"$work/agent.log" 2>&1 & ;;
    vmagent) vmagent -promscrape.config="$work/vmagent.yml" -remoteWrite.url="$rx/api/v1/write" -remoteWrite.tmpDataPath="$work/vmagent" \
      -httpListenAddr="127.0.0.1:$vm_port" -loggerLevel=WARN >>"$work/vmagent.log" 2>&1 & ;;
    promagent) prometheus --enable-feature=agent --config.file="$work/promagent.yml" --storage.agent.path="$work/promagent" \
      --web.listen-address="127.0.0.1:$pa_port" >>"$work/promagent.log" 2>&1 & ;;
  esac
  pid[$1]=$!; started[$1]="$(date +%s.%N)"
}
# stop SENDER SIGNAL: adds the run's whole seconds to ran[SENDER]
stop() {
  kill "-$2" "${pid[$1]}"; wait "${pid[$1]}" 2>/dev/null || true
  ran[$1]=$(( ${ran[$1]:-0} + $(echo "($(date +%s.%N) - ${started[$1]}) / 1" | bc) ))
}
senders=(agent vmagent promagent)

receiver "$rx_port" "$work/rx"
begin="$(date +%s)"
for s in "${senders[@]}"; do start "$s"; done
sleep 30
kill -TERM "$receiver_pid"; wait "$receiver_pid" 2>/dev/null || true
echo "receiver down for $outage s"
for step in TERM KILL KILL; do
  sleep "$(( outage / 4 ))"
  for s in "${senders[@]}"; do stop "$s" "$step"; start "$s"; done
  echo "senders restarted after SIG$step"
done
sleep "$(( outage - 3 * (outage / 4) ))"
receiver "$rx_port" "$work/rx"
back="$(date +%s.%N)"
agent_metrics="http://127.0.0.1:$agent_port/metrics"
drained=""
for ((i = 0; i < drain * 4; i++)); do
  if [[ -z "$drained" && "$(metric "$agent_metrics" agent_remote_write_buffer_records)" == 0 ]]; then
    drained="$(echo "$(date +%s.%N) - $back" | bc)"
  fi
  sleep 0.25
done
for s in "${senders[@]}"; do stop "$s" TERM; done
end="$(date +%s)"; sleep 2
window="$(( end - begin + 5 ))s"

# The agent's own cycle counter restarts with every run: the last value of each run is its cycle count.
agent_counted="$(curl -fsS "$rx/api/v1/query" --data-urlencode "query=agent_collection_cycles_total{host=\"bench-agent\"}[$window]" --data-urlencode "time=$end" |
  python3 -c 'import json,sys
v=[float(p[1]) for p in json.load(sys.stdin)["data"]["result"][0]["values"]]
print(int(sum(x for i,x in enumerate(v) if i+1==len(v) or v[i+1]<=x)))')"
agent_stored="$(promql "$rx" "count_over_time(node_load1{host=\"bench-agent\"}[$window])" "$end")"
echo "outage ${outage} s, SIGTERM + 2 x kill -9 inside it, receiver back for ${drain} s"
printf '%-10s %8s %8s %8s\n' sender ran stored share
for s in "${senders[@]}"; do
  if [[ "$s" == agent ]]; then stored="$agent_stored"; else stored="$(promql "$rx" "count_over_time(node_load1{sender=\"$s\"}[$window])" "$end")"; fi
  printf '%-10s %8s %8s %7.1f%%\n' "$s" "${ran[$s]}" "$stored" "$(echo "scale=3; 100 * $stored / ${ran[$s]}" | bc)"
done
echo "agent cycles by its own counter (runs' last values): $agent_counted"
echo "agent buffer drained ${drained:-not within $drain} s after the receiver came back"
for s in "${senders[@]}"; do
  who="$s"; [[ "$s" == agent ]] && who=bench-agent
  echo "receiver out-of-order refusals for $s: $(grep -i "out of order" "$work/rx/log" | grep -c -- "$who" || true)"
done
