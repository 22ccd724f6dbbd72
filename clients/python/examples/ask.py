"""Asks a department a question and prints the updates, answers the department's question from the command
line, and prints the answer (exit 1 if the request was rejected or cancelled, 2 if refused, 3 on a timeout).

    python3 ask.py --department claims --reply M-7 "Status of claim C-1001?"
"""

import argparse
import sys

from switchboard_client import Agent, Refused, RequestFailed, Timeout

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--endpoint", default="tcp://127.0.0.1:5570", help="a pair's two, comma-separated")
parser.add_argument("--department", required=True)
parser.add_argument("--priority", default="normal", choices=["urgent", "high", "normal", "low"])
parser.add_argument("--request-id", help="your id: asking again with it returns the same ticket")
parser.add_argument("--reply", help="what to answer if the department asks a question")
parser.add_argument("--timeout", type=float, default=60)
parser.add_argument("--key", help="your secret certificate, for a broker that runs CURVE")
parser.add_argument("--server-key", help="the broker's public certificate")
parser.add_argument("question", nargs="+")
options = parser.parse_args()

with Agent(options.endpoint, key=options.key, server_key=options.server_key, timeout=options.timeout) as agent:
    try:
        submission = agent.submit(options.department, " ".join(options.question), options.priority, options.request_id)
        print(f"ticket: {submission.ticket}", flush=True)

        def question(text):
            print(f"question: {text}", flush=True)
            return options.reply

        answer = agent.wait(submission.ticket, on_update=lambda u: print(f"update: {u.decode()}", flush=True),
                            on_question=question)
        print(f"answer: {answer.text}")
    except RequestFailed as failure:
        print(f"{failure}", file=sys.stderr)
        sys.exit(1)
    except Refused as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        sys.exit(2)
    except Timeout as timeout:
        print(f"{timeout}", file=sys.stderr)
        sys.exit(3)
