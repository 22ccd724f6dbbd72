#!/usr/bin/env bash
# Starts switchboardd with its embedded defaults, a demo bot for eligibility and claims, asks one question to
# show a round trip, then keeps the daemon in the foreground until Ctrl-C.
set -euo pipefail
BIN=${1:-.build/debug}
HERE=$(cd "$(dirname "$0")" && pwd)

"$BIN/switchboardd" &
daemon=$!
"$BIN/switchboard" serve --department eligibility --department claims --capacity 4 --name demo-bot \
  -- "$HERE/demo-bot.sh" &
bot=$!
stop() { kill -TERM $bot $daemon 2>/dev/null; wait; }
trap 'stop; exit 0' INT TERM
trap stop EXIT

echo
echo "== demo: switchboard ask --department eligibility \"Is member M-1001 covered for an MRI?\""
"$BIN/switchboard" ask --department eligibility --timeout 15s "Is member M-1001 covered for an MRI?"
echo
echo "Switchboard is running on tcp://127.0.0.1:5570 (events on tcp://127.0.0.1:5571)."
echo "Dashboard: http://127.0.0.1:8570/   (metrics: http://127.0.0.1:8570/metrics). In another terminal try:"
echo "  $BIN/switchboard ask --department claims 'Status of claim C-2024-118?'"
echo "  $BIN/switchboard events"
echo "  $BIN/switchboard ask --department pharmacy --no-wait 'Prior auth for member M-77?'   # no bot: stays queued"
echo "  $BIN/switchboard pending        # or: $BIN/switchboard top"
echo "Ctrl-C stops the daemon and the demo bot."
wait $daemon
