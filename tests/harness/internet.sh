# The loopback "internet": a receiving SMTP server (internet.py, aiosmtpd) on
# 127.0.0.1:<free port> that stands for every remote MX. Point a private
# Postfix at it with pf_relay_to NAME "$SS_NET". Source common.sh; ss_init.
#
# Built-in replies by recipient local part (see internet.py):
#   unknown*  550 5.1.1 user unknown      nosuchuser*  550 5.1.1 does not exist
#   full*     452 4.2.2 over quota        overquota*   552 5.2.2 mailbox full
#   blocked*  550 5.7.1 blocked (RBL)     greylist*    451 4.7.1 greylisted
#   disabled* 550 5.2.1 account disabled  anything else: 250 accepted
# API:
#   net_rule 'PATTERN CODE TEXT'   extra rule (fnmatch on the address), before start
#   net_start               start it; sets SS_NET=127.0.0.1:PORT, SS_NET_PORT, SS_NET_SPOOL
#   net_start_on PORT       start it on PORT (again after net_stop; the spool is kept)
#   net_stop
#   net_count               number of messages received so far
#   net_rejected_count      number of recipients refused so far
#   net_wait_count N SECS   until at least N messages have been received
#   net_files               the received message files, oldest first
#   net_received_for ADDR   the files of messages that had ADDR as a recipient
#   net_log                 received.jsonl (one JSON object per message)

net_rule() { mkdir -p "$SS_TMP/internet"; printf '%s\n' "$1" >>"$SS_TMP/internet/rules"; }

net_start() { net_start_on "$(ss_free_port)"; }

net_start_on() {
    local d port=$1
    d="$SS_TMP/internet"
    mkdir -p "$d/spool"
    touch "$d/rules"
    "$SS_PY" "$SS_HARNESS/internet.py" --port "$port" --spool "$d/spool" \
        --rules "$d/rules" >"$d/log" 2>&1 &
    echo $! >"$d/pid"
    SS_NET_PORT=$port
    SS_NET=127.0.0.1:$port
    SS_NET_SPOOL=$d/spool
    export SS_NET SS_NET_PORT SS_NET_SPOOL
    ss_on_exit net_stop
    ss_wait 15 "internet listening on $port" _net_up
}

_net_up() { grep -q listening "$SS_TMP/internet/log" && ss_port_open "$SS_NET_PORT"; }

net_stop() {
    local pid
    pid=$(cat "$SS_TMP/internet/pid" 2>/dev/null) || return 0
    ss_kill_pid "$pid"
    rm -f "$SS_TMP/internet/pid"
}

net_log() { echo "$SS_NET_SPOOL/received.jsonl"; }
net_count() { if [ -f "$SS_NET_SPOOL/received.jsonl" ]; then wc -l <"$SS_NET_SPOOL/received.jsonl"; else echo 0; fi; }
net_rejected_count() { if [ -f "$SS_NET_SPOOL/rejected.jsonl" ]; then wc -l <"$SS_NET_SPOOL/rejected.jsonl"; else echo 0; fi; }
_net_has() { [ "$(net_count)" -ge "$1" ]; }
net_wait_count() { ss_wait "$2" "$1 messages at the loopback internet" _net_has "$1"; }
net_files() { ls "$SS_NET_SPOOL"/*.eml 2>/dev/null; }
net_received_for() {
    "$SS_PY" -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if sys.argv[2].lower() in (a.lower() for a in r["rcpt_tos"]):
        print(sys.argv[3] + "/" + r["file"])' "$SS_NET_SPOOL/received.jsonl" "$1" "$SS_NET_SPOOL"
}
