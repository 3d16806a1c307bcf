#!/usr/bin/env bash
# Debian packages the test suite needs (servers the tests start on loopback ports).
# Idempotent: installs only what is missing. Run as root (CI) or with sudo.
set -euo pipefail

PACKAGES=(
  # one per line, with the capability that needs it
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
