#!/bin/bash
# `sendsentry metrics` on a real database: the Prometheus text on stdout,
# the same text published atomically with --textfile, and served on a
# loopback port with --listen (scraped with curl: 200 for /metrics, 404
# elsewhere); a non-loopback --listen address is refused.
set -eu
. "$(dirname "$0")/harness/common.sh"
ss_require_cmd curl sqlite3
S=$(ss_bin sendsentry)
ss_init
db="$SS_TMP/s.db"
ss() { "$S" --db "$db" "$@"; }

ss suppress add a@gmail.test b@gmail.test --reason hard_bounce >/dev/null
ss suppress add c@yahoo.test --reason unsubscribe --scope shop.test >/dev/null
now=$(date +%s)
bucket=$((now - now % 3600))
sqlite3 "$db" "INSERT INTO counters (subject, name, bucket, value) VALUES
  ('shop.test', 'sent', $bucket, 1000), ('shop.test', 'hard_bounce', $bucket, 25)"
ss senders --evaluate >/dev/null 2>&1

expect() { # FILE LINE...
    local f=$1 l
    shift
    for l in "$@"; do
        grep -qxF -- "$l" "$f" || ss_fail "'$l' missing in $f: $(head -c 3000 "$f")"
    done
}
lines=(
    'sendsentry_sender_sent{sender="shop.test",window="24h"} 1000'
    'sendsentry_sender_hard_bounce_ratio{sender="shop.test",window="24h"} 0.025000000000000001'
    'sendsentry_sender_state{sender="shop.test",state="warning"} 1'
    'sendsentry_suppressions{reason="hard_bounce"} 2'
    'sendsentry_suppressions{reason="unsubscribe"} 1'
    '# TYPE sendsentry_policy_blocked gauge'
)
ss metrics >"$SS_TMP/stdout.prom"
expect "$SS_TMP/stdout.prom" "${lines[@]}"

ss metrics --textfile "$SS_TMP/node/sendsentry.prom" 2>/dev/null && ss_fail "--textfile into a missing directory succeeded"
mkdir "$SS_TMP/node"
ss metrics --textfile "$SS_TMP/node/sendsentry.prom"
expect "$SS_TMP/node/sendsentry.prom" "${lines[@]}"
[ "$(ls "$SS_TMP/node")" = sendsentry.prom ] || ss_fail "temporary files left: $(ls "$SS_TMP/node")"

rc=0
ss metrics --listen 0.0.0.0:9187 2>/dev/null || rc=$?
[ $rc = 2 ] || ss_fail "--listen 0.0.0.0 exited $rc, expected 2 (loopback only)"

port=$(ss_free_port)
ss metrics --listen "127.0.0.1:$port" 2>"$SS_TMP/listen.log" &
pid=$!
ss_on_exit "kill $pid"
ss_wait 10 "metrics endpoint" ss_port_open "$port"
curl -sS --max-time 5 "http://127.0.0.1:$port/metrics" >"$SS_TMP/scrape.prom" || ss_fail "scrape failed"
expect "$SS_TMP/scrape.prom" "${lines[@]}"
# A new suppression shows in the next scrape: each scrape reads the store.
ss suppress add d@gmail.test --reason hard_bounce >/dev/null
curl -sS --max-time 5 "http://127.0.0.1:$port/metrics" | grep -qxF 'sendsentry_suppressions{reason="hard_bounce"} 3' ||
    ss_fail "second scrape did not see the new entry"
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
[ "$code" = 404 ] || ss_fail "GET / answered $code, expected 404"
echo "metrics: stdout, textfile and loopback endpoint agree"
