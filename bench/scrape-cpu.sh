#!/usr/bin/env bash
# CPU per 100,000 scraped samples, side by side on one target: the published agent, vmagent
# (Debian victoria-metrics) and Prometheus in agent mode scrape the same static file of N series
# served by nginx, each pushing remote-write to an nginx location that answers 204 and discards.
# Scrapes are counted from nginx's access log (by User-Agent; vmagent's scraper says vm_promscrape once, then Go-http-client), CPU from /proc/<pid>/stat over the
# measured window (after one warm-up interval, so every scraper has built its series cache).
# Usage: bench/scrape-cpu.sh [seconds] [series] [interval]   (default: 120 s, 50000, 10s)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds="${1:-120}"; series="${2:-50000}"; interval="${3:-10s}"
publish_agent
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [[ -n "${KEEP:-}" ]] || rm -rf "$work"' EXIT
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks="$(getconf CLK_TCK)"

# The target: N series in 500 families, three labels each, as an application exporter writes them.
mkdir -p "$work/www" "$work/nginx"
chmod 755 "$work" "$work/www"  # nginx workers run as nobody
python3 - "$series" >"$work/www/metrics" <<'PY'
import random, sys
n = int(sys.argv[1]); per = max(1, n // 500); random.seed(1)
written = 0
for f in range(500):
    name = f"app_bench_metric_{f}_total"
    print(f"# HELP {name} Benchmark family {f}.\n# TYPE {name} counter")
    for i in range(per):
        if written == n: break
        print(f'{name}{{handler="/api/v1/resource/{i % 50}",method="{("GET","POST","PUT","DELETE")[i % 4]}",shard="{i // 50}"}} {random.random() * 1e6:.3f}')
        written += 1
PY
target_port="$(free_port)"; sink_port="$(free_port)"
cat >"$work/nginx/nginx.conf" <<CONF
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
worker_processes 1;
events { worker_connections 256; }
http {
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  log_format ua '\$http_user_agent';
  server {
    listen 127.0.0.1:$target_port;
    access_log $work/nginx/scrapes.log ua;
    default_type "text/plain; version=0.0.4";
    root $work/www;
  }
  server {
    listen 127.0.0.1:$sink_port;
    access_log off;
    client_max_body_size 64m;
    location / { return 204; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
sleep 1
curl -fsS "http://127.0.0.1:$target_port/metrics" | grep -vc '^#' | sed 's/^/target series: /'

# The agent: scraping only (collectors off), a queue that holds a few scrapes.
printf '[agent]\ninterval = "%s"\ndata_dir = "%s/data"\n[http]\nlisten = ""\n[host]\nenabled = false\n[process]\nenabled = false\n[containers]\nenabled = false\n[logs.docker]\nenabled = false\n[[remote_write]]\nurl = "http://127.0.0.1:%s/api/v1/write"\ncapacity = %s\n[[scrape]]\njob_name = "bench"\ntargets = ["127.0.0.1:%s"]\n' \
  "$interval" "$work" "$sink_port" "$((series * 4))" "$target_port" >"$work/agent.toml"
"$bin" run --config "$work/agent.toml" >"$work/agent.log" 2>&1 &
agent=$!; pids+=("$agent")

printf 'scrape_configs:\n  - job_name: bench\n    scrape_interval: %s\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$interval" "$target_port" >"$work/scrape.yml"
vmagent -promscrape.config="$work/scrape.yml" -remoteWrite.url="http://127.0.0.1:$sink_port/api/v1/write" \
  -remoteWrite.tmpDataPath="$work/vmagent" -httpListenAddr="127.0.0.1:$(free_port)" >"$work/vmagent.log" 2>&1 &
vmagent=$!; pids+=("$vmagent")

{ printf 'global:\n  scrape_interval: %s\n' "$interval"; tail -n +1 "$work/scrape.yml"; printf 'remote_write:\n  - url: http://127.0.0.1:%s/api/v1/write\n' "$sink_port"; } >"$work/prometheus.yml"
prometheus --enable-feature=agent --config.file="$work/prometheus.yml" --storage.agent.path="$work/prom-agent" \
  --web.listen-address="127.0.0.1:$(free_port)" >"$work/prometheus.log" 2>&1 &
prom=$!; pids+=("$prom")

warmup="${interval%s}"; sleep "$((warmup + 5))"
count() { grep -c "$@" "$work/nginx/scrapes.log" || true; }
a0="$(cpu "$agent")"; v0="$(cpu "$vmagent")"; p0="$(cpu "$prom")"
as0="$(count '^agent/')"; vs0="$(count -E '^(vm_promscrape|Go-http-client)')"; ps0="$(count '^Prometheus/')"
sleep "$seconds"
a1="$(cpu "$agent")"; v1="$(cpu "$vmagent")"; p1="$(cpu "$prom")"
as1="$(count '^agent/')"; vs1="$(count -E '^(vm_promscrape|Go-http-client)')"; ps1="$(count '^Prometheus/')"

report() { # name cpu_before cpu_after scrapes_before scrapes_after pid
  local scrapes=$(($5 - $4)) secs
  secs="$(echo "scale=4; ($3 - $2) / $ticks" | bc)"
  if ((scrapes == 0)); then echo "$1: no scrapes in the window"; return; fi
  echo "$1: cpu_seconds $secs scrapes $scrapes cpu_seconds_per_100k_samples $(echo "scale=4; $secs / ($scrapes * $series / 100000)" | bc) rss_kib $(awk '/VmRSS/ {print $2}' "/proc/$6/status")"
}
report agent "$a0" "$a1" "$as0" "$as1" "$agent"
report vmagent "$v0" "$v1" "$vs0" "$vs1" "$vmagent"
report prometheus-agent "$p0" "$p1" "$ps0" "$ps1" "$prom"
grep -h -i -E "error|warn|fail" "$work/agent.log" | head -5 || true
