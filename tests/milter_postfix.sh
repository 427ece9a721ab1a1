#!/bin/bash
# sendsentry-milter behind a real private Postfix: mail submitted on the
# submission service (milter_macro_daemon_name=ORIGINATING), mail from
# 127.0.0.1 (mynetworks) with 300 recipients, and local submission through
# sendmail(1) (non_smtpd_milters) arrive at the loopback "internet" signed
# (RSA + Ed25519), and every signature verifies with dkimpy and Mail::DKIM;
# mail relayed in from outside (127.0.0.2) arrives unsigned. The milter runs
# as an unprivileged user and its unix socket is handed to Postfix through
# socket_owner and socket_mode.
# SPF/DMARC (issue 4) against the loopback DNS: signed mail carries our
# Authentication-Results with spf=pass, dkim=pass, dmarc=pass; a forged
# Authentication-Results under our authserv-id is removed from every message
# (another server's is kept); mail whose From is not aligned is tagged
# (action=tag), and refused with 550 when its domain's action is reject.
set -eu
. "$(dirname "$0")/harness/common.sh"
. "$(dirname "$0")/harness/dns.sh"
. "$(dirname "$0")/harness/postfix.sh"
. "$(dirname "$0")/harness/internet.sh"
ss_require_root
ss_require_cmd postfix swaks unbound perl openssl
ss_init milter-postfix

MILTER=$(ss_bin sendsentry-milter)
VERIFY="$SS_PY $SS_SRCDIR/tests/dkim_verify.py"
run_user=nobody

