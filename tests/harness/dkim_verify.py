#!/usr/bin/python3
# Independent DKIM verifier #1 for tests and the demo: dkimpy (python3-dkim),
# keys fetched from the loopback DNS server (dns.sh), never from our code.
# Usage: dkim_verify.py --dns PORT [--all] [--algos a,b] FILE...
#   prints "FILE pass|fail|none a=ALGO d=DOMAIN s=SELECTOR" per signature;
#   exit 0 when every FILE has at least one valid signature (--all: every
#   signature valid; --algos: these algorithms all present and valid).
import argparse
import re
import sys

import dkim
import dns.resolver


def make_dnsfunc(port):
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    r.port = port
    r.lifetime = 5

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        try:
            answer = r.resolve(name, "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return b""
        return b"".join(b"".join(rr.strings) for rr in answer)
    return dnsfunc


def tag(sig_value, name):
    m = re.search(rb"(?:^|;)\s*" + name + rb"\s*=\s*([^;]*)", sig_value)
    return re.sub(rb"\s+", b"", m.group(1)).decode() if m else "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dns", type=int, required=True)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--algos", default="")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    dnsfunc = make_dnsfunc(args.dns)
    wanted = set(a for a in args.algos.split(",") if a)
    ok_files = 0
    for path in args.files:
        msg = open(path, "rb").read()
        d = dkim.DKIM(msg)
        sigs = [v for (k, v) in d.headers if k.lower() == b"dkim-signature"]
        if not sigs:
            print("%s none" % path)
            continue
        good_algos = set()
        all_good = True
        for i, sig in enumerate(sigs):
            try:
                good = dkim.DKIM(msg).verify(idx=i, dnsfunc=dnsfunc)
            except dkim.DKIMException as e:
                good = False
                print("%s error %s" % (path, e), file=sys.stderr)
            algo = tag(sig, b"a")
            print("%s %s a=%s d=%s s=%s" % (path, "pass" if good else "fail", algo,
                                            tag(sig, b"d"), tag(sig, b"s")))
            if good:
                good_algos.add(algo)
            else:
                all_good = False
        if good_algos and (all_good or not args.all) and wanted <= good_algos:
            ok_files += 1
    print("dkimpy: verified %d of %d messages" % (ok_files, len(args.files)))
    return 0 if ok_files == len(args.files) else 1


if __name__ == "__main__":
    sys.exit(main())
