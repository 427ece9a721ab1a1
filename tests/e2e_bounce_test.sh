#!/bin/bash
# End to end through a private Postfix wired as conf/ says: a 5xx from the
# loopback internet becomes a DSN, the pipe transport hands it to
# sendsentry-bounce, the address is suppressed; an ARF complaint and an
# unsubscribe mail sent to the bounce domain are suppressed too; and, when
# sendsentry-policyd is built, the next RCPT to a suppressed address is refused
# while another recipient passes.
set -eu
. "$(dirname "$0")/harness/common.sh"
. "$SS_HARNESS/postfix.sh"
. "$SS_HARNESS/internet.sh"
. "$SS_HARNESS/sendsentry.sh"

ss_require_root
ss_require_cmd postfix swaks sqlite3 setpriv "$SS_PY"
ss_have_bin sendsentry-bounce || ss_fail "sendsentry-bounce is not built"
data="$SS_SRCDIR/tests/e2e"
ss_init

net_start
conf="$SS_TMP/sendsentry.conf"
ssd_conf "$conf"
pf_create relay
pf_relay_to relay "$SS_NET"
have_policyd=0
if ss_have_bin sendsentry-policyd; then
    have_policyd=1
    ssd_wire_postfix relay "$conf" policyd,bounce bounces.sender.test
    ssd_start sendsentry-policyd "$conf"
else
    ssd_wire_postfix relay "$conf" bounce bounces.sender.test
fi
pf_start relay
sub=$(pf_port relay sub)
mx=$(pf_port relay smtp)

# 1. A campaign message; the internet refuses one recipient with 550 5.1.1.
swaks --silent 2 --server "127.0.0.1:$sub" --from bounces@bounces.sender.test \
    --h-From 'Sender News <news@sender.test>' --to reader@remote.test,unknown.gone@remote.test \
    --header 'Subject: November news' >"$SS_TMP/swaks1.out" 2>&1 || ss_fail "submission: $(cat "$SS_TMP/swaks1.out")"
pf_wait_log relay 30 'to=<bounces@bounces.sender.test>, relay=sendsentry-bounce.*status=sent'
ss_wait 10 "unknown.gone@remote.test suppressed" ssd_suppressed unknown.gone@remote.test
ssd_suppressed reader@remote.test && ss_fail "the accepted recipient was suppressed too"
reason=$(ssd_sql "SELECT reason FROM suppression WHERE address = 'unknown.gone@remote.test'")
[ "$reason" = hard_bounce ] || ss_fail "suppression reason is '$reason', expected hard_bounce"

# 2. An ARF complaint and an unsubscribe arrive at the MX from outside (127.0.0.2).
swaks --silent 2 --server "127.0.0.1:$mx" --local-interface 127.0.0.2 --from fbl@feedback.remote.test \
    --to complaints@bounces.sender.test --data "@$data/arf-complaint.eml" >"$SS_TMP/swaks2.out" 2>&1 ||
    ss_fail "ARF injection: $(cat "$SS_TMP/swaks2.out")"
swaks --silent 2 --server "127.0.0.1:$mx" --local-interface 127.0.0.2 --from leaver@remote.test \
    --to unsubscribe@bounces.sender.test --data "@$data/unsubscribe.eml" >"$SS_TMP/swaks3.out" 2>&1 ||
    ss_fail "unsubscribe injection: $(cat "$SS_TMP/swaks3.out")"
pf_wait_log relay 30 'to=<complaints@bounces.sender.test>, relay=sendsentry-bounce.*status=sent'
pf_wait_log relay 30 'to=<unsubscribe@bounces.sender.test>, relay=sendsentry-bounce.*status=sent'
ss_wait 10 "complainer suppressed" ssd_suppressed complainer@remote.test
ss_wait 10 "leaver suppressed for sender.test" ssd_suppressed leaver@remote.test sender.test
# An unsubscribe from sender.test's list does not block other brands' mail.
ssd_suppressed leaver@remote.test && ss_fail "the unsubscribe was recorded globally, not for sender.test"
[ "$(ssd_sql "SELECT reason FROM suppression WHERE address = 'complainer@remote.test'")" = complaint ] ||
    ss_fail "complainer not suppressed as complaint"
[ "$(ssd_sql "SELECT reason || ' ' || scope FROM suppression WHERE address = 'leaver@remote.test'")" = "unsubscribe sender.test" ] ||
    ss_fail "leaver not suppressed as unsubscribe for sender.test: $(ssd_sql "SELECT * FROM suppression WHERE address = 'leaver@remote.test'")"

# 3. The next RCPT to a suppressed address is refused; another recipient passes.
if [ $have_policyd = 1 ]; then
    swaks --server "127.0.0.1:$sub" --from news@sender.test --to unknown.gone@remote.test \
        >"$SS_TMP/swaks4.out" 2>&1 || true
    grep -q '^<\*\* *550 5\.1\.1' "$SS_TMP/swaks4.out" || ss_fail "RCPT to a suppressed address: $(grep '^<' "$SS_TMP/swaks4.out" | tail -3)"
    swaks --server "127.0.0.1:$sub" --from news@sender.test --to reader@remote.test \
        >"$SS_TMP/swaks5.out" 2>&1 || ss_fail "a clean recipient was refused: $(grep '^<' "$SS_TMP/swaks5.out" | tail -3)"
    ss_note "policyd refuses the suppressed recipient and accepts the other"
else
    ss_note "sendsentry-policyd not built: RCPT refusal not checked"
fi
pf_wait_queue_empty relay 30
ss_note "ok"