keys=$SS_TMP/keys
mkdir -m 0700 "$keys"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$keys/ed.pem" 2>/dev/null
chmod 0600 "$keys"/*.pem
chown -R "$run_user" "$keys"

dns_zone example.com <<'ZONE'
@           IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc      IN TXT "v=DMARC1; p=reject"
ZONE
dns_zone example.net <<'ZONE'
_dmarc      IN TXT "v=DMARC1; p=quarantine"
ZONE
dns_dkim_record example.com rsa1 "$keys/rsa.pem"
dns_dkim_record example.com ed1 "$keys/ed.pem"
dns_start
net_start

sock=$SS_TMP/run/milter.sock
mkdir -p "$SS_TMP/run"
chown "$run_user" "$SS_TMP/run"
cat >"$SS_TMP/sendsentry.conf" <<CONF
[milter]
socket = unix:$sock
socket_owner = postfix:postfix
socket_mode = 0660
user = $run_user
internal_networks = 127.0.0.1/32
sign_daemons = ORIGINATING
[dkim]
domain = example.com
selector = rsa1
key_file = $keys/rsa.pem
second_selector = ed1
second_key_file = $keys/ed.pem
[spf]
outbound_ips = 192.0.2.10
resolver = $SS_DNS
time_limit = 5s
[dmarc]
authserv_id = relay.test
domain_actions = reject.example.net=reject
CONF
"$MILTER" -c "$SS_TMP/sendsentry.conf" -f >"$SS_TMP/milter.log" 2>&1 &
ss_on_exit "kill $!"
ss_wait 10 "milter socket" test -S "$sock"
[ "$(stat -c '%U:%G %a' "$sock")" = "postfix:postfix 660" ] || ss_fail "socket owner/mode: $(stat -c '%U:%G %a' "$sock")"

pf_create relay
pf_main relay "relay_domains = example.org"
pf_add_milter relay "unix:$sock" tempfail
pf_relay_to relay "$SS_NET"
pf_start relay

msg() { # SUBJECT: a message with 8-bit body and folded header; FROM= overrides the From
    printf 'From: %s\r\nTo: bob@example.org\r\n' "${FROM:-Alice =?UTF-8?Q?M=C3=BCller?= <alice@example.com>}"
    # A forged result under our authserv-id (removed) and another server's (kept).
    printf 'Authentication-Results: relay.test; spf=pass smtp.mailfrom=x@example.com;\r\n\tdmarc=pass header.from=example.com\r\n'
    printf 'Authentication-Results: mx.example.org; none\r\n'
    printf 'Subject: %s\r\nDate: %s\r\nMessage-ID: <%s@example.com>\r\n' "$1" "$(date -R)" "$RANDOM$RANDOM"
    printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n'
    printf 'References: <a1@example.com>\r\n <a2@example.com>\r\n\t<a3@example.com>\r\n\r\n'
    printf 'Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln.\r\n\r\n-- \r\nAlice\r\n'
}
msg "submission" >"$SS_TMP/sub.eml"
msg "mynetworks many recipients" >"$SS_TMP/many.eml"
msg "from outside" >"$SS_TMP/outside.eml"
msg "local sendmail" | tr -d '\r' >"$SS_TMP/local.eml"
FROM='Bob <bob@example.net>' msg "misaligned" >"$SS_TMP/misaligned.eml"
FROM='Rita <rita@reject.example.net>' msg "misaligned reject" >"$SS_TMP/reject.eml"

# From an outside address, but on the submission service: signed by daemon name.
swaks --server 127.0.0.1 --port "$(pf_port relay sub)" --local-interface 127.0.0.2 --from alice@example.com --to bob@example.org \
    --data "$SS_TMP/sub.eml" >"$SS_TMP/swaks1.log" 2>&1 || ss_fail "submission refused: $(tail -3 "$SS_TMP/swaks1.log")"
rcpts=$(seq -f 'r%g@example.org' 1 300 | paste -sd,)
swaks --server 127.0.0.1 --port "$(pf_port relay smtp)" --from alice@example.com --to "$rcpts" \
    --data "$SS_TMP/many.eml" >"$SS_TMP/swaks2.log" 2>&1 || ss_fail "mynetworks mail refused: $(tail -3 "$SS_TMP/swaks2.log")"
swaks --server 127.0.0.1 --port "$(pf_port relay smtp)" --local-interface 127.0.0.2 --from alice@example.com \
    --to carol@example.org --data "$SS_TMP/outside.eml" >"$SS_TMP/swaks3.log" 2>&1 ||
    ss_fail "relayed-in mail refused: $(tail -3 "$SS_TMP/swaks3.log")"
sendmail -C "$(pf_confdir relay)" -f alice@example.com dave@example.org <"$SS_TMP/local.eml" ||
    ss_fail "sendmail failed"
swaks --server 127.0.0.1 --port "$(pf_port relay sub)" --from alice@example.com --to erin@example.org \
    --data "$SS_TMP/misaligned.eml" >"$SS_TMP/swaks4.log" 2>&1 || ss_fail "misaligned mail (tag) refused: $(tail -3 "$SS_TMP/swaks4.log")"
if swaks --server 127.0.0.1 --port "$(pf_port relay sub)" --from alice@example.com --to fred@example.org \
    --data "$SS_TMP/reject.eml" >"$SS_TMP/swaks5.log" 2>&1; then
    ss_fail "misaligned mail of a reject domain was accepted"
fi
grep -q '<\*\* *550 5\.7\.1 .*DMARC for reject\.example\.net would fail' "$SS_TMP/swaks5.log" ||
    { tail -5 "$SS_TMP/swaks5.log"; ss_fail "no 550 5.7.1 saying what to fix for the reject domain"; }

# 300 recipients leave in several deliveries (smtp_destination_recipient_limit).
net_wait_count 10 60
pf_wait_queue_empty relay 30

ar_of() { # FILE: its Authentication-Results values, unfolded, one per line
    "$SS_PY" -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for v in m.get_all("Authentication-Results") or []:
    print(" ".join(str(v).split()))' "$1"
}
# FILE WHAT ERE: exactly one result of ours, matching ERE; the other server's kept.
expect_ar() {
    local all ours
    all=$(ar_of "$1")
    ours=$(grep -c '^relay\.test;' <<<"$all") || true
    [ "$ours" = 1 ] || ss_fail "$2: $ours Authentication-Results of ours (forged one kept?): $all"
    grep -Eq "^relay\.test; $3" <<<"$all" || ss_fail "$2: Authentication-Results is not $3: $all"
    grep -qx 'mx.example.org; none' <<<"$all" || ss_fail "$2: another server's Authentication-Results was removed"
}
aligned='spf=pass [^;]*smtp\.mailfrom=alice@example\.com; dkim=pass [^;]*header\.d=example\.com header\.s=rsa1; dkim=pass [^;]*header\.d=example\.com header\.s=ed1; dmarc=pass .*header\.from=example\.com policy\.dmarc=reject$'

signed=()
kinds=""
for f in $(net_files); do
    subject=$(grep -m1 '^Subject:' "$f" | tr -d '\r')
    case $subject in
    *"from outside"*)
        if grep -q '^DKIM-Signature:' "$f"; then ss_fail "mail relayed in from outside was signed"; fi
        all=$(ar_of "$f")
        grep -q '^relay\.test;' <<<"$all" && ss_fail "forged Authentication-Results kept on mail relayed in"
        grep -qx 'mx.example.org; none' <<<"$all" || ss_fail "another server's Authentication-Results removed"
        kinds="$kinds outside" ;;
    *misaligned*)
        expect_ar "$f" misaligned 'spf=pass [^;]*; dkim=none [^;]*; dmarc=fail .*header\.from=example\.net'
        grep -q '^X-Sendsentry-Warning: .*DMARC for example\.net would fail' "$f" ||
            ss_fail "misaligned mail not tagged with X-Sendsentry-Warning"
        kinds="$kinds misaligned" ;;
    *)
        expect_ar "$f" "${subject#Subject: }" "$aligned"
        signed+=("$f"); kinds="$kinds ${subject#Subject: }" ;;
    esac
done
for k in outside submission "mynetworks many recipients" "local sendmail" misaligned; do
    case $kinds in *"$k"*) ;; *) ss_fail "no \"$k\" message arrived (have:$kinds)" ;; esac
done
n=${#signed[@]}
$VERIFY --dns "$SS_DNS" --expect 2 "${signed[@]}" >"$SS_TMP/verify.log" || {
    cat "$SS_TMP/verify.log"
    ss_fail "signatures made behind Postfix did not verify"
}
grep -q "dkimpy=$((2 * n)) mail-dkim=$n " "$SS_TMP/verify.log" || { cat "$SS_TMP/verify.log"; ss_fail "not every signature checked"; }
[ "$(net_rejected_count)" = 0 ] || ss_fail "the internet refused recipients"
grep -q 'signed d=example.com s=rsa1 a=rsa-sha256 reason="daemon ORIGINATING"' "$SS_TMP/milter.log" ||
    ss_fail "no signing reason logged for submission"
grep -Eq '^[0-9A-F]+: not signed reason="not ours: unauthenticated client=127.0.0.2' "$SS_TMP/milter.log" ||
    { cat "$SS_TMP/milter.log"; ss_fail "no queue-id log line for the unsigned outside message"; }
grep -Eq '^[0-9A-F]+: auth-check spf=pass .*dmarc=pass .*action=accept' "$SS_TMP/milter.log" ||
    { cat "$SS_TMP/milter.log"; ss_fail "no queue-id auth-check line for aligned mail"; }
grep -Eq '^[0-9A-F]+: auth-check spf=pass .*dmarc=fail .*action=tag' "$SS_TMP/milter.log" ||
    ss_fail "no auth-check line with action=tag"
grep -Eq '^[0-9A-F]+: auth-check spf=pass .*dmarc=fail .*action=reject' "$SS_TMP/milter.log" ||
    ss_fail "no auth-check line with action=reject"
grep -Eq '^(warning: )?[0-9A-F]+: forged Authentication-Results removed count=1 authserv_id=relay.test' "$SS_TMP/milter.log" ||
    ss_fail "no log line for the removed forged Authentication-Results"
ss_note "ok"
