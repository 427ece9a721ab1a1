#!/bin/sh
# Builds the bounce-parser fuzz target with clang's libFuzzer and ASan/UBSan
# and runs it for a bounded time (FUZZ_SECONDS, default 30) over the corpus
# kept in tests/fuzz/corpus. New inputs it finds stay in a scratch directory;
# `run_fuzz.sh --grow` merges them back into tests/fuzz/corpus (by hand).
set -eu
srcdir=${srcdir:-.}
top=$(cd "$srcdir" && pwd)
seconds=${FUZZ_SECONDS:-30}
clangxx=${CLANGXX:-clang++}
if ! command -v "$clangxx" >/dev/null 2>&1; then
    echo "run_fuzz.sh: $clangxx not found (contrib/install-deps installs clang and libclang-rt-14-dev)" >&2
    exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bounce_fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
# The parser's modules; return_path.cc (the token reader, which needs the
# configuration and OpenSSL) is not the parser's and has its own fixture.
sources=$(ls "$top"/src/lib/mail/*.cc "$top"/src/lib/core/log.cc "$top"/src/lib/core/trim.cc | grep -v '/return_path\.cc$')
# shellcheck disable=SC2086
"$clangxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$top/src/lib" "$top/tests/fuzz/bounce_fuzz.cc" $sources -o "$work/bounce_fuzz"
mkdir -p "$work/corpus"
cp "$top"/tests/fuzz/corpus/* "$work/corpus/"
# -rss_limit_mb and -timeout turn a memory blow-up or a hang into a failure;
# -max_len lets inputs grow past the seeds' size to reach the caps.
status=0
"$work/bounce_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1 || status=$?
tail -n 40 "$work/log"
if [ "$status" != 0 ]; then
    echo "run_fuzz.sh: the fuzzer failed (status $status); the crashing input is in the log above" >&2
fi
if [ "${1:-}" = "--grow" ]; then
    mkdir -p "$work/min"
    "$work/bounce_fuzz" -merge=1 "$work/min" "$top/tests/fuzz/corpus" "$work/corpus" >/dev/null 2>&1
    cp "$work"/min/* "$top/tests/fuzz/corpus/"
    echo "corpus: $(ls "$top/tests/fuzz/corpus" | wc -l) files"
fi
exit $status
