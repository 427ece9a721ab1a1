#!/bin/bash
# Drives `sendsentry senders` and `sendsentry sender show|resume` against a
# real database: counters as the policy daemon and the bounce program write
# them (hourly buckets), evaluation into warning and suspension, the history,
# and an operator's resume that is not undone by the old counts.
set -eu
. "$(dirname "$0")/harness/common.sh"
ss_init
S=$(ss_bin sendsentry)
db="$SS_TMP/s.db"
ss() { "$S" --db "$db" "$@"; }

ss suppress stats >/dev/null # creates the schema
now=$(date +%s)
bucket=$((now - now % 3600 - 3600))
sqlite3 "$db" "INSERT INTO counters (subject, name, bucket, value) VALUES
  ('bad.example', 'sent', $bucket, 1000), ('bad.example', 'hard_bounce', $bucket, 85),
  ('meh.example', 'sent', $bucket, 600), ('meh.example', 'complaint', $bucket, 1),
  ('good.example', 'sent', $bucket, 5000), ('good.example', 'hard_bounce', $bucket, 10)"

ss senders --evaluate >"$SS_TMP/table" 2>"$SS_TMP/log"
grep -Eq '^bad\.example +suspended +1000 +8\.50%' "$SS_TMP/table" || ss_fail "bad.example not suspended: $(cat "$SS_TMP/table")"
grep -Eq '^meh\.example +warning ' "$SS_TMP/table" || ss_fail "meh.example not in warning: $(cat "$SS_TMP/table")"
grep -Eq '^good\.example +ok ' "$SS_TMP/table" || ss_fail "good.example not ok: $(cat "$SS_TMP/table")"
grep -q 'bad.example: sender_state from=ok to=suspended' "$SS_TMP/log" || ss_fail "state change not logged"

ss sender show bad.example >"$SS_TMP/show"
grep -q 'reason:  hard-bounce rate 8.50% over 24h (85 of 1000) reached the suspension threshold 8%' "$SS_TMP/show" ||
    ss_fail "show lacks the reason: $(cat "$SS_TMP/show")"
grep -q 'ok->suspended' "$SS_TMP/show" || ss_fail "show lacks the history"

rc=0
ss sender resume nobody.example --why test >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || ss_fail "resume of an unknown sender exited $rc, expected 1"
ss sender resume bad.example --why "list cleaned" --by alice >/dev/null
ss senders --evaluate --json >"$SS_TMP/json" 2>/dev/null
grep -q '"sender":"bad.example","state":"ok","state_since":"[^"]*","state_reason":"resumed by alice: list cleaned"' \
    "$SS_TMP/json" || ss_fail "resume not kept after evaluation: $(cat "$SS_TMP/json")"
ss sender show bad.example --json | grep -q '"change":"suspended->ok: resumed by alice: list cleaned","source":"cli"' ||
    ss_fail "resume not in the history"
echo "senders: states, history and resume as expected"
