#!/usr/bin/python3
# Independent SPF verdicts from pyspf (Debian python3-spf) against the
# loopback DNS server: reads "IP MAIL_FROM HELO" lines ("-" for an empty
# MAIL FROM) and prints one RFC 7208 result per line. Used by spf_dns.sh.
#   spf_pyspf.py PORT < cases
import sys

import dns.resolver
import spf

resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ['127.0.0.1']
resolver.port = int(sys.argv[1])
resolver.lifetime = 5
dns.resolver.default_resolver = resolver

for line in sys.stdin:
    fields = line.split()
    if len(fields) != 3:
        continue
    ip, mail_from, helo = fields
    if mail_from == '-':
        mail_from = ''
    result, _ = spf.check2(i=ip, s=mail_from, h=helo)
    print(result)
