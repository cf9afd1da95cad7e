#!/bin/bash
# tests/bench/bench-send.sh [COUNT]: batch send through the harness's
# Postfix.  COUNT (default 1000) messages from alice to bob, sent
#   - unsigned by one `cachet send --no-sign --no-encrypt --no-sent-copy`
#     call, against a loop of msmtp processes (one per message, the same
#     files, the same Postfix, implicit TLS, the same login);
#   - signed by one `cachet send --no-encrypt --no-sent-copy` call, against
#     gpg-agent's signing ceiling: COUNT PKSIGNs over one connection
#     (gpg-connect-agent), measured in the same run;
#   - signed by a loop of `cachet send` processes, one per message.
# Each run goes to a Maildir of its own user and is counted there.
# Prints the rates and ratios (targets: unsigned batch at least 5x the
# msmtp loop; signed batch at least 0.8x the agent's ceiling).
# Not part of make check; root (a private Postfix).  Run from a build tree:
#   top_srcdir=/path/to/src CACHET=./cachet bash tests/bench/bench-send.sh
set -euo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHET=$(realpath "${CACHET:-./cachet}")
COUNT=${1:-1000}
. "$top_srcdir/tests/lib/harness.sh"
harness_need msmtp gpg-connect-agent
harness_init
harness_postfix
P=$HARNESS_PKI
cfg=$(harness_config alice)
GNUPGHOME=$(harness_gnupg alice)
export GNUPGHOME
cd "$H"

# make DIR TO: COUNT messages of about 2 kB to TO.
make_msgs() {
	local i j
	mkdir -p "$1"
	for i in $(seq 1 "$COUNT"); do
		{
			printf 'From: Alice Example <alice@localhost>\nTo: %s\nSubject: report %d\nMessage-ID: <%s-%d@localhost>\n\n' \
				"$2" "$i" "${1##*/}" "$i"
			for j in $(seq 1 30); do printf 'report %d line %d: figures and words\n' "$i" "$j"; done
		} > "$1/$(printf 'm%05d' "$i").eml"
	done
}
now() { date +%s.%N; }
rate() { awk -v n="$COUNT" -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", n / (b - a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# arrived USER: waits until USER's Maildir holds COUNT messages.
arrived() { harness_wait_mail "$1" "$COUNT" 300; }

make_msgs in-plain bob@localhost
make_msgs in-msmtp carol@localhost
make_msgs in-signed dave@localhost
make_msgs in-loop alice@localhost

cat > msmtprc <<RC
account alice
host 127.0.0.1
port $SMTPS_PORT
tls on
tls_starttls off
tls_trust_file $P/tls-ca.pem
auth plain
user alice
password alice-pw
from alice@localhost
logfile
RC
chmod 600 msmtprc

t0=$(now)
"$CACHET" --config "$cfg" --data-dir "$H/d1" send --no-sign --no-encrypt --no-sent-copy \
	in-plain/*.eml
t1=$(now)
for f in in-msmtp/*.eml; do
	msmtp -C msmtprc -a alice carol@localhost < "$f"
done
t2=$(now)
arrived bob
arrived carol
rp=$(rate "$t0" "$t1")
rm=$(rate "$t1" "$t2")
printf 'unsigned  cachet batch %8s msg/s   msmtp loop %8s msg/s   ratio %sx (target 5x)\n' \
	"$rp" "$rm" "$(ratio "$rp" "$rm")"

t0=$(now)
"$CACHET" --config "$cfg" --data-dir "$H/d2" send --no-encrypt --no-sent-copy in-signed/*.eml
t1=$(now)
arrived dave
rs=$(rate "$t0" "$t1")
grip=$(gpgsm --with-keygrip --with-colons -K alice@localhost |
	awk -F: '$1 == "grp" { print $10; exit }')
[ -n "$grip" ] || fail "no keygrip for alice"
for f in in-signed/*.eml; do
	printf 'SIGKEY %s\nSETHASH --hash=sha256 %s\nPKSIGN\n' "$grip" \
		"$(sha256sum "$f" | cut -d' ' -f1)"
done > agent.cmds
echo /bye >> agent.cmds
t0=$(now)
gpg-connect-agent < agent.cmds > agent.out
t1=$(now)
[ "$(grep -c '^D (7:sig-val' agent.out)" = "$COUNT" ] ||
	fail "gpg-agent made $(grep -c '^D (7:sig-val' agent.out) signatures, not $COUNT"
ra=$(rate "$t0" "$t1")
printf 'signed    cachet batch %8s msg/s   agent PKSIGN ceiling %8s sig/s   ratio %sx (target 0.8x)\n' \
	"$rs" "$ra" "$(ratio "$rs" "$ra")"

t0=$(now)
for f in in-loop/*.eml; do
	"$CACHET" --config "$cfg" --data-dir "$H/d3" send --no-encrypt --no-sent-copy "$f" 2> /dev/null
done
t1=$(now)
arrived alice
rl=$(rate "$t0" "$t1")
printf 'signed    cachet batch %8s msg/s   loop of cachet send %8s msg/s   ratio %sx\n' \
	"$rs" "$rl" "$(ratio "$rs" "$rl")"
