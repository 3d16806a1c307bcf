#!/usr/bin/env bash
# Debian packages the test suite needs (servers the tests start on loopback ports).
# Idempotent: installs only what is missing. Run as root (CI) or with sudo.
set -euo pipefail

PACKAGES=(
  pdns-server pdns-backend-sqlite3   # DNS: authoritative server with HTTP API and RFC 2136
  rbldnsd                            # reputation: DNSBL zones on loopback
  dovecot-imapd dovecot-sqlite dovecot-pgsql  # mailboxes: the self-hosted IMAP backend
  postfix                            # sending: a real relay that emits real DSNs
  chromium                           # dashboard: browser tests
  dnsutils sqlite3 curl              # client tools used by tests and scripts
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix asks what kind of mail server it is; "No configuration" writes nothing to /etc.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi
