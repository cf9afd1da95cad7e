#!/bin/bash
# Hostile mail servers: what a server (or whoever sits in front of it)
# says must not reach the terminal raw, must not be believed before TLS,
# must not send cachet or its password elsewhere, and a connection that
# breaks or goes silent halfway must end with a clear error (exit 5) and,
# for send, with the message kept: `send --retry` then delivers it exactly
# once, or files the copy in Sent without submitting it again.
#
# The misbehaving peer is tests/attacks/fake_hostile_server.py (a real
# server cannot be made to do this); the retries go to the real Dovecot
# and Postfix of the harness.  Every case checks the exit status, that the
# error names the server and the cause, and what is left in the outbox.
set -euo pipefail
. "$top_srcdir/tests/attacks/transport_lib.sh"

# --- silent servers: started first, they take a whole timeout ----------

# The account's timeout (5 s) bounds each wait.
fake imap silent implicit
SILENT_IMAP=$FPORT
cfg=$(config silent-imap "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT" \
	"timeout = 5")
(t0=$SECONDS; run silent-imap --config "$cfg" --data-dir "$H/d-silent-imap" folders
	echo "$RC" > "$H/silent-imap.rc"; echo $((SECONDS - t0)) > "$H/silent-imap.took") &
silent_imap_job=$!
fake smtp silent starttls
SILENT_SMTP=$FPORT
cfg=$(config silent-smtp "imaps://alice@localhost:$IMAPS_PORT" "submission://alice@localhost:$FPORT" \
	"timeout = 5")
(t0=$SECONDS; run silent-smtp --config "$cfg" --data-dir "$H/d-silent-smtp" send "$(msg silent)"
	echo "$RC" > "$H/silent-smtp.rc"; echo $((SECONDS - t0)) > "$H/silent-smtp.took") &
silent_smtp_job=$!

fake imap mute implicit
MUTE_IMAP=$FPORT
cfg=$(config mute-imap "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT" \
	"timeout = 5")
(t0=$SECONDS; run mute-imap --config "$cfg" --data-dir "$H/d-mute-imap" folders
	echo "$RC" > "$H/mute-imap.rc"; echo $((SECONDS - t0)) > "$H/mute-imap.took") &
mute_imap_job=$!

# --- controls: the peer works when told to ------------------------------

