#!/usr/bin/python3
"""Scores sendsentry-bounce against the shared bounce corpus (issue 6).

Runs every sample of ../shared/corpus/bounces through
`sendsentry-bounce --dry-run --json` (one process per message, as pipe(8)
runs it), compares with expected.jsonl and prints recipient recall and
precision, status, reason, hard/soft and feedback-type agreement and the
non-bounces that reported something. Exits 1 below the issue's bars, 77 when
the corpus is not there (it lives outside the project on purpose).
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

BARS = {
    "recipient recall": 0.99,
    "recipient precision": 0.99,
    "status accuracy": 0.98,
    "reason agreement": 0.95,
    "hard/soft agreement": 0.99,
    "feedback type": 0.98,
}
NOT_FAILURES = {"vacation", "delivered", "not-bounce"}
# Sisimai 5.5 renamed two reasons; both names mean the same.
ALIASES = {"ratelimited": "toomanyconn", "emailtoolarge": "mesgtoobig"}
PSEUDO_STATUS = re.compile(r"^[245]\.(0\.9\d\d|9\.\d+)$")


def find_corpus(starts):
    """The corpus directory: $SENDSENTRY_CORPUS, else a 'shared' directory
    beside the source tree or any of its ancestors (a distcheck build sits
    several levels below the checkout)."""
    env = os.environ.get("SENDSENTRY_CORPUS")
    if env:
        return env if os.path.isfile(os.path.join(env, "expected.jsonl")) else None
    for start in starts:
        d = os.path.abspath(start)
        while True:
            c = os.path.join(d, "shared", "corpus", "bounces")
            if os.path.isfile(os.path.join(c, "expected.jsonl")):
                return c
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return None


def run_one(program, path):
    with open(path, "rb") as f:
        p = subprocess.run([program, "--dry-run", "--json"], stdin=f, capture_output=True, timeout=60)
    if p.returncode != 0:
        return path, None, "exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[:300])
    out = []
    for line in p.stdout.decode("utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line))
    return path, out, None


def reason_of(r):
    return ALIASES.get(r, r)


def class_of(rec):
    s = rec.get("status") or ""
    if s[:1] in ("4", "5", "2"):
        return s[0]
    r = rec.get("reply_code") or rec.get("replycode") or ""
    return r[:1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--program", default="./src/bounce/sendsentry-bounce")
    ap.add_argument("--srcdir", default=os.environ.get("srcdir", "."))
    ap.add_argument("--verbose", action="store_true", help="print every disagreement")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    corpus = find_corpus([args.srcdir, os.getcwd()])
    if corpus is None:
        print("SKIP: the shared bounce corpus (../shared/corpus/bounces beside the source tree, "
              "or $SENDSENTRY_CORPUS) is not here")
        return 77
    print("corpus:", corpus)

    expected = {}
    with open(os.path.join(corpus, "expected.jsonl")) as f:
        for line in f:
            if line.strip():
                e = json.loads(line)
                # One object per failed recipient: a recipient listed twice
                # for one file (two DSN parts) is one expectation.
                seen = expected.setdefault(e["file"], [])
                if not any((x["recipient"] or "").lower() == (e["recipient"] or "").lower() for x in seen):
                    seen.append(e)

    results = {}
    errors = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, args.program, os.path.join(corpus, name)) for name in expected]
        for fut in concurrent.futures.as_completed(futures):
            path, out, err = fut.result()
            name = os.path.relpath(path, corpus)
            if err:
                errors.append("%s: %s" % (name, err))
                out = []
            results[name] = out

    n_expected = n_matched = n_reported = 0
    status_total = status_ok = 0
    reason_total = reason_ok = 0
    hard_total = hard_ok = 0
    fb_total = fb_ok = 0
    not_bounce_files = not_bounce_quiet = 0
    notes = []

    for name in sorted(expected):
        exp_all = expected[name]
        got = list(results.get(name, []))
        n_reported += len(got)
        exp = [e for e in exp_all if e["reason"] not in NOT_FAILURES]
        if not exp:
            not_bounce_files += 1
            if got:
                notes.append("%s: non-bounce, reported %s" % (name, [g["recipient"] for g in got]))
            else:
                not_bounce_quiet += 1
            continue
        unmatched = got[:]
        for e in exp:
            n_expected += 1
            match = None
            for g in unmatched:
                if e.get("recipient_unknown") or (g["recipient"] or "").lower() == (e["recipient"] or "").lower():
                    match = g
                    break
            if match is None:
                notes.append("%s: missed %s (%s %s)" % (name, e["recipient"], e["status"], e["reason"]))
                continue
            unmatched.remove(match)
            n_matched += 1
            label = "%s %s" % (name, e["recipient"])
            if e["status"]:
                status_total += 1
                if PSEUDO_STATUS.match(e["status"]):
                    ok = class_of(match) == e["status"][0]
                else:
                    ok = match["status"] == e["status"]
                status_ok += ok
                if not ok:
                    notes.append("%s: status %r, expected %r" % (label, match["status"], e["status"]))
            reason_total += 1
            if reason_of(match["reason"]) == reason_of(e["reason"]):
                reason_ok += 1
            else:
                notes.append("%s: reason %s, expected %s [%s]" % (
                    label, match["reason"], e["reason"], match["diagnostic"][:150]))
            hard_total += 1
            if bool(match["hard"]) == bool(e["hardbounce"]):
                hard_ok += 1
            else:
                notes.append("%s: hard %s, expected %s" % (label, match["hard"], e["hardbounce"]))
            if e["reason"] == "feedback":
                fb_total += 1
                if match["feedback_type"] == e["feedbacktype"]:
                    fb_ok += 1
                else:
                    notes.append("%s: feedback type %r, expected %r" % (
                        label, match["feedback_type"], e["feedbacktype"]))
        for g in unmatched:
            notes.append("%s: extra %s (%s %s)" % (name, g["recipient"], g["status"], g["reason"]))

    def ratio(a, b):
        return a / b if b else 1.0

    figures = {
        "recipient recall": (n_matched, n_expected),
        "recipient precision": (n_matched, n_reported),
        "status accuracy": (status_ok, status_total),
        "reason agreement": (reason_ok, reason_total),
        "hard/soft agreement": (hard_ok, hard_total),
        "feedback type": (fb_ok, fb_total),
    }
    failed = []
    if args.verbose or True:
        for n in notes:
            print("  " + n)
    for e in errors:
        print("ERROR " + e)
    print("files: %d, expected failures: %d, reported: %d" % (len(expected), n_expected, n_reported))
    for label, (a, b) in figures.items():
        r = ratio(a, b)
        bar = BARS[label]
        mark = "ok" if r >= bar else "BELOW BAR"
        print("%-22s %6.2f%%  (%d/%d, bar %.0f%%) %s" % (label, 100 * r, a, b, 100 * bar, mark))
        if r < bar:
            failed.append(label)
    print("%-22s %d/%d quiet" % ("non-bounces", not_bounce_quiet, not_bounce_files))
    if not_bounce_quiet != not_bounce_files:
        failed.append("non-bounces")
    if errors:
        failed.append("program errors")
    if failed:
        print("FAIL: " + ", ".join(failed))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
