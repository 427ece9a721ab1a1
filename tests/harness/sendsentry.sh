# The sendsentry programs in a test or the demo: a config made from
# conf/sendsentry.conf, the daemons started and stopped, and the private
# Postfix wired with conf/main.cf and conf/master.cf exactly as users paste
# them (only paths are rewritten). Source common.sh and postfix.sh first.
#
# Every sendsentry program runs as SS_RUN_USER (default: nobody), never root:
# pipe(8) refuses root, and the store's files must belong to one user.
# Sockets live in $SS_TMP/run with mode 0666 because the private Postfix's
# user is not in a sendsentry group (production: 0660 + group, contrib/systemd).
#
# API:
#   ssd_conf FILE                 write FILE from conf/sendsentry.conf with the
#                                 store, sockets and key paths under $SS_TMP
#   ssd_conf_set FILE SECTION KEY VALUE   set one key (replaces "#key =" lines)
#   ssd_conf_try FILE SECTION KEY VALUE   the same, only if this build knows KEY
#                                 (checked with a built program's -n); else 1
#   ssd_as_user CMD...            run CMD as SS_RUN_USER
#   ssd_cli ARGS...               the admin CLI on the test store, as SS_RUN_USER
#   ssd_start NAME CONF           start sendsentry-milter or sendsentry-policyd
#                                 (-c CONF -f) and wait until its socket answers;
#                                 log in $SS_TMP/NAME.log; stopped by the trap
#   ssd_stop NAME                 SIGTERM and wait; ssd_kill NAME: SIGKILL (a crash)
#   ssd_pid NAME                  the daemon's pid
#   ssd_wire_postfix PF CONF PARTS [BOUNCE_DOMAIN...]   apply the blocks of
#                                 conf/main.cf and conf/master.cf for PARTS (a
#                                 comma list of milter, policyd, bounce; each
#                                 must be built) to private instance PF, with
#                                 paths rewritten (sockets, /usr/sbin, the config
#                                 file, user=); route each BOUNCE_DOMAIN to the pipe
#   ssd_store                     the store path of the config made by ssd_conf
#   ssd_sql SQL                   run SQL on the store (sqlite3, read-mostly checks)
#   ssd_suppressed ADDR [SCOPE]   true when ADDR is suppressed globally (or for sender
#                                 domain SCOPE): `sendsentry suppress check`, else SQL

SS_RUN_USER=${SS_RUN_USER:-nobody}

ssd_as_user() {
    local group
    group=$(id -gn "$SS_RUN_USER")
    setpriv --reuid="$SS_RUN_USER" --regid="$group" --clear-groups -- "$@"
}

ssd_conf_set() {
    local file=$1 section=$2 key=$3 value=$4 tmp
    tmp="$file.tmp"
    awk -v sec="$section" -v key="$key" -v val="$value" '
        function flush_missing() { if (insec && !done) { print key " = " val; done = 1 } }
        /^\[/ {
            flush_missing()
            insec = ($0 == "[" sec "]")
            if (insec) seen = 1
        }
        insec && !done && $0 ~ "^#?[ \t]*" key "[ \t]*=" { print key " = " val; done = 1; next }
        { print }
        END {
            if (!seen) { print ""; print "[" sec "]"; insec = 1 }
            flush_missing()
        }' "$file" >"$tmp" && mv "$tmp" "$file"
}

ssd_conf() {
    local file=$1
    mkdir -p "$SS_TMP/run" "$SS_TMP/store" "$SS_TMP/keys"
    chown "$SS_RUN_USER" "$SS_TMP/run" "$SS_TMP/store" "$SS_TMP/keys"
    chmod 0755 "$SS_TMP/run"
    chmod 0700 "$SS_TMP/keys"
    cp "$SS_SRCDIR/conf/sendsentry.conf" "$file"
    ssd_conf_set "$file" store path "$SS_TMP/store/sendsentry.db"
    ssd_conf_set "$file" milter socket "unix:$SS_TMP/run/milter.sock"
    ssd_conf_set "$file" milter socket_mode 0666
    ssd_conf_set "$file" policyd listen "unix:$SS_TMP/run/policyd.sock"
    ssd_conf_set "$file" policyd socket_mode 0666
    chmod 0644 "$file"
    echo "$file" >"$SS_TMP/.ssd_conf"
}

ssd_store() { sed -n 's/^path = //p' "$(cat "$SS_TMP/.ssd_conf")" | head -1; }
ssd_sql() { sqlite3 -cmd '.timeout 5000' "$(ssd_store)" "$1"; }

ssd_cli() { ssd_as_user "$(ss_bin sendsentry)" --db "$(ssd_store)" "$@"; }

ssd_suppressed() {
    if ss_have_bin sendsentry; then
        ssd_cli suppress check "$1" ${2:+--scope "$2"} >/dev/null 2>&1
    else
        [ "$(ssd_sql "SELECT count(*) FROM suppression WHERE address = '$1' COLLATE NOCASE AND scope = '${2:-}'")" -gt 0 ] 2>/dev/null
    fi
}

_ssd_socket_of() {
    local name=$1 conf=$2
    case $name in
    sendsentry-milter) awk '/^\[milter\]/{s=1;next} /^\[/{s=0} s && /^socket *=/{sub(/^socket *= */,""); print; exit}' "$conf" ;;
    sendsentry-policyd) awk '/^\[policyd\]/{s=1;next} /^\[/{s=0} s && /^listen *=/{sub(/^listen *= */,""); print $1; exit}' "$conf" ;;
    esac
}

_ssd_answers() {
    local sock=$1 path port
    case $sock in
    unix:*) path=${sock#unix:}; [ -S "$path" ] && "$SS_PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$path" ;;
    inet:*@*) port=${sock#inet:}; port=${port%@*}; ss_port_open "$port" ;;
    inet:*) port=${sock##*:}; ss_port_open "$port" ;;
    *) return 1 ;;
    esac
}

