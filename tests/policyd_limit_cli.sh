#!/bin/bash
# `sendsentry limit set|show|reset|unset` against a running sendsentry-policyd:
# an override set by the CLI applies to the daemon within a second (bounded
# wait), `show` reports what is used once the daemon wrote it behind, and
# `reset` gives the quota back to the running daemon.
set -eu
. "$(dirname "$0")/harness/common.sh"

ss_require_cmd "$SS_PY"
ss_have_bin sendsentry-policyd || ss_fail "sendsentry-policyd is not built"
ss_have_bin sendsentry || ss_fail "sendsentry (CLI) is not built"
ss_init

port=$(ss_free_port)
conf="$SS_TMP/sendsentry.conf"
cat >"$conf" <<CONF
[store]
path = $SS_TMP/store.db
[policyd]
listen = inet:127.0.0.1:$port
message_limits = 100/1h
CONF
"$(ss_bin sendsentry-policyd)" -c "$conf" -f >"$SS_TMP/policyd.log" 2>&1 &
pid=$!
ss_on_exit "ss_kill_pid $pid"
ss_wait 10 "policyd listening" ss_port_open "$port"
cli() { "$(ss_bin sendsentry)" -c "$conf" "$@"; }

# ask SENDER INSTANCE STATE: one request, prints the action.
ask() {
    "$SS_PY" - "$port" "$1" "$2" "$3" <<'PY'
import socket, sys
port, sender, instance, state = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
req = ("request=smtpd_access_policy\nprotocol_state=%s\nsender=%s\nrecipient=r@remote.test\n"
       "recipient_count=1\ninstance=%s\nclient_address=127.0.0.1\n\n" % (state, sender, instance))
s.sendall(req.encode())
data = b""
while not data.endswith(b"\n\n"):
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
PY
}
send_message() { ask "$1" "$2" RCPT >/dev/null; ask "$1" "$2" END-OF-MESSAGE; }

cli limit set Sender:Bulk@Example.com messages:2/1h >/dev/null || ss_fail "limit set failed"
cli limit set sender:bulk@example.com bytes:2/1h 2>/dev/null && ss_fail "limit set accepted a bad kind"
cli limit set nokey messages:2/1h 2>/dev/null && ss_fail "limit set accepted a key without a source"

# The daemon polls overrides every second: wait (bounded) until it defers the
# third message, with the override's limit in the reply.
n=0
override_applies() {
    n=$((n + 1))
    send_message bulk@example.com "m$n" >/dev/null
    ask bulk@example.com "probe$n" RCPT | grep -q 'Rate limit 2 messages per 1h'
}
ss_wait 10 "override applied by the daemon" override_applies
# Other senders keep the configured 100/1h.
[ "$(send_message other@example.com o1)" = "action=DUNNO" ] || ss_fail "override leaked to another sender"

show_used() { cli limit show sender:bulk@example.com --json | grep -q '"kind":"messages","count":2,"window_seconds":3600,"used":2,"available":0'; }
ss_wait 10 "limit show reports the used quota" show_used
cli limit show sender:bulk@example.com | grep -q "messages 2/1h: used 2, available 0, one more at" ||
    ss_fail "limit show text: $(cli limit show sender:bulk@example.com)"

cli limit reset sender:bulk@example.com >/dev/null || ss_fail "limit reset failed"
reset_applies() { [ "$(ask bulk@example.com "after-reset" RCPT)" = "action=DUNNO" ]; }
ss_wait 10 "reset applied by the daemon" reset_applies
grep -q 'limit_reset key=sender:bulk@example.com' "$SS_TMP/policyd.log" || ss_fail "reset not logged"

cli limit unset sender:bulk@example.com >/dev/null || ss_fail "limit unset failed"
if cli limit unset sender:bulk@example.com >/dev/null; then ss_fail "unset of nothing did not exit 1"; fi
cli limit show sender:bulk@example.com | grep -q "messages 100/1h" || ss_fail "configured limit not shown after unset"
ss_note "ok: limit set, show, reset, unset with a running daemon"
