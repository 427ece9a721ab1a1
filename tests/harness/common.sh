# Shared shell helpers for sendsentry integration tests: temp directory,
# cleanup stack, free ports, bounded waits, skip/fail. Sourced (bash) by every
# tests/*.sh and by ./demo; postfix.sh, dns.sh and internet.sh build on it.
#
# API (all names start with ss_):
#   ss_init [NAME]          make SS_TMP (unique, 0755, under ${TMPDIR:-/tmp}) and
#                           install the EXIT/INT/TERM trap that runs the cleanup stack
#   ss_on_exit CMD...       push a command on the cleanup stack (run last-in first-out)
#   ss_free_port            print a TCP port on 127.0.0.1 that is free right now
#                           (random, 20000-32767: below the kernel's ephemeral range)
#   ss_wait SECS DESC CMD...  run CMD every 0.1 s until it succeeds; fail after SECS
#   ss_wait_file_grep SECS FILE ERE   wait until FILE has a line matching ERE
#   ss_require_root / ss_require_cmd CMD... / ss_skip MSG   exit 77 with a reason
#   ss_fail MSG             print MSG and exit 1 (cleanup still runs)
#   ss_note MSG             progress line on stderr (prefixed with the test name)
#   ss_port_open PORT       true when something accepts TCP on 127.0.0.1:PORT
#   ss_pid_gone PID / ss_kill_pid PID [SECS]   wait for / stop (TERM, then KILL) a process
#   ss_bin NAME             print the path of a built sendsentry program (or fail)
#   ss_have_bin NAME        true when that program has been built
#   SS_PY                   Debian's python (/usr/bin/python3): has dkim, spf, dns, aiosmtpd
#   SS_SRCDIR / SS_BUILDDIR top source / build directory (from automake's
#                           srcdir/top_builddir, else guessed from this file)
#   SS_KEEP=1               keep SS_TMP after the run (for debugging)
# Tests run as root (Postfix needs it to start); everything they start listens on
# 127.0.0.1 only and is stopped by the trap.

SS_PY=/usr/bin/python3
SS_NAME=${SS_NAME:-$(basename "${0%.sh}")}
SS_HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SS_SRCDIR=${SS_SRCDIR:-$(cd "$SS_HARNESS/../.." && pwd)}
if [ -z "${SS_BUILDDIR:-}" ]; then
    if [ -n "${top_builddir:-}" ]; then
        SS_BUILDDIR=$(cd "$top_builddir" && pwd)
    else
        SS_BUILDDIR=$(pwd)
    fi
fi
_ss_cleanup_stack=()

ss_note() { printf '%s: %s\n' "$SS_NAME" "$*" >&2; }
ss_fail() { printf '%s: FAIL: %s\n' "$SS_NAME" "$*" >&2; exit 1; }
ss_skip() { printf '%s: SKIP: %s\n' "$SS_NAME" "$*" >&2; exit 77; }

ss_require_root() {
    [ "$(id -u)" = 0 ] || ss_skip "needs root (a private Postfix instance must be started by root)"
}

ss_require_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] ||
            ss_skip "$c is not installed (run contrib/install-deps)"
    done
}

ss_on_exit() { _ss_cleanup_stack+=("$*"); }

_ss_cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    for ((i = ${#_ss_cleanup_stack[@]} - 1; i >= 0; i--)); do
        eval "${_ss_cleanup_stack[$i]}" >/dev/null 2>&1 || true
    done
    if [ -n "${SS_TMP:-}" ] && [ -d "$SS_TMP" ]; then
        if [ "${SS_KEEP:-0}" = 1 ] || { [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ "${SS_KEEP_ON_FAIL:-0}" = 1 ]; }; then
            ss_note "kept $SS_TMP"
        else
            rm -rf "$SS_TMP"
        fi
    fi
    exit "$rc"
}

ss_init() {
    local name=${1:-$SS_NAME}
    SS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sendsentry-$name.XXXXXX") || ss_fail "mktemp failed"
    # Daemons that drop privileges (Postfix, pipe users) must be able to walk in.
    chmod 0755 "$SS_TMP"
    trap _ss_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    export SS_TMP
}

ss_free_port() {
    local port tries=0
    while [ $tries -lt 200 ]; do
        port=$((20000 + RANDOM % 12768))
        tries=$((tries + 1))
        # Already handed out in this run (not yet bound)?
        if [ -n "${SS_TMP:-}" ] && grep -qx "$port" "$SS_TMP/.ports" 2>/dev/null; then
            continue
        fi
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            [ -n "${SS_TMP:-}" ] && echo "$port" >>"$SS_TMP/.ports"
            echo "$port"
            return 0
        fi
    done
    ss_fail "no free port found"
}

ss_wait() {
    local secs=$1 desc=$2
    shift 2
    local deadline=$((SECONDS + secs))
    while ! "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || ss_fail "timed out after ${secs}s waiting for: $desc"
        sleep 0.1
    done
}

ss_wait_file_grep() {
    local secs=$1 file=$2 ere=$3
    ss_wait "$secs" "'$ere' in $file" grep -Eq -- "$ere" "$file"
}

ss_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Built programs live in src/<dir>/ of the build tree.
_ss_bin_path() {
    local n=$1 d
    case $n in
    sendsentry) d=cli ;;
    sendsentry-milter) d=milter ;;
    sendsentry-policyd) d=policyd ;;
    sendsentry-bounce) d=bounce ;;
    *) d=. ;;
    esac
    echo "$SS_BUILDDIR/src/$d/$n"
}
ss_have_bin() { [ -x "$(_ss_bin_path "$1")" ]; }
ss_bin() {
    local p
    p=$(_ss_bin_path "$1")
    [ -x "$p" ] || ss_fail "$1 is not built ($p)"
    echo "$p"
}

ss_pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# Stop a process started by a test: TERM, wait (bounded), then KILL.
ss_kill_pid() {
    local pid=$1 secs=${2:-10} deadline
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    deadline=$((SECONDS + secs))
    while kill -0 "$pid" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            kill -KILL "$pid" 2>/dev/null
            break
        fi
        sleep 0.1
    done
}
