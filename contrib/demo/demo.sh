#!/bin/bash
# The demonstration that ./demo runs after installing and building: a private
# Postfix, a loopback DNS server and a loopback "internet", the sendsentry
# programs wired exactly as conf/ says, a small campaign from two sender
# domains, and a short report. Everything it starts, it stops (exit trap).
# Needs root (Postfix). Usage: SS_BUILDDIR=build/demo contrib/demo/demo.sh
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
SS_NAME=demo
. "$top/tests/harness/common.sh"
. "$SS_HARNESS/postfix.sh"
. "$SS_HARNESS/dns.sh"
. "$SS_HARNESS/internet.sh"
. "$SS_HARNESS/sendsentry.sh"
ss_require_root
ss_init demo
demo="$top/contrib/demo"

say() { printf '%s\n' "$*"; }
section() { printf '\n== %s\n' "$*"; }
present() { if ss_have_bin "$1"; then echo yes; else echo no; fi; }

have_milter=$(present sendsentry-milter)
have_policyd=$(present sendsentry-policyd)
have_bounce=$(present sendsentry-bounce)
have_cli=$(present sendsentry)
section "Parts of sendsentry in this build ($SS_BUILDDIR)"
printf '  %-20s %-4s %s\n' sendsentry-milter "$have_milter" "DKIM signing, SPF/DMARC verdicts" \
    sendsentry-policyd "$have_policyd" "suppression, rate limits, sender states" \
    sendsentry-bounce "$have_bounce" "DSN/ARF/unsubscribe -> suppression (pipe transport)" \
    sendsentry "$have_cli" "admin CLI (keygen, suppress, spf, dmarc)"
say "  (a part marked 'no' is not built yet: the demo leaves it out and says so below)"

# --- the world: two sender domains, a receiving internet ----------------------
relay_ip=192.0.2.25 # the relay's public address as receivers would see it
brands="acme.test bluebird.test"
openssl_key() { # TYPE FILE
    if [ "$1" = ed25519 ]; then
        openssl genpkey -algorithm ed25519 -out "$2" 2>/dev/null
    else
        openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$2" 2>/dev/null
    fi
}
keydir="$SS_TMP/keys"
mkdir -p "$keydir"
keygen_by=openssl
make_key() { # DOMAIN SELECTOR TYPE
    local f="$keydir/$1.$2.pem"
    if [ "$have_cli" = yes ] && "$(ss_bin sendsentry)" keygen --domain "$1" --selector "$2" --type "$3" \
        --out "$f" >"$SS_TMP/keygen.$1.$2.txt" 2>&1; then
        keygen_by="sendsentry keygen"
    else
        openssl_key "$3" "$f"
    fi
    chown "$SS_RUN_USER" "$f"
    chmod 0600 "$f"
    dns_dkim_record "$1" "$2" "$f"
}
# acme.test: SPF authorises the relay, DMARC p=reject, dual RSA + Ed25519 signing.
dns_zone acme.test <<ZONE
@        IN TXT "v=spf1 ip4:$relay_ip -all"
_dmarc   IN TXT "v=DMARC1; p=reject; adkim=r; aspf=r; rua=mailto:dmarc@acme.test"
bounces  IN MX 10 relay.acme.test.
bounces  IN TXT "v=spf1 ip4:$relay_ip -all"
relay    IN A 127.0.0.1
ZONE
# bluebird.test: forgot the relay in SPF (SPF fails), DMARC p=quarantine.
dns_zone bluebird.test <<ZONE
@        IN TXT "v=spf1 ip4:198.51.100.7 -all"
_dmarc   IN TXT "v=DMARC1; p=quarantine; adkim=r; aspf=r"
bounces  IN MX 10 relay.bluebird.test.
bounces  IN TXT "v=spf1 ip4:198.51.100.7 -all"
relay    IN A 127.0.0.1
ZONE
make_key acme.test rsa2026 rsa
make_key acme.test ed2026 ed25519
make_key bluebird.test rsa2026 rsa
dns_start
net_start

