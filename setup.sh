#!/usr/bin/env bash
# Sets Berth up on a Debian or Ubuntu machine and starts it:
#   1. installs the system packages Berth needs that are missing,
#   2. installs the .NET SDK named in global.json if no suitable one is present,
#   3. builds the `berth` executable into .build/berth (the node agent beside it, compiled ahead of time) and puts
#      a `berth` command on PATH,
#   4. runs `berth up`: the server in the background on its embedded defaults and a demo cluster with two
#      Ready nodes, its kubeconfig and the berth AWS CLI profile (skip with --no-start).
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
# podman, runc, catatonit and busybox-static run the node agents' containers and build the test image;
# containernetworking-plugins' bridge, static and loopback plugins attach the pods to the pod network.
# clang and zlib1g-dev link the node agent, which is compiled ahead of time (Native AOT's toolchain).
packages=(ca-certificates curl git python3 python3-kubernetes python3-swagger-spec-validator python3-botocore python3-boto3 awscli podman runc catatonit containernetworking-plugins busybox-static skopeo clang zlib1g-dev)
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
# berth up: starts the server in the background unless it answers, makes the demo cluster with two Ready nodes unless
# it exists, writes the kubeconfig and the berth AWS CLI profile, and prints the endpoints and next steps.
step "Starting Berth (berth up)"
exec "$bindir/berth" up
