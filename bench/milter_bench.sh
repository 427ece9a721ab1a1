#!/bin/bash
# Milter signing benchmark (not part of make check): sendsentry-milter and
# opendkim (Debian package, same keys) side by side in one run, alternating
# round by round, at concurrency 1, 4 and 16, for 2 KB and 200 KB messages,
# RSA-2048 and Ed25519, plus a null libmilter filter as the protocol floor
# (answering every stage, and negotiating the same no-reply stages as
# sendsentry). Signatures of every run are verified by dkimpy. Prints
# messages/s (median of the rounds) and the ratios the issue targets.
#
#   bench/milter_bench.sh [BUILDDIR]   (default: the current directory)
# Environment: SECONDS_PER_RUN (default 3), ROUNDS (default 3),
# CONCURRENCY ("1 4 16"), SIZES ("2 200", KB), PER_CONNECTION (default 1:
# one milter connection per message, as Postfix cleanup does).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-.}" && pwd)
T=${SECONDS_PER_RUN:-3}
ROUNDS=${ROUNDS:-3}
CONC=${CONCURRENCY:-1 4 16}
SIZES=${SIZES:-2 200}
PERCONN=${PER_CONNECTION:-1}

make -s -C "$build" src/milter/sendsentry-milter bench/milter_bench bench/null_milter >/dev/null
MILTER=$build/src/milter/sendsentry-milter
DRIVER=$build/bench/milter_bench
NULL=$build/bench/null_milter
command -v opendkim >/dev/null || { echo "opendkim is not installed (contrib/install-deps)" >&2; exit 1; }

# opendkim refuses keys below a world-writable directory (/tmp): use $HOME.
dir=$(mktemp -d "${HOME:-/root}/sendsentry-bench.XXXXXX")
chmod 0700 "$dir"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$dir/ed.pem" 2>/dev/null
chmod 0600 "$dir"/*.pem

headers="From To Cc Subject Date Message-ID MIME-Version Content-Type Content-Transfer-Encoding Reply-To List-Unsubscribe List-Unsubscribe-Post In-Reply-To References"
for alg in rsa ed; do
    cat >"$dir/ss-$alg.conf" <<CONF
[milter]
socket = unix:$dir/ss-$alg.sock
# Signing only, as opendkim does here: no SPF/DMARC check.
auth_check = no
[dkim]
domain = example.com
selector = ${alg}1
key_file = $dir/$alg.pem
CONF
    "$MILTER" -c "$dir/ss-$alg.conf" 2>"$dir/ss-$alg.log" &
    pids+=($!)
    # The same signing policy for opendkim: relaxed/relaxed, same header
    # list, same oversigning, sign mail from 127.0.0.1.
    cat >"$dir/od-$alg.conf" <<CONF
Syslog no
Background no
Mode s
Domain example.com
Selector ${alg}1
KeyFile $dir/$alg.pem
SignatureAlgorithm $([ $alg = rsa ] && echo rsa-sha256 || echo ed25519-sha256)
Canonicalization relaxed/relaxed
SignHeaders ${headers// /,}
OversignHeaders From,Subject,To,Date
InternalHosts 127.0.0.1
Socket local:$dir/od-$alg.sock
PidFile $dir/od-$alg.pid
UMask 007
CONF
    opendkim -f -x "$dir/od-$alg.conf" 2>"$dir/od-$alg.log" &
    pids+=($!)
done
"$NULL" -s "unix:$dir/null.sock" &
pids+=($!)
"$NULL" -r -s "unix:$dir/null-nr.sock" &
pids+=($!)
for s in ss-rsa ss-ed od-rsa od-ed null null-nr; do
    for _ in $(seq 100); do [ -S "$dir/$s.sock" ] && break; sleep 0.1; done
    [ -S "$dir/$s.sock" ] || { echo "$s did not start:" >&2; cat "$dir/$s.log" >&2 2>/dev/null; exit 1; }
done

# Messages: typical headers, a body of SIZE KB of 76-column lines.
for kb in $SIZES; do
    /usr/bin/python3 - "$dir/msg-$kb.eml" "$kb" <<'PY'
import sys
path, kb = sys.argv[1], int(sys.argv[2])
h = ('From: "Example Sender" <news@example.com>\r\nTo: Someone <someone@example.org>\r\n'
     'Subject: Your monthly statement is ready\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n'
     'Message-ID: <bench.1@example.com>\r\nMIME-Version: 1.0\r\n'
     'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n'
     'List-Unsubscribe: <https://example.com/u/abc>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\n')
line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem\r\n'
body = line * max(1, (kb * 1024 - len(h)) // len(line))
open(path, 'w').write(h + body)
PY
done

declare -A rates
run() { # FILTER KB CONC ROUND
    local f=$1 kb=$2 c=$3 r=$4 save=() out
    case $f in ss-* | od-*)
        mkdir -p "$dir/saved/$f-$kb-$c-$r"
        save=(--save-dir "$dir/saved/$f-$kb-$c-$r" --save 3)
        ;;
    esac
    out=$("$DRIVER" --socket "unix:$dir/$f.sock" --message "$dir/msg-$kb.eml" --seconds "$T" \
        --concurrency "$c" --per-connection "$PERCONN" "${save[@]}")
    local msgs signed rate
    msgs=$(sed -E 's/.*messages=([0-9]+).*/\1/' <<<"$out")
    signed=$(sed -E 's/.*signed=([0-9]+).*/\1/' <<<"$out")
    rate=$(sed -E 's/.*rate=([0-9.]+).*/\1/' <<<"$out")
    case $f in ss-* | od-*)
        [ "$signed" = "$msgs" ] || { echo "$f: only $signed of $msgs messages signed: $out" >&2; exit 1; } ;;
    esac
    rates[$f,$kb,$c]="${rates[$f,$kb,$c]:-} $rate"
}