# --- sendsentry.conf from conf/sendsentry.conf --------------------------------
conf="$SS_TMP/sendsentry.conf"
ssd_conf "$conf"
cat >"$SS_TMP/KeyTable" <<KT
rsa2026._domainkey.acme.test acme.test:rsa2026:$keydir/acme.test.rsa2026.pem
ed2026._domainkey.acme.test acme.test:ed2026:$keydir/acme.test.ed2026.pem
rsa2026._domainkey.bluebird.test bluebird.test:rsa2026:$keydir/bluebird.test.rsa2026.pem
KT
cat >"$SS_TMP/SigningTable" <<ST
*@acme.test rsa2026._domainkey.acme.test
*@acme.test ed2026._domainkey.acme.test
*@bluebird.test rsa2026._domainkey.bluebird.test
ST
# Two domains: the KeyTable/SigningTable setup replaces the simple one.
ssd_conf_set "$conf" dkim domain ""
ssd_conf_set "$conf" dkim selector ""
ssd_conf_set "$conf" dkim key_file ""
ssd_conf_try "$conf" dkim key_table "$SS_TMP/KeyTable" || true
ssd_conf_try "$conf" dkim signing_table "refile:$SS_TMP/SigningTable" || true
ssd_conf_try "$conf" dkim multiple_signatures yes || true
ssd_conf_set "$conf" spf outbound_ips "$relay_ip"
ssd_conf_try "$conf" spf resolver "$SS_DNS" || say "  note: this build has no [spf] resolver key"
ssd_conf_try "$conf" dmarc authserv_id relay.demo.test || true
ssd_conf_try "$conf" policyd limit_key sender || true
ssd_conf_try "$conf" policyd message_limits "150/1h" || say "  note: this build has no [policyd] message_limits key"
chmod 0644 "$SS_TMP/KeyTable" "$SS_TMP/SigningTable"
# The return path README recommends: the milter rewrites MAIL FROM to
# bounces+TOKEN@bounces.<domain>; the key is shared with sendsentry-bounce.
openssl rand -hex 32 >"$keydir/return-path.key"
chown "$SS_RUN_USER" "$keydir/return-path.key"
chmod 0600 "$keydir/return-path.key"
rewrite=no
if [ "$have_milter" = yes ] && ssd_conf_try "$conf" return_path key_file "$keydir/return-path.key" &&
    ssd_conf_try "$conf" return_path rewrite yes; then
    rewrite=yes
fi

# --- Postfix wired as conf/main.cf and conf/master.cf say ----------------------
parts=""
[ "$have_milter" = yes ] && parts="$parts,milter"
[ "$have_policyd" = yes ] && parts="$parts,policyd"
[ "$have_bounce" = yes ] && parts="$parts,bounce"
pf_create relay
pf_relay_to relay "$SS_NET"
ssd_wire_postfix relay "$conf" "${parts#,}" bounces.acme.test bounces.bluebird.test
[ "$have_milter" = yes ] && ssd_start sendsentry-milter "$conf"
[ "$have_policyd" = yes ] && ssd_start sendsentry-policyd "$conf"
pf_start relay
section "Running (all on 127.0.0.1, under $SS_TMP)"
say "  Postfix: submission :$(pf_port relay sub) (internal network), MX :$(pf_port relay smtp); wired: ${parts#,}"
say "  DNS (unbound): $SS_DNS serving acme.test, bluebird.test (SPF, DKIM, DMARC, MX)"
say "  the internet (aiosmtpd): $SS_NET, refuses unknown*/blocked* (5xx) and full*/greylist* (4xx)"
say "  DKIM keys made by: $keygen_by; sendsentry programs run as user $SS_RUN_USER"
if [ "$rewrite" = yes ]; then
    say "  return path: the milter rewrites MAIL FROM news@acme.test to bounces+TOKEN@bounces.acme.test"
    say "    (HMAC token: sender and message); bounces.<domain> has its own MX and SPF in DNS"
