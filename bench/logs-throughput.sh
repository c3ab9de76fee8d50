#!/usr/bin/env bash
# Log throughput of the published agent, file to acknowledged Loki push, for 100-byte and
# 1-KiB lines. Usage: bench/logs-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./build.sh publish linux-x64 >/dev/null
dotnet run -c Release --project agent.Benchmarks -- throughput artifacts/linux-x64/agent 100 1000000
dotnet run -c Release --project agent.Benchmarks -- throughput artifacts/linux-x64/agent 1024 200000
