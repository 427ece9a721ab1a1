#!/bin/bash
# sendsentry-policyd over its sockets, without Postfix: the unix socket gets
# the configured mode, 127.0.0.1 and ::1 listeners answer, hostile clients
# (1 MB line, NUL byte, line without '=', too many attributes) are closed
# with a log line while a well-behaved client on another connection is
# answered; 500 idle connections stay open and are all answered after a
# SIGHUP that changed the limits; SIGTERM persists the state.
set -eu
. "$(dirname "$0")/harness/common.sh"

ss_require_cmd sqlite3 "$SS_PY"
ss_have_bin sendsentry-policyd || ss_fail "sendsentry-policyd is not built"
ss_init

port4=$(ss_free_port)
port6=$(ss_free_port)
conf="$SS_TMP/policyd.conf"
write_conf() {
    cat >"$conf" <<CONF
[store]
path = $SS_TMP/store.db
[policyd]
listen = unix:$SS_TMP/policyd.sock inet:127.0.0.1:$port4 inet:[::1]:$port6
socket_mode = 0620
$owner_line
message_limits = $1
CONF
}
# Giving the socket away needs root; unprivileged runs check the mode only.
owner_line=""
[ "$(id -u)" = 0 ] && owner_line="socket_owner = nobody:nogroup"
write_conf "2/1h"
"$(ss_bin sendsentry-policyd)" -c "$conf" -n >/dev/null || ss_fail "-n refuses a good configuration"
bad="$SS_TMP/bad.conf"
printf '[policyd]\nmessage_limits = 0/1h\nlisten = inet:192.0.2.1:25\nover_limit_reply = OK {nope}\n' >"$bad"
if "$(ss_bin sendsentry-policyd)" -c "$bad" -n 2>"$SS_TMP/bad.txt"; then ss_fail "-n accepted a bad configuration"; fi
for want in "message_limits" "only loopback" "over_limit_reply"; do
    grep -q "$want" "$SS_TMP/bad.txt" || ss_fail "-n did not report $want: $(cat "$SS_TMP/bad.txt")"
done

"$(ss_bin sendsentry-policyd)" -c "$conf" -f >"$SS_TMP/policyd.log" 2>&1 &
pid=$!
ss_on_exit "ss_kill_pid $pid"
ss_wait 10 "policyd listening" ss_port_open "$port4"
[ "$(stat -c %a "$SS_TMP/policyd.sock")" = 620 ] || ss_fail "socket mode is $(stat -c %a "$SS_TMP/policyd.sock"), not 620"
if [ -n "$owner_line" ]; then
    [ "$(stat -c %U:%G "$SS_TMP/policyd.sock")" = nobody:nogroup ] ||
        ss_fail "socket owner is $(stat -c %U:%G "$SS_TMP/policyd.sock"), not nobody:nogroup"
fi

"$SS_PY" - "$SS_TMP/policyd.sock" "$port4" "$port6" "$pid" <<'PY' || ss_fail "protocol checks failed (see above)"
import os, signal, socket, sys, time
path, port4, port6, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def connect(kind):
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX); s.connect(path)
    elif kind == "v4":
        s = socket.create_connection(("127.0.0.1", port4))
    else:
        s = socket.socket(socket.AF_INET6); s.connect(("::1", port6))
    s.settimeout(10)
    return s

def read_reply(s):
    data = b""
    while not data.endswith(b"\n\n"):
        chunk = s.recv(65536)
        if not chunk:
            return None  # closed
        data += chunk
    return data.decode()

def request(sender, state="RCPT", instance="i1", rcpt="r@remote.test", count="0", crlf=False):
    nl = "\r\n" if crlf else "\n"
    attrs = ["request=smtpd_access_policy", "protocol_state=" + state, "protocol_name=ESMTP",
             "client_address=127.0.0.1", "sender=" + sender, "recipient=" + rcpt,
             "recipient_count=" + count, "instance=" + instance, "queue_id=", "frobnicate=unknown attribute"]
    return (nl.join(attrs) + nl + nl).encode()

def ask(s, data):
    s.sendall(data)
    return read_reply(s)

fail = []
def check(label, cond):
    if not cond:
        fail.append(label)
        print("FAIL:", label, file=sys.stderr)

good = connect("unix")
for kind in ("unix", "v4", "v6"):
    s = connect(kind)
    check(kind + " answers", ask(s, request("a@x.test", crlf=(kind == "v6"))) == "action=DUNNO\n\n")
    s.close()

hostile = {
    "1 MB line": b"sender=" + b"a" * (1 << 20) + b"\n\n",
    "NUL byte": b"request=smtpd_access_policy\nsender=a\0b\n\n",
    "no '='": b"request=smtpd_access_policy\njunk\n\n",
    "too many attributes": b"".join(b"a%d=1\n" % i for i in range(500)) + b"\n",
}
for label, data in hostile.items():
    s = connect("v4")
    try:
        s.sendall(data)
        check(label + ": closed without a reply", read_reply(s) is None)
    except (ConnectionResetError, BrokenPipeError):
        pass  # closed while we were still writing: also a close
    s.close()
    check(label + ": other client still answered", ask(good, request("b@x.test")) == "action=DUNNO\n\n")

# 500 idle connections, then a SIGHUP that lowers the limit to 1/1h.
idle = [connect("unix" if i % 2 else "v4") for i in range(500)]
for s in idle[:10]:
    check("idle connection answers", ask(s, request("c@x.test")) == "action=DUNNO\n\n")
with open(os.path.dirname(path) + "/policyd.conf") as f:
    text = f.read()
with open(os.path.dirname(path) + "/policyd.conf", "w") as f:
    f.write(text.replace("message_limits = 2/1h", "message_limits = 1/1h"))
os.kill(pid, signal.SIGHUP)
log = os.path.dirname(path) + "/policyd.log"
for _ in range(100):  # bounded: 10 s
    if "reloaded" in open(log).read():
        break
    time.sleep(0.1)
# One message for d@ passes at END-OF-MESSAGE, the second is deferred with the new limit.
check("first message", ask(good, request("d@x.test", instance="m1")) == "action=DUNNO\n\n")
check("first counted", ask(good, request("d@x.test", state="END-OF-MESSAGE", instance="m1", count="1")) == "action=DUNNO\n\n")
reply = ask(good, request("d@x.test", instance="m2"))
check("reloaded limit applies: " + str(reply), reply is not None and "Rate limit 1 messages per 1h" in reply)
answered = sum(ask(s, request("e%d@x.test" % i)) == "action=DUNNO\n\n" for i, s in enumerate(idle))
check("all 500 idle connections answered after SIGHUP (%d)" % answered, answered == 500)
for s in idle:
    s.close()
sys.exit(1 if fail else 0)
PY

grep -q 'bad_request error="request longer than' "$SS_TMP/policyd.log" || ss_fail "oversized request not logged"
grep -q 'bad_request error="NUL byte' "$SS_TMP/policyd.log" || ss_fail "NUL byte not logged"
kill -TERM "$pid"
ss_wait 10 "policyd stopped" ss_pid_gone "$pid"
rows=$(sqlite3 "$SS_TMP/store.db" "SELECT count(*) FROM limiter_state WHERE key LIKE '%|sender:d@x.test'")
[ "$rows" -ge 1 ] || ss_fail "SIGTERM did not persist the rate state"
[ ! -e "$SS_TMP/policyd.sock" ] || ss_fail "unix socket left behind"
ss_note "ok: sockets, hostile clients, 500 idle connections, SIGHUP, SIGTERM"
