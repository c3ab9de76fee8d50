#!/usr/bin/env bash
# Installs the monitor bundle on a Debian machine that has prometheus and
# prometheus-alertmanager (and optionally Loki at /usr/local/bin/loki and Grafana):
#   sudo packaging/monitor/install.sh [--env monitor.env] [--root DIR]
# --root writes under DIR instead of / and touches no service (what the tests use).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
env_file="$here/monitor.env"
root=""
while (($#)); do
  case "$1" in
    --env) env_file="$2"; shift 2 ;;
    --root) root="$2"; shift 2 ;;
    *) echo "install.sh: unknown argument '$1' (--env FILE, --root DIR)" >&2; exit 2 ;;
  esac
done
if [[ -z "$root" && "$(id -u)" != 0 ]]; then
  echo "install.sh: run as root (or with --root DIR)" >&2
  exit 2
fi
# Values already in the environment win over the file's.
if [[ -f "$env_file" ]]; then
  while IFS='=' read -r name value; do
    [[ "$name" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    [[ -n "${!name+set}" ]] || export "$name=$value"
  done < "$env_file"
fi
alertmanager="${ALERTMANAGER_ADDRESS:-127.0.0.1:9093}"

etc="$root/etc"
install -d "$etc/prometheus"
for file in node.rules.yml containers.rules.yml agent.rules.yml; do
  install -m 0644 "$here/$file" "$etc/prometheus/$file"
done
if [[ -f "$etc/prometheus/prometheus.yml" && ! -f "$etc/prometheus/prometheus.yml.orig" ]]; then
  cp -p "$etc/prometheus/prometheus.yml" "$etc/prometheus/prometheus.yml.orig"
fi
sed "s/127\.0\.0\.1:9093/$alertmanager/" "$here/prometheus.yml" > "$etc/prometheus/prometheus.yml"
"$here/render-alertmanager.sh" "$etc/prometheus/alertmanager.yml"

# Debian's prometheus reads its flags from /etc/default/prometheus.
defaults="$etc/default/prometheus"
install -d "$etc/default"
[[ -f "$defaults" ]] || echo 'ARGS=""' > "$defaults"
if ! grep -q -- '--web.enable-remote-write-receiver' "$defaults"; then
  sed -i 's/^ARGS="\(.*\)"/ARGS="\1 --web.enable-remote-write-receiver"/; s/^ARGS=" /ARGS="/' "$defaults"
fi

install -d "$etc/loki"
install -m 0644 "$here/loki.yml" "$etc/loki/loki.yml"
install -d "$etc/grafana/provisioning/datasources" "$etc/grafana/provisioning/dashboards" \
  "$root/var/lib/grafana/dashboards/agent"
install -m 0644 "$here/grafana/provisioning/datasources/agent.yml" "$etc/grafana/provisioning/datasources/agent.yml"
install -m 0644 "$here/grafana/provisioning/dashboards/agent.yml" "$etc/grafana/provisioning/dashboards/agent.yml"
install -m 0644 "$here/grafana/dashboards/fleet.json" "$root/var/lib/grafana/dashboards/agent/fleet.json"

promtool check config "$etc/prometheus/prometheus.yml" >/dev/null
amtool check-config "$etc/prometheus/alertmanager.yml" >/dev/null

if [[ -n "$root" ]]; then
  echo "installed under $root"
  exit 0
fi

chgrp prometheus "$etc/prometheus/alertmanager.yml" 2>/dev/null || true
if [[ -x /usr/local/bin/loki ]]; then
  getent passwd loki >/dev/null || adduser --system --group --home /var/lib/loki loki >/dev/null
  install -m 0644 "$here/loki.service" /etc/systemd/system/loki.service
fi
if [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
  systemctl restart prometheus prometheus-alertmanager
  if [[ -x /usr/local/bin/loki ]]; then systemctl enable --now loki; fi
  if systemctl list-unit-files grafana-server.service >/dev/null 2>&1; then systemctl restart grafana-server || true; fi
fi
echo "monitor installed: Prometheus :9090 (remote-write receiver on), Alertmanager $alertmanager, Loki :3100"
