#!/bin/bash
# The reputation loop through the real programs, then the report rendered by
# a real browser: sendsentry-policyd counts messages (policy protocol on a
# loopback port), sendsentry-bounce stores DSNs for that mail and re-judges
# the sender at once (warning, then suspension, each mailed through the
# configured sendmail_command), policyd refuses a suppressed recipient; then
# `sendsentry report bounces|blocked` tables and `sendsentry report --html`
# rendered by Debian's headless Chromium, whose DOM must hold the charts:
# volume and rate charts per sender, threshold lines, top reasons, top
# blocked recipient domains.
set -eu
. "$(dirname "$0")/harness/common.sh"
ss_require_cmd chromium "$SS_PY"
S=$(ss_bin sendsentry)
P=$(ss_bin sendsentry-policyd)
B=$(ss_bin sendsentry-bounce)
ss_init

port=$(ss_free_port)
conf="$SS_TMP/sendsentry.conf"
cat >"$SS_TMP/sendmail" <<EOS
#!/bin/sh
# A sendmail(1) stand-in named by [reputation] sendmail_command: keeps what it gets.
{ echo "ARGS: \$*"; cat; echo "--- end"; } >>"$SS_TMP/mailed"
EOS
chmod 0755 "$SS_TMP/sendmail"
cat >"$conf" <<EOF2
[store]
path = $SS_TMP/store.db
[policyd]
listen = inet:127.0.0.1:$port
persist_interval = 1s
[reputation]
min_volume = 10
notify_address = admin@relay.test
sendmail_command = $SS_TMP/sendmail
EOF2
ss() { "$S" -c "$conf" "$@"; }

ss suppress add blocked@gmail.test --reason complaint >/dev/null
"$P" -c "$conf" -f 2>"$SS_TMP/policyd.log" &
pd=$!
ss_on_exit "kill $pd"
ss_wait 10 "policyd listening" ss_port_open "$port"

# 40 messages from news@shop.test (half of them authenticated as alice),
# 20 from info@good.test, and one RCPT to a suppressed recipient.
exec 3<>"/dev/tcp/127.0.0.1/$port"
ss_on_exit "exec 3>&-"
ask() { # ATTR=VALUE... -> the action
    local a line
    for a in request=smtpd_access_policy protocol_name=ESMTP client_address=127.0.0.1 "$@"; do
        printf '%s\n' "$a" >&3
    done
    printf '\n' >&3
    read -r -t 5 line <&3 || ss_fail "policyd did not answer"
    read -r -t 5 _ <&3 || true
    echo "${line#action=}"
}
for i in $(seq 1 40); do
    sasl=$([ $((i % 2)) = 0 ] && echo alice || echo "")
    ask protocol_state=END-OF-MESSAGE "instance=s$i" sender=news@shop.test "sasl_username=$sasl" recipient_count=1 >/dev/null
done
for i in $(seq 1 20); do
    ask protocol_state=END-OF-MESSAGE "instance=g$i" sender=info@good.test recipient_count=1 >/dev/null
done
action=$(ask protocol_state=RCPT instance=b1 sender=news@shop.test recipient=blocked@gmail.test)
case $action in 550*) ;; *) ss_fail "suppressed recipient answered '$action'" ;; esac
sent_counted() { ss senders --json | grep -q '"sender":"shop.test".*"window":"24h","sent":40,.*"blocked":1,'; }
ss_wait 10 "policyd's counts in the store" sent_counted
ss senders --json | grep -q '"sender":"sasl:alice".*"sent":20,' || ss_fail "sasl:alice not counted: $(ss senders --json)"

# DSNs for four of those messages: 1 of 40 (2.5%) warns, 4 of 40 (10%) suspend.
dsn() {
    cat <<EOM
From: MAILER-DAEMON@mx.gmail.test
To: bounces@relay.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.gmail.test

Final-Recipient: rfc822; $1
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist

--B
Content-Type: text/rfc822-headers

From: News <news@shop.test>
To: $1
Subject: offers
--B--
EOM
}
for n in 1 2 3 4; do
    dsn "gone$n@gmail.test" | "$B" -c "$conf" -f '' -r bounces@relay.test 2>>"$SS_TMP/bounce.log" ||
        ss_fail "sendsentry-bounce exited $?: $(cat "$SS_TMP/bounce.log")"
    if [ $n = 1 ]; then
        ss senders --json | grep -q '"sender":"shop.test","state":"warning"' ||
            ss_fail "one bounce in 40 did not warn: $(ss senders --json)"
    fi
