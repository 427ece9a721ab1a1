#!/bin/bash
# sendsentry-milter through the milter protocol (bench/milter_bench as the
# MTA side): every signature it makes is checked by dkimpy and Mail::DKIM
# against keys published by a loopback unbound. Cases: RSA (KeyTable and
# SigningTable), Ed25519 + RSA dual (simple setup), 8-bit body, long folded
# headers, bare LF, empty body, 20 MB, many recipients, encoded-word and raw
# UTF-8 headers; the sign decision (outside, authenticated, daemon name);
# no/several From; SIGHUP reload while connections are busy; a DNS server that
# never answers (the SPF/DMARC check ends in temperror, reject becomes tempfail).
set -eu
. "$(dirname "$0")/harness/common.sh"
. "$(dirname "$0")/harness/dns.sh"
ss_require_cmd unbound perl openssl
ss_init milter-sign

MILTER=$(ss_bin sendsentry-milter)
DRIVER=$SS_BUILDDIR/bench/milter_bench
[ -x "$DRIVER" ] || ss_fail "bench/milter_bench is not built"
VERIFY="$SS_PY $SS_SRCDIR/tests/dkim_verify.py"

keys=$SS_TMP/keys
mkdir -m 0700 "$keys"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$keys/ed.pem" 2>/dev/null
chmod 0600 "$keys"/*.pem

dns_zone example.com </dev/null
dns_dkim_record example.com rsa1 "$keys/rsa.pem"
dns_dkim_record example.com ed1 "$keys/ed.pem"
dns_start

sock=$SS_TMP/milter.sock
conf=$SS_TMP/sendsentry.conf
write_conf() { # extra lines for [dkim]
    cat >"$conf" <<CONF
[milter]
socket = unix:$sock
internal_networks = 127.0.0.1/32 10.0.0.0/8
sign_daemons = ORIGINATING
[dkim]
domain = example.com
selector = rsa1
key_file = $keys/rsa.pem
second_selector = ed1
second_key_file = $keys/ed.pem
$*
CONF
}
write_conf
"$MILTER" -c "$conf" -n >/dev/null || ss_fail "configuration check failed"
"$MILTER" -c "$conf" -f >"$SS_TMP/milter.log" 2>&1 &
milter_pid=$!
ss_on_exit "kill $milter_pid"
ss_wait 10 "milter socket" test -S "$sock"

# Messages, written by Python so that bytes are exact.
msgs=$SS_TMP/msgs
mkdir "$msgs"
$SS_PY - "$msgs" <<'PY'
import os, sys
d = sys.argv[1]
H = 'From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <%s@example.com>\r\n'
def w(name, data):
    with open(os.path.join(d, name + '.eml'), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode('utf-8'))
w('plain', H % 'plain' + 'Subject: plain\r\n\r\nHello.\r\n')
w('eightbit', H % '8bit' + 'Subject: 8bit\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n'
  'Content-Transfer-Encoding: 8bit\r\n\r\nGr\u00fc\u00dfe aus K\u00f6ln \u2014 \u65e5\u672c\u8a9e\r\n\xff\xfe raw bytes\r\n'.replace('\xff\xfe', 'x'))
folded = ',\r\n\t'.join('recipient%d@example.org' % i for i in range(80))
w('folded', 'From: Alice <alice@example.com>\r\nTo: ' + folded + '\r\nSubject: ' +
  '\r\n\t'.join(['a long subject line that goes on'] * 60) + '\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n'
  'Message-ID: <folded@example.com>\r\nReferences: ' + '\r\n '.join('<ref%d@example.com>' % i for i in range(100)) +
  '\r\n\r\nBody\r\n')
w('barelf', (H % 'lf' + 'Subject: bare LF\r\n\r\nline one\nline two\n\nlast\n').replace('\r\n', '\n'))
w('empty', H % 'empty' + 'Subject: empty body\r\n\r\n')
line = ('0123456789' * 7) + '\r\n'
w('big', H % 'big' + 'Subject: 20 MB\r\n\r\n' + line * (20 * 1024 * 1024 // len(line)))
w('encoded', H % 'enc' + 'Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?= =?UTF-8?Q?und_mehr?=\r\n\r\nHi\r\n')
w('utf8hdr', 'From: J\u00fcrgen M\u00fcller <juergen@example.com>\r\nTo: Zo\u00eb <zoe@example.org>\r\n'
  'Subject: Gr\u00fc\u00dfe \u2014 caf\u00e9\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <u@example.com>\r\n\r\nHi\r\n')
w('twofrom', H % 'two' + 'From: Eve <eve@example.com>\r\nSubject: two From\r\n\r\nHi\r\n')
w('nofrom', 'To: bob@example.org\r\nSubject: no From\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nHi\r\n')
w('otherdomain', H.replace('example.com>', 'example.net>', 1) % 'other' + 'Subject: not our domain\r\n\r\nHi\r\n')
PY

drive() { # NAME OUTFILE [driver options]: one message; prints the driver's summary
    local name=$1 out=$2
    shift 2
    "$DRIVER" --socket "unix:$sock" --message "$msgs/$name.eml" --out "$out" "$@"
}

out=$SS_TMP/out
mkdir "$out"
for name in plain eightbit folded barelf empty big encoded utf8hdr; do
    summary=$(drive "$name" "$out/$name.eml")
    case $summary in *"signed=1 "*) ;; *) ss_fail "$name: not signed: $summary" ;; esac
done
drive plain "$out/many.eml" --recipients 500 >/dev/null
ss_note "verifying dual RSA + Ed25519 signatures"
$VERIFY --dns "$SS_DNS" --expect 2 "$out"/*.eml >"$SS_TMP/verify.log" || {
    cat "$SS_TMP/verify.log"
    ss_fail "signatures did not verify"
}
grep -q "mail-dkim=9 " "$SS_TMP/verify.log" || { cat "$SS_TMP/verify.log"; ss_fail "Mail::DKIM did not check every RSA signature"; }

# The verifiers are not vacuous: a changed Subject fails both.
sed 's/^Subject: plain/Subject: tampered/' "$out/plain.eml" >"$SS_TMP/tampered.eml"
if $VERIFY --dns "$SS_DNS" "$SS_TMP/tampered.eml" >/dev/null; then
    ss_fail "a tampered message verified"
fi

ss_note "sign decision"
expect_unsigned() { # NAME WHY [driver options]
    local name=$1 why=$2
    shift 2
    local s
    s=$(drive "$name" "$SS_TMP/unsigned.eml" "$@")
    case $s in *"signed=0 "*) ;; *) ss_fail "$why: signed: $s" ;; esac
}
expect_signed() {
    local name=$1 why=$2
    shift 2
    local s
    s=$(drive "$name" "$SS_TMP/signed.eml" "$@")
    case $s in *"signed=1 "*) ;; *) ss_fail "$why: not signed: $s" ;; esac
}
expect_unsigned plain "relayed in from outside" --client 203.0.113.5 --daemon smtpd
expect_signed plain "authenticated client" --client 203.0.113.5 --auth alice
expect_signed plain "internal network" --client 10.1.2.3
expect_signed plain "ORIGINATING daemon" --client 203.0.113.5 --daemon ORIGINATING
expect_unsigned twofrom "several From fields"
expect_unsigned nofrom "no From"
expect_unsigned otherdomain "From domain without a key"
ss_wait_file_grep 5 "$SS_TMP/milter.log" 'not signed reason="not ours: unauthenticated client=203.0.113.5'
ss_wait_file_grep 5 "$SS_TMP/milter.log" 'not signed reason="message has 2 From fields; RFC 5322 allows exactly one" rule="RFC 6376 8.15"'
ss_wait_file_grep 5 "$SS_TMP/milter.log" 'signed d=example.com s=rsa1 a=rsa-sha256 reason="authenticated user=alice'

ss_note "SIGHUP reload: KeyTable/SigningTable, RSA only, reject unsignable From; busy connections survive"
cat >"$SS_TMP/KeyTable" <<KT
# name    domain:selector:key
rsakey    example.com:rsa1:$keys/rsa.pem
KT
cat >"$SS_TMP/SigningTable" <<ST
*@example.com   rsakey
ST
cat >"$conf" <<CONF
[milter]
socket = unix:$sock
internal_networks = 127.0.0.1/32
[dkim]
key_table = $SS_TMP/KeyTable
signing_table = refile:$SS_TMP/SigningTable
from_error_action = reject
CONF
"$DRIVER" --socket "unix:$sock" --message "$msgs/plain.eml" --seconds 3 --concurrency 4 --per-connection 50 \
    >"$SS_TMP/busy.out" 2>&1 &
busy=$!
sleep 1
kill -HUP "$milter_pid"
ss_wait_file_grep 10 "$SS_TMP/milter.log" 'reload: reloaded'
wait "$busy" || { cat "$SS_TMP/busy.out"; ss_fail "connections failed across the reload"; }
kill -0 "$milter_pid" || ss_fail "the milter exited on SIGHUP"
drive plain "$out/../rsa-only.eml" >/dev/null
$VERIFY --dns "$SS_DNS" --expect 1 "$SS_TMP/rsa-only.eml" >/dev/null || ss_fail "RSA-only signature did not verify"
s=$(drive twofrom "$SS_TMP/x.eml")
case $s in *"rejected=1 "*) ;; *) ss_fail "several From not rejected after reload: $s" ;; esac

# A broken table on reload is refused and the old keys stay in use.
echo "*@example.com missingkey" >>"$SS_TMP/SigningTable"
kill -HUP "$milter_pid"
ss_wait_file_grep 10 "$SS_TMP/milter.log" 'SigningTable:2: key .{1,2}missingkey.{1,2} is not in the KeyTable'
expect_signed plain "old keys after a refused reload"

cp "$conf" "$SS_TMP/tables.conf"

# simple/simple canonicalization: the inserted field must be byte-exact
# ("DKIM-Signature: v=1", the space supplied under SMFIP_HDR_LEADSPC).
write_conf "canonicalization = simple/simple"
kill -HUP "$milter_pid"
reloads_at_least() { [ "$(grep -c 'reload: reloaded' "$SS_TMP/milter.log")" -ge "$1" ]; }
ss_wait 10 "second reload" reloads_at_least 2
for name in plain folded utf8hdr; do drive "$name" "$SS_TMP/simple-$name.eml" >/dev/null; done
grep -q 'c=simple/simple' "$SS_TMP/simple-plain.eml" || ss_fail "simple/simple not applied"
$VERIFY --dns "$SS_DNS" --expect 2 "$SS_TMP"/simple-*.eml >"$SS_TMP/verify-simple.log" || {
    cat "$SS_TMP/verify-simple.log"
    ss_fail "simple/simple signatures did not verify"
}

# A DNS server that never answers (a bound UDP socket nobody reads): the
# SPF/DMARC check ends at [spf] time_limit with temperror, and action reject
# becomes tempfail (could not tell is not "no"); no milter thread is stuck.
$SS_PY -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(300)' >"$SS_TMP/silent.port" &
silent=$!
ss_on_exit "kill $silent"
ss_wait 10 "silent DNS socket" test -s "$SS_TMP/silent.port"
write_conf "$(printf '[spf]\noutbound_ips = 192.0.2.10\nresolver = 127.0.0.1:%s\ntime_limit = 1s\n[dmarc]\naction = reject' \
    "$(cat "$SS_TMP/silent.port")")"
kill -HUP "$milter_pid"
ss_wait 10 "third reload" reloads_at_least 3
for i in 1 2 3; do
    s=$(timeout 60 "$DRIVER" --socket "unix:$sock" --message "$msgs/plain.eml" --out "$SS_TMP/silent.eml") ||
        ss_fail "no answer from the milter with a silent DNS server"
    case $s in *"tempfailed=1 "*) ;; *) ss_fail "silent DNS, action reject: want tempfail, got $s" ;; esac
done
ss_wait_file_grep 5 "$SS_TMP/milter.log" 'auth-check spf=temperror .*action=tempfail reason="SPF or DMARC could not be checked'

# Refusals at start name the file and line.
if "$MILTER" -c "$SS_TMP/tables.conf" -n >"$SS_TMP/check.out" 2>&1; then ss_fail "inconsistent tables accepted"; fi
grep -q "SigningTable:2: key \"missingkey\"" "$SS_TMP/check.out" || { cat "$SS_TMP/check.out"; ss_fail "no file:line"; }
ss_note "ok"
