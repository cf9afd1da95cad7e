# tests/bench/imap_peers.sh: the peers of the IMAP index benchmark, sourced
# by a bench script after harness_init and harness_dovecot.
#
#   bench_folder_make COUNT      fills carol's INBOX with COUNT generated
#                                messages (gen_folder.py; some signed) and
#                                lets Dovecot index it once
#   bench_raw_fetch              prints "seconds count" of a raw
#                                UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE
#                                INTERNALDATE) after login over TLS
#   bench_screen_open COUNT CFG DATA
#                                prints "first full peak_rss_kb" of cachet's
#                                screen (in tmux) on the account of CFG with
#                                the data dir DATA: seconds until INBOX's
#                                index first shows, until it shows all COUNT
#                                messages, and its peak RSS
#   bench_neomutt_open COUNT     prints "seconds peak_rss_kb" of NeoMutt
#                                opening the folder until its index shows
#                                COUNT messages; the header cache persists
#                                between calls (first call cold, then warm)

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

bench_folder_make() {
	local count=$1 signed="$H/bench-signed" i
	mkdir -p "$signed"
	# Twenty signed bodies, reused under fresh outer headers.
	for i in $(seq 1 20); do
		printf 'Content-Type: text/plain\n\nsigned body %d\n%s\n' "$i" \
			"$(head -c 3000 /dev/zero | tr '\0' 'x')" |
		openssl cms -sign -signer "$HARNESS_PKI/alice.pem" \
			-inkey "$HARNESS_PKI/alice.key" -md sha256 \
			>"$signed/$i.eml" 2>/dev/null || fail "openssl cms -sign failed"
		# openssl's own outer headers are replaced by the generator's
		sed -i '/^MIME-Version:/d' "$signed/$i.eml"
	done
	python3 "$BENCH_DIR/gen_folder.py" "$H/mail/carol/Maildir" "$count" "$signed" ||
		fail "generating the folder failed"
	chown -R dovecot:dovecot "$H/mail/carol"
	# Dovecot builds its index on first access; no client pays for that.
	bench_raw_fetch >/dev/null
}

bench_raw_fetch() {
	python3 "$BENCH_DIR/imap_raw_fetch.py" 127.0.0.1 "$IMAPS_PORT" \
		"$HARNESS_PKI/tls-ca.pem" carol carol-pw INBOX
}

bench_screen_open() {
	command -v tmux >/dev/null || fail "tmux is not installed"
	python3 "$BENCH_DIR/screen_open.py" "cachet-bench-$$" "$1" 300 \
		"$CACHET" --config "$2" --data-dir "$3"
}

bench_neomutt_open() {
	local count=$1 rc="$H/neomuttrc"
	command -v neomutt >/dev/null || fail "neomutt is not installed (apt-get install neomutt)"
	mkdir -p "$H/neomutt-hcache"
	cat >"$rc" <<RC
set imap_user = carol
set imap_pass = carol-pw
set folder = "imaps://127.0.0.1:$IMAPS_PORT/"
set spoolfile = "+INBOX"
set ssl_ca_certificates_file = "$HARNESS_PKI/tls-ca.pem"
set header_cache = "$H/neomutt-hcache/"
set message_cachedir = ""
set imap_check_subscribed = no
set mail_check = 3600
set timeout = 3600
set sort = date
set status_format = "BENCHREADY %m"
set sidebar_visible = no
set help = no
set sleep_time = 0
RC
	python3 "$BENCH_DIR/neomutt_open.py" "$rc" "$count" 180
}
