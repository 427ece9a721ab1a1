#!/usr/bin/python3
"""Verifies every DKIM signature of mail files with two independent
verifiers: dkimpy (python3-dkim) and Mail::DKIM (libmail-dkim-perl).

Used by tests/milter_*.sh and bench/milter_bench.sh; our own code never
judges its signatures. Public keys come from a DNS server on loopback
(--dns 127.0.0.1:PORT, the test's unbound) or, for the benchmark, from PEM
private keys given as --key SELECTOR:DOMAIN:FILE (dkimpy only).

  dkim_verify.py [--dns HOST:PORT] [--key S:D:FILE]... [--expect N] FILE...

Exit 0 when every file has exactly N signatures (default: at least one) and
every signature verifies with dkimpy, and every RSA signature also with
Mail::DKIM (Debian 12's Mail::DKIM 1.20230212 has no Ed25519 verifier; those
are reported as "unsupported" and counted separately). Prints one line per
signature and verifier.
"""
import argparse
import base64
import json
import re
import subprocess
import sys

import dkim

PERL = r'''
use strict; use warnings;
use Mail::DKIM::Verifier; use Net::DNS; use JSON::PP;
my ($host, $port, @files) = @ARGV;
my $res = Net::DNS::Resolver->new(nameservers => [$host], port => $port, recurse => 1,
                                  udp_timeout => 5, tcp_timeout => 5, retry => 2);
Mail::DKIM::DNS::resolver($res);
my @out;
for my $f (@files) {
    open(my $fh, '<:raw', $f) or die "$f: $!";
    my $v = Mail::DKIM::Verifier->new();
    $v->load($fh);
    close $fh;
    for my $s ($v->signatures) {
        push @out, { file => $f, algorithm => ($s->algorithm // ''), selector => ($s->selector // ''),
                     domain => ($s->domain // ''), result => ($s->result // ''),
                     detail => ($s->result_detail // '') };
    }
}
print encode_json(\@out);
'''


def dns_txt_via(server):
    import dns.message
    import dns.query
    import dns.rdatatype
    host, port = server.rsplit(':', 1)

    def lookup(name, timeout=5):
        q = dns.message.make_query(name.decode() if isinstance(name, bytes) else name, dns.rdatatype.TXT)
        r = dns.query.udp(q, host, port=int(port), timeout=timeout)
        for rrset in r.answer:
            for rd in rrset:
                if rd.rdtype == dns.rdatatype.TXT:
                    return b''.join(rd.strings)
        return None
    return lookup


def dns_txt_from_keys(specs):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    records = {}
    for spec in specs:
        selector, domain, path = spec.split(':', 2)
        with open(path, 'rb') as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
        pub = key.public_key()
        if isinstance(pub, ed25519.Ed25519PublicKey):
            raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            rec = b'v=DKIM1; k=ed25519; p=' + base64.b64encode(raw)
        else:
            der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            rec = b'v=DKIM1; k=rsa; p=' + base64.b64encode(der)
        records[('%s._domainkey.%s.' % (selector, domain)).lower()] = rec

    def lookup(name, timeout=5):
        n = name.decode() if isinstance(name, bytes) else name
        return records.get(n.lower().rstrip('.') + '.')
    return lookup


def signature_tags(message):
    """(algorithm, selector, domain) of each DKIM-Signature, top first."""
    out = []
    header = message.split(b'\r\n\r\n', 1)[0]
    for m in re.finditer(rb'(?im)^DKIM-Signature:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)', header):
        flat = re.sub(rb'\s+', b'', m.group(1))
        tags = dict(t.split(b'=', 1) for t in flat.split(b';') if b'=' in t)
        out.append((tags.get(b'a', b'').decode(), tags.get(b's', b'').decode(), tags.get(b'd', b'').decode()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dns')
    ap.add_argument('--key', action='append', default=[])
    ap.add_argument('--expect', type=int)
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    if not a.dns and not a.key:
        ap.error('give --dns or --key')
    lookup = dns_txt_via(a.dns) if a.dns else dns_txt_from_keys(a.key)
    failures = 0
    counts = {'dkimpy': 0, 'mail-dkim': 0, 'unsupported': 0}
    for path in a.files:
        with open(path, 'rb') as f:
            msg = f.read()
        sigs = signature_tags(msg)
        if (a.expect is not None and len(sigs) != a.expect) or not sigs:
            print('%s: FAIL: %d signatures, expected %s' % (path, len(sigs), a.expect if a.expect is not None else '>=1'))
            failures += 1
            continue
        d = dkim.DKIM(msg)
        for i, (alg, sel, dom) in enumerate(sigs):
            ok = d.verify(idx=i, dnsfunc=lookup)
            print('%s: dkimpy %s s=%s d=%s: %s' % (path, alg, sel, dom, 'pass' if ok else 'FAIL'))
            counts['dkimpy'] += ok
            failures += not ok
    if a.dns:
        host, port = a.dns.rsplit(':', 1)
        out = subprocess.run(['perl', '-e', PERL, host, port] + a.files, capture_output=True, check=False)
        if out.returncode != 0:
            print('Mail::DKIM failed: %s' % out.stderr.decode(errors='replace'))
            return 1
        results = json.loads(out.stdout or b'[]')
        for r in results:
            if r['algorithm'].startswith('ed25519'):
                # Mail::DKIM 1.20230212 (Debian 12) cannot verify Ed25519.
                print('%s: Mail::DKIM %s s=%s: unsupported by this Mail::DKIM (%s)' % (
                    r['file'], r['algorithm'], r['selector'], r['result']))
                counts['unsupported'] += 1
                continue
            ok = r['result'] == 'pass'
            print('%s: Mail::DKIM %s s=%s d=%s: %s %s' % (r['file'], r['algorithm'], r['selector'], r['domain'],
                                                        r['result'], r['detail'] if not ok else ''))
            counts['mail-dkim'] += ok
            failures += not ok
        rsa_sigs = sum(1 for p in a.files for s in signature_tags(open(p, 'rb').read()) if s[0].startswith('rsa'))
        if counts['mail-dkim'] != rsa_sigs:
            print('FAIL: Mail::DKIM verified %d of %d RSA signatures' % (counts['mail-dkim'], rsa_sigs))
            failures += 1
    print('verified: dkimpy=%d mail-dkim=%d ed25519-unsupported-by-mail-dkim=%d failures=%d' % (
        counts['dkimpy'], counts['mail-dkim'], counts['unsupported'], failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