fake imap ok starttls
cfg=$(config ok "imap://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run ok --config "$cfg" --data-dir "$H/d-ok" folders
expect ok 0
grep -q FakeFolder "$H/ok.out" || bad "control: no FakeFolder in $(cat "$H/ok.out")"
run ok-list --config "$cfg" --data-dir "$H/d-ok" list --no-cache
expect ok-list 0
[ "$(grep -c 'subject [123]' "$H/ok-list.out")" = 3 ] ||
	bad "control: list shows $(cat "$H/ok-list.out")"

# --- ALERTs ---------------------------------------------------------------

# Before STARTTLS anyone on the path can write the greeting and untagged
# answers: an [ALERT] there is never shown, and the session goes on.
fake imap alert-pretls starttls
cfg=$(config alert-pretls "imap://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run alert-pretls --config "$cfg" --data-dir "$H/d-alert" folders
expect alert-pretls 0
absent alert-pretls PRETLS-ALERT
absent alert-pretls evil.example
clean alert-pretls
grep -q FakeFolder "$H/alert-pretls.out" || bad "alert-pretls: folders did not list"

# Inside TLS the server's ALERTs are shown (RFC 3501 wants the person to
# see them), named as the server's, and never raw.
fake imap alert-tls implicit
cfg=$(config alert-tls "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run alert-tls --config "$cfg" --data-dir "$H/d-alert" folders
expect alert-tls 0 "cachet: alert from localhost: TLS-ALERT-"
clean alert-tls

# alert_on_screen NAME CONFIG TEXT: the screen on CONFIG's account shows
# "alert from the server: TEXT" on its status line, over the index, and
# what the server wrapped around the alert (clear the screen, retitle the
# terminal) does nothing: tmux keeps its title.
alert_on_screen() {
	local name=$1 cfg=$2 text=$3 shown= title
	tm() { tmux -u -L "cachet-$name-$$" "$@"; }
	tm new-session -d -s "$name" -x 120 -y 30 \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen-256color $(printf '%q ' "$CACHET" --config "$cfg" --data-dir "$H/d-$name")"
	for _ in $(seq 1 200); do
		shown=$(tm capture-pane -p -t "$name" 2> /dev/null || true)
		grep -qF "alert from the server: $text" <<< "$shown" && break
		sleep 0.1
	done
	grep -qF "alert from the server: $text" <<< "$shown" ||
		bad "$name: the screen did not show the alert; it showed: $shown"
	grep -q "INBOX" <<< "$shown" || bad "$name: the index is not on the screen: $shown"
	title=$(tm display-message -p -t "$name" '#{pane_title}' 2> /dev/null || true)
	[ "$title" != owned ] || bad "$name: the server retitled the terminal"
	tm kill-server 2> /dev/null || true
}

# The screen shows the alerts of the login first.
fake imap alert-tls implicit
alert_on_screen alert-ui \
	"$(config alert-ui "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")" \
	"TLS-ALERT-"

# An alert may come with any answer, here SELECT's: list prints it, and
# the screen shows it as soon as it opens the folder.
fake imap alert-select implicit
cfg=$(config alert-select "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run alert-select --config "$cfg" --data-dir "$H/d-alert-select" list --no-cache
expect alert-select 0 "cachet: alert from localhost: SELECT-ALERT: this folder is over its quota"
clean alert-select
alert_on_screen alert-select-ui "$cfg" "SELECT-ALERT: this folder is over its quota"

# --- escape sequences in refusals -----------------------------------------

fake imap login-esc implicit
cfg=$(config login-esc "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run login-esc --config "$cfg" --data-dir "$H/d-esc" folders
expect login-esc 5 "localhost:$FPORT refused the login" "LOGIN-ESC-TEXT"
clean login-esc

fake imap list-bad-esc implicit
cfg=$(config list-bad-esc "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run list-bad-esc --config "$cfg" --data-dir "$H/d-esc" folders
expect list-bad-esc 5 "localhost:$FPORT refused LIST" "LIST-BAD-TEXT"
clean list-bad-esc

fake smtp mail-esc implicit
cfg=$(config mail-esc "imaps://alice@localhost:$IMAPS_PORT" "smtps://alice@localhost:$FPORT")
run mail-esc --config "$cfg" --data-dir "$H/d-mail-esc" send "$(msg mail-esc)"
expect mail-esc 5 "localhost:$FPORT refused the sender: 550" "MAIL-ESC-TEXT" "kept in the outbox"
clean mail-esc
outbox "$H/d-mail-esc" 1 submit
# The reason kept in the outbox is clean too (send --retry prints it).
if LC_ALL=C grep -q "$(printf '\033')" "$H"/d-mail-esc/outbox/*.meta; then
	bad "mail-esc: the outbox reason holds an escape sequence"
fi

# --- referrals: never followed, the password never goes elsewhere ----------

fake imap referral-login implicit
cfg=$(config referral-login "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run referral-login --config "$cfg" --data-dir "$H/d-ref" folders
expect referral-login 5 "localhost:$FPORT refused the login"
untrapped referral-login

fake imap referral-login-ok implicit
cfg=$(config referral-login-ok "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run referral-login-ok --config "$cfg" --data-dir "$H/d-ref" folders
expect referral-login-ok 0
grep -q FakeFolder "$H/referral-login-ok.out" || bad "referral-login-ok: folders did not list"
untrapped referral-login-ok

fake imap referral-select implicit
cfg=$(config referral-select "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run referral-select --config "$cfg" --data-dir "$H/d-ref" list INBOX
expect referral-select 5 "localhost:$FPORT refused SELECT" "INBOX"
untrapped referral-select

fake imap referral-greeting implicit
cfg=$(config referral-greeting "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$top_srcdir/tests/attacks/lsan-libetpan.supp \
	run referral-greeting --config "$cfg" --data-dir "$H/d-ref" folders
expect referral-greeting 5 "localhost:$FPORT refuses the connection"
untrapped referral-greeting
grep -q LOGIN "$FLOG" && bad "referral-greeting: cachet logged in after a BYE"

# --- a line that never ends: refused before it fills memory -------------

# The limit is 64 KiB before TLS and for SMTP replies, 16 MiB for IMAP
# inside TLS (literals count).
for proto in imap smtp; do
	for mode in starttls implicit; do
		name=flood-$proto-$mode
		limit=65536
		[ "$proto/$mode" = imap/implicit ] && limit=16777216
		fake "$proto" flood "$mode"
		if [ "$proto" = imap ]; then
			[ "$mode" = starttls ] && url=imap || url=imaps
			cfg=$(config "$name" "$url://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT" \
				"timeout = 5")
			run "$name" --config "$cfg" --data-dir "$H/d-flood" folders
		else
			[ "$mode" = starttls ] && url=submission || url=smtps
			cfg=$(config "$name" "imaps://alice@localhost:$IMAPS_PORT" "$url://alice@localhost:$FPORT" \
				"timeout = 5")
			run "$name" --config "$cfg" --data-dir "$H/d-flood" send "$(msg "$name")"
		fi
		expect "$name" 5 "localhost:$FPORT" "connection lost while reading the greeting" \
			"the server sent a line longer than $limit bytes"
		# The peer stopped after little more than the limit (socket buffers).
		for _ in $(seq 1 250); do
			grep -q '^FLOODED ' "$FLOG" && break
			sleep 0.02
		done
		sent=$(sed -n 's/^FLOODED //p' "$FLOG")
		[ -n "$sent" ] && [ "$sent" -lt $((limit + 20000000)) ] ||
			bad "$name: the peer sent ${sent:-?} bytes before cachet stopped reading"
	done
done

# --- connections closed halfway -------------------------------------------

fake imap close-greeting implicit
cfg=$(config close-greeting "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run close-greeting --config "$cfg" --data-dir "$H/d-close" folders
expect close-greeting 5 "localhost:$FPORT: connection lost while reading the greeting"

fake imap close-fetch implicit
cfg=$(config close-fetch "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run close-fetch --config "$cfg" --data-dir "$H/d-close" list INBOX
expect close-fetch 5 "localhost:$FPORT: connection lost while FETCH"
[ -s "$H/close-fetch.out" ] && bad "close-fetch: a partial index was printed: $(cat "$H/close-fetch.out")"

fake imap close-literal implicit
cfg=$(config close-literal "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
run close-literal --config "$cfg" --data-dir "$H/d-close" list INBOX
expect close-literal 5 "localhost:$FPORT: connection lost while FETCH"
[ -s "$H/close-literal.out" ] && bad "close-literal: a partial index was printed"

# SMTP closes during DATA, after cachet wrote the whole (small) message:
# cachet cannot tell whether the final dot arrived, so the message is kept
# as possibly delivered; a plain retry refuses, --force delivers it once.
fake smtp close-data implicit
cfg=$(config close-data "imaps://alice@localhost:$IMAPS_PORT" "smtps://alice@localhost:$FPORT")
bob0=$(harness_mail_count bob)
run close-data --config "$cfg" --data-dir "$H/d-data" send "$(msg close-data)"
expect close-data 5 "localhost:$FPORT: connection lost while sending the message" \
	"kept in the outbox" "as possibly delivered" "cachet outbox retry --force"
outbox "$H/d-data" 1 sending
grep -q DELIVERED "$FLOG" && bad "close-data: the peer says it took the message"
sleep 0.5
[ "$(harness_mail_count bob)" = "$bob0" ] || bad "close-data: bob got mail before the retry"
run close-data-noforce --config "$REAL" --data-dir "$H/d-data" send --retry
expect close-data-noforce 1 "may have been delivered already"
outbox "$H/d-data" 1 sending
run close-data-retry --config "$REAL" --data-dir "$H/d-data" send --retry --force
expect close-data-retry 0 "sent " "nothing waits"
outbox "$H/d-data" 0
settled bob $((bob0 + 1))
harness_mailbox_text bob | grep -q "body of close-data" || bad "close-data: the retried message is not bob's"
run close-data-again --config "$REAL" --data-dir "$H/d-data" send --retry
expect close-data-again 0 "0 done, nothing waits"
settled bob $((bob0 + 1))

# No answer to the end of the DATA within the timeout: kept, and the
# error says the server may have the message already.
fake smtp slow-final implicit 8
cfg=$(config slow-final "imaps://alice@localhost:$IMAPS_PORT" "smtps://alice@localhost:$FPORT" \
	"timeout = 2")
run slow-final --config "$cfg" --data-dir "$H/d-slow-final" send "$(msg slow-final)"
expect slow-final 5 "localhost:$FPORT: connection lost while sending the message: connection timed out" \
	"the server may have accepted it" "kept in the outbox" "as possibly delivered" \
	"only 'cachet outbox retry --force"
outbox "$H/d-slow-final" 1 sending
# Possibly delivered: a retry without --force refuses to send it again.
run slow-final-retry --config "$cfg" --data-dir "$H/d-slow-final" outbox retry
expect slow-final-retry 1 "may have been delivered already" "--force"
outbox "$H/d-slow-final" 1 sending

# The copy in Sent breaks off after a good submission: the retry files it
# and does not submit again.
fake imap close-append implicit
cfg=$(config close-append "imaps://alice@localhost:$FPORT" "smtps://alice@localhost:$SMTPS_PORT")
bob0=$(harness_mail_count bob)
sent0=$(sent_count)
run close-append --config "$cfg" --data-dir "$H/d-append" send "$(msg close-append)"
expect close-append 0 "sent to 1 recipient" "sent, but the copy could not be filed in Sent" \
	"localhost:$FPORT: connection lost while APPEND" "without sending again"
outbox "$H/d-append" 1 append
settled bob $((bob0 + 1))
run close-append-retry --config "$REAL" --data-dir "$H/d-append" send --retry
expect close-append-retry 0 "filed " "nothing waits"
outbox "$H/d-append" 0
[ "$(sent_count)" = $((sent0 + 1)) ] || bad "close-append: Sent holds $(sent_count), expected $((sent0 + 1))"
settled bob $((bob0 + 1))

# --- silent servers: cachet gives up after its timeout ---------------------

wait "$silent_imap_job" || true
wait "$silent_smtp_job" || true
wait "$mute_imap_job" || true
RC=$(cat "$H/silent-imap.rc")
expect silent-imap 5 "localhost:$SILENT_IMAP" "timed out"
took=$(cat "$H/silent-imap.took")
# One wait for the greeting, none for the LOGOUT on the dead line.
[ "$took" -le 20 ] || bad "silent-imap: cachet gave up only after ${took}s (timeout = 5)"
RC=$(cat "$H/silent-smtp.rc")
expect silent-smtp 5 "localhost:$SILENT_SMTP" "timed out" "kept in the outbox"
took=$(cat "$H/silent-smtp.took")
[ "$took" -le 20 ] || bad "silent-smtp: cachet gave up only after ${took}s (timeout = 5)"
outbox "$H/d-silent-smtp" 1 submit
bob0=$(harness_mail_count bob)
run silent-smtp-retry --config "$REAL" --data-dir "$H/d-silent-smtp" send --retry
expect silent-smtp-retry 0 "nothing waits"
settled bob $((bob0 + 1))
harness_mailbox_text bob | grep -q "body of silent" || bad "silent-smtp: the retried message is not bob's"
RC=$(cat "$H/mute-imap.rc")
expect mute-imap 5 "TLS handshake with localhost:$MUTE_IMAP timed out"
took=$(cat "$H/mute-imap.took")
[ "$took" -le 20 ] || bad "mute-imap: cachet gave up only after ${took}s (timeout = 5)"

transport_done attack_transport
