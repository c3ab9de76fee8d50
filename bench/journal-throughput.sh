#!/usr/bin/env bash
# Journal source throughput and RSS against the floor of journalctl reading the same files.
# systemd-journal-remote writes ENTRIES journald-like entries (21 fields, 20 units, ~100-byte
# messages, the last hour) into a directory; then, on that directory:
#   floor: journalctl -o export > /dev/null (what a journalctl child process costs before any parsing)
#   agent: the published agent, [logs.journal] read_from = "beginning", into an in-process receiver
# Usage: bench/journal-throughput.sh [ENTRIES]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
entries="${1:-500000}"
publish_agent
mkdir -p "$work/journal"
python3 - "$entries" <<'PY' | /lib/systemd/systemd-journal-remote -o "$work/journal/remote.journal" - 2>/dev/null
import sys, time
n = int(sys.argv[1])
out = sys.stdout.buffer
start = int(time.time() * 1e6) - 3_600_000_000
boot, machine = b"6f1e2d3c4b5a69788796a5b4c3d2e1f0", b"0123456789abcdef0123456789abcdef"
for i in range(n):
    u = i % 20
    out.write(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n_MACHINE_ID=%s\n_HOSTNAME=bench-host\n"
              b"_TRANSPORT=stdout\nPRIORITY=%d\nSYSLOG_FACILITY=3\nSYSLOG_IDENTIFIER=svc%d\n_PID=%d\n_UID=998\n_GID=998\n"
              b"_COMM=svc%d\n_EXE=/usr/bin/svc%d\n_CMDLINE=/usr/bin/svc%d --config /etc/svc%d.conf\n_CAP_EFFECTIVE=0\n"
              b"_SYSTEMD_CGROUP=/system.slice/svc%d.service\n_SYSTEMD_UNIT=svc%d.service\n_SYSTEMD_SLICE=system.slice\n"
              b"_SYSTEMD_INVOCATION_ID=%032x\n_STREAM_ID=%032x\nMESSAGE=request %010d handled in 12.5 ms: GET /api/v1/items?page=3 200 bytes=5120 user=alice\n\n"
              % (start + i * 7, 1_000_000 + i * 7, boot, machine, 3 + i % 4, u, 1000 + u, u, u, u, u, u, u, u, u, i))
PY
du -sh "$work/journal"
# The page cache holds the files for both readers alike: one read first, untimed.
journalctl -D "$work/journal" -o export > /dev/null
/usr/bin/time -f "floor journalctl_export entries $entries wall_s %e cpu_s %U+%S max_rss_kib %M" journalctl -D "$work/journal" -o export > /dev/null
# Its RSS split as the agent's is: own memory (RssAnon) and mapped journal pages (RssFile).
journalctl -D "$work/journal" -o export > /dev/null &
pid=$!; anon=0; file=0
while kill -0 "$pid" 2>/dev/null; do
  read -r a f < <(awk '/^RssAnon:/ {a=$2} /^RssFile:/ {f=$2} END {print a+0, f+0}' "/proc/$pid/status" 2>/dev/null || echo "0 0")
  (( a > anon )) && anon=$a; (( f > file )) && file=$f
  sleep 0.02
done
echo "floor journalctl_export peak_rss_anon_kib $anon peak_rss_file_kib $file"
dotnet run -c Release --project agent.Benchmarks -- throughput-journal "$bin" "$work/journal" "$entries"
rm -rf "$work"