ssd_pid() { cat "$SS_TMP/$1.pid" 2>/dev/null; }

ssd_start() {
    local name=$1 conf=$2 bin sock pid
    bin=$(ss_bin "$name")
    sock=$(_ssd_socket_of "$name" "$conf")
    # setpriv execs the daemon: $! is the daemon's own pid (a shell function
    # run with & would leave a subshell in between).
    setpriv --reuid="$SS_RUN_USER" --regid="$(id -gn "$SS_RUN_USER")" --clear-groups -- \
        "$bin" -c "$conf" -f >>"$SS_TMP/$name.log" 2>&1 &
    pid=$!
    disown "$pid" # no "Killed" notice from bash when a test kills it on purpose
    echo "$pid" >"$SS_TMP/$name.pid"
    ss_on_exit "ssd_stop $name"
    local deadline=$((SECONDS + 15))
    until _ssd_answers "$sock" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            ss_fail "$name exited at start: $(tail -5 "$SS_TMP/$name.log")"
        fi
        [ $SECONDS -lt $deadline ] || ss_fail "$name does not answer on $sock: $(tail -5 "$SS_TMP/$name.log")"
        sleep 0.1
    done
}

ssd_stop() { ss_kill_pid "$(ssd_pid "$1")" 15; rm -f "$SS_TMP/$1.pid"; }

ssd_kill() {
    local pid
    pid=$(ssd_pid "$1")
    [ -n "$pid" ] || return 0
    kill -KILL "$pid" 2>/dev/null || true
    ss_wait 10 "$1 killed" ss_pid_gone "$pid"
    rm -f "$SS_TMP/$1.pid"
}

# Rewrites the paths of a conf/ snippet for this run.
_ssd_rewrite() {
    local conf=$1
    sed -e "s|unix:/run/sendsentry/|unix:$SS_TMP/run/|g" \
        -e "s|/usr/sbin/sendsentry|$SS_BUILDDIR/src/bounce/sendsentry|g" \
        -e "s|/etc/sendsentry/sendsentry.conf|$conf|g" \
        -e "s|user=sendsentry |user=$SS_RUN_USER |g" \
        -e "s|hash:/etc/postfix/transport|hash:$(pf_confdir "$PF_WIRE")/transport|g"
}

# Which main.cf blocks apply: those whose program is built. Prints one
# "name = value" per parameter, continuation lines joined.
_ssd_main_blocks() {
    awk -v milter="$1" -v policyd="$2" -v bounce="$3" '
        /^# --- sendsentry-milter/ { on = milter; next }
        /^# --- sendsentry-policyd/ { on = policyd; next }
        /^# --- sendsentry-bounce/ { on = bounce; next }
        /^#/ || /^$/ { next }
        !on { next }
        /^[ \t]/ { sub(/^[ \t]+/, " "); line = line $0; next }
        { if (line != "") print line; line = $0 }
        END { if (line != "") print line }' "$SS_SRCDIR/conf/main.cf"
}

ssd_wire_postfix() {
    local pf=$1 conf=$2 parts=",$3," m=0 p=0 b=0 d domains relay
    shift 3
    PF_WIRE=$pf
    case $parts in *,milter,*) ss_bin sendsentry-milter >/dev/null && m=1 ;; esac
    case $parts in *,policyd,*) ss_bin sendsentry-policyd >/dev/null && p=1 ;; esac
    case $parts in *,bounce,*) ss_bin sendsentry-bounce >/dev/null && b=1 ;; esac
    local line
    while IFS= read -r line; do
        pf_main "$pf" "$line"
    done < <(_ssd_main_blocks $m $p $b | _ssd_rewrite "$conf")
    if [ $b = 1 ]; then
        grep -v '^#' "$SS_SRCDIR/conf/master.cf" | grep -v '^$' | _ssd_rewrite "$conf" \
            >>"$(pf_confdir "$pf")/master.cf"
        : >"$(pf_confdir "$pf")/transport"
        domains=""
        for d in "$@"; do
            printf '%s sendsentry-bounce:\n' "$d" >>"$(pf_confdir "$pf")/transport"
            domains="$domains, $d"
        done
        postmap -c "$(pf_confdir "$pf")" "hash:$(pf_confdir "$pf")/transport" || ss_fail "postmap"
        relay=$(pf_postconf "$pf" -h relay_domains | sed 's/bounces\.example\.com//; s/, *$//')
        pf_main "$pf" "relay_domains = ${relay}${domains}"
    fi
    # The policy service also sees the internet's mail to the MX: keep relay
    # control (smtpd_relay_restrictions) as conf/main.cf has it.
    postfix -c "$(pf_confdir "$pf")" check || ss_fail "postfix check after wiring"
}

# Sets a key only when this build knows it (keys arrive as the programs do);
# prints nothing and returns 1 when the key is unknown. Checks with any built
# program's -n (check-config) mode.
ssd_conf_try() {
    local file=$1 section=$2 key=$3 value=$4 prog out
    cp "$file" "$file.before"
    ssd_conf_set "$file" "$section" "$key" "$value"
    for prog in sendsentry-bounce sendsentry-policyd sendsentry-milter sendsentry; do
        ss_have_bin "$prog" || continue
        out=$("$(ss_bin "$prog")" -c "$file" -n 2>&1) && { rm -f "$file.before"; return 0; }
        if printf '%s' "$out" | grep -q "$key"; then
            mv "$file.before" "$file"
            return 1
        fi
        rm -f "$file.before"
        return 0
    done
    rm -f "$file.before"
    return 0
}
