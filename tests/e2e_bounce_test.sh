#!/bin/bash
# End to end through a private Postfix wired as conf/ says: a 5xx from the
# loopback internet becomes a DSN, the pipe transport hands it to
# sendsentry-bounce, the address is suppressed; when sendsentry-milter is
# built, it rewrote the envelope sender to a return-path token address on a
# bounce subdomain, and the token (not the returned headers) attributes the
# DSN to the original sender domain, while a hand-made bounce to a forged
# token is attributed from its headers only; an ARF complaint and an
# unsubscribe mail sent to the bounce domain are suppressed too; and, when
# sendsentry-policyd is built, the next RCPT to a suppressed address is refused
# while another recipient passes.
set -eu
. "$(dirname "$0")/harness/common.sh"
. "$SS_HARNESS/postfix.sh"
. "$SS_HARNESS/internet.sh"
. "$SS_HARNESS/sendsentry.sh"

ss_require_root
ss_require_cmd postfix swaks sqlite3 setpriv openssl "$SS_PY"
ss_have_bin sendsentry-bounce || ss_fail "sendsentry-bounce is not built"
data="$SS_SRCDIR/tests/e2e"
ss_init

net_start
conf="$SS_TMP/sendsentry.conf"
ssd_conf "$conf"
pf_create relay
pf_relay_to relay "$SS_NET"
parts=bounce
have_policyd=0
ss_have_bin sendsentry-policyd && have_policyd=1 && parts="policyd,$parts"
# The return path: the milter signs sender.test and rewrites the envelope
# sender to rp+TOKEN@rp.sender.test. The label "rp" is one the header-based
# guess does not know, so only the token can name sender.test; the From
# header says news.sender.test. No SPF/DMARC check here (no DNS needed).
have_milter=0
if ss_have_bin sendsentry-milter; then
    have_milter=1 && parts="milter,$parts"
    openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out "$SS_TMP/keys/dkim.pem" 2>/dev/null
    openssl rand -hex 32 >"$SS_TMP/keys/return-path.key"
    chown "$SS_RUN_USER" "$SS_TMP/keys/dkim.pem" "$SS_TMP/keys/return-path.key"
    chmod 0600 "$SS_TMP/keys/dkim.pem" "$SS_TMP/keys/return-path.key"
    ssd_conf_set "$conf" dkim domain sender.test
    ssd_conf_set "$conf" dkim selector s1
    ssd_conf_set "$conf" dkim key_file "$SS_TMP/keys/dkim.pem"
    ssd_conf_try "$conf" milter auth_check no || true
    ssd_conf_set "$conf" return_path rewrite yes
    ssd_conf_set "$conf" return_path key_file "$SS_TMP/keys/return-path.key"
    ssd_conf_set "$conf" return_path local_prefix rp
    ssd_conf_set "$conf" return_path subdomain rp
fi
ssd_wire_postfix relay "$conf" "$parts" bounces.sender.test rp.sender.test
[ $have_milter = 1 ] && ssd_start sendsentry-milter "$conf"
[ $have_policyd = 1 ] && ssd_start sendsentry-policyd "$conf"
pf_start relay
sub=$(pf_port relay sub)
mx=$(pf_port relay smtp)

# 1. A campaign message; the internet refuses one recipient with 550 5.1.1.
if [ $have_milter = 1 ]; then
    swaks --silent 2 --server "127.0.0.1:$sub" --from news@sender.test \
        --h-From 'Sender News <news@news.sender.test>' --to reader@remote.test,unknown.gone@remote.test \
        --header 'Subject: November news' >"$SS_TMP/swaks1.out" 2>&1 || ss_fail "submission: $(cat "$SS_TMP/swaks1.out")"
    # The DSN goes to the rewritten envelope sender and through the pipe.
    pf_wait_log relay 30 'to=<rp\+[a-z2-7]+@rp\.sender\.test>, relay=sendsentry-bounce.*status=sent'
    token=$(grep -oE 'to=<rp\+[a-z2-7]+@rp\.sender\.test>, relay=sendsentry-bounce' "$(pf_log relay)" | head -1 |
        sed 's/^to=<//; s/>.*//')
    [ ${#token} -le $((64 + 15)) ] || ss_fail "token address too long: $token"
    grep -q "from=<$token>" "$(pf_log relay)" || ss_fail "the internet did not see MAIL FROM <$token>"
else
    swaks --silent 2 --server "127.0.0.1:$sub" --from bounces@bounces.sender.test \
        --h-From 'Sender News <news@sender.test>' --to reader@remote.test,unknown.gone@remote.test \
        --header 'Subject: November news' >"$SS_TMP/swaks1.out" 2>&1 || ss_fail "submission: $(cat "$SS_TMP/swaks1.out")"
    pf_wait_log relay 30 'to=<bounces@bounces.sender.test>, relay=sendsentry-bounce.*status=sent'
fi
ss_wait 10 "unknown.gone@remote.test suppressed" ssd_suppressed unknown.gone@remote.test
ssd_suppressed reader@remote.test && ss_fail "the accepted recipient was suppressed too"
reason=$(ssd_sql "SELECT reason FROM suppression WHERE address = 'unknown.gone@remote.test'")
[ "$reason" = hard_bounce ] || ss_fail "suppression reason is '$reason', expected hard_bounce"
if [ $have_milter = 1 ]; then
    sender=$(ssd_sql "SELECT sender FROM events WHERE recipient = 'unknown.gone@remote.test' AND kind = 'hard_bounce'")
    [ "$sender" = sender.test ] || ss_fail "the DSN was attributed to '$sender', not to the token's sender.test"
    # --dry-run --json shows the token's sender domain, whatever the headers say.
    sed "s/TOKEN_ADDRESS/$token/" "$data/token-bounce.eml" >"$SS_TMP/token-bounce.eml"
    json=$("$(ss_bin sendsentry-bounce)" -c "$conf" --dry-run --json -r "$token" <"$SS_TMP/token-bounce.eml")
    case $json in *'"sender_domain": "sender.test"'*) ;; *) ss_fail "dry run: $json" ;; esac

    # 1b. A hand-made bounce to a forged token: refused, attributed from its headers (other.test).
    # One character of the token changed (in the signed part): the MAC no longer matches.
    t=${token#rp+}
    t=${t%@*}
    c=a
    [ "${t:20:1}" = a ] && c=b
    forged="rp+${t:0:20}$c${t:21}@rp.sender.test"
    forged_re=$(printf '%s' "$forged" | sed 's/[+.]/\\&/g')
    sed "s/TOKEN_ADDRESS/$forged/" "$data/token-bounce.eml" >"$SS_TMP/forged.eml"
    swaks --silent 2 --server "127.0.0.1:$mx" --local-interface 127.0.0.2 --from '<>' \
        --to "$forged" --data "@$SS_TMP/forged.eml" >"$SS_TMP/swaks-forged.out" 2>&1 ||
        ss_fail "forged bounce injection: $(cat "$SS_TMP/swaks-forged.out")"
    pf_wait_log relay 30 "to=<$forged_re>, relay=sendsentry-bounce.*status=sent"
    ss_wait 10 "victim@remote.test recorded" ssd_suppressed victim@remote.test
    sender=$(ssd_sql "SELECT sender FROM events WHERE recipient = 'victim@remote.test' AND kind = 'hard_bounce'")
    [ "$sender" = other.test ] || ss_fail "the forged-token bounce was attributed to '$sender', not from its headers"
    ss_note "return path: DSN attributed by its token; forged token ignored"
fi

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
