#!/bin/bash
# Nothing is lost when the store cannot be written (issue 6): with the
# database locked, Postfix's pipe(8) delivery to sendsentry-bounce defers
# (exit 75); once the lock is gone the retried delivery stores the bounce
# and the address is suppressed. Uses the private-Postfix harness.
set -eu
. "$(dirname "$0")/harness/common.sh"
. "$SS_HARNESS/postfix.sh"
. "$SS_HARNESS/sendsentry.sh"

ss_require_root
ss_require_cmd postfix swaks sqlite3 setpriv "$SS_PY"
ss_have_bin sendsentry-bounce || ss_fail "sendsentry-bounce is not built"
ss_init

conf="$SS_TMP/sendsentry.conf"
ssd_conf "$conf"
# A short busy timeout so the locked run gives up quickly.
sed -i 's/^busy_timeout = .*/busy_timeout = 1s/' "$conf"
grep -q '^busy_timeout' "$conf" || sed -i 's/^\[store\]$/[store]\nbusy_timeout = 1s/' "$conf"
pf_create relay
ssd_wire_postfix relay "$conf" bounce bounces.sender.test
pf_start relay
mx=$(pf_port relay smtp)

# Create the store (and its schema) with a first, unrelated bounce.
bounce() {
    local rcpt=$1
    printf 'From: MAILER-DAEMON@mx.remote.test\nTo: bounces@bounces.sender.test\nSubject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n--b\nContent-Type: text/plain\n\n<%s>: host mx.remote.test[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.remote.test\n\nFinal-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n--b--\n' "$rcpt" "$rcpt"
}
send_bounce() {
    bounce "$1" >"$SS_TMP/$1.eml"
    swaks --silent 2 --server "127.0.0.1:$mx" --local-interface 127.0.0.2 --from '' \
        --to bounces@bounces.sender.test --data "@$SS_TMP/$1.eml" >"$SS_TMP/swaks.out" 2>&1 ||
        ss_fail "injection: $(cat "$SS_TMP/swaks.out")"
}
send_bounce first@remote.test
ss_wait 30 "first@remote.test suppressed" ssd_suppressed first@remote.test

# Hold the write lock, as a long writer or a stuck process would.
lockdone="$SS_TMP/lock.release"
"$SS_PY" - "$(ssd_store)" "$lockdone" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2] + ".held", "w").close()
for _ in range(600):  # bounded: 60 s at most
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
db.execute("ROLLBACK")
PY
locker=$!
ss_on_exit "touch '$lockdone'; kill $locker 2>/dev/null || true"
ss_wait 10 "the store is locked" test -e "$lockdone.held"

send_bounce second@remote.test
pf_wait_log relay 60 'to=<bounces@bounces.sender.test>, relay=sendsentry-bounce.*status=deferred'
ssd_suppressed second@remote.test && ss_fail "suppressed while the store was locked?"
ss_note "locked store: delivery deferred (exit 75)"

touch "$lockdone"
wait "$locker" || true
pf_flush relay
ss_wait 60 "second@remote.test suppressed after the retry" ssd_suppressed second@remote.test
[ "$(pf_count_log relay 'relay=sendsentry-bounce.*status=sent')" -ge 2 ] || ss_fail "no retried delivery in the log"
pf_wait_queue_empty relay 30
ss_note "ok"
