#!/bin/bash
# Self-test of the shared integration harness (tests/harness/): starts a
# private Postfix, the loopback DNS server and the loopback internet, sends
# mail through them with swaks, checks what arrived and what was refused, and
# that both independent DKIM verifiers accept a good signature and refuse a
# tampered one. Everything stops in the exit trap.
set -eu
. "$(dirname "$0")/harness/common.sh"
. "$SS_HARNESS/postfix.sh"
. "$SS_HARNESS/dns.sh"
. "$SS_HARNESS/internet.sh"

ss_require_root
ss_require_cmd postfix postconf swaks unbound "$SS_PY" perl openssl
"$SS_PY" -c 'import aiosmtpd, dkim, dns.resolver' 2>/dev/null || ss_skip "python3-aiosmtpd/python3-dkim/python3-dnspython missing"
ss_init

# DNS: a zone with SPF, DMARC, MX and a DKIM key (split TXT strings).
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$SS_TMP/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$SS_TMP/ed.pem" 2>/dev/null
dns_zone harness.test <<'ZONE'
@       IN MX  10 mx
mx      IN A   127.0.0.1
@       IN TXT "v=spf1 ip4:192.0.2.10 " "-all"
_dmarc  IN TXT "v=DMARC1; p=reject; adkim=r; aspf=r"
ZONE
dns_dkim_record harness.test rsa1 "$SS_TMP/rsa.pem"
dns_dkim_record harness.test ed1 "$SS_TMP/ed.pem"
dns_start
[ "$(dns_query harness.test TXT)" = '"v=spf1 ip4:192.0.2.10 " "-all"' ] || ss_fail "SPF TXT: $(dns_query harness.test TXT)"
[ "$(dns_query harness.test MX)" = "10 mx.harness.test." ] || ss_fail "MX record"
[ -z "$(dns_query nowhere.example TXT)" ] || ss_fail "out-of-zone name answered"
dns_record harness.test 'later IN A 127.0.0.7'
dns_reload
[ "$(dns_query later.harness.test A)" = 127.0.0.7 ] || ss_fail "dns_reload did not pick up a new record"

net_start
pf_create relay
pf_relay_to relay "$SS_NET"
pf_start relay
postfix -c "$(pf_confdir relay)" check || ss_fail "postfix check complains"

# A message signed by the sender (dkimpy, RSA + Ed25519), relayed unchanged.
"$SS_PY" - "$SS_TMP" <<'PY'
import sys, dkim
d = sys.argv[1]
msg = (b"From: Alice <alice@harness.test>\r\nTo: bob@remote.test\r\n"
       b"Subject: harness self-test\r\nMessage-ID: <h1@harness.test>\r\n"
       b"Date: Wed, 25 Nov 2026 12:00:00 +0000\r\n\r\nHello through the harness.\r\n")
for sel, key, algo in ((b"rsa1", "rsa.pem", b"rsa-sha256"), (b"ed1", "ed.pem", b"ed25519-sha256")):
    pem = open(d + "/" + key, "rb").read()
    if algo == b"ed25519-sha256":
        from cryptography.hazmat.primitives import serialization
        k = serialization.load_pem_private_key(pem, None)
        import base64
        pem = base64.b64encode(k.private_bytes(serialization.Encoding.Raw,
              serialization.PrivateFormat.Raw, serialization.NoEncryption()))
    sig = dkim.sign(msg, sel, b"harness.test", pem, signature_algorithm=algo,
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    msg = sig + msg
open(d + "/signed.eml", "wb").write(msg)
PY
swaks --silent 2 --server "127.0.0.1:$(pf_port relay sub)" --from alice@harness.test \
    --to bob@remote.test,unknown.carol@remote.test,full.dave@remote.test \
    --data "@$SS_TMP/signed.eml" >"$SS_TMP/swaks.out" 2>&1 || ss_fail "swaks: $(cat "$SS_TMP/swaks.out")"
net_wait_count 1 20
pf_wait_log relay 20 'to=<unknown.carol@remote.test>.*status=bounced.*5\.1\.1'
pf_wait_log relay 20 'to=<full.dave@remote.test>.*status=deferred.*4\.2\.2'
[ "$(net_rejected_count)" -ge 2 ] || ss_fail "the internet refused $(net_rejected_count) recipients, expected 2"
file=$(net_received_for bob@remote.test)
[ -n "$file" ] || ss_fail "no message for bob at the loopback internet"
grep -q 'Hello through the harness' "$file" || ss_fail "body not recorded"

"$SS_PY" "$SS_HARNESS/dkim_verify.py" --dns "$SS_DNS_PORT" --all --algos rsa-sha256,ed25519-sha256 "$file" ||
    ss_fail "dkimpy does not verify the relayed message"
perl "$SS_HARNESS/dkim_verify.pl" --dns "$SS_DNS_PORT" --all --algos rsa-sha256,ed25519-sha256 "$file" ||
    ss_fail "Mail::DKIM does not verify the relayed message"
# The verifiers must be able to say no.
sed 's/Hello through/Goodbye through/' "$file" >"$SS_TMP/tampered.eml"
if "$SS_PY" "$SS_HARNESS/dkim_verify.py" --dns "$SS_DNS_PORT" "$SS_TMP/tampered.eml" >/dev/null; then
    ss_fail "dkimpy accepted a tampered body"
fi
if perl "$SS_HARNESS/dkim_verify.pl" --dns "$SS_DNS_PORT" "$SS_TMP/tampered.eml" >/dev/null; then
    ss_fail "Mail::DKIM accepted a tampered body"
fi

# Postfix bounced carol: the DSN went back to alice (relayed to the internet).
net_wait_count 2 20
[ -n "$(net_received_for alice@harness.test)" ] || ss_fail "no DSN for alice at the internet"
# dave's message stays deferred across a restart; once accepted, the queue drains.
[ "$(pf_queue_count relay)" = 1 ] || ss_fail "expected dave's deferred message in the queue"
pf_stop relay
pf_start relay
[ "$(pf_queue_count relay)" = 1 ] || ss_fail "the deferred message did not survive a restart"
net_rule 'full.dave@remote.test 250 ok'
net_stop
net_start_on "$SS_NET_PORT"
pf_flush relay
pf_wait_queue_empty relay 20
[ -n "$(net_received_for full.dave@remote.test)" ] || ss_fail "dave's message never arrived"
ss_note "ok: postfix, dns, internet, dkimpy and Mail::DKIM all work"
