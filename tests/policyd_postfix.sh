#!/bin/bash
# sendsentry-policyd behind a real private Postfix smtpd (check_policy_service
# in smtpd_recipient_restrictions and smtpd_end_of_data_restrictions, as
# conf/main.cf wires it), driven with swaks: exactly the configured number of
# messages pass and the next is deferred with the rate-limit reply; a
# suppressed recipient is refused while the other recipients of the same
# message are accepted and delivered; a suppression added while the daemon
# runs applies at once; the limit state survives a clean restart and a crash
# (SIGKILL after the write-behind interval); a sender suspended with the CLI is
# refused until resumed; with approved_senders_only (turned on by SIGHUP) only
# approved senders pass.
set -eu
. "$(dirname "$0")/harness/common.sh"
. "$SS_HARNESS/postfix.sh"
. "$SS_HARNESS/internet.sh"
. "$SS_HARNESS/sendsentry.sh"

ss_require_root
ss_require_cmd postfix postconf swaks sqlite3 "$SS_PY"
"$SS_PY" -c 'import aiosmtpd' 2>/dev/null || ss_skip "python3-aiosmtpd missing (contrib/install-deps)"
ss_have_bin sendsentry-policyd || ss_fail "sendsentry-policyd is not built"
ss_have_bin sendsentry || ss_fail "sendsentry (the CLI) is not built"
ss_init

net_start
pf_create relay
pf_relay_to relay "$SS_NET"

conf="$SS_TMP/sendsentry.conf"
ssd_conf "$conf"
ssd_conf_set "$conf" policyd message_limits "3/1h"
ssd_conf_set "$conf" policyd persist_interval "1s"
ssd_start sendsentry-policyd "$conf"
sock="unix:$SS_TMP/run/policyd.sock"
pf_add_policy relay "$sock"
pf_start relay
port=$(pf_port relay sub)

now=$(date +%s)
ssd_sql "INSERT INTO suppression (address, scope, reason, source, detail, first_seen, last_seen)
         VALUES ('gone@remote.test', '', 'hard_bounce', 'test', '5.1.1 user unknown', $now, $now)"

# send FROM TO[,TO...] LABEL: swaks transcript in $SS_TMP/LABEL.txt
send() {
    swaks --server 127.0.0.1 --port "$port" --from "$1" --to "$2" --h-Subject "$3" \
        --body "policyd test $3" >"$SS_TMP/$3.txt" 2>&1 || true
}
accepted() { grep -Eq '^<- +250 .*(queued|Ok: queued)' "$SS_TMP/$1.txt"; }
expect_reply() { grep -Eq -- "$2" "$SS_TMP/$1.txt" || ss_fail "$1: expected /$2/, got: $(grep -E '^<\*\*|^<-' "$SS_TMP/$1.txt" | tail -4)"; }

# 1. A message to a suppressed and a good recipient: the first is refused
#    with the hard-bounce reply, the message goes to the second.
send carol@sender.test gone@remote.test,fine@remote.test mixed
expect_reply mixed '^<\*\* +550 5\.1\.1 .*Recipient <gone@remote\.test> is suppressed for all senders: hard bounce on'
accepted mixed || ss_fail "mixed: message with one good recipient not accepted: $(tail -5 "$SS_TMP/mixed.txt")"
net_wait_count 1 30
[ -n "$(net_received_for fine@remote.test)" ] || ss_fail "fine@remote.test did not receive the message"
[ -z "$(net_received_for gone@remote.test)" ] || ss_fail "the suppressed recipient received the message"

# 2. Exactly 3 messages per hour for alice; the 4th is deferred at RCPT.
for i in 1 2 3; do
    send alice@sender.test "r$i@remote.test" "limit-$i"
    accepted "limit-$i" || ss_fail "message $i of 3 not accepted: $(tail -5 "$SS_TMP/limit-$i.txt")"
done
send alice@sender.test r4@remote.test limit-4
expect_reply limit-4 '^<\*\* +450 4\.7\.1 .*Rate limit 3 messages per 1h reached for sender:alice@sender\.test; sending may resume at 20[0-9-]+ [0-9:]+ UTC \(in [0-9hms]+\)'
accepted limit-4 && ss_fail "the 4th message was accepted"
net_wait_count 4 30
# Refused recipients consumed nothing: carol (1 message) may still send 2.
send carol@sender.test other@remote.test carol-2
accepted carol-2 || ss_fail "carol's second message not accepted"

