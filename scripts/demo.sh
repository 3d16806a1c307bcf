#!/usr/bin/env bash
# The main job on the embedded default: `mailfleet demo` in ./demo. It builds a dozen-domain
# fleet on SQLite, serves its DNS on loopback, provisions 235 mailboxes and warms everything
# up for six simulated weeks, sending real SMTP to a local world of MX servers, while the
# dashboard shows it happen (the URL and a login are printed). Ctrl-C stops it.
# Extra arguments go to the command: `make demo ARGS="--headless --scenario complaint-spike"`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "$PWD/.venv/bin/mailfleet" demo --dir demo "$@"
