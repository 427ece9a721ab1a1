#!/bin/bash
# Policy-service benchmark: sendsentry-policyd against postfwd (Debian's
# postfwd1 -d, its fastest mode with rate limits), side by side in one run,
# both with a per-sender limit of 1000 messages per hour counted at
# END-OF-MESSAGE. sendsentry-policyd also looks every recipient up in a
# store holding 1,000,000 suppressed addresses (10% of recipients are among
# them). Load: bench/policy_bench.c at 1, 8, 64 and 1,000 connections,
# senders drawn from a Zipf distribution, each connection sending its next
# request as soon as the last is answered (closed loop: the throughput, and
# a latency that is the queue of all connections by Little's law); then 64
# connections offering a steady load (open loop: the latency a request sees
# at that load). Then bench/null_policy.c, which answers DUNNO and does
# nothing else, at 1 and 64 connections: the protocol floor of this machine,
# what no single-threaded policy service can beat here. Prints each run, then the
# throughput ratio and latencies.
# Not part of `make check` (it measures).
#
# usage: bench/policy_bench.sh [BUILD_DIR] [SECONDS_PER_RUN]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-.}" && pwd)
seconds=${2:-5}
policyd="$build/src/policyd/sendsentry-policyd"
[ -x "$policyd" ] || { echo "policy_bench: build sendsentry-policyd first (make) in $build" >&2; exit 1; }
command -v postfwd1 >/dev/null || { echo "policy_bench: postfwd1 missing (apt-get install postfwd)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "policy_bench: sqlite3 missing" >&2; exit 1; }

tmp=$(mktemp -d /tmp/policy_bench.XXXXXX)
chmod 0755 "$tmp"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    [ -f "$tmp/postfwd.pid" ] && kill -TERM "$(cat "$tmp/postfwd.pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$tmp"
}
trap cleanup EXIT
ulimit -n 8192 2>/dev/null || true

cc -O2 -Wall -Wextra -o "$tmp/policy_bench" "$src/bench/policy_bench.c" -lm
cc -O2 -Wall -Wextra -o "$tmp/null_policy" "$src/bench/null_policy.c"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_sd=$(free_port)
port_pf=$(free_port)

cat >"$tmp/sendsentry.conf" <<CONF
[store]
path = $tmp/store.db
[policyd]
listen = unix:$tmp/policyd.sock inet:127.0.0.1:$port_sd
message_limits = 1000/1h
max_connections = 5000
CONF

# The store: schema from a first start, then 1,000,000 suppressed addresses.
"$policyd" -c "$tmp/sendsentry.conf" &
p=$!
for _ in $(seq 100); do
    [ "$(sqlite3 "$tmp/store.db" "SELECT count(*) FROM sqlite_master WHERE name = 'limiter_state'" 2>/dev/null)" = 1 ] && break
    sleep 0.1
done
sleep 0.5
kill -TERM "$p"; wait "$p" || true
echo "policy_bench: loading 1,000,000 suppressed addresses ..." >&2
sqlite3 "$tmp/store.db" "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999)
  INSERT INTO suppression (address, scope, reason, source, detail, first_seen, last_seen)
  SELECT printf('s%07d@suppressed.example', i), '', 'hard_bounce', 'bench', '5.1.1', 1700000000, 1700000000 FROM n;"
rows=$(sqlite3 "$tmp/store.db" "SELECT count(*) FROM suppression")
echo "policy_bench: store holds $rows suppressed addresses" >&2
# The kernel would otherwise write the 160 MB back during the first runs.
sync

# Foreground, logging every refusal to a file: a machine without a syslog
# daemon makes glibc retry /dev/log for each line, which would be measured
# instead of the daemon (postfwd runs with --norulelog and logs nothing).
"$policyd" -c "$tmp/sendsentry.conf" -f 2>"$tmp/policyd.log" &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/policyd.sock" ] && break; sleep 0.1; done

cat >"$tmp/postfwd.cf" <<'RULES'
id=RATE_SENDER; protocol_state==END-OF-MESSAGE; action=rate(sender/1000/3600/450 4.7.1 rate limit exceeded for $$sender)
RULES
postfwd1 -d -f "$tmp/postfwd.cf" -i 127.0.0.1 -p "$port_pf" -n --norulelog --noidlestats \
    --pidfile "$tmp/postfwd.pid" -u nobody -g nogroup -l postfwd-bench >/dev/null 2>&1
for _ in $(seq 100); do /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port_pf))" 2>/dev/null && break; sleep 0.1; done

