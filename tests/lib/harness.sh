# tests/lib/harness.sh: a private mail world for cachet's integration tests.
#
# Source it from a bash test script, then call harness_init. Everything lives
# in one temp dir and every process the harness starts is stopped, by PID, on
# exit. Ports are chosen free at run time, so any number of test scripts may
# run at once on one machine.
#
# Convention: a test script exits 0 on pass and 1 on failure. A server that
# cannot start is a failure (with its log tail), never a silent pass. The one
# skip (exit 77, automake's SKIP) is Postfix run by a non-root user outside CI,
# because a private Postfix cannot exist then.
#
# Functions
#   harness_init             makes $H (mode 755), traps harness_cleanup on EXIT,
#                            puts the test PKI in $H/pki (copied from a cache:
#                            $HARNESS_PKI_CACHE, default under
#                            $top_builddir/tests/pki-cache, else under $TMPDIR),
#                            exports H and HARNESS_DIR=$H.
#   harness_dovecot          private Dovecot: IMAPS, IMAP+STARTTLS, LMTP and
#                            auth (SASL) on 127.0.0.1, plus IMAP+STARTTLS on
#                            127.0.0.2 (advertises LOGINDISABLED before
#                            STARTTLS). Users alice/bob/carol/dave, passwords
#                            alice-pw/bob-pw/carol-pw/dave-pw, Maildirs in
#                            $H/mail/USER/Maildir. Sent and Drafts exist,
#                            marked \Sent and \Drafts, unless
#                            HARNESS_DOVECOT_MAILBOXES holds other Dovecot
#                            "mailbox" blocks (empty: no folder but INBOX).
#   harness_postfix          private Postfix (root only): submission with
#                            implicit TLS and with STARTTLS, SASL through
#                            Dovecot, USER@localhost delivered over LMTP into
#                            the Maildirs; RCPT refused@localhost is refused
#                            (554). Starts Dovecot first if needed.
#   harness_postfix_stop     stops that Postfix (waits until it is gone).
#   harness_postfix_restart  starts it again on the same ports.
#   harness_gnupg USER       prints the path of USER's gpgsm home
#                            $H/gnupg/USER (key, certificate, trusted CA; the
#                            key needs no passphrase). Its agent is stopped at
#                            cleanup.
#   harness_keyring CMD...   runs CMD inside its own D-Bus session with an
#                            unlocked gnome-keyring Secret Service (password
#                            $HARNESS_KEYRING_PW); HOME and XDG_RUNTIME_DIR point
#                            into $H/keyring for CMD. Later calls find what
#                            earlier ones stored (same keyring file). Returns
#                            CMD's status; the session ends with CMD.
#   harness_config USER [LINE...]
#                            writes a cachet config for USER (mode 600) with
#                            imaps:// and smtps:// to the private servers, the
#                            test TLS CA and password_command; extra LINEs are
#                            appended to the [account USER] section. Prints
#                            its path.
#   harness_wait_mail USER [COUNT [TIMEOUT]]
#                            waits (default 1 message, 10 s) until USER's
#                            Maildir holds COUNT messages in new/ or cur/;
#                            fails with the servers' logs otherwise.
#   harness_lmtp_deliver USER [FILE]
#                            delivers the message in FILE (standard input when
#                            FILE is absent or "-") to USER@localhost over
#                            Dovecot's LMTP, as Postfix would: CRLF line ends
#                            (also on a last line that had none), lines that
#                            start with "." dot-stuffed, envelope sender
#                            sender@localhost. Fails unless the reply, read
#                            for at most 10 s, has "250 2.0.0 <USER@localhost>".
#   harness_mail_count USER  prints how many messages USER's Maildir holds.
#   harness_mailbox_text USER
#                            prints every message in USER's Maildir.
#   harness_cleanup          stops exactly what the harness started (Dovecot
#                            and Postfix masters by PID, gpg-agents, D-Bus
#                            sessions and keyrings), removes $H unless
#                            HARNESS_KEEP=1. Runs on EXIT by itself; if the
#                            script dies without its EXIT trap (SIGKILL), a
#                            watchdog started by harness_init runs it.
#   harness_pids             prints the PIDs of the daemons started so far.
#   harness_detach           leaves the world running when the shell exits.
#   harness_attach DIR       takes charge of a detached world (then call
#                            harness_cleanup to stop it).
#   harness_pid_running PID  true while PID runs (a zombie does not count).
#   harness_log_tail FILE [N]
#                            prints the last N (30) lines of a log on stderr.
#   harness_free_port        prints a free TCP port (not handed out before in
#                            this world).
#   harness_need CMD...      fails, naming the packages script, unless every
#                            CMD is installed.
#
# Logs: $H/dovecot/dovecot.log, $H/postfix/maillog, $H/postfix/master.log,
# $H/keyring/*.log, $H/gnupg/USER/import.log.
#
# Assertions (each prints "FAIL: ..." on stderr and exits 1 when it fails)
#   fail MESSAGE
#   assert_eq EXPECTED ACTUAL [WHAT]
#   assert_contains HAYSTACK NEEDLE [WHAT]
#   assert_not_contains HAYSTACK NEEDLE [WHAT]
#   assert_file_contains FILE STRING [WHAT]       (fixed string)
#
# Variables
#   H, HARNESS_DIR           the temp world
#   HARNESS_PKI              $H/pki: see tests/lib/pki.sh for its files
#   IMAPS_PORT IMAP_PORT LMTP_PORT AUTH_PORT       Dovecot on 127.0.0.1
#   IMAP_REMOTE_PORT         Dovecot IMAP+STARTTLS on 127.0.0.2
#   SMTPS_PORT               Postfix, implicit TLS, on 127.0.0.1
#   SUBMISSION_PORT          Postfix, STARTTLS, on 127.0.0.1
#   DOVECOT_PID POSTFIX_PID  the masters
#   HARNESS_KEYRING_PW       the keyring's password ("harness-keyring")
#   HARNESS_KEEP=1           keep $H after the run (for debugging)

