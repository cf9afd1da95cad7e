# tests/attacks/transport_lib.sh — what the transport attack scripts share:
# a world with Dovecot and Postfix, the scripted hostile peer, and checks
# that count failures (FAILED) so every case of a script runs.  Sourcing
# it starts the world (harness_init, Dovecot, Postfix) and cds into $H.
#
#   fake PROTO SCENARIO [TLS [DELAY]]
#                  starts fake_hostile_server.py; sets FPORT, FTRAP (the
#                  port its referrals name) and FLOG (what it received)
#   config NAME IMAP-URL SMTP-URL [LINE]
#                  a config for alice (no signing or encryption, password
#                  from $H/alice.pw through password_command); prints it
#   REAL           such a config for the harness's Dovecot and Postfix
#   run NAME ARGS  runs cachet: NAME.out, NAME.err, status in RC
#   expect NAME RC TEXT...
#                  RC and every TEXT in NAME.err
#   clean NAME     no control character (but newline, tab) in NAME.out/err
#   absent NAME TEXT, untrapped NAME, outbox DIR COUNT [STATE],
#   sent_count, settled USER COUNT, msg NAME (prints a message file)
#   transport_done NAME
. "$top_srcdir/tests/lib/harness.sh"
. "$top_srcdir/tests/lib/peers.sh"
CACHET=${CACHET:-$top_builddir/cachet}
FAKE=$top_srcdir/tests/attacks/fake_hostile_server.py

harness_init
harness_need python3 timeout
harness_postfix
cd "$H"
FAILED=0
CA=$HARNESS_PKI/tls-ca.pem

trap peers_stop EXIT

bad() {
	echo "FAIL: $*" >&2
	FAILED=1
}

# fake PROTO SCENARIO [TLS [DELAY]]: starts the scripted peer; sets FPORT,
# FTRAP (the port referrals point to) and FLOG.
N_FAKE=0
fake() {
	local id
	N_FAKE=$((N_FAKE + 1))
	id=$1-$2-$N_FAKE
	fake_peer "$id" "$FAKE" --proto "$1" --scenario "$2" --tls "${3:-implicit}" \
		--delay "${4:-5}"
	FLOG=$H/fake.$id.log
	read -r FPORT FTRAP < "$H/fake.$id.port"
}

# config NAME IMAP-URL SMTP-URL [LINE]: alice, no signing or encryption
# (this is about transport), the password from a file, LINE added to the
# account.  Prints the path.
printf 'alice-pw\n' > "$H/alice.pw"
chmod 600 "$H/alice.pw"
config() {
	local f=$H/$1.conf
	cat > "$f" <<EOF
[account alice]
from = Alice Example <alice@localhost>
imap = $2
smtp = $3
tls_ca_file = $CA
password_command = cat $H/alice.pw
${4:-}
[policy]
sign = never
encrypt = never
EOF
	chmod 600 "$f"
	echo "$f"
}
REAL=$(config real "imaps://alice@localhost:$IMAPS_PORT" "smtps://alice@localhost:$SMTPS_PORT")

# run NAME CACHET-ARGS...: stdout in NAME.out, stderr in NAME.err, status in RC.
run() {
	local name=$1
	shift
	RC=0
	timeout 200 "$CACHET" "$@" < /dev/null > "$H/$name.out" 2> "$H/$name.err" || RC=$?
}

# expect NAME RC TEXT...: the exit status and every TEXT in stderr.
expect() {
	local name=$1 want=$2 t
	shift 2
	[ "$RC" = "$want" ] || bad "$name: exit status $RC, expected $want; stderr: $(cat "$H/$name.err")"
	for t in "$@"; do
		grep -qF -- "$t" "$H/$name.err" ||
			bad "$name: stderr does not say '$t'; it was: $(cat "$H/$name.err")"
	done
}

# clean NAME: no escape, bell or other control byte (but newline and tab)
# reached the terminal, on either stream.
clean() {
	local f
	for f in "$H/$1.err" "$H/$1.out"; do
		if LC_ALL=C grep -q "[$(printf '\001-\010\013-\037\177')]" "$f"; then
			bad "$1: control characters in $(basename "$f"): $(od -c "$f" | head -20)"
		fi
	done
}

# absent NAME TEXT: TEXT was not shown.
absent() {
	if grep -qF -- "$2" "$H/$1.err" "$H/$1.out"; then
		bad "$1: '$2' was shown: $(cat "$H/$1.err" "$H/$1.out")"
	fi
}

# untrapped NAME: nobody connected to the referral target.
untrapped() {
	if grep -q TRAP "$FLOG"; then
		bad "$1: cachet connected to the server a referral named"
	fi
}

# outbox DATA-DIR COUNT [STATE]: COUNT entries, each in STATE.
outbox() {
	local n
	n=$(find "$1/outbox" -name '*.meta' 2> /dev/null | wc -l)
	[ "$n" = "$2" ] || bad "outbox $1 holds $n entries, expected $2"
	if [ -n "${3:-}" ] && [ "$n" != 0 ]; then
		grep -L "^state: $3\$" "$1"/outbox/*.meta | grep -q . &&
			bad "outbox $1: an entry is not in state $3: $(cat "$1"/outbox/*.meta)"
	fi
	return 0
}

sent_count() {
	find "$H/mail/alice/Maildir/.Sent/new" "$H/mail/alice/Maildir/.Sent/cur" \
		-maxdepth 1 -type f 2> /dev/null | wc -l
}

# settled USER COUNT: USER's Maildir holds COUNT messages, and still does
# a moment later (nothing was submitted twice).
settled() {
	harness_wait_mail "$1" "$2"
	sleep 1
	local n
	n=$(harness_mail_count "$1")
	[ "$n" = "$2" ] || bad "$1's Maildir holds $n messages, expected exactly $2"
}

msg() {
	printf 'From: Alice Example <alice@localhost>\nTo: bob@localhost\nSubject: %s\n\nbody of %s\n' \
		"$1" "$1" > "$H/$1.eml"
	echo "$H/$1.eml"
}

transport_done() {
	[ "$FAILED" = 0 ] || exit 1
	echo "PASS: $1"
}
