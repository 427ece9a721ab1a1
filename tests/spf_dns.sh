#!/bin/bash
# SPF and DMARC through `sendsentry spf` / `sendsentry dmarc` (the milter's
# code) against a real DNS server on loopback (unbound, tests/harness/dns.sh)
# serving pass, fail, softfail, neutral, none, include chains, redirect, 11
# lookups, void lookups, macros, IPv6, a CNAME, a TXT in several strings, a
# record too long for UDP (TCP), MX,
# missing and malformed DMARC, strict and relaxed alignment and a domain
# under co.uk; then a stopped server (temperror within the bound). Every SPF
# verdict is cross-checked with pyspf against the same server.
set -eu
. "$(dirname "$0")/harness/common.sh"
. "$SS_HARNESS/dns.sh"

ss_require_cmd unbound unbound-checkconf "$SS_PY"
"$SS_PY" -c 'import spf, dns.resolver' 2>/dev/null || ss_skip "python3-spf/python3-dnspython missing"
ss_init
SENDSENTRY=$(ss_bin sendsentry)
printf '[spf]\n' >"$SS_TMP/empty.conf"

dns_zone example.test <<'ZONE'
pass        IN TXT "v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 -all"
softfail    IN TXT "v=spf1 ip4:192.0.2.10 ~all"
neutral     IN TXT "v=spf1 ?all"
nospf       IN A   192.0.2.10
inc1        IN TXT "v=spf1 include:inc2.example.test -all"
inc2        IN TXT "v=spf1 include:inc3.example.test -all"
inc3        IN TXT "v=spf1 ip4:192.0.2.20 -all"
redir       IN TXT "v=spf1 redirect=pass.example.test"
toomany     IN TXT "v=spf1 a:a1.example.test a:a2.example.test a:a3.example.test a:a4.example.test a:a5.example.test a:a6.example.test a:a7.example.test a:a8.example.test a:a9.example.test a:a10.example.test a:a11.example.test ip4:192.0.2.10 -all"
ten         IN TXT "v=spf1 a:a1.example.test a:a2.example.test a:a3.example.test a:a4.example.test a:a5.example.test a:a6.example.test a:a7.example.test a:a8.example.test a:a9.example.test a:a10.example.test ip4:192.0.2.10 -all"
a1          IN A 198.51.100.1
a2          IN A 198.51.100.2
a3          IN A 198.51.100.3
a4          IN A 198.51.100.4
a5          IN A 198.51.100.5
a6          IN A 198.51.100.6
a7          IN A 198.51.100.7
a8          IN A 198.51.100.8
a9          IN A 198.51.100.9
a10         IN A 198.51.100.10
a11         IN A 198.51.100.11
void3       IN TXT "v=spf1 a:v1.example.test a:v2.example.test a:v3.example.test ip4:192.0.2.10 -all"
void2       IN TXT "v=spf1 a:v1.example.test a:v2.example.test ip4:192.0.2.10 -all"
macro       IN TXT "v=spf1 exists:%{i}._ip.%{d} -all"
192.0.2.30._ip.macro IN A 127.0.0.2
cname       IN CNAME pass
split       IN TXT "v=spf1 ip4:192.0.2.10" " -all"
mx          IN TXT "v=spf1 mx -all"
mx          IN MX 10 mail.mx
mail.mx     IN A 192.0.2.40
long        IN TXT "v=spf1 ip4:198.51.100.1 ip4:198.51.100.2 ip4:198.51.100.3 ip4:198.51.100.4 ip4:198.51.100.5 ip4:198.51.100.6 ip4:198.51.100.7 ip4:198.51.100.8 ip4:198.51.100.9 ip4:198.51.100.10 ip4:198.51.100.11 ip4:198.51.100.12 ip4:198.51.100.13" " ip4:198.51.100.14 ip4:198.51.100.15 ip4:198.51.100.16 ip4:198.51.100.17 ip4:198.51.100.18 ip4:198.51.100.19 ip4:198.51.100.20 ip4:198.51.100.21 ip4:198.51.100.22 ip4:198.51.100.23 ip4:198.51.100.24 ip4:198.51.100.25 ip4:198.51.100.26" " ip4:198.51.100.27 ip4:198.51.100.28 ip4:198.51.100.29 ip4:198.51.100.30 ip4:198.51.100.31 ip4:198.51.100.32 ip4:198.51.100.33 ip4:198.51.100.34 ip4:198.51.100.35 ip4:198.51.100.36 ip4:198.51.100.37 ip4:198.51.100.38 ip4:198.51.100.39" " ip4:192.0.2.10 -all"
broken      IN TXT "v=spf1 ip4:192.0.2.10 a: -all"
two         IN TXT "v=spf1 -all"
two         IN TXT "v=spf1 +all"
_dmarc      IN TXT "v=DMARC1; p=reject; aspf=r; adkim=r"
strict      IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc.strict IN TXT "v=DMARC1; p=quarantine; aspf=s; adkim=s"
_dmarc.bad  IN TXT "v=DMARC1; p=bogus"
ZONE
dns_zone other.test <<'ZONE'
@           IN TXT "v=spf1 ip4:192.0.2.10 -all"
ZONE
dns_zone example.co.uk <<'ZONE'
_dmarc      IN TXT "v=DMARC1; p=reject; sp=quarantine"
bounces     IN TXT "v=spf1 ip4:192.0.2.10 -all"
ZONE
dns_zone other.co.uk <<'ZONE'
@           IN TXT "v=spf1 ip4:192.0.2.10 -all"
ZONE
dns_start

