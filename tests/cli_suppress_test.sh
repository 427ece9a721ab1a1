#!/bin/bash
# Drives the real `sendsentry` binary against a database file: exit codes,
# add/check/remove with scope and expiry, list paging, import/export round
# trips in CSV and JSON Lines, the SES bulk-import form, bad lines skipped or
# refused (--strict) with their line numbers, and configuration checks.
set -eu
. "$(dirname "$0")/harness/common.sh"
ss_init
S=$(ss_bin sendsentry)
db="$SS_TMP/s.db"
ss() { "$S" --db "$db" "$@"; }

# expect CODE CMD...: run CMD, fail unless it exits with CODE.
expect() {
    local want=$1 rc=0
    shift
    "$@" >"$SS_TMP/out" 2>"$SS_TMP/err" || rc=$?
    [ "$rc" = "$want" ] || ss_fail "exit $rc, expected $want: $* (stderr: $(head -c 400 "$SS_TMP/err"))"
}

# Exit codes.
expect 0 "$S" --help
expect 2 "$S" --no-such-option
expect 2 "$S" suppress
expect 2 ss suppress add not-an-address
expect 2 ss suppress add a@example.com --reason nonsense
expect 2 ss suppress add a@example.com --expires someday
expect 1 ss suppress check nobody@example.com
grep -q 'not suppressed' "$SS_TMP/out" || ss_fail "check did not say 'not suppressed'"
mkdir "$SS_TMP/dir.db"
expect 3 "$S" --db "$SS_TMP/dir.db" suppress stats
head -c 8192 /dev/urandom >"$SS_TMP/garbage.db"
expect 3 "$S" --db "$SS_TMP/garbage.db" suppress check a@example.com
expect 3 "$S" --db "$SS_TMP/no/such/dir/s.db" suppress stats

# Configuration: -n reports and exits; [store] path is used without --db.
printf '[store]\npath = %s\nbusy_timeout = 5s\n' "$SS_TMP/conf.db" >"$SS_TMP/good.conf"
printf '[store]\npath = %s\nno_such_key = 1\n' "$SS_TMP/conf.db" >"$SS_TMP/bad.conf"
expect 0 "$S" -c "$SS_TMP/good.conf" -n
expect 2 "$S" -c "$SS_TMP/bad.conf" -n
grep -q 'no_such_key' "$SS_TMP/err" || ss_fail "-n did not name the unknown key"
expect 2 "$S" -c "$SS_TMP/missing.conf" suppress stats
expect 0 "$S" -c "$SS_TMP/good.conf" suppress add conf@example.com
[ -f "$SS_TMP/conf.db" ] || ss_fail "[store] path was not used"

# Add, check with scope, expiry, remove.
expect 0 ss suppress add Hard@Example.COM --reason hard_bounce --note 'said "no", twice'
expect 0 ss suppress check hard@example.com
grep -q 'reason=hard_bounce' "$SS_TMP/out" || ss_fail "check did not show the reason"
expect 0 ss suppress add reader@example.com --reason unsubscribe --scope brand-a.example
expect 0 ss suppress check reader@example.com --sender news@brand-a.example
expect 1 ss suppress check reader@example.com --sender news@brand-b.example
expect 1 ss suppress check reader@example.com
grep -q 'not suppressed globally' "$SS_TMP/out" && grep -q 'for mail from brand-a.example: scope=brand-a.example reason=unsubscribe' "$SS_TMP/out" \
    || ss_fail "check without --sender hid the scoped entry: $(cat "$SS_TMP/out")"
expect 0 ss suppress add old@example.com --expires 2000-01-01
expect 1 ss suppress check old@example.com
expect 0 ss suppress check hard@example.com --json
grep -q '"suppressed":true' "$SS_TMP/out" || ss_fail "check --json: $(cat "$SS_TMP/out")"
expect 0 ss suppress remove reader@example.com --scope brand-a.example
expect 1 ss suppress remove reader@example.com --scope brand-a.example
expect 1 ss suppress check reader@example.com --sender brand-a.example