echo "policy_bench: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $seconds s per run" >&2
# field NAME LINE: the number after NAME= in a policy_bench result line.
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }
# row LABEL LINE: one line of the open-loop and floor tables.
row() { printf '%-28s %10s %10s %10s\n' "$1" "$(field rps "$2")" "$(field p50_us "$2")" "$(field p99_us "$2")"; }
declare -A rps p50 p99 answered
for c in 1 8 64 1000; do
    for target in "sendsentry:inet:127.0.0.1:$port_sd" "postfwd:inet:127.0.0.1:$port_pf"; do
        name=${target%%:inet*}
        line=$("$tmp/policy_bench" -t "${target#*:}" -c "$c" -d "$seconds" -s 10000 -u 1000000 -f 0.1 -l "$name")
        echo "$line"
        rps[$name.$c]=$(field rps "$line")
        p50[$name.$c]=$(field p50_us "$line")
        p99[$name.$c]=$(field p99_us "$line")
        answered[$name.$c]=$(field conns_never_answered "$line")
    done
done
# conf/main.cf wires the daemon through its unix socket; postfwd has none.
unix_line=$("$tmp/policy_bench" -t "unix:$tmp/policyd.sock" -c 64 -d "$seconds" -s 10000 -u 1000000 -f 0.1 -l sendsentry-unix)
echo "$unix_line"
# Open loop at 64 connections: a load postfwd carries, offered to both, and
# a busy relay's load offered to sendsentry-policyd.
declare -A open_line
for run in "sendsentry:$port_sd:1500" "postfwd:$port_pf:1500" "sendsentry:$port_sd:10000"; do
    IFS=: read -r name port offered <<<"$run"
    line=$("$tmp/policy_bench" -t "inet:127.0.0.1:$port" -c 64 -d "$seconds" -s 10000 -u 1000000 -f 0.1 \
        -r "$offered" -l "$name")
    echo "$line"
    open_line[$name.$offered]=$line
done
# The protocol floor, alone on the machine: the daemons idle meanwhile.
"$tmp/null_policy" "unix:$tmp/null.sock" &
pids+=($!)
port_null=$(free_port)
"$tmp/null_policy" "inet:127.0.0.1:$port_null" &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/null.sock" ] && break; sleep 0.1; done
for _ in $(seq 50); do /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port_null))" 2>/dev/null && break; sleep 0.1; done
declare -A floor_line
for run in "1:inet:127.0.0.1:$port_null" "64:unix:$tmp/null.sock" "64:inet:127.0.0.1:$port_null"; do
    c=${run%%:*} target=${run#*:}
    line=$("$tmp/policy_bench" -t "$target" -c "$c" -d "$seconds" -s 10000 -u 1000000 -f 0.1 -l "null-${target%%:*}")
    echo "$line"
    floor_line[$c.${target%%:*}]=$line
done

echo
printf '%-6s %14s %14s %8s %22s %22s %18s\n' conns "sendsentry/s" "postfwd/s" ratio "sendsentry p50/p99 us" "postfwd p50/p99 us" "never answered s/p"
for c in 1 8 64 1000; do
    s=${rps[sendsentry.$c]:-0} f=${rps[postfwd.$c]:-0}
    ratio=$(awk -v s="$s" -v f="$f" 'BEGIN { if (f > 0) printf "%.1fx", s / f; else print "inf" }')
    printf '%-6s %14s %14s %8s %22s %22s %18s\n' "$c" "$s" "$f" "$ratio" \
        "${p50[sendsentry.$c]}/${p99[sendsentry.$c]}" "${p50[postfwd.$c]}/${p99[postfwd.$c]}" \
        "${answered[sendsentry.$c]}/${answered[postfwd.$c]}"
done
printf '%-6s %14s %14s %8s %22s\n' "64 unix" "$(field rps "$unix_line")" - - \
    "$(field p50_us "$unix_line")/$(field p99_us "$unix_line")"
echo
printf '%-28s %10s %10s %10s\n' "null floor" "answered/s" "p50 us" "p99 us"
for key in 1.inet 64.unix 64.inet; do
    row "null_policy ${key%%.*} over ${key#*.}" "${floor_line[$key]}"
done
echo
printf '%-28s %10s %10s %10s\n' "64 connections, open loop" "answered/s" "p50 us" "p99 us"
for key in sendsentry.1500 postfwd.1500 sendsentry.10000; do
    row "${key%%.*} offered ${key#*.}/s" "${open_line[$key]}"
done