# label | ip | mail-from ("-": null sender) | helo | expected result
cat >"$SS_TMP/spf.cases" <<'CASES'
pass|192.0.2.10|a@pass.example.test|h.example.test|pass
fail (-all)|192.0.2.99|a@pass.example.test|h.example.test|fail
softfail|192.0.2.99|a@softfail.example.test|h.example.test|softfail
neutral|192.0.2.99|a@neutral.example.test|h.example.test|neutral
none (no record)|192.0.2.10|a@nospf.example.test|h.example.test|none
none (no domain)|192.0.2.10|a@nowhere.example.test|h.example.test|none
include chain pass|192.0.2.20|a@inc1.example.test|h.example.test|pass
include chain fail|192.0.2.99|a@inc1.example.test|h.example.test|fail
redirect pass|192.0.2.10|a@redir.example.test|h.example.test|pass
redirect fail|192.0.2.99|a@redir.example.test|h.example.test|fail
11 lookups|192.0.2.10|a@toomany.example.test|h.example.test|permerror
10 lookups|192.0.2.10|a@ten.example.test|h.example.test|pass
3 void lookups|192.0.2.10|a@void3.example.test|h.example.test|permerror
2 void lookups|192.0.2.10|a@void2.example.test|h.example.test|pass
macro exists pass|192.0.2.30|a@macro.example.test|h.example.test|pass
macro exists fail|192.0.2.31|a@macro.example.test|h.example.test|fail
IPv6 pass|2001:db8::10|a@pass.example.test|h.example.test|pass
IPv6 fail|2001:db8::99|a@pass.example.test|h.example.test|fail
IPv4-mapped IPv6|::ffff:192.0.2.10|a@pass.example.test|h.example.test|pass
CNAME to the record|192.0.2.10|a@cname.example.test|h.example.test|pass
TXT in two strings pass|192.0.2.10|a@split.example.test|h.example.test|pass
TXT in two strings fail|192.0.2.99|a@split.example.test|h.example.test|fail
over 512 octets (TCP) pass|192.0.2.10|a@long.example.test|h.example.test|pass
over 512 octets (TCP) fail|192.0.2.11|a@long.example.test|h.example.test|fail
MX pass|192.0.2.40|a@mx.example.test|h.example.test|pass
MX fail|192.0.2.41|a@mx.example.test|h.example.test|fail
syntax error|192.0.2.10|a@broken.example.test|h.example.test|permerror
two records|192.0.2.10|a@two.example.test|h.example.test|permerror
null sender uses HELO|192.0.2.10|-|pass.example.test|pass
co.uk domain|192.0.2.10|a@bounces.example.co.uk|h.example.test|pass
CASES

failures=0
: >"$SS_TMP/pyspf.in"
while IFS='|' read -r label ip from helo want; do
    mf=$from
    [ "$mf" = - ] && mf=
    got=$("$SENDSENTRY" -c "$SS_TMP/empty.conf" spf --ip "$ip" --mail-from "$mf" --helo "$helo" \
        --resolver "$SS_DNS" --timeout 5 | head -n 1) || true
    if [ "$got" != "$want" ]; then
        ss_note "FAIL spf $label: expected $want, got $got"
        failures=$((failures + 1))
    fi
    echo "$ip $from $helo" >>"$SS_TMP/pyspf.in"
    echo "$got" >>"$SS_TMP/ours"
