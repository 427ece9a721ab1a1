#!/bin/sh
# Bounce parsing speed: sendsentry-bounce against Sisimai (Debian
# libsisimai-perl) on the same files of the shared corpus, both ways a
# bounce processor runs: one process per message (as Postfix pipe(8) runs
# it) and one process for a whole maildir (migrating history). Prints
# messages per second by wall clock and by CPU time (user + system; steadier
# on a busy machine) and the ratios. Not part of make check.
#
#   bench/bounce_bench.sh [BUILDDIR]
#
# BUILDDIR holds src/bounce/sendsentry-bounce (default: .). The corpus is
# found as the scorer finds it ($SENDSENTRY_CORPUS or a "shared" directory
# beside the source tree or one of its parents).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-.}
program="$build/src/bounce/sendsentry-bounce"
[ -x "$program" ] || { echo "bounce_bench: $program not built" >&2; exit 1; }
/usr/bin/perl -MSisimai -e 1 2>/dev/null || { echo "bounce_bench: Sisimai missing (apt-get install libsisimai-perl)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bounce_bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

corpus=${SENDSENTRY_CORPUS:-}
if [ -z "$corpus" ]; then
    d=$here
    while [ "$d" != / ]; do
        [ -f "$d/shared/corpus/bounces/expected.jsonl" ] && { corpus="$d/shared/corpus/bounces"; break; }
        d=$(dirname "$d")
    done
fi
[ -n "$corpus" ] || { echo "bounce_bench: shared bounce corpus not found" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bounce_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
# Sisimai cannot read CR-only files; the common set is bsd/ (LF) and dos/ (CRLF).
mkdir "$work/maildir"
i=0
for f in "$corpus"/maildir/bsd/*.eml "$corpus"/maildir/dos/*.eml; do
    i=$((i + 1))
    cp "$f" "$work/maildir/$i.eml"
done
count=$i

# measure NAME COMMAND...: runs COMMAND under /usr/bin/time; sets NAME_wall, NAME_cpu.
measure()
{
    name=$1
    shift
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
        cat "$work/err" >&2
        exit 1
    }
    read -r wall user sys <"$work/time"
    eval "${name}_wall=$wall ${name}_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
}
per_second() { awk -v n="$count" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? b / a : 0) }'; }

echo "corpus: $corpus: $count messages (bsd/ and dos/)"
echo "sendsentry-bounce: $program ($(file -b "$program" | cut -d, -f1-2 | tr -d '\n'))"
echo "Sisimai: $(/usr/bin/perl -MSisimai -e 'print $Sisimai::VERSION'), /usr/bin/perl"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

measure ours_pp sh -c 'for f in "$1"/*.eml; do "$2" --dry-run --json <"$f"; done' sh "$work/maildir" "$program"
measure sisi_pp sh -c 'for f in "$1"/*.eml; do /usr/bin/perl -MSisimai -e "Sisimai->make(q(STDIN))" <"$f"; done' \
    sh "$work/maildir"
measure ours_b "$program" --dry-run --json --batch "$work/maildir"
measure sisi_b /usr/bin/perl -MSisimai -e 'Sisimai->make($ARGV[0])' "$work/maildir"

printf '%-26s %16s %16s %8s   %16s %16s %8s\n' "" "ours msg/s wall" "Sisimai wall" "ratio" "ours msg/s CPU" "Sisimai CPU" "ratio"
printf '%-26s %16s %16s %7sx   %16s %16s %7sx  (target >= 50x)\n' "one process per message" \
    "$(per_second "$ours_pp_wall")" "$(per_second "$sisi_pp_wall")" "$(ratio "$ours_pp_wall" "$sisi_pp_wall")" \
    "$(per_second "$ours_pp_cpu")" "$(per_second "$sisi_pp_cpu")" "$(ratio "$ours_pp_cpu" "$sisi_pp_cpu")"
printf '%-26s %16s %16s %7sx   %16s %16s %7sx  (target >= 20x)\n' "batch, one process" \
    "$(per_second "$ours_b_wall")" "$(per_second "$sisi_b_wall")" "$(ratio "$ours_b_wall" "$sisi_b_wall")" \
    "$(per_second "$ours_b_cpu")" "$(per_second "$sisi_b_cpu")" "$(ratio "$ours_b_cpu" "$sisi_b_cpu")"
