#!/bin/bash
# bench-imap.sh [MESSAGES [ROUNDS]] — by hand, not part of make check.
#
# Fills a folder of the private Dovecot with MESSAGES (default 10000)
# generated messages (2-17 kB, some multipart, some signed), then times
# opening its index over IMAPS, each ROUNDS times (default 5), interleaved
# so that machine load hits every peer alike, and reports medians:
#   raw        Python imaplib: login, SELECT, one
#              UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE)
#   cold       `cachet list` without its cache (what it fetches: those items
#              plus the Content-Type field for the crypto column)
#   warm       `cachet list` with its cache (CONDSTORE: nothing changed)
#   neomutt    cold (header cache removed) and warm, on a pseudo-terminal
#              until its index shows every message (when NeoMutt is installed)
# and cachet's peak RSS: in all, and its growth per message over the same
# command on an empty folder (the libraries and TLS set-up are not per
# message).  Dovecot has answered each peer's items once before any timing
# ("first" lines show what the very first cold open cost, Dovecot reading
# every message file for the Content-Type field).
#
# Targets: cold <= 1.5x raw; warm <= 0.5x NeoMutt warm; RSS growth <= 1 kB
# per message.  Each target line says met or NOT MET.
#
# Environment: CACHET (default: ./cachet, else $top_builddir/cachet),
# HARNESS_KEEP=1 keeps the work dir.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
. "$here/../lib/harness.sh"
. "$here/imap_peers.sh"

messages=${1:-10000}
rounds=${2:-5}
CACHET=${CACHET:-$( [ -x ./cachet ] && echo "$PWD/cachet" || echo "${top_builddir:-.}/cachet")}
[ -x "$CACHET" ] || { echo "bench-imap: no cachet binary at $CACHET (set CACHET)" >&2; exit 2; }
harness_need bc
harness_need python3

harness_init
harness_dovecot
bench_folder_make "$messages"
cfg=$(harness_config carol)
data=$H/data

# median VALUES...: the middle value (the lower middle for an even count).
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# cachet_list FOLDER EXPECTED: prints "seconds peak_rss_kb" of one
# `cachet list FOLDER`, after checking it printed EXPECTED lines.
cachet_list() {
	local out="$H/list.out" tm="$H/list.time" n
	/usr/bin/time -f '%e %M' -o "$tm" \
		"$CACHET" --config "$cfg" --data-dir "$data" list "$1" >"$out" ||
		fail "cachet list $1 failed"
	n=$(wc -l <"$out")
	[ "$n" -eq "$2" ] || fail "cachet list $1 showed $n messages, expected $2"
	cat "$tm"
}

raw=() cold=() warm=() cold_rss=() warm_rss=() nm_cold=() nm_warm=() nm_rss=()
have_neomutt=false
command -v neomutt >/dev/null && have_neomutt=true

rm -rf "$data"
read -r first_cold first_rss <<< "$(cachet_list INBOX "$messages")"
printf '%-30s %8.3f s  peak RSS %s kB\n' "cachet list (cold, first)" "$first_cold" "$first_rss"
if $have_neomutt; then
	rm -rf "$H/neomutt-hcache"
	read -r secs rss <<< "$(bench_neomutt_open "$messages")"
	printf '%-30s %8.3f s  peak RSS %s kB\n' "neomutt (cold, first)" "$secs" "$rss"
fi

for ((r = 1; r <= rounds; r++)); do
	read -r secs _ <<< "$(bench_raw_fetch)"
	raw+=("$secs")
	rm -rf "$data"
	read -r secs rss <<< "$(cachet_list INBOX "$messages")"
	cold+=("$secs") cold_rss+=("$rss")
	read -r secs rss <<< "$(cachet_list INBOX "$messages")"
	warm+=("$secs") warm_rss+=("$rss")
	if $have_neomutt; then
		rm -rf "$H/neomutt-hcache"
		read -r secs rss <<< "$(bench_neomutt_open "$messages")"
		nm_cold+=("$secs") nm_rss+=("$rss")
		read -r secs rss <<< "$(bench_neomutt_open "$messages")"
		nm_warm+=("$secs")
	fi
done
# The same command on an empty folder: what is not per message.
read -r _ empty_rss <<< "$(cachet_list Drafts 0)"

m_raw=$(median "${raw[@]}") m_cold=$(median "${cold[@]}") m_warm=$(median "${warm[@]}")
m_cold_rss=$(median "${cold_rss[@]}") m_warm_rss=$(median "${warm_rss[@]}")
echo "medians of $rounds rounds, $messages messages:"
printf '%-30s %8.3f s\n' "raw UID FETCH" "$m_raw"
printf '%-30s %8.3f s  peak RSS %s kB\n' "cachet list (cold)" "$m_cold" "$m_cold_rss"
printf '%-30s %8.3f s  peak RSS %s kB\n' "cachet list (warm)" "$m_warm" "$m_warm_rss"
printf '%-30s %8s    peak RSS %s kB\n' "cachet list (empty folder)" "" "$empty_rss"

# verdict LABEL VALUE LIMIT: "met" when VALUE <= LIMIT.
verdict() {
	if [ "$(echo "$2 <= $3" | bc -l)" = 1 ]; then
		printf '%-46s %s (target <= %s): met\n' "$1" "$2" "$3"
	else
		printf '%-46s %s (target <= %s): NOT MET\n' "$1" "$2" "$3"
	fi
}
verdict "cold / raw" "$(printf '%.2f' "$(echo "$m_cold / $m_raw" | bc -l)")" 1.5
if $have_neomutt; then
	m_nm_cold=$(median "${nm_cold[@]}") m_nm_warm=$(median "${nm_warm[@]}")
	printf '%-30s %8.3f s  peak RSS %s kB\n' "neomutt (cold)" "$m_nm_cold" "$(median "${nm_rss[@]}")"
	printf '%-30s %8.3f s\n' "neomutt (warm)" "$m_nm_warm"
	verdict "warm / neomutt warm" "$(printf '%.2f' "$(echo "$m_warm / $m_nm_warm" | bc -l)")" 0.5
else
	echo "neomutt is not installed (apt-get install neomutt): warm target not measured"
fi
peak=$m_cold_rss
[ "$m_warm_rss" -gt "$peak" ] && peak=$m_warm_rss
verdict "RSS growth per message, bytes" "$(( (peak - empty_rss) * 1024 / messages ))" 1024
printf '%-46s %s\n' "peak RSS per message in all, bytes" "$(( peak * 1024 / messages ))"
