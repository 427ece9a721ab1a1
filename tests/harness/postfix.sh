# A private Postfix instance for integration tests and the demo: its own
# config_directory, queue_directory and data_directory under $SS_TMP, loopback
# listeners on free unprivileged ports, a log file (maillog_file via postlogd)
# instead of syslog. It never reads or touches /etc/postfix's main.cf or the
# system instance. Source common.sh first and call ss_init.
#
# API (NAME is a short label, e.g. "relay"; several instances may run at once):
#   pf_create NAME          write NAME's main.cf/master.cf (not started); services:
#                             smtp  127.0.0.1:PORT  the MX: mail from the "internet"
#                             sub   127.0.0.1:PORT  submission from the internal network
#                           mynetworks = 127.0.0.1/32 (internal); other 127.x clients
#                           (swaks --local-interface 127.0.0.2) count as outside.
#   pf_dir NAME             the instance directory (etc/, queue/, data/, maillog)
#   pf_confdir NAME         its config_directory (pass to postfix/postconf -c)
#   pf_port NAME SERVICE    the TCP port of SERVICE (smtp or sub)
#   pf_log NAME             the path of its log file
#   pf_main NAME 'key = value'...   set main.cf parameters (postconf -e)
#   pf_master_append NAME TEXT      append raw master.cf entries
#   pf_add_milter NAME SOCKET [DEFAULT_ACTION]  smtpd_milters + non_smtpd_milters
#                           (SOCKET in Postfix syntax: unix:/path or inet:127.0.0.1:PORT)
#   pf_add_policy NAME SOCKET [DEFAULT_ACTION]  check_policy_service in
#                           smtpd_recipient_restrictions (first), smtpd_end_of_data_restrictions
#   pf_add_pipe NAME SERVICE USER ARGV...   a pipe(8) service (flags=Rq)
#   pf_add_transport NAME DOMAIN TRANSPORT  transport_maps entry (+ relay_domains)
#   pf_relay_to NAME HOST:PORT      send all non-local mail there (relayhost)
#   pf_start NAME / pf_stop NAME / pf_reload NAME
#   pf_wait_queue_empty NAME SECS   until no message is queued (active/incoming/deferred)
#   pf_wait_log NAME SECS ERE       until the log has a line matching ERE
#   pf_count_log NAME ERE           print how many log lines match ERE
#   pf_flush NAME                   postqueue -f (retry deferred mail now)
#   pf_queue_count NAME             print the number of queued messages
# Ownership that Postfix wants (postfix -c DIR check): config files root-owned
# and not group/world-writable, queue_directory owned by root, its
# subdirectories by the mail_owner (postfix), maildrop/public by group
# postdrop; `postfix start` creates the missing ones through post-install.

_pf_dir() { echo "$SS_TMP/postfix-$1"; }
pf_dir() { _pf_dir "$1"; }
pf_confdir() { echo "$(_pf_dir "$1")/etc"; }
pf_log() { echo "$(_pf_dir "$1")/maillog"; }
pf_port() { cat "$(_pf_dir "$1")/port.$2"; }
pf_postconf() { local n=$1; shift; postconf -c "$(pf_confdir "$n")" "$@"; }
pf_main() {
    local n=$1
    shift
    postconf -c "$(pf_confdir "$n")" -e "$@" || ss_fail "postconf -e $* failed"
}
pf_master_append() { printf '%s\n' "$2" >>"$(pf_confdir "$1")/master.cf"; }

pf_create() {
    local n=$1 d smtp_port sub_port
    d=$(_pf_dir "$n")
    mkdir -p "$d/etc" "$d/queue" "$d/data"
    chown root:root "$d/queue"
    chown postfix:postfix "$d/data"
    smtp_port=$(ss_free_port)
    sub_port=$(ss_free_port)
    echo "$smtp_port" >"$d/port.smtp"
    echo "$sub_port" >"$d/port.sub"
    : >"$d/maillog"
    cat >"$d/etc/main.cf" <<MAIN
# Private instance "$n" made by tests/harness/postfix.sh
compatibility_level = 3.6
config_directory = $d/etc
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $n.sendsentry.test
mydomain = sendsentry.test
myorigin = \$myhostname
mydestination = \$myhostname, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
maillog_file = $d/maillog
maillog_file_prefixes = $d
syslog_name = postfix-$n
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = no
# No DNS for Postfix itself: tests route mail with relayhost/transport_maps.
disable_dns_lookups = yes
smtp_dns_support_level = disabled
smtp_host_lookup = native
# Fast retries and short timeouts: tests wait for the queue, not for minutes.
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
delay_warning_time = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_client_connection_rate_limit = 0
anvil_rate_time_unit = 60s
smtp_connect_timeout = 5s
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions =
relay_domains =
transport_maps =
MAIN
    # chroot off everywhere: a chroot would need copies of libraries and sockets.
    cat >"$d/etc/master.cf" <<MASTER
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$smtp_port inet n - n - - smtpd
127.0.0.1:$sub_port inet n - n - - smtpd
  -o syslog_name=postfix-$n/submission
  -o milter_macro_daemon_name=ORIGINATING
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
MASTER
    echo "$n" >>"$SS_TMP/.postfix-instances"
}