done
ss sender show shop.test >"$SS_TMP/show"
grep -q '^state:   suspended' "$SS_TMP/show" || ss_fail "not suspended by the bounce program: $(cat "$SS_TMP/show")"
grep -q 'warning->suspended: hard-bounce rate 10% over 24h (4 of 40)' "$SS_TMP/show" ||
    ss_fail "history lacks the suspension: $(cat "$SS_TMP/show")"
grep -q 'sendsentry: sender shop.test is now warning (was ok)' "$SS_TMP/mailed" || ss_fail "no warning mail: $(cat "$SS_TMP/mailed" 2>&1)"
grep -q 'sendsentry: sender shop.test is now suspended (was warning)' "$SS_TMP/mailed" || ss_fail "no suspension mail"
grep -q '^ARGS: -oi -- admin@relay.test$' "$SS_TMP/mailed" || ss_fail "sendmail arguments: $(grep ARGS "$SS_TMP/mailed")"

# The tables.
ss report bounces --since 1h --json >"$SS_TMP/bounces.json"
grep -q '"by_reason":\[{"key":"5.1.1 userunknown","count":4}\]' "$SS_TMP/bounces.json" ||
    ss_fail "bounce reasons: $(cat "$SS_TMP/bounces.json")"
grep -q '"hard_by_sender_domain":\[{"key":"shop.test","count":4}\]' "$SS_TMP/bounces.json" ||
    ss_fail "bounce sender domains: $(cat "$SS_TMP/bounces.json")"
ss report blocked --since 1h --csv | grep -qx 'by_recipient_domain,gmail.test,1' || ss_fail "blocked report: $(ss report blocked --csv)"
[ "$(ss report bounces --since 1h --sender good.test --json | grep -o '"total":[0-9]*')" = '"total":0' ] ||
    ss_fail "--sender good.test counted shop.test's bounces"

# The page, through a real browser.
ss report --html "$SS_TMP/report.html" --since 2h >/dev/null
HOME=$SS_TMP timeout 60 chromium --headless --disable-gpu --no-sandbox --user-data-dir="$SS_TMP/chromium" \
    --dump-dom "file://$SS_TMP/report.html" >"$SS_TMP/dom.html" 2>"$SS_TMP/chromium.log" ||
    ss_fail "chromium failed: $(tail -5 "$SS_TMP/chromium.log")"
"$SS_PY" - "$SS_TMP/dom.html" <<'EOPY' || ss_fail "charts missing from the rendered DOM"
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.svgs = [], {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and a.get("id"):
            self.svgs[a["id"]] = []
            self.stack.append(a["id"])
        elif self.stack:
            self.svgs[self.stack[-1]].append((tag, a))
    def handle_endtag(self, tag):
        if tag == "svg" and self.stack:
            self.stack.pop()

d = Dom()
d.feed(open(sys.argv[1]).read())
ok = True
def expect(cond, what):
    global ok
    if not cond:
        print("missing: " + what)
        ok = False
for sender in ("shop_test", "good_test", "sasl_alice"):
    expect(any(t == "polyline" and "sent" in a.get("class", "") for t, a in d.svgs.get("volume-" + sender, [])),
           "volume chart of " + sender)
for metric, warn, suspend in (("hard-bounce-rate", "2%", "8%"), ("complaint-rate", "0.10%", "0.30%")):
    els = d.svgs.get(metric + "-shop_test", [])
    expect(any(t == "polyline" and metric in a.get("class", "") for t, a in els), metric + " series")
    lines = {(a.get("class"), a.get("data-threshold")) for t, a in els if t == "line"}
    expect(("threshold warning", warn) in lines, metric + " warning line at " + warn)
    expect(("threshold suspension", suspend) in lines, metric + " suspension line at " + suspend)
expect(any(a.get("data-key") == "5.1.1 userunknown" for t, a in d.svgs.get("top-bounce-reasons", []) if t == "rect"),
       "top bounce reason bar")
expect(any(a.get("data-key") == "gmail.test" for t, a in d.svgs.get("top-blocked-domains", []) if t == "rect"),
       "top blocked domain bar")
sys.exit(0 if ok else 1)
EOPY
echo "report_html: policyd counts + bounces -> warning, suspension, mails; tables; charts in Chromium's DOM"
