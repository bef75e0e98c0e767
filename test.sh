#!/usr/bin/env bash
# Runs Berth's whole test suite: sets up what the tests need (through setup.sh, without starting
# a server), checks formatting, then runs every test project. Ends with "N passed, N failed".
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
./setup.sh --no-start
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The end-to-end tests drive the stock clients; a missing one is a failure, never a skip.
for tool in kubectl aws; do
  command -v "$tool" >/dev/null || { echo "test.sh: the tests need $tool on PATH (kubectl 1.32 or newer; the AWS CLI)" >&2; exit 1; }
done

echo "==> Checking formatting"
dotnet format Berth.slnx --verify-no-changes

echo "==> Running the tests"
log=$(mktemp)
status=0
dotnet test Berth.slnx -c Release 2>&1 | tee "$log" || status=$?
awk '/(Passed|Failed)! +- +Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
