#!/bin/bash
# tests/bench/bench-parse.sh [BUILDDIR] — are the header, parameter and MIME
# parsers linear?  Times two readers of a message on pathological input at
# two sizes, N and 2N: `cachet verify` (the verdict: header fields,
# Content-Type parameters, addresses, multipart structure) and the screen's
# pager (tests/fuzz/replay_pager: the same parser, plus RFC 2047 words,
# display names and body text), and prints the time of ten copies in one
# process (less that of a one-line message: start-up) and their ratio.  Linear growth is a ratio
# near 2; the target is at most 2.5.
#
#   rfc2231    Content-Type with 1 MB of RFC 2231 parameters (name*=, name*0*=)
#   comments   1 MB of nested comments in Content-Type and in From
#   parts      100,000 parts in one multipart/mixed (past the 10,000-part
#              limit: refused, so bounded), and 5,000 (under it)
#   folded     a Subject of 1 MB folded into 20-byte lines
#   fields     1 MB of From and To fields (tens of thousands of each)
#
# Run by hand (not part of make check), after `make check` or
# `make cachet tests/fuzz/replay_pager`: bash tests/bench/bench-parse.sh build
set -euo pipefail
build=${1:-.}
CACHET=$build/cachet
PAGER_READER=$build/tests/fuzz/replay_pager
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/gnupg" "$work/data"

gen() {
	python3 - "$@" <<'EOF'
import sys
kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
head = "To: bob@localhost\r\nSubject: bench\r\nDate: Tue, 02 Jan 2024 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
frm = "From: alice@localhost\r\n"
with open(out, "w") as f:
    if kind == "rfc2231":
        # n bytes of parameters: distinct extended names and continuations.
        ps, size, i = [], 0, 0
        while size < n:
            p = ";\r\n p%d*=utf-8''v%%41%d; q%d*0*=a; q%d*1=b" % (i, i, i, i)
            ps.append(p)
            size += len(p)
            i += 1
        f.write(frm + head + "Content-Type: application/octet-stream" + "".join(ps) + "\r\n\r\nx\r\n")
    elif kind == "comments":
        d = n // 4
        c = "(" * d + ")" * d
        f.write("From: " + c + " alice@localhost\r\n" + head +
                "Content-Type: text/plain; charset=" + c + "us-ascii\r\n\r\nx\r\n")
    elif kind == "parts":
        f.write(frm + head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n')
        for i in range(n):
            f.write("--b\r\nContent-Type: text/plain\r\n\r\n%d\r\n" % i)
        f.write("--b--\r\n")
    elif kind == "folded":
        f.write(frm + head.replace("Subject: bench", "Subject: " + "\r\n abcdefghijklmnopqr" * (n // 21)) +
                "Content-Type: text/plain\r\n\r\nx\r\n")
    elif kind == "fields":
        k = n // 48
        f.write("From: alice@localhost\r\nTo: bob@localhost\r\n" * k + head +
                "Content-Type: text/plain\r\n\r\nx\r\n")
    elif kind == "base":
        f.write(frm + head + "Content-Type: text/plain\r\n\r\nx\r\n")
EOF
}

# secs READER FILE: the best of three runs of READER (verify or pager) over
# ten copies of FILE in one process (so that start-up weighs little).
secs() {
	local best="" t0 t1 t i
	rm -rf "$work/copies"
	mkdir "$work/copies"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		ln "$2" "$work/copies/$i.eml"
	done
	for i in 1 2 3; do
		t0=$(date +%s.%N)
		if [ "$1" = verify ]; then
			"$CACHET" --gnupg-home "$work/gnupg" --data-dir "$work/data" verify \
				"$work"/copies/*.eml > /dev/null 2>&1 || true
		else
			"$PAGER_READER" "$work/copies" > /dev/null 2>&1 || true
		fi
		t1=$(date +%s.%N)
		t=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then
			best=$t
		fi
	done
	echo "$best"
}

gen base 0 "$work/base.eml"
printf '%-7s %-9s %9s %9s %9s %9s %6s\n' reader case N "time(N)" 2N "time(2N)" ratio
for reader in verify pager; do
	base=$(secs "$reader" "$work/base.eml")
	for spec in rfc2231:1000000 comments:1000000 parts:100000 parts:5000 folded:1000000 \
		    fields:1000000; do
		kind=${spec%%:*}
		n=${spec#*:}
		gen "$kind" "$n" "$work/a.eml"
		gen "$kind" $((2 * n)) "$work/b.eml"
		a=$(echo "$(secs "$reader" "$work/a.eml") - $base" | bc -l)
		b=$(echo "$(secs "$reader" "$work/b.eml") - $base" | bc -l)
		ratio=$(echo "if ($a <= 0.001) 0 else $b / $a" | bc -l)
		printf '%-7s %-9s %9d %8.3fs %9d %8.3fs %6.2f\n' "$reader" "$kind" "$n" "$a" \
			$((2 * n)) "$b" "$ratio"
	done
done
