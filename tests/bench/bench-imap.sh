#!/bin/bash
# bench-imap.sh [MESSAGES [ROUNDS]] — by hand, not part of make check.
#
# Fills a folder of the private Dovecot with MESSAGES (default 10000)
# generated messages (2-17 kB, some multipart, some signed), then times
# opening its index over IMAPS, each ROUNDS times (default 5), interleaved
# so that machine load hits every peer alike, and reports medians:
#   raw        Python imaplib: login, SELECT, one
#              UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE)
#   list       `cachet list`, cold (no index cached: what it fetches is
#              those items plus the Content-Type field for the crypto
#              column) and warm (cached; CONDSTORE: nothing changed)
#   screen     cachet's screen in tmux (screen_open.py), cold and warm:
#              seconds until INBOX's index first shows (the first screen)
#              and until it shows every message (the full index)
#   neomutt    cold (header cache removed) and warm, on a pseudo-terminal
#              until its index shows every message (when NeoMutt is installed)
# and peak RSS of `cachet list` and of the screen: in all, and their growth
# per message over the same program on an empty folder (the libraries and
# TLS set-up are not per message).  Dovecot has answered each peer's items
# once before any timing ("first" lines show what the very first cold open
# cost, Dovecot reading every message file for the Content-Type field).
#
# Targets (issue 16): first screen cold <= 0.25x raw (at 100,000 messages);
# full index cold (list and screen) <= 1.3x raw; warm (list and screen)
# <= 0.3x NeoMutt warm; RSS growth <= 600 B per message.  Each target line
# says met or NOT MET.  Only the ratios mean something on a loaded machine:
# the load average is printed with them.
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
sc_first=() sc_full=() sw_first=() sw_full=() sc_rss=() sw_rss=()
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
	rm -rf "$data"
	read -r first full rss <<< "$(bench_screen_open "$messages" "$cfg" "$data")"
	sc_first+=("$first") sc_full+=("$full") sc_rss+=("$rss")
	read -r first full rss <<< "$(bench_screen_open "$messages" "$cfg" "$data")"
	sw_first+=("$first") sw_full+=("$full") sw_rss+=("$rss")
	if $have_neomutt; then
		rm -rf "$H/neomutt-hcache"
		read -r secs rss <<< "$(bench_neomutt_open "$messages")"
		nm_cold+=("$secs") nm_rss+=("$rss")
		read -r secs rss <<< "$(bench_neomutt_open "$messages")"
		nm_warm+=("$secs")
	fi
done
# The same programs on an empty folder: what is not per message (bob's
# INBOX is empty).
read -r _ empty_rss <<< "$(cachet_list Drafts 0)"
read -r _ _ empty_screen_rss <<< "$(bench_screen_open 0 "$(harness_config bob)" "$H/data-empty")"

m_raw=$(median "${raw[@]}") m_cold=$(median "${cold[@]}") m_warm=$(median "${warm[@]}")
m_cold_rss=$(median "${cold_rss[@]}") m_warm_rss=$(median "${warm_rss[@]}")
m_sc_first=$(median "${sc_first[@]}") m_sc_full=$(median "${sc_full[@]}")
m_sw_first=$(median "${sw_first[@]}") m_sw_full=$(median "${sw_full[@]}")
m_sc_rss=$(median "${sc_rss[@]}") m_sw_rss=$(median "${sw_rss[@]}")
echo "medians of $rounds rounds, $messages messages (load average: $(cut -d' ' -f1-3 /proc/loadavg)):"
# row LABEL SECONDS [RSS_KB]: a line of the table, with its ratio to raw.
row() {
	printf '%-34s %8.3f s  %5.2fx raw' "$1" "$2" "$(echo "$2 / $m_raw" | bc -l)"
	[ -n "${3:-}" ] && printf '  peak RSS %s kB' "$3"
	echo
}
printf '%-34s %8.3f s\n' "raw UID FETCH" "$m_raw"
row "cachet list (cold)" "$m_cold" "$m_cold_rss"
row "cachet list (warm)" "$m_warm" "$m_warm_rss"
row "screen, first screen (cold)" "$m_sc_first"
row "screen, full index (cold)" "$m_sc_full" "$m_sc_rss"
row "screen, first screen (warm)" "$m_sw_first"
row "screen, full index (warm)" "$m_sw_full" "$m_sw_rss"
printf '%-34s %8s    peak RSS %s kB (list), %s kB (screen)\n' "empty folder" "" \
	"$empty_rss" "$empty_screen_rss"
if $have_neomutt; then
	m_nm_cold=$(median "${nm_cold[@]}") m_nm_warm=$(median "${nm_warm[@]}")
	row "neomutt (cold)" "$m_nm_cold" "$(median "${nm_rss[@]}")"
	row "neomutt (warm)" "$m_nm_warm"
fi

# verdict LABEL VALUE LIMIT: "met" when VALUE <= LIMIT.
verdict() {
	if [ "$(echo "$2 <= $3" | bc -l)" = 1 ]; then
		printf '%-46s %s (target <= %s): met\n' "$1" "$2" "$3"
	else
		printf '%-46s %s (target <= %s): NOT MET\n' "$1" "$2" "$3"
	fi
}
ratio() {
	printf '%.2f' "$(echo "$1 / $2" | bc -l)"
}
verdict "first screen cold / raw" "$(ratio "$m_sc_first" "$m_raw")" 0.25
verdict "list cold / raw" "$(ratio "$m_cold" "$m_raw")" 1.3
verdict "screen full index cold / raw" "$(ratio "$m_sc_full" "$m_raw")" 1.3
if $have_neomutt; then
	verdict "list warm / neomutt warm" "$(ratio "$m_warm" "$m_nm_warm")" 0.3
	verdict "screen full index warm / neomutt warm" "$(ratio "$m_sw_full" "$m_nm_warm")" 0.3
else
	echo "neomutt is not installed (apt-get install neomutt): warm target not measured"
fi
peak=$m_cold_rss
[ "$m_warm_rss" -gt "$peak" ] && peak=$m_warm_rss
verdict "list RSS growth per message, bytes" "$(( (peak - empty_rss) * 1024 / messages ))" 600
peak=$m_sc_rss
[ "$m_sw_rss" -gt "$peak" ] && peak=$m_sw_rss
verdict "screen RSS growth per message, bytes" \
	"$(( (peak - empty_screen_rss) * 1024 / messages ))" 600
