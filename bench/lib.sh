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
