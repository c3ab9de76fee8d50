#!/usr/bin/env bash
# The only entry point people need. Verbs: build | test | publish [RID] | package [RID] | run
set -euo pipefail
cd "$(dirname "$0")"

verb="${1:-build}"
rid="${2:-linux-x64}"
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"

publish() {
  case "$rid" in
    linux-x64|linux-arm64|linux-musl-x64|linux-musl-arm64|win-x64|osx-arm64|osx-x64) ;;
    *) echo "build.sh: unsupported RID '$rid' (linux-x64, linux-arm64, win-x64, osx-arm64)" >&2; exit 2 ;;
  esac
  dotnet publish agent/agent.csproj -c Release -r "$rid" -o "artifacts/$rid" \
    -p:SourceRevisionId="$commit" -nologo
  ls -l "artifacts/$rid/"
}

case "$verb" in
  build)
    dotnet build agent.sln -nologo
    ;;
  test)
    # Every test, including those that start real servers (prometheus, victoria-metrics,
    # node_exporter, process-exporter, loki); without CI=true a missing server skips its test.
    rm -f artifacts/test-report.txt
    # As root the package test installs the .deb: build it first, so the native AOT compiler
    # does not run beside the tests that measure CPU.
    if [[ "$(id -u)" == 0 ]] && command -v dpkg-deb >/dev/null; then
      publish
      AGENT_DEB="$PWD/$(packaging/deb/build-deb.sh "artifacts/$rid/agent" "$rid" artifacts | tail -1)"
      export AGENT_DEB
    fi
    status=0
    dotnet test --solution agent.sln || status=$?
    if [[ -f artifacts/test-report.txt ]]; then
      echo "== figures reported by the tests"
      cat artifacts/test-report.txt
    fi
    exit "$status"
    ;;
  publish)
    publish
    ;;
  package)
    # agent_<version>_<arch>.deb in artifacts/ (packaging/deb); linux-x64 -> amd64, linux-arm64 -> arm64.
    publish
    packaging/deb/build-deb.sh "artifacts/$rid/agent" "$rid" artifacts
    ;;
  run)
    bin="artifacts/$rid/agent"
    if [[ ! -x "$bin" || -n "$(find agent -newer "$bin" -type f \( -name '*.cs' -o -name '*.proto' -o -name '*.csproj' \) -print -quit)" ]]; then
      publish
    fi
    # The example keeps its state under ./.data unless told otherwise, so no root is needed.
    export AGENT_DATA_DIR="${AGENT_DATA_DIR:-$PWD/.data}"
    exec "$bin" run --config agent.toml.example
    ;;
  *)
    echo "usage: ./build.sh build | test | publish [RID] | package [RID] | run" >&2
    exit 2
    ;;
esac