HARNESS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/pki.sh
. "$HARNESS_LIB_DIR/pki.sh"

HARNESS_USERS="alice bob carol dave"
HARNESS_KEYRING_PW=harness-keyring
HARNESS_PIDS=()		# daemons to stop at cleanup
HARNESS_GNUPG_HOMES=()	# gpgsm homes whose agents to stop
HARNESS_CLEANED=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

assert_eq() {
	[ "$1" = "$2" ] ||
		fail "${3:-value}: expected '$1', got '$2'"
}

assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "${3:-output} does not contain '$2'; it was:
$1" ;;
	esac
}

assert_not_contains() {
	case "$1" in
	*"$2"*) fail "${3:-output} contains '$2'; it was:
$1" ;;
	esac
}

assert_file_contains() {
	[ -f "$1" ] || fail "${3:-file} $1 does not exist"
	grep -qF -- "$2" "$1" ||
		fail "${3:-file} $1 does not contain '$2'; it holds:
$(head -c 4000 "$1")"
}

harness_log_tail() {
	local f=$1
	echo "---- last lines of $f ----" >&2
	if [ -f "$f" ]; then
		tail -n "${2:-30}" "$f" >&2
	else
		echo "(no such file)" >&2
	fi
	echo "----" >&2
}

harness_need() {
	local c
	for c in "$@"; do
		command -v "$c" > /dev/null 2>&1 ||
			fail "'$c' is not installed: run .ci/run (or ./quickstart check) as root to install the test packages"
	done
}

