# tests/lib/peers.sh: the extra servers a test script starts beside the
# harness's Dovecot and Postfix (scripted fake servers, gnutls-serv).
#
# Source it from a bash test script after tests/lib/harness.sh; after
# harness_init, trap peers_stop on EXIT instead of harness_cleanup. Every
# peer's PID is kept in $H/run/peer-pids, so peers started in command
# substitutions (subshells) are stopped too.
#
# Functions
#   peer_started PID         records PID as a peer, stopped by peers_stop.
#   peers_stop               stops every recorded peer, then runs
#                            harness_cleanup.
#   fake_peer ID SCRIPT ARG...
#                            runs python3 SCRIPT ARG... --cert PEM --key KEY
#                            (the harness's server certificate) --port-file
#                            $H/fake.ID.port --log $H/fake.ID.log, stderr in
#                            $H/fake.ID.err, and waits (5 s at most) until
#                            the script has written its port file. Fails
#                            with the script's stderr if it did not. The log
#                            file exists afterwards, even before the script
#                            wrote to it.
#
# The scripts (tests/fake/fake_mail_server.py,
# tests/attacks/fake_hostile_server.py) listen on 127.0.0.1 and write the
# port file only once they accept connections.

peer_started() {
	echo "$1" >> "$H/run/peer-pids"
}

peers_stop() {
	local p
	if [ -f "$H/run/peer-pids" ]; then
		while read -r p; do
			kill "$p" 2> /dev/null || true
		done < "$H/run/peer-pids"
	fi
	harness_cleanup
}

fake_peer() {
	local id=$1 script=$2 i
	shift 2
	local port_file=$H/fake.$id.port log=$H/fake.$id.log err=$H/fake.$id.err
	rm -f "$port_file"
	python3 "$script" "$@" --cert "$HARNESS_PKI/server.pem" \
		--key "$HARNESS_PKI/server.key" --port-file "$port_file" \
		--log "$log" > /dev/null 2> "$err" &
	peer_started $!
	for i in $(seq 1 250); do
		[ -s "$port_file" ] && break
		sleep 0.02
	done
	[ -s "$port_file" ] || fail "the scripted $id server did not start: $(cat "$err")"
	: >> "$log"
}
