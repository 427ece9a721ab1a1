# A loopback DNS server for integration tests and the demo: unbound, started
# with its own config on 127.0.0.1:<free port>, answering authoritatively from
# zone files (full zone-file syntax: TXT split in several strings, CNAME, MX,
# AAAA). Names outside the served zones get NXDOMAIN at once from a stub root
# zone, so nothing ever leaves the machine. Source common.sh first; ss_init.
#
# API:
#   dns_zone ORIGIN [FILE]  serve zone ORIGIN (e.g. example.com) from FILE, or
#                           from stdin when FILE is omitted; $ORIGIN, $TTL and a
#                           SOA/NS are added when the text has no SOA. Call
#                           before or after dns_start (after: dns_reload).
#   dns_record ORIGIN 'LINE'   append one zone-file line (relative or absolute
#                           names) to ORIGIN's zone; then dns_reload if running
#   dns_start               start unbound; sets SS_DNS_PORT (and exports it),
#                           SS_DNS=127.0.0.1:PORT; stopped by the exit trap
#   dns_reload              re-read every zone (unbound-control auth_zone_reload)
#   dns_stop                stop the server (to test "DNS is down" paths)
#   dns_query NAME TYPE     print the answer's records, one per line (dnspython)
#   dns_dkim_txt KEYFILE    print the DKIM TXT value (v=DKIM1; k=rsa|ed25519; p=...)
#                           for a PEM private key, split into <=250-char
#                           "strings" ready for a zone file
#   dns_dkim_record ORIGIN SELECTOR KEYFILE  add SELECTOR._domainkey TXT for it

_dns_dir() { echo "$SS_TMP/dns"; }

_dns_write_zone() {
    local origin=${1%.} file=$2 d
    d=$(_dns_dir)
    mkdir -p "$d"
    {
        if ! grep -q 'SOA' "$file"; then
            printf '$ORIGIN %s.\n$TTL 60\n' "$origin"
            printf '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 60\n' "$origin" "$origin"
            printf '@ IN NS ns.%s.\nns IN A 127.0.0.1\n' "$origin"
        fi
        cat "$file"
    } >"$d/$origin.zone"
    grep -qx "$origin" "$d/zones" 2>/dev/null || echo "$origin" >>"$d/zones"
}

dns_zone() {
    local origin=$1 file=${2:-}
    if [ -z "$file" ]; then
        mkdir -p "$(_dns_dir)"
        file="$(_dns_dir)/.stdin"
        cat >"$file"
    fi
    _dns_write_zone "$origin" "$file"
}

dns_record() {
    local origin=${1%.} z
    z="$(_dns_dir)/$origin.zone"
    [ -f "$z" ] || dns_zone "$origin" /dev/null
    printf '%s\n' "$2" >>"$z"
}

_dns_config() {
    local d port=$1 z
    d=$(_dns_dir)
    cat >"$d/root.zone.db" <<'ROOT'
$ORIGIN .
$TTL 60
. IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 60
. IN NS ns.invalid.
ROOT
    {
        cat <<CONF
server:
  interface: 127.0.0.1
  port: $port
  do-ip6: no
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$d"
  pidfile: "$d/unbound.pid"
  logfile: "$d/unbound.log"
  use-syslog: no
  verbosity: 1
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  do-not-query-localhost: no
  cache-max-ttl: 0
  cache-max-negative-ttl: 0
  # unbound answers NXDOMAIN itself for the special-use names (RFC 6761);
  # tests use .test domains, so serve those from the auth zones instead.
  local-zone: "test." nodefault
  local-zone: "invalid." nodefault
  auto-trust-anchor-file: ""
  trust-anchor-file: ""
  root-hints: ""
remote-control:
  control-enable: yes
  control-interface: "$d/control.sock"
  control-use-cert: no
auth-zone:
  name: "."
  zonefile: "$d/root.zone.db"
  for-downstream: yes
  for-upstream: no
  fallback-enabled: no
CONF
        while read -r z; do
            cat <<ZONE
auth-zone:
  name: "$z."
  zonefile: "$d/$z.zone"
  for-downstream: yes
  for-upstream: no
  fallback-enabled: no
ZONE
        done <"$d/zones"
    } >"$d/unbound.conf"
}


dns_start() {
    local d port
    d=$(_dns_dir)
    mkdir -p "$d"
    touch "$d/zones"
    port=${SS_DNS_PORT:-$(ss_free_port)}
    _dns_config "$port"
    unbound-checkconf "$d/unbound.conf" >/dev/null || ss_fail "unbound config: $(unbound-checkconf "$d/unbound.conf" 2>&1)"
    unbound -d -c "$d/unbound.conf" >>"$d/unbound.log" 2>&1 &
    echo $! >"$d/unbound.pid.shell"
    SS_DNS_PORT=$port
    SS_DNS=127.0.0.1:$port
    export SS_DNS_PORT SS_DNS
    ss_on_exit "dns_stop"
    ss_wait 10 "unbound answering on 127.0.0.1:$port" _dns_root_answers
}

_dns_root_answers() { [ -n "$(dns_query . SOA 2>/dev/null)" ]; }

dns_reload() {
    local d
    d=$(_dns_dir)
    # New zones need a new config; a restart on the same port is fast.
    if [ -n "$(_dns_new_zones)" ]; then
        dns_stop
        dns_start
        return
    fi
    while read -r z; do
        unbound-control -c "$d/unbound.conf" auth_zone_reload "$z." >/dev/null ||
            ss_fail "unbound-control auth_zone_reload $z"
    done <"$d/zones"
}

_dns_new_zones() {
    local d z
    d=$(_dns_dir)
    while read -r z; do
        grep -q "name: \"$z.\"" "$d/unbound.conf" || echo "$z"
    done <"$d/zones"
}

dns_stop() {
    local d pid
    d=$(_dns_dir)
    pid=$(cat "$d/unbound.pid.shell" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    ss_wait 10 "unbound $pid gone" ss_pid_gone "$pid"
    rm -f "$d/unbound.pid.shell"
}


dns_query() {
    "$SS_PY" - "$SS_DNS_PORT" "$1" "$2" <<'PY'
import sys, dns.resolver
r = dns.resolver.Resolver(configure=False)
r.nameservers = ["127.0.0.1"]
r.port = int(sys.argv[1])
r.lifetime = 3
try:
    for rr in r.resolve(sys.argv[2], sys.argv[3]):
        print(rr.to_text())
except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
    pass
PY
}

dns_dkim_txt() {
    local key=$1 kind p
    if openssl pkey -in "$key" -noout -text 2>/dev/null | grep -qi 'ED25519'; then
        kind=ed25519
        # RFC 8463: p= is the raw 32-byte public key, the tail of the DER SPKI.
        p=$(openssl pkey -in "$key" -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0)
    else
        kind=rsa
        p=$(openssl pkey -in "$key" -pubout -outform DER 2>/dev/null | base64 -w0)
    fi
    [ -n "$p" ] || ss_fail "cannot read key $key"
    printf 'v=DKIM1; k=%s; p=%s' "$kind" "$p" | fold -w 250 | sed 's/.*/"&"/' | tr '\n' ' '
}

dns_dkim_record() {
    local origin=$1 sel=$2 key=$3
    dns_record "$origin" "$sel._domainkey.${origin%.}. IN TXT $(dns_dkim_txt "$key")"
}