# List: filters and pages.
for i in 1 2 3 4 5; do expect 0 ss suppress add "page$i@list.example" --reason complaint; done
expect 0 ss suppress list --pattern '*@list.example' --limit 2 --offset 1 --json
grep -q '"total":5' "$SS_TMP/out" || ss_fail "list --json total: $(cat "$SS_TMP/out")"
[ "$(grep -o '"address"' "$SS_TMP/out" | wc -l)" = 2 ] || ss_fail "list page size: $(cat "$SS_TMP/out")"
grep -q 'page2@list.example' "$SS_TMP/out" || ss_fail "list offset: $(cat "$SS_TMP/out")"
expect 0 ss suppress list --reason complaint
[ "$(grep -c '@list.example' "$SS_TMP/out")" = 5 ] || ss_fail "list --reason: $(cat "$SS_TMP/out")"
expect 0 ss suppress list --expired --pattern 'old@*'
grep -q 'old@example.com' "$SS_TMP/out" || ss_fail "list --expired did not show the expired entry"
expect 0 ss suppress stats --json
grep -q '"complaint":5' "$SS_TMP/out" || ss_fail "stats: $(cat "$SS_TMP/out")"

# Round trips: export, import into a fresh database, export again: identical.
expect 0 ss suppress add '"odd, quoted"@example.com' --reason manual --note 'comma, "quote"' --expires 2099-01-01
for fmt in csv jsonl; do
    expect 0 ss suppress export "$SS_TMP/one.$fmt" --format "$fmt" --expired
    expect 0 "$S" --db "$SS_TMP/rt-$fmt.db" suppress import "$SS_TMP/one.$fmt"
    expect 0 "$S" --db "$SS_TMP/rt-$fmt.db" suppress export "$SS_TMP/two.$fmt" --format "$fmt" --expired
    cmp -s "$SS_TMP/one.$fmt" "$SS_TMP/two.$fmt" || ss_fail "$fmt round trip differs: $(diff "$SS_TMP/one.$fmt" "$SS_TMP/two.$fmt" | head -5)"
    [ "$(grep -c "@" "$SS_TMP/one.$fmt")" -ge 8 ] || ss_fail "$fmt export is short"
done

# The SES bulk-import form, in and out.
printf 'ses1@example.com,BOUNCE\nses2@example.com, COMPLAINT\n' >"$SS_TMP/ses.csv"
expect 0 "$S" --db "$SS_TMP/ses.db" suppress import "$SS_TMP/ses.csv"
expect 0 "$S" --db "$SS_TMP/ses.db" suppress check ses1@example.com
grep -q 'reason=hard_bounce' "$SS_TMP/out" || ss_fail "SES BOUNCE did not become hard_bounce"
expect 0 "$S" --db "$SS_TMP/ses.db" suppress export - --format ses
[ "$(cat "$SS_TMP/out")" = "$(printf 'ses1@example.com,BOUNCE\nses2@example.com,COMPLAINT')" ] ||
    ss_fail "SES export: $(cat "$SS_TMP/out")"

# Bad lines: reported with their line number; skipped, or everything refused.
printf 'address,reason\ngood1@example.com,manual\nnot-an-address,manual\ngood2@example.com,whatever\ngood3@example.com,\n' >"$SS_TMP/bad.csv"
expect 2 "$S" --db "$SS_TMP/strict.db" suppress import --strict "$SS_TMP/bad.csv"
grep -q 'bad.csv:3:' "$SS_TMP/err" || ss_fail "strict: no line number: $(cat "$SS_TMP/err")"
expect 1 "$S" --db "$SS_TMP/strict.db" suppress check good1@example.com
expect 0 "$S" --db "$SS_TMP/skip.db" suppress import "$SS_TMP/bad.csv"
grep -q 'bad.csv:3:' "$SS_TMP/err" && grep -q 'bad.csv:4:' "$SS_TMP/err" ||
    ss_fail "skip: bad lines not reported: $(cat "$SS_TMP/err")"
grep -q 'skipped 2 bad lines' "$SS_TMP/err" || ss_fail "skip: summary: $(cat "$SS_TMP/err")"
expect 0 "$S" --db "$SS_TMP/skip.db" suppress check good3@example.com

# Every change is in the event log.
n=$(sqlite3 "$db" "SELECT count(*) FROM events WHERE kind LIKE 'suppression_%'")
[ "$n" = 10 ] || ss_fail "$n suppression events logged, expected 10 (9 adds, 1 removal)"
ss_note "ok"