else
    say "  return path: this milter has no envelope-sender rewrite (smfi_chgfrom), so the demo's"
    say "    application sends with MAIL FROM bounces@bounces.<domain> itself (custom MAIL FROM domain)"
fi

# --- the campaign -------------------------------------------------------------
"$SS_PY" - "$SS_TMP" <<'PY'
import sys
d = sys.argv[1]
def write(name, good, bad):
    # The addresses receivers refuse are spread through the list, as in life.
    step = good // (len(bad) + 1)
    with open(d + "/" + name, "w") as f:
        for i in range(1, good + 1):
            f.write("reader%03d@%s\n" % (i, "remote.test" if i % 3 else "mail.test"))
            if i % step == 0 and i // step <= len(bad):
                f.write(bad[i // step - 1] + "\n")
write("acme.rcpts", 184, ["unknown.%d@remote.test" % i for i in range(1, 9)] +
      ["full.%d@remote.test" % i for i in range(1, 5)] + ["blocked.%d@mail.test" % i for i in range(1, 5)])
write("bluebird.rcpts", 94, ["nosuchuser.%d@remote.test" % i for i in range(1, 5)] +
      ["disabled.1@mail.test", "greylist.1@remote.test"])
PY
campaign() { # FROM NAME LIST UNSUB OUT [RETURN_PATH]
    "$SS_PY" "$demo/campaign.py" --port "$(pf_port relay sub)" --from "$1" --name "$2" \
        --unsubscribe "$4" ${6:+--return-path "$6"} "$SS_TMP/$3" >"$SS_TMP/$5"
}
# Without the milter's return-path rewrite the application sets the bounce
# address itself (as with a custom MAIL FROM domain at a delivery service).
# With it, the application sends as itself and the milter sets the return path.
if [ "$rewrite" = yes ]; then
    campaign news@acme.test "ACME News" acme.rcpts unsubscribe@bounces.acme.test acme.json
    campaign hello@bluebird.test "Bluebird" bluebird.rcpts unsubscribe@bounces.bluebird.test bluebird.json
else
    campaign news@acme.test "ACME News" acme.rcpts unsubscribe@bounces.acme.test acme.json bounces@bounces.acme.test
    campaign hello@bluebird.test "Bluebird" bluebird.rcpts unsubscribe@bounces.bluebird.test bluebird.json \
        bounces@bounces.bluebird.test
fi
jq_py() { "$SS_PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$SS_TMP/$1"; }
acme_ok=$(jq_py acme.json 'r["accepted"]')
blue_ok=$(jq_py bluebird.json 'r["accepted"]')

# Complaint (ARF from the receiver's feedback loop) and an unsubscribe click,
# both from outside (127.0.0.2) to the MX.
sed -e 's/bounces\.sender\.test/bounces.acme.test/g; s/sender\.test/acme.test/g; s/complainer@remote\.test/reader007@remote.test/g' \
    "$top/tests/e2e/arf-complaint.eml" >"$SS_TMP/arf.eml"
sed -e 's/leaver@remote\.test/reader010@remote.test/g; s/bounces\.sender\.test/bounces.bluebird.test/g' \
    "$top/tests/e2e/unsubscribe.eml" >"$SS_TMP/unsub.eml"
mx=$(pf_port relay smtp)
swaks --silent 2 --server "127.0.0.1:$mx" --local-interface 127.0.0.2 --from fbl@feedback.remote.test \
    --to complaints@bounces.acme.test --data "@$SS_TMP/arf.eml" >/dev/null 2>&1 || say "  (complaint not accepted by the MX)"
swaks --silent 2 --server "127.0.0.1:$mx" --local-interface 127.0.0.2 --from reader010@remote.test \
    --to unsubscribe@bounces.bluebird.test --data "@$SS_TMP/unsub.eml" >/dev/null 2>&1 || say "  (unsubscribe not accepted by the MX)"

# Wait (bounded) until the internet has answered every accepted message and
# every DSN/complaint/unsubscribe has reached the pipe transport once.
expect_net=$((acme_ok + blue_ok))
_delivered() { [ $(($(net_count) + $(net_rejected_count))) -ge "$expect_net" ]; }
ss_wait 120 "the internet answered $expect_net messages" _delivered || true
hard=$(grep -c '"reply": "5' "$SS_NET_SPOOL/rejected.jsonl" 2>/dev/null || echo 0)
_piped() { [ "$(pf_count_log relay 'relay=sendsentry-bounce')" -ge $((hard + 2)) ]; }
if [ "$have_bounce" = yes ]; then
    ss_wait 60 "$((hard + 2)) deliveries to sendsentry-bounce" _piped
fi
sleep 1

# A later send to the same list: suppressed recipients must be refused.
cat "$SS_TMP/acme.rcpts" | head -20 >"$SS_TMP/later.rcpts"
grep -E '^(unknown|blocked)' "$SS_TMP/acme.rcpts" >>"$SS_TMP/later.rcpts"
echo reader007@remote.test >>"$SS_TMP/later.rcpts"
# Its own envelope sender, so news@'s rate limit (keyed by envelope sender) does not apply.
if [ "$rewrite" = yes ]; then
    campaign alerts@acme.test "ACME Alerts" later.rcpts unsubscribe@bounces.acme.test later.json
else
    campaign alerts@acme.test "ACME Alerts" later.rcpts unsubscribe@bounces.acme.test later.json alerts@bounces.acme.test
fi

# --- the report ---------------------------------------------------------------
section "Campaign (submission from the internal network)"
for f in acme bluebird later; do
    "$SS_PY" - "$SS_TMP/$f.json" "$f" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
label = {"acme": "acme.test (200 msgs)", "bluebird": "bluebird.test (100 msgs)", "later": "acme.test later send"}[sys.argv[2]]
print("  %-24s accepted %3d  deferred %3d  refused %3d" % (label, r["accepted"], r["deferred"], r["refused"]))
for reply, n in sorted(r["replies"].items(), key=lambda x: -x[1])[:3]:
    print("      %3d x %s" % (n, reply))
PY
done

section "At the receiving internet"
files=$(net_files | wc -l)
say "  messages received: $files"
"$SS_PY" - "$SS_NET_SPOOL/rejected.jsonl" <<'PY'
import json, os, sys
hard, soft = set(), set()
if os.path.exists(sys.argv[1]):
    for line in open(sys.argv[1]):
        r = json.loads(line)
        (hard if r["reply"].startswith("5") else soft).add(r["rcpt"].lower())
print("  recipients refused by receivers: %d permanently (5xx), %d temporarily (4xx: Postfix retries)"
      % (len(hard), len(soft - hard)))
PY
if [ "$files" -gt 0 ]; then
    campaign_files=$(grep -l -E '^From: (ACME|Bluebird)' $(net_files) || true)
    ncamp=$(echo "$campaign_files" | grep -c . || true)
    if [ "$ncamp" -gt 0 ]; then
        py_ok=$("$SS_PY" "$SS_HARNESS/dkim_verify.py" --dns "$SS_DNS_PORT" $campaign_files 2>/dev/null | tail -1 || true)
        pl_ok=$(perl "$SS_HARNESS/dkim_verify.pl" --dns "$SS_DNS_PORT" $campaign_files 2>/dev/null | tail -1 || true)
        signed=$(grep -l -i '^DKIM-Signature:' $campaign_files | wc -l)
        say "  DKIM: $signed of $ncamp campaign messages signed"
        say "    independent check, $py_ok"
        say "    independent check, $pl_ok (RSA only: Debian's Mail::DKIM has no Ed25519)"
        algos=$(grep -h -o -i '^DKIM-Signature:.*' $campaign_files | grep -o 'a=[a-z0-9-]*' | sort | uniq -c | tr '\n' ' ' || true)
        [ -n "$algos" ] && say "    signatures by algorithm: $algos"
        # Ours only (the milter removes forged copies); one resinfo per folded line.
        ar=$(grep -h -i -A5 '^Authentication-Results: *relay\.demo\.test;' $campaign_files | grep -o -E '^[[:space:]]*(spf|dmarc)=[a-z]+' | tr -d ' \t' | sort | uniq -c | tr '\n' ' ' || true)
        if [ -n "$ar" ]; then
            say "  SPF/DMARC verdicts (Authentication-Results): $ar"
        else
            say "  SPF/DMARC verdicts: no Authentication-Results header (milter SPF/DMARC part not present)"
        fi
    fi
fi
cli_has() { "$(ss_bin sendsentry)" --help 2>/dev/null | grep -Eq "^  $1 "; }
if [ -n "${ar:-}" ]; then
    : # the milter's own verdicts above; `sendsentry spf` / `dmarc` ask the same before a campaign
elif [ "$have_cli" = yes ] && ! cli_has spf; then
    say "  sendsentry spf / dmarc: not in this build of the CLI"
elif [ "$have_cli" = yes ]; then
    for b in acme.test bluebird.test; do
        spf=$("$(ss_bin sendsentry)" spf --ip "$relay_ip" --mail-from "bounces@bounces.$b" --resolver "$SS_DNS" 2>&1 | head -1 || true)
        dmarc=$("$(ss_bin sendsentry)" dmarc --from "news@$b" --mail-from "bounces@bounces.$b" --dkim-domain "$b" \
            --resolver "$SS_DNS" 2>&1 | head -1 || true)
        say "  sendsentry spf/dmarc for $b from $relay_ip: spf: ${spf:-?}; dmarc: ${dmarc:-?}"
    done
fi

section "Bounces, complaints, unsubscribes"
if [ "$have_bounce" = yes ]; then
    sent=$(pf_count_log relay 'relay=sendsentry-bounce.*status=sent')
    deferred=$(grep 'relay=sendsentry-bounce.*status=deferred' "$(pf_log relay)" | grep -o ' [0-9A-F]\{8,\}:' | sort -u | wc -l)
    say "  handed to sendsentry-bounce by the pipe transport: $sent parsed and stored"
    if [ "$rewrite" = yes ]; then
        tokens=$(pf_count_log relay 'to=<bounces\+[a-z2-7]+@bounces\.[a-z.]+>, relay=sendsentry-bounce.*status=sent')
        say "    of which $tokens DSNs came home to bounces+TOKEN@bounces.<domain>: attributed by the token"
        ssd_sql "SELECT '      ' || sender || ': ' || sum(count) || ' bounce events' FROM events WHERE kind IN ('hard_bounce', 'soft_bounce') GROUP BY sender" 2>/dev/null || true
    fi
    [ "$deferred" -gt 0 ] && say "  kept in Postfix's queue for retry (sendsentry-bounce exit 75): $deferred messages"
else
    say "  sendsentry-bounce not built: DSNs are not processed"
fi
if [ -f "$(ssd_store)" ]; then
    say "  events recorded (bounces parsed, complaints, unsubscribes, blocked sends):"
    ssd_sql "SELECT '    ' || kind || ': ' || sum(count) FROM events GROUP BY kind ORDER BY kind" 2>/dev/null || true
    say "  suppression list:"
    ssd_sql "SELECT '    ' || reason || ' (' || CASE scope WHEN '' THEN 'global' ELSE scope END || '): ' || count(*) FROM suppression GROUP BY reason, scope" 2>/dev/null || true
    ssd_sql "SELECT '      e.g. ' || address || ' ' || reason || ' ' || detail FROM suppression ORDER BY first_seen LIMIT 3" 2>/dev/null || true
    say "  sender states:"
    if [ "$have_cli" = yes ] && cli_has senders; then
        ssd_cli -c "$conf" senders --evaluate 2>&1 | sed 's/^/    /' || true
    else
        say "    (sendsentry senders is not in this build)"
    fi
else
    say "  no store was created (no program that writes it ran)"
fi
section "Done"
say "  everything started is stopped now; logs were under $SS_TMP (removed; SS_KEEP=1 keeps them)"
