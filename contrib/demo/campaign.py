#!/usr/bin/python3
# The demo's application: sends a small campaign to the private Postfix's
# submission port (from the internal network, 127.0.0.1), one SMTP session per
# batch of messages, and reports what Postfix answered per recipient:
# accepted, deferred (4xx: rate limits, policy default action) or refused
# (5xx: suppression). Used by contrib/demo/demo.sh; prints one JSON summary.
import argparse
import email.utils
import json
import re
import smtplib
import sys
import time


def message(sender_name, from_addr, rcpt, subject, unsubscribe, n):
    domain = from_addr.split("@", 1)[1]
    return (
        "From: %s <%s>\r\n"
        "To: <%s>\r\n"
        "Subject: %s\r\n"
        "Date: %s\r\n"
        "Message-ID: <demo-%d-%d@%s>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "List-Unsubscribe: <mailto:%s>\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        "\r\n"
        "Hello,\r\n\r\nthis is message %d of the %s demo campaign.\r\n"
        "Prices in \u20ac, naturally.\r\n"
    ) % (sender_name, from_addr, rcpt, subject, email.utils.formatdate(localtime=False),
         int(time.time()), n, domain, unsubscribe, n, domain)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--from", dest="from_addr", required=True, help="header From address")
    ap.add_argument("--return-path", help="envelope sender (MAIL FROM); default: the From address")
    ap.add_argument("--name", default="Demo")
    ap.add_argument("--subject", default="Our news")
    ap.add_argument("--unsubscribe", required=True)
    ap.add_argument("--per-session", type=int, default=50)
    ap.add_argument("recipients", help="file with one recipient per line")
    args = ap.parse_args()
    rcpts = [l.strip() for l in open(args.recipients) if l.strip()]
    result = {"accepted": 0, "deferred": 0, "refused": 0, "replies": {}}

    def note(kind, code, text):
        result[kind] += 1
        line = re.sub(r"<[^>]*>", "<...>", text.decode("utf-8", "replace").split("\n")[0])
        line = re.sub(r"\d{4}-\d\d-\d\d[T ][0-9:]+Z?", "<time>", line)
        key = "%d %s" % (code, line[:110])
        result["replies"][key] = result["replies"].get(key, 0) + 1

    for start in range(0, len(rcpts), args.per_session):
        with smtplib.SMTP("127.0.0.1", args.port, timeout=60) as s:
            s.ehlo("app.internal.test")
            for n, rcpt in enumerate(rcpts[start:start + args.per_session], start + 1):
                body = message(args.name, args.from_addr, rcpt, args.subject, args.unsubscribe, n)
                code, text = s.mail(args.return_path or args.from_addr)
                if code != 250:
                    note("deferred" if code < 500 else "refused", code, text)
                    s.rset()
                    continue
                code, text = s.rcpt(rcpt)
                if code not in (250, 251):
                    note("deferred" if code < 500 else "refused", code, text)
                    s.rset()
                    continue
                try:
                    code, text = s.data(body.encode("utf-8"))
                except smtplib.SMTPDataError as e:
                    code, text = e.smtp_code, e.smtp_error
                if code == 250:
                    result["accepted"] += 1
                else:
                    note("deferred" if code < 500 else "refused", code, text)
                    s.rset()
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
