#!/usr/bin/env bash
# The main job on the embedded default: write the example fleet, validate it, load it into
# SQLite and show its status, in a scratch folder (./demo).
set -euo pipefail
cd "$(dirname "$0")/.."
MAILFLEET="$PWD/.venv/bin/mailfleet"
mkdir -p demo
cd demo
[ -f fleet.yaml ] || "$MAILFLEET" init fleet.yaml
"$MAILFLEET" validate
"$MAILFLEET" sync
"$MAILFLEET" status
