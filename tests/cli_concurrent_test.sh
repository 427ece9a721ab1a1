#!/bin/bash
# Several `sendsentry` processes write one database at once (single adds from
# four shells while a large import runs and a reader checks): every command
# succeeds, no "database is locked" reaches the user, and no row is lost.
set -eu
. "$(dirname "$0")/harness/common.sh"
ss_init
S=$(ss_bin sendsentry)
conf="$SS_TMP/sendsentry.conf"
printf '[store]\npath = %s\nbusy_timeout = 60s\n' "$SS_TMP/s.db" >"$conf"
ss() { "$S" -c "$conf" "$@"; }

writers=4
adds=40
import_rows=30000
awk -v n="$import_rows" 'BEGIN { print "address,reason"; for (i = 0; i < n; i++) printf "bulk%d@import.example,hard_bounce\n", i }' \
    >"$SS_TMP/bulk.csv"
ss suppress stats >/dev/null # create the file first, as the daemons would have

pids=()
for w in $(seq 1 "$writers"); do
    (
        for i in $(seq 1 "$adds"); do
            ss suppress add "w$w-$i@concurrent.example" --reason manual || exit 1
        done
    ) >"$SS_TMP/w$w.out" 2>"$SS_TMP/w$w.err" &
    pids+=($!)
done
ss suppress import "$SS_TMP/bulk.csv" >"$SS_TMP/import.out" 2>"$SS_TMP/import.err" &
pids+=($!)
(
    for i in $(seq 1 100); do
        rc=0
        ss suppress check "w1-1@concurrent.example" >/dev/null || rc=$?
        [ "$rc" -le 1 ] || exit 1 # 0 or 1; 3 would be "could not tell"
    done
) 2>"$SS_TMP/reader.err" &
pids+=($!)

failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
if grep -il 'locked\|busy' "$SS_TMP"/*.err; then
    ss_fail "a lock error reached the user: $(cat "$SS_TMP"/*.err | grep -i 'locked\|busy' | head -3)"
fi
[ "$failed" = 0 ] || ss_fail "$failed writer(s) failed: $(tail -n 3 "$SS_TMP"/*.err)"

total=$(ss suppress stats --json | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
want=$((writers * adds + import_rows))
[ "$total" = "$want" ] || ss_fail "$total rows, expected $want"
ss_note "ok: $total rows from $((writers + 1)) concurrent writers"