harness_init() {
	harness_need openssl gpgsm gpgconf flock
	# A world started in a subshell of another one owns none of the outer
	# world's processes.
	HARNESS_PIDS=()
	HARNESS_GNUPG_HOMES=()
	HARNESS_CLEANED=0
	HARNESS_WATCHDOG=
	unset DOVECOT_PID POSTFIX_PID IMAPS_PORT IMAP_PORT LMTP_PORT AUTH_PORT \
		IMAP_REMOTE_PORT SMTPS_PORT SUBMISSION_PORT
	H=$(mktemp -d "${TMPDIR:-/tmp}/cachet-h.XXXXXX")
	chmod 755 "$H"
	HARNESS_DIR=$H
	export H HARNESS_DIR
	trap harness_cleanup EXIT
	# Under set -e a failing command ends the script: say which one (only
	# then: with set +e a failing command is the script's own business).
	trap 'harness__rc=$?; [[ $- != *e* ]] || echo "FAIL: ${BASH_SOURCE[0]}:$LINENO: \"$BASH_COMMAND\" exited with status $harness__rc" >&2' ERR
	# A signal ends the script through the EXIT trap.
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM

	# The PKI takes ~2 s to make (RSA keys): made once per build and per
	# version of pki.sh, then copied.
	local cache=${HARNESS_PKI_CACHE:-}
	if [ -z "$cache" ]; then
		if [ -n "${top_builddir:-}" ] && [ -w "$top_builddir" ]; then
			cache=$top_builddir/tests/pki-cache
		else
			cache=${TMPDIR:-/tmp}/cachet-pki-cache-$(id -u)
		fi
		cache=$cache/$(cksum < "$HARNESS_LIB_DIR/pki.sh" | cut -d' ' -f1)
	fi
	mkdir -p "$H/run"
	harness__start_watchdog
	pki_make "$cache" || fail "could not make the test PKI in $cache"
	HARNESS_PKI=$H/pki
	mkdir -p "$HARNESS_PKI"
	cp "$cache"/*.pem "$cache"/*.key "$cache"/*.p12 "$HARNESS_PKI/"
	export HARNESS_PKI
}

# Ports in use on this machine (any state), from /proc, space-separated.
# Pure bash: this runs once per port handed out.
harness__ports_in_use() {
	local f sl local_addr rest out=" "
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		while read -r sl local_addr rest; do
			[ "$sl" = sl ] && continue
			out="$out$((16#${local_addr##*:})) "
		done < "$f"
	done
	echo "$out"
}

# harness__take_ports VAR...: sets each VAR to a TCP port nothing uses,
# below the ephemeral range so outgoing connections do not take it
# meanwhile, and not handed out before in this world. Another process may
# still bind it before our daemon does: the start functions then retry.
harness__take_ports() {
	local used taken="" p i var
	used=$(harness__ports_in_use)
	# Ports handed out earlier in this world, maybe not bound yet. A file,
	# because harness_free_port runs in command substitutions (subshells).
	[ -f "$H/run/ports" ] && taken=$(< "$H/run/ports") && taken=" ${taken//$'\n'/ } "
	for var in "$@"; do
		for ((i = 0; ; i++)); do
			[ "$i" -lt 500 ] || fail "no free TCP port found"
			p=$((10000 + (RANDOM * 32768 + RANDOM) % 22000))
			case "$used $taken " in
			*" $p "*) continue ;;
			esac
			break
		done
		taken="$taken $p "
		echo "$p" >> "$H/run/ports"
		printf -v "$var" '%s' "$p"
	done
}

harness_free_port() {
	local port
	harness__take_ports port
	echo "$port"
}

# harness__wait_port ADDR PORT TIMEOUT: until something accepts on ADDR:PORT.
harness__wait_port() {
	local addr=$1 port=$2 timeout=$3 start
	start=$(date +%s%N)
	while ! (exec 3<> "/dev/tcp/$addr/$port") 2> /dev/null; do
		if [ $((($(date +%s%N) - start) / 1000000)) -gt $((timeout * 1000)) ]; then
			return 1
		fi
		sleep 0.02
	done
}

# harness_pid_running PID: true while PID runs. A zombie (ended, not yet
# reaped: a daemonized master's parent is init) does not count.
harness_pid_running() {
	[ -n "$1" ] && kill -0 "$1" 2> /dev/null || return 1
	local st
	st=$(ps -o stat= -p "$1" 2> /dev/null) || return 1
	case "$st" in
	Z*) return 1 ;;
	esac
}

# ---------------------------------------------------------------- Dovecot

# The special folders every user has unless HARNESS_DOVECOT_MAILBOXES says
# otherwise (Dovecot "mailbox NAME { ... }" blocks; empty: none at all).
harness__default_mailboxes() {
	cat <<'EOF'
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
EOF
}

harness__dovecot_conf() {
	local d=$H/dovecot run_user run_group login_user chroot_line
	if [ "$(id -u)" = 0 ]; then
		run_user=dovecot run_group=dovecot login_user=dovenull chroot_line=
	else
		run_user=$(id -un) run_group=$(id -gn) login_user=$(id -un)
		chroot_line="chroot ="
	fi
	cat > "$d/dovecot.conf" <<EOF
# Private Dovecot for one test run ($H).
instance_name = cachet-$(basename "$H")
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
shutdown_clients = yes

ssl = yes
ssl_cert = <$HARNESS_PKI/server.pem
ssl_key = <$HARNESS_PKI/server.key
ssl_min_protocol = TLSv1.2
$( [ -f /usr/share/dovecot/dh.pem ] && echo "ssl_dh = </usr/share/dovecot/dh.pem" )

disable_plaintext_auth = yes
auth_mechanisms = plain login
# Tests try wrong passwords on purpose: answer them at once.
auth_failure_delay = 0
auth_username_format = %Ln
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Ln $d/users
}
userdb {
  driver = passwd-file
  args = username_format=%Ln $d/users
  default_fields = uid=$run_user gid=$run_group home=$H/mail/%Ln
}

mail_location = maildir:$H/mail/%Ln/Maildir
mail_uid = $run_user
mail_gid = $run_group
first_valid_uid = 1
first_valid_gid = 1
default_login_user = $login_user
default_internal_user = $run_user
default_internal_group = $run_group

namespace inbox {
  inbox = yes
  separator = /
${HARNESS_DOVECOT_MAILBOXES-$(harness__default_mailboxes)}
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
  inet_listener imap_remote {
    address = 127.0.0.2
    port = $IMAP_REMOTE_PORT
  }
  $chroot_line
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service auth {
  inet_listener auth {
    address = 127.0.0.1
    port = $AUTH_PORT
  }
}
# No growing penalty after failed logins from one IP: the tests fail logins
# on purpose and then log in again at once.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
  $chroot_line
}
lmtp_save_to_detail_mailbox = no
postmaster_address = postmaster@localhost
EOF
	local u
	: > "$d/users"
	for u in $HARNESS_USERS; do
		echo "$u:{PLAIN}$u-pw::::::" >> "$d/users"
	done
	chmod 640 "$d/users"
	[ "$(id -u)" = 0 ] && chgrp "$run_group" "$d/users"
	return 0
}

harness_dovecot() {
	[ -n "${H:-}" ] || fail "harness_dovecot: call harness_init first"
	[ -z "${DOVECOT_PID:-}" ] || return 0
	harness_need dovecot
	local d=$H/dovecot u
	mkdir -p "$d/run" "$d/state" "$H/mail"
	for u in $HARNESS_USERS; do
		mkdir -p "$H/mail/$u/Maildir/"{new,cur,tmp}
	done
	[ "$(id -u)" = 0 ] && chown -R dovecot:dovecot "$H/mail"

	for _ in 1 2 3 4 5; do
		harness__take_ports IMAPS_PORT IMAP_PORT LMTP_PORT AUTH_PORT IMAP_REMOTE_PORT
		harness__dovecot_conf
		: > "$d/dovecot.log"
		if dovecot -c "$d/dovecot.conf" < /dev/null >> "$d/dovecot.log" 2>&1; then
			# The daemon writes its PID file after the starting
			# process has returned: on a loaded machine, later.
			for _ in $(seq 1 100); do
				[ -s "$d/run/master.pid" ] && break
				sleep 0.05
			done
			if [ ! -s "$d/run/master.pid" ]; then
				grep -q 'Address already in use' "$d/dovecot.log" && continue
				harness_log_tail "$d/dovecot.log"
				fail "Dovecot wrote no PID file ($d/run/master.pid)"
			fi
			DOVECOT_PID=$(cat "$d/run/master.pid")
			harness__own "$DOVECOT_PID"
			if harness__wait_port 127.0.0.1 "$IMAPS_PORT" 5 &&
			   harness__wait_port 127.0.0.1 "$AUTH_PORT" 5; then
				export IMAPS_PORT IMAP_PORT LMTP_PORT AUTH_PORT IMAP_REMOTE_PORT
				return 0
			fi
			harness_log_tail "$d/dovecot.log"
			fail "Dovecot started but does not accept connections"
		fi
		# Another process took one of our ports in the meantime: new ports.
		grep -q 'Address already in use' "$d/dovecot.log" || break
	done
	harness_log_tail "$d/dovecot.log"
	fail "Dovecot did not start (config: $d/dovecot.conf)"
}

# ---------------------------------------------------------------- Postfix

harness__postfix_conf() {
	local p=$H/postfix
	cat > "$p/main.cf" <<EOF
# Private Postfix for one test run ($H).
compatibility_level = 3.6
queue_directory = $p/queue
data_directory = $p/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $p/maillog
maillog_file_prefixes = $p
myhostname = localhost
mydomain = localdomain
myorigin = localhost
mydestination = localhost
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
local_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
default_transport = error:this test server delivers only to @localhost
relay_transport = error:this test server delivers only to @localhost
lmtp_host_lookup = native
smtp_host_lookup = native
smtpd_peername_lookup = no
biff = no
smtputf8_enable = no
append_dot_mydomain = no
recipient_delimiter = +
message_size_limit = 52428800
smtpd_error_sleep_time = 0

smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$AUTH_PORT
smtpd_sasl_auth_enable = no
smtpd_tls_cert_file = $HARNESS_PKI/server.pem
smtpd_tls_key_file = $HARNESS_PKI/server.key
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_loglevel = 1
smtpd_tls_session_cache_database =
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions =
  check_recipient_access inline:{ { refused@localhost = REJECT no such user here } }
  permit_sasl_authenticated, reject
EOF
	cat > "$p/master.cf" <<EOF
# service type private unpriv chroot wakeup maxproc command
127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
	# Postfix waits while main.cf is younger than about a second.
	touch -d '-10 seconds' "$p/main.cf" "$p/master.cf"
}

harness__postfix_dirs() {
	local p=$H/postfix q=$H/postfix/queue d
	local owned=()
	for d in active bounce corrupt defer deferred flush hold incoming private saved trace; do
		owned+=("$q/$d")
	done
	# Few commands: each one costs a fork, and this runs for every test.
	mkdir -p "$q/pid" "$p/data" "$q/maildrop" "$q/public" "${owned[@]}"
	chmod 755 "$p" "$q" "$q/pid"
	chown postfix "$p/data" "$q/maildrop" "$q/public" "${owned[@]}"
	chmod 700 "$p/data" "${owned[@]}"
	chgrp postdrop "$q/maildrop" "$q/public"
	chmod 730 "$q/maildrop"
	chmod 710 "$q/public"
}

harness_postfix() {
	[ -n "${H:-}" ] || fail "harness_postfix: call harness_init first"
	[ -z "${POSTFIX_PID:-}" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		[ -n "${CI:-}" ] && fail "a private Postfix needs root"
		echo "SKIP: a private Postfix needs root" >&2
		exit 77
	fi
	harness_need /usr/lib/postfix/sbin/master postconf
	harness_dovecot
	local p=$H/postfix pid i
	harness__postfix_dirs
	for _ in 1 2 3 4 5; do
		harness__take_ports SMTPS_PORT SUBMISSION_PORT
		harness__postfix_conf
		: > "$p/maillog"
		chown postfix "$p/maillog" 2> /dev/null || true
		setsid /usr/lib/postfix/sbin/master -c "$p" -d \
			< /dev/null >> "$p/master.log" 2>&1 &
		pid=$!
		harness__own "$pid"
		for i in $(seq 1 250); do
			harness_pid_running "$pid" || break
			if harness__port_listening "$SMTPS_PORT" &&
			   harness__port_listening "$SUBMISSION_PORT"; then
				POSTFIX_PID=$pid
				export SMTPS_PORT SUBMISSION_PORT POSTFIX_PID
				return 0
			fi
			sleep 0.02
		done
		if harness_pid_running "$pid"; then
			harness_log_tail "$p/maillog"
			harness_log_tail "$p/master.log"
			fail "Postfix master runs but does not listen on $SMTPS_PORT/$SUBMISSION_PORT"
		fi
		wait "$pid" 2> /dev/null || true
		grep -q 'Address already in use' "$p/master.log" "$p/maillog" || break
	done
	harness_log_tail "$p/maillog"
	harness_log_tail "$p/master.log"
	echo "Postfix's own check says:" >&2
	script -qc "postfix -c $p check" /dev/null >&2 || true
	fail "Postfix did not start (config: $p)"
}

harness_postfix_stop() {
	kill -TERM "${POSTFIX_PID:?harness_postfix_stop: no Postfix}"
	local i
	for i in $(seq 1 250); do
		harness_pid_running "$POSTFIX_PID" || return 0
		sleep 0.02
	done
	fail "Postfix did not stop"
}

# The same Postfix again (configuration, ports); the new master is
# stopped at cleanup.
harness_postfix_restart() {
	setsid /usr/lib/postfix/sbin/master -c "$H/postfix" -d \
		< /dev/null >> "$H/postfix/master.log" 2>&1 &
	POSTFIX_PID=$!
	harness__own "$POSTFIX_PID"
	harness__wait_port 127.0.0.1 "$SMTPS_PORT" 10 || {
		harness_log_tail "$H/postfix/master.log"
		fail "Postfix did not come back on $SMTPS_PORT"
	}
}

# True when something listens on 127.0.0.1:PORT; a probe that does not
# open a connection, so no smtpd is spawned to greet it.
harness__port_listening() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v h=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' /proc/net/tcp
}

# ---------------------------------------------------------------- GnuPG

harness_gnupg() {
	local user=${1:?harness_gnupg USER}
	[ -n "${H:-}" ] || fail "harness_gnupg: call harness_init first"
	local home=$H/gnupg/$user
	if [ ! -f "$home/trustlist.txt" ]; then
		mkdir -p "$H/gnupg"
		HARNESS_GNUPG_HOMES+=("$home")
		pki_gnupg_home "$home" "$HARNESS_PKI" "$user" ||
			fail "could not make the gpgsm home for $user"
		# Remember it on disk too: harness_gnupg is usually called in a
		# command substitution, whose variables do not reach cleanup.
		echo "$home" >> "$H/run/gnupg-homes"
	fi
	echo "$home"
}

# ---------------------------------------------------------------- Secret Service

harness_keyring() {
	[ -n "${H:-}" ] || fail "harness_keyring: call harness_init first"
	[ $# -gt 0 ] || fail "harness_keyring: no command"
	harness_need dbus-run-session gnome-keyring-daemon dbus-send
	# One HOME (so one keyring file) for all sessions of the run, like a
	# user logging in again; a fresh runtime dir per session.
	local n=0 k=$H/keyring
	while [ -e "$H/run/keyring.$n" ]; do
		n=$((n + 1))
	done
	: > "$H/run/keyring.$n"
	mkdir -p "$k/home" "$k/xdg.$n"
	chmod 700 "$k/home" "$k/xdg.$n"
	(
		export HOME=$k/home XDG_RUNTIME_DIR=$k/xdg.$n
		unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL
		export HARNESS_KEYRING_LOG=$k/keyring.$n.log HARNESS_KEYRING_PIDS=$H/run/keyring.$n
		export HARNESS_KEYRING_PW
		dbus-run-session -- bash -c '
			set -u
			printf "%s" "$HARNESS_KEYRING_PW" |
				gnome-keyring-daemon --foreground --unlock --components=secrets \
				> "$HARNESS_KEYRING_LOG" 2>&1 3>&- &
			kpid=$!
			bus() {
				dbus-send --session --print-reply --dest=org.freedesktop.DBus \
					/org/freedesktop/DBus "$@" 2> /dev/null
			}
			bpid=$(bus org.freedesktop.DBus.GetConnectionUnixProcessID \
				string:org.freedesktop.DBus | awk "/uint32/ { print \$2 }")
			echo "$kpid ${bpid:-}" > "$HARNESS_KEYRING_PIDS"
			for i in $(seq 1 250); do
				if bus org.freedesktop.DBus.NameHasOwner \
					string:org.freedesktop.secrets | grep -q "boolean true"; then
					break
				fi
				if ! kill -0 "$kpid" 2> /dev/null; then
					echo "FAIL: gnome-keyring-daemon exited:" >&3
					cat "$HARNESS_KEYRING_LOG" >&3
					exit 1
				fi
				sleep 0.02
			done
			bus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets |
				grep -q "boolean true" || {
				echo "FAIL: gnome-keyring did not provide org.freedesktop.secrets" >&3
				cat "$HARNESS_KEYRING_LOG" >&3
				kill "$kpid"
				exit 1
			}
			rc=0
			"$@" 2>&3 3>&- || rc=$?
			kill "$kpid" 2> /dev/null
			wait "$kpid" 2> /dev/null
			exit "$rc"
		' harness-keyring "$@" 3>&2 2>> "$k/session.log"
	) || {
		local rc=$?
		if [ ! -s "$H/run/keyring.$n" ]; then
			harness_log_tail "$k/session.log"
			fail "the D-Bus session for the keyring did not start"
		fi
		return "$rc"
	}
}

# ---------------------------------------------------------------- cachet

harness_config() {
	local user=${1:?harness_config USER [LINE...]}
	shift
	[ -n "${H:-}" ] || fail "harness_config: call harness_init first"
	local name f
	name=$(pki__display_name "$user")
	mkdir -p "$H/config"
	f=$H/config/$user.conf
	{
		echo "[account $user]"
		echo "from = $name <$user@localhost>"
		echo "imap = imaps://$user@localhost:${IMAPS_PORT:?harness_config: start harness_dovecot first}"
		[ -n "${SMTPS_PORT:-}" ] && echo "smtp = smtps://$user@localhost:$SMTPS_PORT"
		echo "tls_ca_file = $HARNESS_PKI/tls-ca.pem"
		echo "password_command = printf $user-pw"
		local line
		for line in "$@"; do
			echo "$line"
		done
	} > "$f"
	chmod 600 "$f"
	echo "$f"
}

harness_lmtp_deliver() {
	local user=${1:?harness_lmtp_deliver USER [FILE]} file=${2:--} fd reply
	[ "$file" = - ] || [ -r "$file" ] || fail "harness_lmtp_deliver: cannot read $file"
	[ -n "${LMTP_PORT:-}" ] || fail "harness_lmtp_deliver: no LMTP port: call harness_dovecot first"
	exec {fd}<> "/dev/tcp/127.0.0.1/$LMTP_PORT" ||
		fail "harness_lmtp_deliver: cannot connect to LMTP on 127.0.0.1:$LMTP_PORT"
	{
		printf 'LHLO harness\r\nMAIL FROM:<sender@localhost>\r\nRCPT TO:<%s@localhost>\r\nDATA\r\n' "$user"
		sed -e 's/\r$//' -e 's/^\./../' -e 's/$/\r/' -e "\$a\\" -- "$file"
		printf '.\r\nQUIT\r\n'
	} >&"$fd"
	reply=$(timeout 10 cat <&"$fd")
	exec {fd}<&-
	assert_contains "$reply" "250 2.0.0 <$user@localhost>" "LMTP delivery"
}

harness_mail_count() {
	local m=$H/mail/${1:?harness_mail_count USER}/Maildir
	find "$m/new" "$m/cur" -maxdepth 1 -type f 2> /dev/null | wc -l
}

harness_mailbox_text() {
	local m=$H/mail/${1:?harness_mailbox_text USER}/Maildir f
	for f in "$m"/new/* "$m"/cur/*; do
		[ -f "$f" ] && cat "$f"
	done
	return 0
}

harness_wait_mail() {
	local user=${1:?harness_wait_mail USER [COUNT [TIMEOUT]]} count=${2:-1} timeout=${3:-10}
	local start n
	start=$(date +%s%N)
	while :; do
		n=$(harness_mail_count "$user")
		[ "$n" -ge "$count" ] && return 0
		if [ $((($(date +%s%N) - start) / 1000000)) -gt $((timeout * 1000)) ]; then
			[ -f "$H/postfix/maillog" ] && harness_log_tail "$H/postfix/maillog"
			harness_log_tail "$H/dovecot/dovecot.log"
			fail "$user's Maildir holds $n message(s) after ${timeout}s, expected $count"
		fi
		sleep 0.05
	done
}

# ---------------------------------------------------------------- cleanup

# The watchdog: a background process that stops the world if the shell
# that owns it dies without running its EXIT trap (SIGKILL, a timeout that
# kills the test, a trap replaced by a test's own). It ignores the signals
# that end a test, polls its owner, and leaves when $H is gone.
harness__start_watchdog() {
	local owner=$BASHPID
	(
		trap '' HUP INT TERM
		trap - EXIT ERR
		while kill -0 "$owner" 2> /dev/null && [ -d "$H/run" ]; do
			sleep 0.5
		done
		if [ -d "$H/run" ] && [ "${HARNESS_KEEP:-0}" != 1 ] && [ ! -e "$H/run/detached" ]; then
			HARNESS_CLEANED=0
			harness_cleanup
		fi
	) < /dev/null > /dev/null 2>&1 &
	HARNESS_WATCHDOG=$!
}

harness__stop_watchdog() {
	if [ -n "${HARNESS_WATCHDOG:-}" ]; then
		kill -KILL "$HARNESS_WATCHDOG" 2> /dev/null || true
		wait "$HARNESS_WATCHDOG" 2> /dev/null || true
		HARNESS_WATCHDOG=
	fi
}

# harness__own PID: a daemon of this world, stopped at cleanup. Kept on
# disk too, so that another shell can stop the world (harness_attach).
harness__own() {
	HARNESS_PIDS+=("$1")
	echo "$1" >> "$H/run/daemons"
}

harness_pids() {
	local p
	{
		for p in "${HARNESS_PIDS[@]}"; do
			echo "$p"
		done
		if [ -n "${H:-}" ] && [ -d "$H/run" ]; then
			cat "$H/run/daemons" "$H"/run/keyring.* 2> /dev/null | tr ' ' '\n' || true
		fi
	} | { grep -v '^$' || true; } | sort -un
}

# harness_attach DIR: take charge of the world in DIR that another shell
# started and left running (./quickstart demo), so that harness_cleanup
# here stops it.
harness_attach() {
	H=${1:?harness_attach DIR}
	[ -d "$H/run" ] || fail "$H is not a harness world"
	HARNESS_DIR=$H
	HARNESS_PKI=$H/pki
	HARNESS_PIDS=()
	HARNESS_GNUPG_HOMES=()
	HARNESS_CLEANED=0
	HARNESS_WATCHDOG=
	rm -f "$H/run/detached"
	export H HARNESS_DIR HARNESS_PKI
}

# harness_detach: leave the world running when this shell exits; prints
# nothing, stops nothing. harness_attach DIR and harness_cleanup stop it.
harness_detach() {
	trap - EXIT ERR
	: > "$H/run/detached"
	harness__stop_watchdog
	HARNESS_CLEANED=1
}

harness_cleanup() {
	# It returns 0: the script's exit status is the one it exited with
	# (a non-zero return here would only fire the ERR trap).
	[ "$HARNESS_CLEANED" = 0 ] || return 0
	HARNESS_CLEANED=1
	[ -n "${H:-}" ] || return 0
	harness__stop_watchdog
	local pids=() p home i
	# gpg-agents first: they are the quickest, and by home, not by name.
	if [ -f "$H/run/gnupg-homes" ]; then
		while read -r home; do
			pki_gnupg_stop "$home"
		done < "$H/run/gnupg-homes"
	fi
	for home in "${HARNESS_GNUPG_HOMES[@]}"; do
		pki_gnupg_stop "$home"
	done
	mapfile -t pids < <(harness_pids)
	# TERM everything at once, then wait for all: the masters take about a
	# second each to stop their children.
	for p in "${pids[@]}"; do
		harness_pid_running "$p" && kill -TERM "$p" 2> /dev/null
	done
	for ((i = 0; i < 250; i++)); do
		local alive=0
		for p in "${pids[@]}"; do
			harness_pid_running "$p" && alive=1
		done
		[ "$alive" = 0 ] && break
		sleep 0.02
	done
	for p in "${pids[@]}"; do
		if harness_pid_running "$p"; then
			echo "harness: process $p did not stop on TERM; killing it" >&2
			kill -KILL "$p" 2> /dev/null || true
		fi
	done
	# Reap our own children (the Postfix master, started in the background).
	wait 2> /dev/null || true
	if [ "${HARNESS_KEEP:-0}" = 1 ]; then
		echo "harness: kept $H" >&2
	else
		rm -rf "$H"
	fi
	return 0
}