done <"$SS_TMP/spf.cases"

# The same cases through pyspf: every verdict must agree.
"$SS_PY" "$SS_SRCDIR/tests/spf_pyspf.py" "$SS_DNS_PORT" <"$SS_TMP/pyspf.in" >"$SS_TMP/theirs"
n=0
while IFS='|' read -r label _ _ _ _; do
    n=$((n + 1))
    ours=$(sed -n "${n}p" "$SS_TMP/ours")
    theirs=$(sed -n "${n}p" "$SS_TMP/theirs")
    if [ "$ours" != "$theirs" ]; then
        ss_note "FAIL pyspf disagrees on $label: sendsentry $ours, pyspf $theirs"
        failures=$((failures + 1))
    fi
done <"$SS_TMP/spf.cases"

# label | from | mail-from | extra options | expected DMARC result
cat >"$SS_TMP/dmarc.cases" <<'CASES'
relaxed SPF alignment|a@news.example.test|b@pass.example.test|--ip 192.0.2.10|pass
SPF fails, no DKIM|a@news.example.test|b@pass.example.test|--ip 192.0.2.99|fail
relaxed DKIM alignment|a@example.test|b@other.test|--spf pass --dkim-domain mail.example.test|pass
strict SPF not aligned|a@strict.example.test|b@pass.example.test|--ip 192.0.2.10|fail
strict SPF aligned|a@strict.example.test|b@strict.example.test|--ip 192.0.2.10|pass
strict DKIM not aligned|a@strict.example.test|b@other.test|--spf pass --dkim-domain example.test|fail
strict DKIM aligned|a@strict.example.test|b@other.test|--spf pass --dkim-domain strict.example.test|pass
malformed DMARC record|a@bad.example.test|b@pass.example.test|--spf pass|permerror
missing DMARC record|a@other.test|b@other.test|--spf pass|none
co.uk relaxed alignment|a@news.example.co.uk|b@bounces.example.co.uk|--ip 192.0.2.10|pass
co.uk is a public suffix|a@example.co.uk|b@other.co.uk|--spf pass|fail
CASES
while IFS='|' read -r label from mf extra want; do
    # shellcheck disable=SC2086
    got=$("$SENDSENTRY" -c "$SS_TMP/empty.conf" dmarc --from "$from" --mail-from "$mf" --helo h.example.test \
        $extra --resolver "$SS_DNS" --timeout 5 | head -n 1) || true
    if [ "$got" != "$want" ]; then
        ss_note "FAIL dmarc $label: expected $want, got $got"
        failures=$((failures + 1))
    fi
done <"$SS_TMP/dmarc.cases"
# The subdomain policy applies to news.example.co.uk.
"$SENDSENTRY" -c "$SS_TMP/empty.conf" dmarc --from a@news.example.co.uk --mail-from b@other.co.uk --spf pass \
    --resolver "$SS_DNS" | grep -q '^policy: quarantine from _dmarc.example.co.uk' ||
    { ss_note "FAIL: sp= not applied to a subdomain"; failures=$((failures + 1)); }

# A stopped server: temperror (exit 3) within the bound, for SPF and DMARC.
dns_stop
set +e
out=$("$SENDSENTRY" -c "$SS_TMP/empty.conf" spf --ip 192.0.2.10 --mail-from a@pass.example.test \
    --resolver "$SS_DNS" --timeout 3)
rc=$?
set -e
[ "$(echo "$out" | head -n 1)" = temperror ] && [ $rc = 3 ] ||
    { ss_note "FAIL stopped server: spf gave '$out' (exit $rc)"; failures=$((failures + 1)); }
set +e
out=$("$SENDSENTRY" -c "$SS_TMP/empty.conf" dmarc --from a@example.test --mail-from b@pass.example.test \
    --spf pass --resolver "$SS_DNS" --timeout 3)
rc=$?
set -e
[ "$(echo "$out" | head -n 1)" = temperror ] && [ $rc = 3 ] ||
    { ss_note "FAIL stopped server: dmarc gave '$out' (exit $rc)"; failures=$((failures + 1)); }

[ $failures = 0 ] || ss_fail "$failures check(s) failed"
ss_note "ok: $(wc -l <"$SS_TMP/spf.cases") SPF cases agree with pyspf, $(wc -l <"$SS_TMP/dmarc.cases") DMARC cases, stopped server"
