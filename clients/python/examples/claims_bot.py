"""A claims bot: looks a claim up (slowly, as real systems are), sends an update first, asks the agent for the
member id when the question has none, and rejects a claim it does not know.

    python3 claims_bot.py --endpoint tcp://127.0.0.1:5570 --capacity 4
"""

import argparse
import logging
import re
import time

from switchboard_client import Bot, Reject

CLAIMS = {"C-1001": "paid on 2026-11-02", "C-1002": "denied: the service needs prior authorization"}


def answer(request):
    claim = re.search(r"\bC-\d{4,}\b", request.text)
    if claim is None or claim.group() not in CLAIMS:
        raise Reject("no claim on file in the question")  # the agent sees this: no member data in it
    member = re.search(r"\bM-\d+\b", request.text)
    member_id = member.group() if member else request.ask("Which member id?", timeout=300)
    request.update(f"looking up {claim.group()}")
    time.sleep(LOOKUP_SECONDS)  # the claims system's own time: the bot keeps heartbeating meanwhile
    return f"Claim {claim.group()} for {member_id}: {CLAIMS[claim.group()]}."


LOOKUP_SECONDS = 1.0

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5570", help="a pair's two, comma-separated")
    parser.add_argument("--capacity", type=int, default=4)
    parser.add_argument("--heartbeat", type=float, default=2.5, help="seconds; the broker's heartbeat.interval")
    parser.add_argument("--lookup", type=float, default=LOOKUP_SECONDS, help="seconds each lookup takes")
    options = parser.parse_args()
    LOOKUP_SECONDS = options.lookup
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    Bot(options.endpoint, ["claims"], capacity=options.capacity, name="claims-bot", heartbeat=options.heartbeat,
        handler=answer).run()
