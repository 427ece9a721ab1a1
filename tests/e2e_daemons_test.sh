#!/bin/bash
# End to end: the daemons can be restarted and killed under a private Postfix
# wired as conf/ says, and no state and no mail is lost:
#  - rate-limit counters survive a policyd restart (SIGTERM) and a crash
#    (SIGKILL after persist_interval): the limit is still exact afterwards;
#  - with policyd dead, Postfix applies smtpd_policy_service_default_action
#    (DEFER_IF_PERMIT: the client is told to retry, nothing is accepted unchecked);
#  - with the milter dead, Postfix applies milter_default_action (tempfail:
#    nothing leaves unsigned), and after a restart the same mail goes out signed;
#  - every message Postfix accepted reaches the internet, DKIM-verified by dkimpy
#    and Mail::DKIM.
set -eu
. "$(dirname "$0")/harness/common.sh"
. "$SS_HARNESS/postfix.sh"
. "$SS_HARNESS/dns.sh"
. "$SS_HARNESS/internet.sh"
. "$SS_HARNESS/sendsentry.sh"

ss_require_root
ss_require_cmd postfix swaks unbound setpriv openssl "$SS_PY"
ss_have_bin sendsentry-milter || ss_fail "sendsentry-milter is not built"
ss_have_bin sendsentry-policyd || ss_fail "sendsentry-policyd is not built"
ss_init

conf="$SS_TMP/sendsentry.conf"
ssd_conf "$conf"
key="$SS_TMP/keys/rsa.pem"
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$key" 2>/dev/null
chown "$SS_RUN_USER" "$key"
chmod 0600 "$key"
dns_zone sender.test </dev/null
dns_dkim_record sender.test s1 "$key"
dns_start
net_start
ssd_conf_set "$conf" dkim domain sender.test
ssd_conf_set "$conf" dkim selector s1
ssd_conf_set "$conf" dkim key_file "$key"
ssd_conf_set "$conf" spf outbound_ips 192.0.2.25
ssd_conf_try "$conf" spf resolver "$SS_DNS" || true
ssd_conf_set "$conf" policyd message_limits 5/1h
ssd_conf_set "$conf" policyd persist_interval 1s

pf_create relay
pf_relay_to relay "$SS_NET"
ssd_wire_postfix relay "$conf" milter,policyd
ssd_start sendsentry-milter "$conf"
ssd_start sendsentry-policyd "$conf"
pf_start relay
sub=$(pf_port relay sub)

n=0
reply=""
send() { # FROM: sends message $n+1; sets $reply to the last server reply; swaks' status
    n=$((n + 1))
    local rc=0
    swaks --server "127.0.0.1:$sub" --from "$1" --to "reader$n@remote.test" \
        --h-From "News <$1>" --header "Subject: message $n" >"$SS_TMP/swaks.$n" 2>&1 || rc=$?
    reply=$(grep -E '^<(\*\*)? +[0-9]{3}' "$SS_TMP/swaks.$n" | grep -v ' 221 ' | tail -1)
    return $rc
}
must_pass() { send "$1" || ss_fail "message $n from $1 was refused: $reply"; }
must_defer() {
    if send "$1"; then ss_fail "message $n from $1 was accepted ($2)"; fi
    echo "$reply" | grep -Eq '^<\*\* +4[0-9][0-9] ' || ss_fail "message $n from $1: expected a 4xx ($2), got: $reply"
}

# 1. Three messages count against news@'s limit of 5/h; restart policyd (SIGTERM).
must_pass news@sender.test
must_pass news@sender.test
must_pass news@sender.test
ssd_stop sendsentry-policyd
ssd_start sendsentry-policyd "$conf"
must_pass news@sender.test
# 2. Crash (SIGKILL) after the persist interval: the 4 counted must survive.
sleep 2
ssd_kill sendsentry-policyd
# 3. While policyd is dead, Postfix defers (DEFER_IF_PERMIT), nothing accepted.
must_defer other@sender.test "policyd is down: smtpd_policy_service_default_action"
ssd_start sendsentry-policyd "$conf"
must_pass news@sender.test
must_defer news@sender.test "the 6th message in the hour is over the 5/1h limit"
echo "$reply" | grep -q ' 4\.7\.1 .*[Rr]ate limit' || ss_fail "over-limit reply lacks 4.7.1 and the limit: $reply"

# 4. Milter dead: milter_default_action = tempfail; after a restart it goes out signed.
ssd_kill sendsentry-milter
must_defer other@sender.test "the milter is down: milter_default_action"
ssd_start sendsentry-milter "$conf"
must_pass other@sender.test

pf_wait_queue_empty relay 30
expected=6 # accepted: 5 from news@ (the limit), 1 from other@ after the milter restart
net_wait_count "$expected" 30
[ "$(net_count)" = "$expected" ] || ss_fail "the internet got $(net_count) messages, expected $expected"
"$SS_PY" "$SS_HARNESS/dkim_verify.py" --dns "$SS_DNS_PORT" $(net_files) >"$SS_TMP/verify.out" ||
    ss_fail "not every delivered message verifies (dkimpy): $(cat "$SS_TMP/verify.out")"
perl "$SS_HARNESS/dkim_verify.pl" --dns "$SS_DNS_PORT" --all $(net_files) >"$SS_TMP/verify.pl.out" ||
    ss_fail "not every delivered message verifies (Mail::DKIM): $(cat "$SS_TMP/verify.pl.out")"
ss_note "ok: $(tail -1 "$SS_TMP/verify.out")"
