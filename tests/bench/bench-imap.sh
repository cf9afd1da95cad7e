#!/bin/bash
# bench-imap.sh [MESSAGES] — by hand, not part of make check.
#
# Fills a folder of the private Dovecot with MESSAGES (default 10000)
# generated messages (some signed), then times opening its index over
# IMAPS: the raw baseline (Python imaplib, one UID FETCH of what an index
# needs), `cachet list` cold (no cache: envelopes fetched in batches of
# 500) and warm (the cache: one FETCH of UIDs and flags), and NeoMutt cold
# and warm with its header cache when it is installed.  Prints one line per
# client: seconds and messages.
#
# Environment: CACHET (default: ./cachet, else $top_builddir/cachet),
# HARNESS_KEEP=1 keeps the work dir.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
. "$here/../lib/harness.sh"
. "$here/imap_peers.sh"

messages=${1:-10000}
CACHET=${CACHET:-$( [ -x ./cachet ] && echo "$PWD/cachet" || echo "${top_builddir:-.}/cachet")}
[ -x "$CACHET" ] || { echo "bench-imap: no cachet binary at $CACHET (set CACHET)" >&2; exit 2; }

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

harness_init
harness_dovecot
bench_folder_make "$messages"
cfg=$(harness_config carol)

# cachet_list LABEL: times one `cachet list`, checks it saw every message.
cachet_list() {
	local t0 t1 n
	t0=$(now)
	n=$("$CACHET" --config "$cfg" --data-dir "$H/data" list INBOX | wc -l)
	t1=$(now)
	[ "$n" -eq "$messages" ] || fail "cachet list showed $n messages, expected $messages"
	printf '%-22s %8.3f s  %d messages\n' "$1" "$(elapsed "$t0" "$t1")" "$n"
}

read -r secs n <<< "$(bench_raw_fetch)"
printf '%-22s %8.3f s  %d messages\n' "raw UID FETCH" "$secs" "$n"
cachet_list "cachet list (cold)"
cachet_list "cachet list (warm)"
if command -v neomutt > /dev/null; then
	read -r secs rss <<< "$(bench_neomutt_open "$messages")"
	printf '%-22s %8.3f s  peak RSS %s kB\n' "neomutt (cold)" "$secs" "$rss"
	read -r secs rss <<< "$(bench_neomutt_open "$messages")"
	printf '%-22s %8.3f s  peak RSS %s kB\n' "neomutt (warm)" "$secs" "$rss"
fi
