#!/usr/bin/env bash
# The main job on the embedded default (SQLite, everything in-process), in a scratch folder
# (./demo): write the example fleet, validate it, load it, plan its DNS authentication, and
# warm it up for six weeks in simulated time, with a pool domain hit by a complaint spike.
set -euo pipefail
cd "$(dirname "$0")/.."
MAILFLEET="$PWD/.venv/bin/mailfleet"
mkdir -p demo
cd demo
[ -f fleet.yaml ] || "$MAILFLEET" init fleet.yaml
"$MAILFLEET" validate
"$MAILFLEET" sync
"$MAILFLEET" status
"$MAILFLEET" dns plan | tail -n 3
"$MAILFLEET" simulate --days 42 --scenario complaint-spike
echo
echo "Next: 'cd demo', then 'mailfleet users add you@example.com --role admin' and"
echo "'mailfleet serve' to open the dashboard; 'mailfleet --help' lists everything."