# 3. A suppression added while policyd runs applies to the next RCPT.
ssd_sql "INSERT INTO suppression (address, scope, reason, source, detail, first_seen, last_seen)
         VALUES ('bob@remote.test', 'sender.test', 'complaint', 'test', 'abuse', $now, $now)"
send carol@sender.test bob@remote.test late
expect_reply late '^<\*\* +550 5\.7\.1 .*Recipient <bob@remote\.test> is suppressed for senders of sender\.test: complaint'
send carol@other.test bob@remote.test other-domain
accepted other-domain || ss_fail "a scoped suppression refused another sender domain"

# 4. The state survives a clean restart (SIGTERM persists) ...
ssd_stop sendsentry-policyd
ssd_start sendsentry-policyd "$conf"
send alice@sender.test r5@remote.test after-restart
expect_reply after-restart '^<\*\* +450 4\.7\.1 .*Rate limit 3 messages per 1h'

# ... and a crash once the write-behind interval has passed: wait until the
# store holds dave's state, then SIGKILL.
send dave@sender.test r6@remote.test dave-1
accepted dave-1 || ss_fail "dave's first message not accepted"
dave_saved() { [ "$(ssd_sql "SELECT count(*) FROM limiter_state WHERE key LIKE '%|sender:dave@sender.test'")" -gt 0 ]; }
ss_wait 10 "dave's state written behind" dave_saved
ssd_kill sendsentry-policyd
ssd_start sendsentry-policyd "$conf"
for i in 2 3; do
    send dave@sender.test "r$i@remote.test" "dave-$i"
    accepted "dave-$i" || ss_fail "dave's message $i not accepted after the crash"
done
send dave@sender.test r9@remote.test dave-4
expect_reply dave-4 '^<\*\* +450 4\.7\.1 .*Rate limit 3 messages per 1h reached for sender:dave@sender\.test'
send alice@sender.test r7@remote.test alice-after-crash
expect_reply alice-after-crash '^<\*\* +450 4\.7\.1 .*Rate limit 3 messages per 1h'

# 5. The operator suspends a sender domain: its next RCPT gets the suspended
#    reply (why and since when); once resumed it sends again (within policyd's
#    one-second sender cache).
ssd_cli sender suspend late.test --why "phished account" --by test >/dev/null
send frank@late.test r1@remote.test suspended
expect_reply suspended '^<\*\* +450 4\.7\.1 .*Sending for late\.test is suspended since .*: suspended by test: phished account'
accepted suspended && ss_fail "a suspended sender's message was accepted"
ssd_cli sender resume late.test --why "password reset" --by test >/dev/null
resumed_sends() { send frank@late.test r2@remote.test resumed && accepted resumed; }
ss_wait 10 "late.test accepted after resume" resumed_sends

# 6. Approved senders only, switched on by a reload (SIGHUP, connections
#    kept): an unlisted sender is refused for good, an approved domain passes.
ssd_cli sender approve approved.test >/dev/null
ssd_conf_set "$conf" policyd approved_senders_only yes
kill -HUP "$(ssd_pid sendsentry-policyd)"
unlisted_refused() { send gina@unlisted.test r3@remote.test unlisted && grep -Eq '^<\*\* +550 5\.7\.1 .*Sender <gina@unlisted\.test> is not an approved sender' "$SS_TMP/unlisted.txt"; }
ss_wait 10 "approved_senders_only after SIGHUP" unlisted_refused
send hank@approved.test r4@remote.test approved
accepted approved || ss_fail "an approved sender domain was refused: $(grep -E '^<\*\*' "$SS_TMP/approved.txt" | tail -2)"

# Every refusal is in the event log (written behind within a second): gone,
# limit-4, late, after-restart, dave-4 and alice-after-crash; refusals of one
# sender for one reason within a second share an event and its count.
blocked() { ssd_sql "SELECT coalesce(sum(count), 0) FROM events WHERE kind = 'blocked_send' AND source = 'policyd'"; }
six_blocked() { [ "$(blocked)" -ge 6 ]; }
ss_wait 10 "6 refusals in blocked_send events" six_blocked
ss_note "ok: limits, suppression, restart and crash, suspension, approved senders"
