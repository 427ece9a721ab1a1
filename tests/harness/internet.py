#!/usr/bin/python3
# The loopback "internet" for integration tests and the demo: one SMTP server
# on 127.0.0.1 that stands for every remote mail server. It accepts most
# recipients, refuses some with the replies real receivers give, and records
# every message exactly as received (for DKIM verification).
# Run with Debian's /usr/bin/python3 (aiosmtpd); started by internet.sh.
#
# Rules (first match wins; fnmatch on the lower-cased recipient address):
#   --rules FILE lines "PATTERN CODE TEXT", e.g. "*@blocked.test 550 5.7.1 blocked"
#   (a 2xx CODE accepts), then the built-in rules below (by local part), then accept.
# Records, in --spool DIR:
#   NNNNNN.eml          the message bytes as received (one file per transaction)
#   received.jsonl      {"file", "mail_from", "rcpt_tos", "peer", "size"} per message
#   rejected.jsonl      {"mail_from", "rcpt", "reply"} per refused recipient
import argparse
import asyncio
import fnmatch
import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

# Realistic replies, keyed by the start of the local part.
BUILTIN_RULES = [
    ("unknown*@*", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"),
    ("nosuchuser*@*", "550 5.1.1 The email account that you tried to reach does not exist."),
    ("full*@*", "452 4.2.2 The email account that you tried to reach is over quota."),
    ("overquota*@*", "552 5.2.2 <{rcpt}>: Mailbox full (quota exceeded)"),
    ("blocked*@*", "550 5.7.1 Service unavailable; client [127.0.0.1] blocked using zen.spamhaus.example"),
    ("greylist*@*", "451 4.7.1 <{rcpt}>: Recipient address rejected: Greylisted, try again later"),
    ("disabled*@*", "550 5.2.1 The email account that you tried to reach is disabled."),
]

MAX_MESSAGE = 64 * 1024 * 1024  # above the 20 MB test messages


class Recorder:
    def __init__(self, spool, rules):
        self.spool = spool
        self.rules = rules
        self.lock = threading.Lock()
        # Numbering goes on after a restart on the same spool.
        log = os.path.join(spool, "received.jsonl")
        self.count = sum(1 for _ in open(log)) if os.path.exists(log) else 0

    def reply_for(self, rcpt):
        addr = rcpt.lower()
        for pattern, reply in self.rules:
            if fnmatch.fnmatchcase(addr, pattern):
                return reply.format(rcpt=rcpt)
        return None

    def append(self, name, record):
        with self.lock, open(os.path.join(self.spool, name), "a") as f:
            f.write(json.dumps(record) + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.reply_for(address)
        if reply is not None and not reply.startswith("2"):
            self.append("rejected.jsonl",
                        {"mail_from": envelope.mail_from, "rcpt": address, "reply": reply})
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        with self.lock:
            self.count += 1
            name = "%06d.eml" % self.count
        with open(os.path.join(self.spool, name), "wb") as f:
            f.write(data)
        self.append("received.jsonl", {
            "file": name, "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
            "peer": session.peer[0] if session.peer else None, "size": len(data)})
        return "250 2.0.0 Ok: queued as %s" % name


class QuietController(Controller):
    def factory(self):
        return SMTP(self.handler, data_size_limit=MAX_MESSAGE, enable_SMTPUTF8=True,
                    decode_data=False, hostname="mx.internet.test")


def read_rules(path):
    rules = []
    if path:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                pattern, reply = line.split(None, 1)
                rules.append((pattern.lower(), reply))
    return rules


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--spool", required=True)
    ap.add_argument("--rules")
    ap.add_argument("--pidfile")
    args = ap.parse_args()
    os.makedirs(args.spool, exist_ok=True)
    handler = Recorder(args.spool, read_rules(args.rules) + BUILTIN_RULES)
    controller = QuietController(handler, hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    print("internet: listening on 127.0.0.1:%d" % args.port, file=sys.stderr, flush=True)
    while not stop.wait(1):
        pass
    controller.stop()


if __name__ == "__main__":
    main()