filters="ss-rsa od-rsa ss-ed od-ed null-nr null"
echo "# $(date -u +%FT%TZ) $(nproc) CPUs; ${T}s per run, $ROUNDS rounds (median), $PERCONN message(s) per milter connection" >&2
for kb in $SIZES; do
    for c in $CONC; do
        for r in $(seq "$ROUNDS"); do
            for f in $filters; do
                run "$f" "$kb" "$c" "$r"
            done
        done
        echo "# done: ${kb} KB, concurrency $c" >&2
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "verifying saved signatures with dkimpy..." >&2
$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3) "$top/tests/dkim_verify.py" \
    --key rsa1:example.com:"$dir/rsa.pem" --key ed1:example.com:"$dir/ed.pem" --expect 1 \
    "$dir"/saved/*/*.eml | tail -1

printf '\n%-6s %-4s | %9s %9s %9s %9s | %9s %9s | %-22s %-22s %-16s\n' size conc ss-rsa od-rsa ss-ed od-ed \
    null-nr null "rsa: x opendkim" "rsa: of null-nr/null" "ed: of null-nr/null"
for kb in $SIZES; do
    for c in $CONC; do
        declare -A m=()
        for f in $filters; do m[$f]=$(median <<<"${rates[$f,$kb,$c]}"); done
        printf '%-6s %-4s | %9.0f %9.0f %9.0f %9.0f | %9.0f %9.0f | rsa %4.2fx ed %4.2fx     %3.0f%% / %3.0f%%            %3.0f%% / %3.0f%%\n' \
            "${kb}KB" "$c" "${m[ss-rsa]}" "${m[od-rsa]}" "${m[ss-ed]}" "${m[od-ed]}" "${m[null-nr]}" "${m[null]}" \
            "$(bc -l <<<"${m[ss-rsa]} / ${m[od-rsa]}")" "$(bc -l <<<"${m[ss-ed]} / ${m[od-ed]}")" \
            "$(bc -l <<<"100 * ${m[ss-rsa]} / ${m[null-nr]}")" "$(bc -l <<<"100 * ${m[ss-rsa]} / ${m[null]}")" \
            "$(bc -l <<<"100 * ${m[ss-ed]} / ${m[null-nr]}")" "$(bc -l <<<"100 * ${m[ss-ed]} / ${m[null]}")"
    done
done
echo "targets: RSA-2048 >= 2x opendkim and >= 70% of null; Ed25519 >= 85% of null (messages/s, median of $ROUNDS)"
