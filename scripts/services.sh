#!/usr/bin/env bash
# Make sure the servers the tests talk to are running. PostgreSQL and Redis come with the
# machine; this starts them if they stopped. Debian packages for servers that tests start
# themselves (PowerDNS, rbldnsd, Postfix, Dovecot, Chromium) are installed by
# scripts/system-packages.sh.
set -euo pipefail

if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
