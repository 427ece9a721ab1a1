#!/bin/bash
# The RFC 7208 test suite (openspf.org 2014.04, shipped by Debian's
# python3-spf as rfc7208-tests.yml.gz) through `sendsentry spf`, each
# scenario's zone served on loopback by spf_test_dns.py (dnspython). Prints
# the pass count and every deviation with its reason; fails below 178 of 203
# or on a deviation without an explanation (rfc7208_suite.py, EXPLAINED).
set -eu
. "$(dirname "$0")/harness/common.sh"

suite=/usr/share/doc/python3-spf/rfc7208-tests.yml.gz
[ -r "$suite" ] || ss_skip "$suite missing (Debian package python3-spf)"
"$SS_PY" -c 'import yaml, dns.message' 2>/dev/null || ss_skip "python3-yaml/python3-dnspython missing"
ss_init
printf '[spf]\n' >"$SS_TMP/empty.conf"
"$SS_PY" "$SS_SRCDIR/tests/rfc7208_suite.py" --yaml "$suite" --target 178 -- \
    "$(ss_bin sendsentry)" -c "$SS_TMP/empty.conf" spf
