#!/usr/bin/env bash
# Installs the Debian packages allot builds with, if any are missing. Idempotent; silent
# when everything is already there.
set -euo pipefail

packages=(cmake ninja-build g++ libabsl-dev libprotobuf-dev protobuf-compiler libxxhash-dev
          catch2 libbenchmark-dev pybind11-dev python3 python3-dev python3-pytest tzdata
          python3-numpy python3-pandas python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
