#!/usr/bin/env bash
# Sets Berth up on a Debian or Ubuntu machine and starts it:
#   1. installs the system packages Berth needs that are missing,
#   2. installs the .NET SDK named in global.json if no suitable one is present,
#   3. builds the `berth` executable into .build/berth and puts a `berth` command on PATH,
#   4. starts `berth server` in the background on its embedded defaults (skip with --no-start).
# Run it again at any time: every step checks first and does only what is missing.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
repo=$(pwd)
start=1
for arg in "$@"; do
  case "$arg" in
    --no-start) start=0 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ -t 1 ]; then step() { printf '\033[1m==> %s\033[0m\n' "$*"; }; else step() { printf '==> %s\n' "$*"; }; fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "setup.sh: '$*' needs root; run as root or install sudo" >&2; exit 1
  fi
}

# --- 1. system packages -------------------------------------------------------------------------
# Later parts of Berth add their packages (podman, runc, skopeo ...) to this one list.
# python3-kubernetes is the Python client the test suite drives the Kubernetes API with;
# python3-swagger-spec-validator checks the served OpenAPI v2 document; python3-botocore signs the
# requests the AWS signature tests verify, with the AWS CLI's own signer; awscli is the AWS CLI the
# end-to-end tests drive the AWS endpoint with.
# podman, runc, catatonit and busybox-static run the node agents' containers and build the test image.
packages=(ca-certificates curl git python3 python3-kubernetes python3-swagger-spec-validator python3-botocore python3-boto3 awscli podman runc catatonit busybox-static skopeo)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "Installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# --- 2. .NET SDK ----------------------------------------------------------------------------------
sdk_band=$(sed -n 's/.*"version": *"\([0-9]*\)\..*/\1/p' global.json)
has_sdk() { command -v dotnet >/dev/null && dotnet --list-sdks 2>/dev/null | grep -q "^${sdk_band}\."; }
if ! has_sdk; then
  step "Installing the .NET ${sdk_band} SDK"
  if apt-cache show "dotnet-sdk-${sdk_band}.0" >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "dotnet-sdk-${sdk_band}.0"
  else
    # Debian has no .NET package: use Microsoft's installer, pinned to global.json's SDK.
    installer=$(mktemp)
    curl -fsSL https://dot.net/v1/dotnet-install.sh -o "$installer"
    as_root bash "$installer" --jsonfile "$repo/global.json" --install-dir /usr/local/share/dotnet
    as_root ln -sf /usr/local/share/dotnet/dotnet /usr/local/bin/dotnet
    rm -f "$installer"
  fi
  has_sdk || { echo "setup.sh: the .NET ${sdk_band} SDK is still missing" >&2; exit 1; }
fi

# --- 3. build -------------------------------------------------------------------------------------
step "Building berth"
dotnet publish src/Berth/Berth.csproj -c Release -o .build/berth --nologo -v quiet
if [ "$(id -u)" -eq 0 ]; then bindir=/usr/local/bin; else bindir="$HOME/.local/bin"; mkdir -p "$bindir"; fi
printf '#!/bin/sh\nexec "%s/.build/berth/berth" "$@"\n' "$repo" > "$bindir/berth"
chmod +x "$bindir/berth"
echo "berth is at $bindir/berth ($("$bindir/berth" version))"

[ "$start" -eq 1 ] || exit 0

# --- 4. start -------------------------------------------------------------------------------------
data="${BERTH_DATA_DIR:-$HOME/.berth}"
port="${BERTH_PORT:-4566}"
endpoint="http://127.0.0.1:${port}"
if curl -fsS "$endpoint/healthz" >/dev/null 2>&1; then
  echo "Berth is already running at $endpoint"
  exit 0
fi
step "Starting berth server"
mkdir -p "$data"
nohup setsid .build/berth/berth server --data-dir "$data" --port "$port" >>"$data/server.log" 2>&1 &
echo $! > "$data/server.pid"
for _ in $(seq 1 60); do
  if curl -fsS "$endpoint/readyz" >/dev/null 2>&1; then
    cat <<EOM
Berth is running.
  endpoint   $endpoint   (health: /healthz, readiness: /readyz, metrics: /metrics)
  kubernetes https://127.0.0.1:6443/clusters/default   (export KUBECONFIG=$data/kubeconfig)
  data       $data
  log        $data/server.log
  stop       kill \$(cat $data/server.pid)
EOM
    exit 0
  fi
  if ! kill -0 "$(cat "$data/server.pid")" 2>/dev/null; then
    echo "berth server stopped during start; its log says:" >&2
    tail -n 20 "$data/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "berth server did not become ready within 30 s; see $data/server.log" >&2
exit 1
