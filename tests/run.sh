#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with the .NET SDK: installs what it needs, builds, runs every
# test project, and ends with one line "N passed, N failed" (", N skipped" when any were skipped).
set -uo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  echo "Installing $* from Debian's packages..."
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# PostgreSQL server binaries: the tests start a throwaway server of their own from them.
if [ -z "${HANDOFF_TEST_POSTGRES:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_install postgresql
fi

# Debian's Chromium: the browser tests drive it through Playwright (its own browser download cannot work here).
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# npm: the host's build installs the chat page's SignalR client from the npm registry.
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build Handoff.Orleans.sln -c Debug -nologo -v quiet -clp:ErrorsOnly
build=$?
if [ $build -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 0 failed"
  exit $build
fi

dotnet test Handoff.Orleans.sln -c Debug --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The benchmark program's smoke mode: a few seconds of every in-memory scenario at a low rate, checked only for
# sane numbers (non-zero rates, no activations from rejected webhooks, no early timeouts), so that it cannot rot.
smoke_status=0
smoke_log=$(mktemp)
if dotnet tests/Handoff.Benchmarks/bin/Debug/net10.0/Handoff.Benchmarks.dll --smoke --json "$smoke_log.json" >"$smoke_log" 2>&1; then
  echo "benchmark smoke: ok ($(grep -E '^took ' "$smoke_log"))"
else
  smoke_status=1
  echo "benchmark smoke FAILED:"
  grep -A 20 -E 'problem\(s\):' "$smoke_log" || tail -n 30 "$smoke_log"
fi
rm -f "$smoke_log" "$smoke_log.json"

read -r passed failed skipped < <(grep -oE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" |
  awk -F'[:,]' '{ f += $2; p += $4; s += $6 } END { printf "%d %d %d\n", p, f, s }')
if grep -qE 'Test Run Aborted|The active test run was aborted' "$log"; then
  echo "a test host crashed: its tests are not counted above"
  [ "$status" -ne 0 ] || status=1
fi
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with status $status"
fi
[ "$smoke_status" -eq 0 ] || echo "the benchmark smoke run failed (see above)"
echo "$summary"
[ "$status" -ne 0 ] || status=$smoke_status
exit "$status"