pf_add_milter() {
    local n=$1 sock=$2 action=${3:-tempfail} cur
    cur=$(pf_postconf "$n" -h smtpd_milters)
    pf_main "$n" "smtpd_milters = ${cur:+$cur, }$sock" \
        "non_smtpd_milters = ${cur:+$cur, }$sock" \
        "milter_default_action = $action" "milter_protocol = 6"
}

pf_add_policy() {
    local n=$1 sock=$2 action=${3:-DEFER_IF_PERMIT}
    pf_main "$n" "smtpd_recipient_restrictions = check_policy_service $sock, permit_mynetworks, reject_unauth_destination" \
        "smtpd_end_of_data_restrictions = check_policy_service $sock" \
        "smtpd_policy_service_default_action = $action" \
        "smtpd_policy_service_timeout = 10s" "smtpd_policy_service_max_idle = 60s"
}

pf_add_pipe() {
    local n=$1 svc=$2 user=$3
    shift 3
    pf_master_append "$n" "$svc unix - n n - - pipe
  flags=Rq user=$user argv=$*"
}

pf_add_transport() {
    local n=$1 domain=$2 transport=$3 d rd
    d=$(pf_confdir "$n")
    printf '%s %s\n' "$domain" "$transport" >>"$d/transport"
    postmap -c "$d" "hash:$d/transport" || ss_fail "postmap transport"
    rd=$(pf_postconf "$n" -h relay_domains)
    case ",$rd," in *",$domain,"*) ;; *) rd=${rd:+$rd, }$domain ;; esac
    pf_main "$n" "transport_maps = hash:$d/transport" "relay_domains = $rd"
}

pf_relay_to() { pf_main "$1" "relayhost = [${2%:*}]:${2##*:}"; }

pf_start() {
    local n=$1 out
    out=$(postfix -c "$(pf_confdir "$n")" start 2>&1) || ss_fail "postfix $n did not start: $out"
    ss_on_exit "postfix -c '$(pf_confdir "$n")' stop"
    ss_wait 20 "postfix $n listening on $(pf_port "$n" smtp)" ss_port_open "$(pf_port "$n" smtp)"
}

pf_stop() {
    local n=$1 pid
    pid=$(tr -dc 0-9 <"$(_pf_dir "$n")/queue/pid/master.pid" 2>/dev/null)
    postfix -c "$(pf_confdir "$n")" stop >/dev/null 2>&1 || true
    # `postfix stop` returns before master has exited; wait (bounded) for it.
    [ -z "$pid" ] || ss_wait 20 "postfix $n master gone" ss_pid_gone "$pid"
}



pf_reload() { postfix -c "$(pf_confdir "$1")" reload >/dev/null 2>&1 || ss_fail "postfix $1 reload"; }
pf_flush() { postqueue -c "$(pf_confdir "$1")" -f >/dev/null 2>&1 || true; }

pf_queue_count() {
    local q
    q="$(_pf_dir "$1")/queue"
    find "$q/incoming" "$q/active" "$q/deferred" "$q/hold" "$q/maildrop" -type f 2>/dev/null | wc -l
}

_pf_queue_empty() { [ "$(pf_queue_count "$1")" = 0 ]; }
pf_wait_queue_empty() { ss_wait "$2" "postfix $1 queue empty" _pf_queue_empty "$1"; }
pf_wait_log() { ss_wait_file_grep "$2" "$(pf_log "$1")" "$3"; }
pf_count_log() { grep -Ec -- "$2" "$(pf_log "$1")" || true; }
