# Shared by the bench/*.sh scripts: publish the agent, a scratch directory, free ports, and a
# pull-mode config with every default host collector.
bin=artifacts/linux-x64/agent
work="$(mktemp -d)"

publish_agent() { ./build.sh publish linux-x64 >/dev/null; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# pull_config INTERVAL PORT: writes $work/agent.toml
pull_config() {
  printf '[agent]\ninterval = "%s"\ndata_dir = "%s/data"\n[http]\nlisten = "127.0.0.1:%s"\n' "$1" "$work" "$2" > "$work/agent.toml"
}

# receiver PORT DIR: a stock Prometheus taking remote-write on 127.0.0.1:PORT, data in DIR (kept across restarts)
receiver() {
  mkdir -p "$2"
  printf 'global:\n  scrape_interval: 1h\n' > "$2/prometheus.yml"
  prometheus --config.file="$2/prometheus.yml" --storage.tsdb.path="$2/data" --web.listen-address="127.0.0.1:$1" \
    --web.enable-remote-write-receiver >>"$2/log" 2>&1 &
  receiver_pid=$!
  for _ in $(seq 120); do curl -fsS "http://127.0.0.1:$1/-/ready" >/dev/null 2>&1 && return; sleep 0.5; done
  echo "receiver on $1 did not start" >&2; exit 1
}

# sink PORT: a push endpoint on 127.0.0.1:PORT that reads every POST and answers 204; sets sink_pid
sink() {
  python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0))); self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$1" &
  sink_pid=$!
}

# metric URL NAME: the sum of NAME's series on an agent's /metrics (empty when it does not answer)
metric() { curl -fsS "$1" 2>/dev/null | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2 } END { if (NR) printf "%.0f\n", s }'; }

# promql URL EXPR [TIME]: the first value of an instant query
promql() {
  curl -fsS "$1/api/v1/query" --data-urlencode "query=$2" ${3:+--data-urlencode "time=$3"} |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)'
}
