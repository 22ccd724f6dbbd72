#!/bin/sh
# A demo department bot for `switchboard serve`: reads the question on stdin, prints an answer on stdout.
# A real bot would query the claims or eligibility system here. Exit non-zero to reject with stderr as reason.
question=$(cat)
case "$question" in
  *reject*) echo "this demo bot rejects questions that contain 'reject'" >&2; exit 1 ;;
esac
echo "[$SWITCHBOARD_DEPARTMENT demo bot] ticket $SWITCHBOARD_TICKET: received \"$question\" - member is eligible, plan GOLD-PPO, effective 2026-01-01."
